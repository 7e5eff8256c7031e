// OwnerMemory: which employee owns each remembered customer (SPEC §5.5). Customers are found
// by any of their key hashes and forgotten a fixed time after their owner was assigned.
//
// Built for tens of millions of customers at about 28 bytes each (SPEC §7):
// - Records live in assignment order in small chunks, column by column (key, time, owner:
//   20 bytes). Time order makes the log its own expiry queue: forgetting pops the front.
//   A customer given a new owner moves to the back; the old record forwards to the new one.
// - An open-addressing index (1 tag byte + a 4-byte record number per slot, linear probing,
//   at most 7/8 full) finds a key's record; the tag settles most misses without touching it.
//   Tags and record numbers are two arrays: a new customer's lookup reads only the tags, a
//   fifth of the index (2 MB at 1M customers), which stays in the caches where the whole
//   index would not (SPEC §7).
// - A customer's first key lives in its own record; each further key is an alias record
//   pointing at it (rare: most customers have one key).
// Owners are opaque integers below 2^31 to this class. CustomerIds stay valid until the
// customer is given a new owner or forgotten. Not thread-safe for writes; const methods may
// run concurrently.
#ifndef ALLOT_SRC_OWNER_MEMORY_H_
#define ALLOT_SRC_OWNER_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "prefetch.h"

namespace allot {

class OwnerMemory {
 public:
  using CustomerId = uint32_t;
  static constexpr CustomerId kNone = ~CustomerId{0};

  struct Record {
    int64_t assigned_at_us = 0;  // when the current owner was assigned
    uint32_t owner = 0;
    bool lost = false;  // the customer deleted the owner (SPEC §5.6)
  };

  OwnerMemory() = default;
  OwnerMemory(const OwnerMemory& other);
  OwnerMemory& operator=(const OwnerMemory& other);
  OwnerMemory(OwnerMemory&&) noexcept = default;
  OwnerMemory& operator=(OwnerMemory&&) noexcept = default;
  ~OwnerMemory() = default;

  // The customer `key` belongs to, or kNone.
  CustomerId FindKey(uint64_t key) const {
    const size_t slot = FindSlot(key);
    if (slot == kNoSlot) return kNone;
    const CustomerId holder = holders_[slot];
    const Column& c = At(holder);
    return c.owner() == kAlias ? static_cast<CustomerId>(c.at()) : holder;
  }
  // The customer of the first of `keys` that is known, or kNone.
  CustomerId Find(absl::Span<const uint64_t> keys) const;
  // The record of a customer FindKey returned.
  Record record(CustomerId id) const {
    const Column& c = At(id);
    return {c.at(), c.owner() & ~kLostBit, (c.owner() & kLostBit) != 0};
  }

  // Asks the CPU to fetch what FindKey(key) reads: the key's tag, and its record number
  // (read when the key is known, written when it is added). Called for an event's keys
  // before its lookup, and for keys ahead when a state is loaded or customers are forgotten
  // (SPEC §7).
  void Prefetch(uint64_t key) const {
    if (tags_.empty()) return;
    const size_t home = Home(key);
    internal::PrefetchLine(&tags_[home]);
    internal::PrefetchLine(&holders_[home]);
  }
  // Then, once both are in the cache, the record of the first slot of the key's probe run
  // whose tag matches (likely the key's; a key displaced by linear probing sits a few slots
  // on). For batches, some events ahead of the event decided.
  void PrefetchRecord(uint64_t key) const {
    const size_t slot = FirstTagMatch(key);
    if (slot == kNoSlot || !Stored(holders_[slot])) return;
    const uint64_t seq = SeqOf(holders_[slot]);
    if (chunks_[(seq >> kChunkBits) - first_chunk_] == nullptr) return;
    const unsigned char* record = AtSeq(seq).data();
    internal::PrefetchLine(record);
    // A record may straddle two lines; a prefetch that misses the TLB is not free, so the
    // second line only when it does.
    if ((reinterpret_cast<uintptr_t>(record) & 63) + kRecordBytes > 64) {
      internal::PrefetchLine(record + kRecordBytes - 1);
    }
  }

  // Makes `owner` the owner of customer `id` (a new customer when kNone) from `at_us`.
  // Every key joins that customer, leaving any other customer it belonged to.
  // Requires `at_us` not earlier than any earlier Assign, and `owner` < 2^31 - 2.
  void Assign(CustomerId id, absl::Span<const uint64_t> keys, uint32_t owner, int64_t at_us);

  // Marks the relation with the owner ended; the next Assign clears it.
  void MarkLost(CustomerId id);

  // Adds `keys` to the customer `id` without changing its owner.
  void Join(CustomerId id, absl::Span<const uint64_t> keys);

  // Forgets every customer whose owner was assigned at or before `cutoff_us`.
  void ForgetAssignedUpTo(int64_t cutoff_us);

  // Makes room for `keys` keys in all, so that loading a state does not rehash.
  void Reserve(size_t keys);

  size_t size() const { return customers_; }
  size_t key_count() const { return keys_; }

  // Calls f(id, record, keys) for every remembered customer, in assignment order; the first
  // key is the one the customer was found by first.
  template <typename F>
  void ForEach(F&& f) const {
    absl::InlinedVector<uint64_t, 4> keys;
    for (uint64_t seq = head_; seq < tail_; ++seq) {
      const Column& c = AtSeq(seq);
      if (c.owner() == kDead || c.owner() == kAlias) continue;
      const CustomerId id = static_cast<CustomerId>(seq);
      keys.assign(1, c.key());
      if (auto it = aliases_.find(id); it != aliases_.end()) {
        for (CustomerId a : it->second) keys.push_back(At(a).key());
      }
      f(id, record(id), absl::MakeConstSpan(keys));
    }
  }

