// NameIndex: the dense id of a name (an entry, a tag, a channel) an event brings, found by
// reading one slot: open addressing over slots that hold a name's bytes beside its id, so a
// lookup touches one cache line and calls nothing (SPEC §7: no string work on the hot path
// beyond reading the event). Built once from a fixed list; Find is const and may run
// concurrently.
#ifndef ALLOT_SRC_NAME_INDEX_H_
#define ALLOT_SRC_NAME_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace allot::internal {

class NameIndex {
 public:
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  // Indexes `names`, distinct; a name's id is its index.
  explicit NameIndex(std::vector<std::string> names = {});
  // Copied, never moved (no move is declared): a moved-from index would have no slot for
  // Find to read, and indexes are built once per config.
  NameIndex(const NameIndex&) = default;
  NameIndex& operator=(const NameIndex&) = default;
  // The id of `name`, or kNone. Inline, and without calls for a name of up to 16 bytes: at
  // a few dozen instructions, a call and the registers it saves would cost a good part of
  // the work (SPEC §7: an arrival's entry, tags and channel are looked up every time).
  uint32_t Find(absl::string_view name) const {
    if (name.size() > kKeyBytes) return FindLong(name);
    const Key key = KeyOf(name);
    for (size_t i = Hash(key) & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      // Equal keys of short names mean equal bytes. An empty slot ends the walk; it holds
      // the key of "" with id kNone, so "", when not indexed, matches it and is reported
      // absent all the same.
      if (slot.SameKey(key)) return slot.id;
      if (slot.id == kNone) return kNone;
    }
  }

 private:
  // A slot: a name's key beside its id (kNone in an empty slot, and in the key of a name
  // looked up), 24 bytes, one read. The key packs the name's bytes so that names of up to
  // 16 bytes have distinct keys (overlapping reads that together cover every byte; the size
  // tells apart names the reads cover alike). A longer one's key holds its first and last 8
  // bytes and its size (modulo 2^32), and a match is checked on names_.
  struct Slot {
    uint64_t head = 0;
    uint64_t tail = 0;
    uint32_t size = 0;
    uint32_t id = kNone;
    bool SameKey(const Slot& other) const {
      return head == other.head && tail == other.tail && size == other.size;
    }
  };
  using Key = Slot;
  static constexpr size_t kKeyBytes = 16;
  static_assert(sizeof(Slot) == 24);
  // Find for names longer than kKeyBytes, out of line: they are rare, and compare bytes.
  uint32_t FindLong(absl::string_view name) const;
  [[gnu::always_inline]] static Key KeyOf(absl::string_view name) {
    const char* const p = name.data();
    const size_t n = name.size();
    Key key;
    key.size = static_cast<uint32_t>(n);
    if (n >= 8) {
      key.head = Load8(p);
      key.tail = Load8(p + n - 8);
    } else if (n >= 4) {
      key.head = Load4(p) | Load4(p + n - 4) << 32;
    } else if (n > 0) {
      key.head = uint64_t{static_cast<unsigned char>(p[0])} |
                 uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
                 uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
    }
    return key;
  }
  // One 64×64→128-bit multiply, its halves folded: every bit of the key reaches the low
  // bits the table is indexed by.
  [[gnu::always_inline]] static uint64_t Hash(const Key& key) {
    const unsigned __int128 m = static_cast<unsigned __int128>(key.head ^ 0x9e3779b97f4a7c15) *
                                (key.tail ^ key.size ^ 0xc2b2ae3d27d4eb4f);
    return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
  }
  static uint64_t Load8(const char* at) {
    uint64_t v;
    std::memcpy(&v, at, 8);
    return v;
  }
  static uint64_t Load4(const char* at) {
    uint32_t v;
    std::memcpy(&v, at, 4);
    return uint64_t{v};
  }

  std::vector<Slot> slots_;  // a power of two of them, at least one, at most half full
  size_t mask_ = 0;          // slots_.size() - 1
  std::vector<std::string> names_;
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_NAME_INDEX_H_
