#include "owner_memory.h"

#include <algorithm>

namespace allot {

OwnerMemory::CustomerId OwnerMemory::Find(absl::Span<const uint64_t> keys) const {
  for (uint64_t key : keys) {
    const CustomerId id = FindKey(key);
    if (id != kNone) return id;
  }
  return kNone;
}

OwnerMemory::CustomerId OwnerMemory::NewCustomer() {
  if (!free_.empty()) {
    const CustomerId id = free_.back();
    free_.pop_back();
    live_[id] = true;
    return id;
  }
  records_.emplace_back();
  keys_.emplace_back();
  live_.push_back(true);
  return static_cast<CustomerId>(records_.size() - 1);
}

void OwnerMemory::AddKey(CustomerId id, uint64_t key) {
  auto [it, inserted] = index_.try_emplace(key, id);
  if (!inserted) {
    if (it->second == id) return;
    // The key moves over from another customer: the arrival says both are one person.
    const CustomerId previous = it->second;
    auto& previous_keys = keys_[previous];
    previous_keys.erase(std::find(previous_keys.begin(), previous_keys.end(), key));
    it->second = id;
    if (previous_keys.empty()) {
      live_[previous] = false;
      free_.push_back(previous);
    }
  }
  keys_[id].push_back(key);
}

void OwnerMemory::Assign(CustomerId id, absl::Span<const uint64_t> keys, uint32_t owner,
                         int64_t at_us) {
  if (id == kNone) id = NewCustomer();
  Record& record = records_[id];
  record.owner = owner;
  record.assigned_at_us = at_us;
  record.lost = false;
  for (uint64_t key : keys) AddKey(id, key);
  if (expiry_.empty() || expiry_.back() != std::make_pair(at_us, id)) {
    expiry_.emplace_back(at_us, id);
  }
}

void OwnerMemory::Join(CustomerId id, absl::Span<const uint64_t> keys) {
  for (uint64_t key : keys) AddKey(id, key);
}

void OwnerMemory::Forget(CustomerId id) {
  for (uint64_t key : keys_[id]) index_.erase(key);
  keys_[id].clear();
  live_[id] = false;
  free_.push_back(id);
}

void OwnerMemory::ForgetAssignedUpTo(int64_t cutoff_us) {
  while (!expiry_.empty() && expiry_.front().first <= cutoff_us) {
    const auto [at_us, id] = expiry_.front();
    expiry_.pop_front();
    // A stale entry: the customer was reassigned later, or is already gone.
    if (!live_[id] || records_[id].assigned_at_us != at_us) continue;
    Forget(id);
  }
}

}  // namespace allot