 private:
  // A record's `owner` column: an owner (bit 31: lost), or one of these.
  static constexpr uint32_t kLostBit = 0x80000000u;
  static constexpr uint32_t kAlias = 0xFFFFFFFEu;  // a further key; `at` is its customer
  static constexpr uint32_t kDead = 0xFFFFFFFFu;   // `at` is where it moved, or kNone
  static constexpr size_t kNoSlot = ~size_t{0};
  static constexpr int kPrefetchProbes = 12;          // the slots of one or two cache lines
  static constexpr uint64_t kForgetAhead = 16;        // records, see ForgetAssignedUpTo
  static constexpr uint8_t kEmpty = 0, kDeleted = 1;  // tags; full slots have bit 7 set

  static constexpr int kChunkBits = 8;
  static constexpr uint32_t kChunkSize = 1u << kChunkBits;
  // Records are 20 bytes, unpadded: key, time, owner. Read and written through memcpy, as
  // their 8-byte fields are not 8-byte aligned.
  static constexpr size_t kRecordBytes = 20;
  struct Chunk {
    unsigned char bytes[kChunkSize * kRecordBytes];
  };
  // One record, by position.
  class Column {
   public:
    explicit Column(unsigned char* p) : p_(p) {}
    uint64_t key() const { return Load<uint64_t>(0); }
    int64_t at() const { return Load<int64_t>(8); }
    uint32_t owner() const { return Load<uint32_t>(16); }
    void set_key(uint64_t v) const { Store(0, v); }
    void set_at(int64_t v) const { Store(8, v); }
    void set_owner(uint32_t v) const { Store(16, v); }
    const unsigned char* data() const { return p_; }

   private:
    template <typename T>
    T Load(size_t offset) const {
      T v;
      std::memcpy(&v, p_ + offset, sizeof(T));
      return v;
    }
    template <typename T>
    void Store(size_t offset, T v) const {
      std::memcpy(p_ + offset, &v, sizeof(T));
    }
    unsigned char* p_;
  };

  uint64_t SeqOf(CustomerId id) const {
    return head_ + static_cast<uint32_t>(id - static_cast<uint32_t>(head_));
  }
  bool Stored(CustomerId id) const { return id != kNone && SeqOf(id) < tail_; }
  Column AtSeq(uint64_t seq) const {
    Chunk& chunk = *chunks_[(seq >> kChunkBits) - first_chunk_];
    return Column(chunk.bytes + (seq & (kChunkSize - 1)) * kRecordBytes);
  }
  Column At(CustomerId id) const { return AtSeq(SeqOf(id)); }

  static uint64_t Mix(uint64_t key) { return key * 0x9E3779B97F4A7C15ull; }
  size_t Home(uint64_t key) const { return static_cast<size_t>(Mix(key) >> shift_); }
  static uint8_t Tag(uint64_t key) { return static_cast<uint8_t>(0x80 | (Mix(key) & 0x7F)); }

  // The first slot within kPrefetchProbes of the key's home whose tag is the key's, or
  // kNoSlot; reads tags only.
  size_t FirstTagMatch(uint64_t key) const {
    if (tags_.empty()) return kNoSlot;
    const uint8_t tag = Tag(key);
    size_t i = Home(key);
    for (int probes = 0; probes < kPrefetchProbes; ++probes, i = (i + 1) & mask_) {
      if (tags_[i] == kEmpty) break;
      if (tags_[i] == tag) return i;
    }
    return kNoSlot;
  }
  size_t FindSlot(uint64_t key) const {
    if (tags_.empty()) return kNoSlot;
    const uint8_t tag = Tag(key);
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      if (tags_[i] == kEmpty) return kNoSlot;
      if (tags_[i] == tag && At(holders_[i]).key() == key) return i;
    }
  }
  void MakeRoom();  // for one more key, before its record is appended
  void InsertSlot(uint64_t key, CustomerId holder);  // requires key absent and MakeRoom
  void RemoveSlot(size_t slot);
  void RebuildIndex(size_t capacity);

  uint64_t Append(uint64_t key, int64_t at, uint32_t owner);
  CustomerId Resolve(CustomerId id) const;  // follows moves; kNone when gone
  CustomerId MoveToBack(CustomerId id, uint32_t owner, int64_t at_us);
  void Attach(CustomerId id, uint64_t key);
  void Detach(size_t slot);  // the key in `slot` leaves its customer
  void Forget(CustomerId id);

  // chunks_[0] is chunk number first_chunk_; the first `freed_` are freed already (null),
  // and dropped from the vector once they are half of it.
  std::vector<std::unique_ptr<Chunk>> chunks_;
  uint64_t first_chunk_ = 0;
  size_t freed_ = 0;
  uint64_t head_ = 0;  // sequence number of the oldest record kept
  uint64_t tail_ = 0;  // sequence number of the next record
  absl::flat_hash_map<CustomerId, absl::InlinedVector<CustomerId, 2>> aliases_;
  size_t customers_ = 0;

  // The index, slot by slot: a tag (kEmpty, kDeleted, or 0x80 | 7 bits of the key's hash),
  // and the record holding the key (the customer, or an alias record).
  std::vector<uint8_t> tags_;
  std::vector<CustomerId> holders_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t filled_ = 0;  // full or deleted slots
  size_t keys_ = 0;    // full slots
};

}  // namespace allot

#endif  // ALLOT_SRC_OWNER_MEMORY_H_
