// IdList: dense ids (tags, rules) in the order they were appended, the first kInPlace held in
// place and the rest on the heap. Appending is one compare and one store while there is
// room: TagRules::Result is built for every arrival and appended to per rule fired
// (SPEC §7), where absl::InlinedVector's push_back costs several times that.
// BasicIdList<N, Id> holds N in place (ids of an unsigned type Id, 32 bits unless given);
// IdList, eight.
#ifndef ALLOT_SRC_ID_LIST_H_
#define ALLOT_SRC_ID_LIST_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>

#include "absl/types/span.h"

namespace allot::internal {

template <uint32_t N, typename Id = uint32_t>
class BasicIdList {
  static_assert(std::is_unsigned_v<Id>);

 public:
  using value_type = Id;
  static constexpr uint32_t kInPlace = N;

  BasicIdList() = default;
  // Copies hold their own ids (data_ never points into another list). No move: a copy is
  // as cheap for the few ids a list holds, and a moved list would have to fix data_.
  BasicIdList(const BasicIdList& other) { *this = other; }
  BasicIdList& operator=(const BasicIdList& other) {
    if (this == &other) return *this;
    end_ = data_;
    for (Id id : other) push_back(id);
    return *this;
  }

  void push_back(Id id) {
    if (end_ == limit_) Grow();
    *end_++ = id;
  }
  // Sorts the ids ascending. Up to eight, through a fixed network of compare-exchanges on
  // registers (conditional moves): no branch depends on the ids, where an insertion sort of
  // an arrival's handful of candidate rules mispredicted about three in callgrind's branch
  // model (SPEC §7; traffic that repeats, as the benchmark's does, teaches the predictor
  // those branches). More, by std::sort.
  void Sort() {
    if (size() > 8 || kInPlace < 8) {
      std::sort(begin(), end());
      return;
    }
    // The room past the ids (there are at least eight slots) holds the largest id, which
    // sorts last; all eight go through the network and come back. With room for eight more
    // past any eight, eight are written whatever the count: a few wide stores, no loop.
    if constexpr (kInPlace >= 16) {
      std::fill_n(end_, 8, std::numeric_limits<Id>::max());
    } else {
      std::fill(end_, data_ + 8, std::numeric_limits<Id>::max());
    }
    Id v0 = data_[0], v1 = data_[1], v2 = data_[2], v3 = data_[3], v4 = data_[4], v5 = data_[5],
       v6 = data_[6], v7 = data_[7];
    auto exchange = [](Id& low, Id& high) {
      const Id a = low, b = high;
      low = b < a ? b : a;
      high = b < a ? a : b;
    };
    // An optimal network for eight: 19 compare-exchanges in six rounds.
    exchange(v0, v2), exchange(v1, v3), exchange(v4, v6), exchange(v5, v7);
    exchange(v0, v4), exchange(v1, v5), exchange(v2, v6), exchange(v3, v7);
    exchange(v0, v1), exchange(v2, v3), exchange(v4, v5), exchange(v6, v7);
    exchange(v2, v4), exchange(v3, v5);
    exchange(v1, v4), exchange(v3, v6);
    exchange(v1, v2), exchange(v3, v4), exchange(v5, v6);
    data_[0] = v0, data_[1] = v1, data_[2] = v2, data_[3] = v3, data_[4] = v4, data_[5] = v5,
    data_[6] = v6, data_[7] = v7;
  }
  // Removes every occurrence of `id`, keeping the others in order.
  void Remove(Id id) { end_ = std::remove(data_, end_, id); }
  void clear() { end_ = data_; }

  Id* begin() { return data_; }
  Id* end() { return end_; }
  const Id* begin() const { return data_; }
  const Id* end() const { return end_; }
  size_t size() const { return static_cast<size_t>(end_ - data_); }
  bool empty() const { return end_ == data_; }
  Id operator[](size_t i) const { return data_[i]; }
  operator absl::Span<const Id>() const { return absl::MakeConstSpan(data_, end_); }
  bool operator==(const BasicIdList& other) const {
    return std::equal(begin(), end(), other.begin(), other.end());
  }

 private:
  // Doubles the room, moving the ids to the heap. Out of line: it is rare.
  [[gnu::noinline]] void Grow() {
    const size_t size = this->size(), capacity = 2 * static_cast<size_t>(limit_ - data_);
    auto heap = std::make_unique<Id[]>(capacity);
    std::copy(data_, end_, heap.get());
    heap_ = std::move(heap);
    data_ = heap_.get();
    end_ = data_ + size;
    limit_ = data_ + capacity;
  }

  // The ids are [data_, end_), with room up to limit_. Pointers rather than a size: a store
  // of an id cannot be a store of a pointer, so the compiler keeps them in registers across
  // appends whatever the type of the ids (it could not for a size of the same type).
  Id* data_ = in_place_;
  Id* end_ = in_place_;
  Id* limit_ = in_place_ + kInPlace;
  std::unique_ptr<Id[]> heap_;
  Id in_place_[kInPlace];
};

using IdList = BasicIdList<8>;

}  // namespace allot::internal

#endif  // ALLOT_SRC_ID_LIST_H_
