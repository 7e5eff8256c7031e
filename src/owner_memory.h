// OwnerMemory: which employee owns each remembered customer (SPEC §5.5). Customers are found
// by any of their key hashes and forgotten a fixed time after their owner was assigned, in
// amortized O(1) per call: assignments happen in time order, so a FIFO of (time, customer)
// is already sorted by expiry. Owners are opaque integers to this class.
// Not thread-safe for writes; const methods may run concurrently.
#ifndef ALLOT_SRC_OWNER_MEMORY_H_
#define ALLOT_SRC_OWNER_MEMORY_H_

#include <cstdint>
#include <deque>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"

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

  // The customer `key` belongs to, or kNone.
  CustomerId FindKey(uint64_t key) const {
    auto it = index_.find(key);
    return it == index_.end() ? kNone : it->second;
  }
  // The customer of the first of `keys` that is known, or kNone.
  CustomerId Find(absl::Span<const uint64_t> keys) const;
  const Record& record(CustomerId id) const { return records_[id]; }

  // Makes `owner` the owner of customer `id` (a new customer when kNone) from `at_us`.
  // Every key joins that customer, leaving any other customer it belonged to.
  // Requires `at_us` not earlier than any earlier Assign.
  void Assign(CustomerId id, absl::Span<const uint64_t> keys, uint32_t owner, int64_t at_us);

  // Marks the relation with the owner ended; the next Assign clears it.
  void MarkLost(CustomerId id) { records_[id].lost = true; }

  // Adds `keys` to the customer `id` without changing its owner.
  void Join(CustomerId id, absl::Span<const uint64_t> keys);

  // Forgets every customer whose owner was assigned at or before `cutoff_us`.
  void ForgetAssignedUpTo(int64_t cutoff_us);

  size_t size() const { return records_.size() - free_.size(); }
  size_t key_count() const { return index_.size(); }

  // Calls f(id, record, keys) for every remembered customer, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    for (CustomerId id = 0; id < records_.size(); ++id) {
      if (!live_[id]) continue;
      f(id, records_[id], absl::MakeConstSpan(keys_[id]));
    }
  }

 private:
  CustomerId NewCustomer();
  void AddKey(CustomerId id, uint64_t key);
  void Forget(CustomerId id);

  std::vector<Record> records_;
  std::vector<absl::InlinedVector<uint64_t, 1>> keys_;
  std::vector<bool> live_;
  std::vector<CustomerId> free_;
  absl::flat_hash_map<uint64_t, CustomerId> index_;
  // (assigned_at_us, customer) in time order; entries whose customer was reassigned since
  // are skipped when they reach the front.
  std::deque<std::pair<int64_t, CustomerId>> expiry_;
};

}  // namespace allot

#endif  // ALLOT_SRC_OWNER_MEMORY_H_
