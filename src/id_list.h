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
