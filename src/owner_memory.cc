#include "owner_memory.h"

#include <algorithm>
#include <cstring>

namespace allot {

OwnerMemory::OwnerMemory(const OwnerMemory& other)
    : first_chunk_(other.first_chunk_),
      freed_(other.freed_),
      head_(other.head_),
      tail_(other.tail_),
      aliases_(other.aliases_),
      customers_(other.customers_),
      tags_(other.tags_),
      holders_(other.holders_),
      mask_(other.mask_),
      shift_(other.shift_),
      filled_(other.filled_),
      keys_(other.keys_) {
  for (const auto& chunk : other.chunks_) {
    chunks_.push_back(chunk == nullptr ? nullptr : std::make_unique<Chunk>(*chunk));
  }
}

OwnerMemory& OwnerMemory::operator=(const OwnerMemory& other) {
  if (this != &other) *this = OwnerMemory(other);
  return *this;
}

OwnerMemory::CustomerId OwnerMemory::Find(absl::Span<const uint64_t> keys) const {
  for (uint64_t key : keys) {
    const CustomerId id = FindKey(key);
    if (id != kNone) return id;
  }
  return kNone;
}

void OwnerMemory::Reserve(size_t keys) {
  size_t capacity = 16;
  while (keys * 8 > capacity * 7) capacity *= 2;
  if (capacity > tags_.size()) RebuildIndex(capacity);
}

void OwnerMemory::RebuildIndex(size_t capacity) {
  tags_.assign(capacity, kEmpty);
  holders_.assign(capacity, kNone);
  mask_ = capacity - 1;
  shift_ = 64 - __builtin_ctzll(capacity);
  filled_ = 0;
  keys_ = 0;
  // In record order: reads are sequential, only the index is written at random.
  for (uint64_t seq = head_; seq < tail_; ++seq) {
    const Column& c = AtSeq(seq);
    if (c.owner() == kDead) continue;
    size_t i = Home(c.key());
    while (tags_[i] != kEmpty) i = (i + 1) & mask_;
    tags_[i] = Tag(c.key());
    holders_[i] = static_cast<CustomerId>(seq);
    ++filled_;
    ++keys_;
  }
}

void OwnerMemory::MakeRoom() {
  if ((filled_ + 1) * 8 <= tags_.size() * 7) return;
  // Too full, of keys or of deleted slots: rebuild, doubling only if the keys need it, so
  // that the index is at most 7/16 full after.
  size_t capacity = std::max<size_t>(16, tags_.size());
  while ((keys_ + 1) * 16 > capacity * 7) capacity *= 2;
  RebuildIndex(capacity);
}

void OwnerMemory::InsertSlot(uint64_t key, CustomerId holder) {
  size_t i = Home(key);
  while (tags_[i] & 0x80) i = (i + 1) & mask_;
  if (tags_[i] == kEmpty) ++filled_;
  tags_[i] = Tag(key);
  holders_[i] = holder;
  ++keys_;
}

void OwnerMemory::RemoveSlot(size_t slot) {
  // An empty slot would cut the probe chains through it; a deleted one keeps them whole.
  tags_[slot] = tags_[(slot + 1) & mask_] == kEmpty ? kEmpty : kDeleted;
  if (tags_[slot] == kEmpty) --filled_;
  holders_[slot] = kNone;
  --keys_;
}

uint64_t OwnerMemory::Append(uint64_t key, int64_t at, uint32_t owner) {
  if ((tail_ >> kChunkBits) - first_chunk_ == chunks_.size()) {
    chunks_.push_back(std::unique_ptr<Chunk>(new Chunk));  // uninitialized: written below
  }
  const Column& c = AtSeq(tail_);
  c.set_key(key);
  c.set_at(at);
  c.set_owner(owner);
  return tail_++;
}

OwnerMemory::CustomerId OwnerMemory::Resolve(CustomerId id) const {
  while (Stored(id)) {
    const Column& c = At(id);
    if (c.owner() == kAlias) return kNone;
    if (c.owner() != kDead) return id;
    id = static_cast<CustomerId>(c.at());
  }
  return kNone;
}

OwnerMemory::CustomerId OwnerMemory::MoveToBack(CustomerId id, uint32_t owner, int64_t at_us) {
  const uint64_t key = At(id).key();
  const CustomerId moved = static_cast<CustomerId>(Append(key, at_us, owner));
  const Column& old = At(id);
  old.set_owner(kDead);
  old.set_at(moved);
  holders_[FindSlot(key)] = moved;
  if (auto it = aliases_.find(id); it != aliases_.end()) {
    absl::InlinedVector<CustomerId, 2> list = std::move(it->second);
    aliases_.erase(it);
    for (CustomerId a : list) At(a).set_at(moved);
    aliases_.emplace(moved, std::move(list));
  }
  return moved;
}

void OwnerMemory::Detach(size_t slot) {
  const CustomerId holder = holders_[slot];
  const Column& h = At(holder);
  const CustomerId customer = h.owner() == kAlias ? static_cast<CustomerId>(h.at()) : holder;
  auto it = aliases_.find(customer);
  if (holder != customer) {
    // An alias key leaves: drop it from its customer's list.
    auto& list = it->second;
    list.erase(std::find(list.begin(), list.end(), holder));
    if (list.empty()) aliases_.erase(it);
    h.set_owner(kDead);
    h.set_at(kNone);
  } else if (it != aliases_.end()) {
    // The customer's first key leaves: its last alias key takes its place.
    const CustomerId alias = it->second.back();
    it->second.pop_back();
    if (it->second.empty()) aliases_.erase(it);
    const Column& a = At(alias);
    h.set_key(a.key());
    holders_[FindSlot(a.key())] = customer;
    a.set_owner(kDead);
    a.set_at(kNone);
  } else {
    // Its only key leaves: nothing is left to find the customer by.
    h.set_owner(kDead);
    h.set_at(kNone);
    --customers_;
  }
  RemoveSlot(slot);
}

void OwnerMemory::Attach(CustomerId id, uint64_t key) {
  const size_t slot = FindSlot(key);
  if (slot != kNoSlot) {
    if (FindKey(key) == id) return;
    // The key moves over from another customer: the arrival says both are one person.
    Detach(slot);
  }
  MakeRoom();
  const CustomerId alias = static_cast<CustomerId>(Append(key, id, kAlias));
  aliases_[id].push_back(alias);
  InsertSlot(key, alias);
}

void OwnerMemory::Assign(CustomerId id, absl::Span<const uint64_t> keys, uint32_t owner,
                         int64_t at_us) {
  id = Resolve(id);
  if (id != kNone) id = MoveToBack(id, owner, at_us);
  for (uint64_t key : keys) {
    if (id != kNone) {
      Attach(id, key);
      continue;
    }
    // A new customer, whose record holds its first key.
    if (const size_t slot = FindSlot(key); slot != kNoSlot) Detach(slot);
    MakeRoom();
    id = static_cast<CustomerId>(Append(key, at_us, owner));
    InsertSlot(key, id);
    ++customers_;
  }
}

void OwnerMemory::Join(CustomerId id, absl::Span<const uint64_t> keys) {
  id = Resolve(id);
  if (id == kNone) return;
  for (uint64_t key : keys) Attach(id, key);
}

void OwnerMemory::MarkLost(CustomerId id) {
  id = Resolve(id);
  if (id != kNone) {
    const Column c = At(id);
    c.set_owner(c.owner() | kLostBit);
  }
}

void OwnerMemory::Forget(CustomerId id) {
  if (auto it = aliases_.find(id); it != aliases_.end()) {
    for (CustomerId a : it->second) {
      const Column& c = At(a);
      RemoveSlot(FindSlot(c.key()));
      c.set_owner(kDead);
      c.set_at(kNone);
    }
    aliases_.erase(it);
  }
  const Column& c = At(id);
  RemoveSlot(FindSlot(c.key()));
  c.set_owner(kDead);
  c.set_at(kNone);
  --customers_;
}

void OwnerMemory::ForgetAssignedUpTo(int64_t cutoff_us) {
  while (head_ < tail_) {
    const Column& c = AtSeq(head_);
    const CustomerId id = static_cast<CustomerId>(head_);
    if (c.owner() == kAlias) {
      // A key joined later than its customer's assignment; the customer is further back,
      // and the key goes there too.
      const CustomerId customer = static_cast<CustomerId>(c.at());
      const CustomerId moved = static_cast<CustomerId>(Append(c.key(), customer, kAlias));
      holders_[FindSlot(c.key())] = moved;
      auto& list = aliases_[customer];
      *std::find(list.begin(), list.end(), id) = moved;
      c.set_owner(kDead);
    } else if (c.owner() != kDead) {
      if (c.at() > cutoff_us) break;
      // Forgetting removes the key's slot, at a random place of the index: fetch the slot
      // of the record kForgetAhead on, so that a tick forgetting many waits for many slots
      // at once rather than for each in turn.
      if (tail_ - head_ > kForgetAhead) Prefetch(AtSeq(head_ + kForgetAhead).key());
      Forget(id);
    }
    ++head_;
    if ((head_ & (kChunkSize - 1)) == 0 || head_ == tail_) {
      // Free whole chunks behind the head.
      while (freed_ < chunks_.size() && (first_chunk_ + freed_ + 1) << kChunkBits <= head_) {
        chunks_[freed_++].reset();
      }
      if (freed_ > 16 && freed_ * 2 > chunks_.size()) {
        chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<ptrdiff_t>(freed_));
        first_chunk_ += freed_;
        freed_ = 0;
      }
    }
  }
}

}  // namespace allot
