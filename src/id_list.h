// IdList: dense ids (tags, rules) in the order they were appended, the first kInPlace held in
// place and the rest on the heap. Appending is one compare and one store while there is
// room: TagRules::Result is built for every arrival and appended to per rule fired
// (SPEC §7), where absl::InlinedVector's push_back costs several times that.
// BasicIdList<N> holds N in place; IdList, eight.
#ifndef ALLOT_SRC_ID_LIST_H_
#define ALLOT_SRC_ID_LIST_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/types/span.h"

namespace allot::internal {

template <uint32_t N>
class BasicIdList {
 public:
  static constexpr uint32_t kInPlace = N;

  BasicIdList() = default;
  // Copies hold their own ids (data_ never points into another list). No move: a copy is
  // as cheap for the few ids a list holds, and a moved list would have to fix data_.
  BasicIdList(const BasicIdList& other) { *this = other; }
  BasicIdList& operator=(const BasicIdList& other) {
    if (this == &other) return *this;
    size_ = 0;
    for (uint32_t id : other) push_back(id);
    return *this;
  }

  void push_back(uint32_t id) {
    if (size_ == capacity_) Grow();
    data_[size_++] = id;
  }
  // Sorts the ids ascending. Up to eight, through a fixed network of compare-exchanges on
  // registers (conditional moves): no branch depends on the ids, where an insertion sort of
  // an arrival's handful of candidate rules mispredicted about three in callgrind's branch
  // model (SPEC §7; traffic that repeats, as the benchmark's does, teaches the predictor
  // those branches). More, by std::sort.
  void Sort() {
    if (size_ > 8 || kInPlace < 8) {
      std::sort(begin(), end());
      return;
    }
    // The room past the ids (there are at least eight slots) holds the largest id, which
    // sorts last; all eight go through the network and come back.
    for (size_t i = size_; i < 8; ++i) data_[i] = UINT32_MAX;
    uint32_t v0 = data_[0], v1 = data_[1], v2 = data_[2], v3 = data_[3], v4 = data_[4],
             v5 = data_[5], v6 = data_[6], v7 = data_[7];
    auto exchange = [](uint32_t& low, uint32_t& high) {
      const uint32_t a = low, b = high;
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
  void Remove(uint32_t id) {
    size_ = static_cast<size_t>(std::remove(data_, data_ + size_, id) - data_);
  }
  void clear() { size_ = 0; }

  uint32_t* begin() { return data_; }
  uint32_t* end() { return data_ + size_; }
  const uint32_t* begin() const { return data_; }
  const uint32_t* end() const { return data_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint32_t operator[](size_t i) const { return data_[i]; }
  operator absl::Span<const uint32_t>() const { return absl::MakeConstSpan(data_, size_); }
  bool operator==(const BasicIdList& other) const {
    return std::equal(begin(), end(), other.begin(), other.end());
  }

 private:
  // Doubles the room, moving the ids to the heap. Out of line: it is rare.
  [[gnu::noinline]] void Grow() {
    const size_t capacity = 2 * capacity_;
    auto heap = std::make_unique<uint32_t[]>(capacity);
    std::copy(data_, data_ + size_, heap.get());
    heap_ = std::move(heap);
    data_ = heap_.get();
    capacity_ = capacity;
  }

  uint32_t* data_ = in_place_;
  // Not uint32_t: a store of an id could then be the size's, to the compiler, which would
  // reload both after every append.
  size_t size_ = 0;
  size_t capacity_ = kInPlace;
  std::unique_ptr<uint32_t[]> heap_;
  uint32_t in_place_[kInPlace];
};

using IdList = BasicIdList<8>;

}  // namespace allot::internal

#endif  // ALLOT_SRC_ID_LIST_H_
