// IdList: dense ids (tags, rules) in the order they were appended, the first kInPlace held in
// place and the rest on the heap. Appending is one compare and one store while there is
// room: TagRules::Result is built for every arrival and appended to per rule fired
// (SPEC §7), where absl::InlinedVector's push_back costs several times that.
#ifndef ALLOT_SRC_ID_LIST_H_
#define ALLOT_SRC_ID_LIST_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/types/span.h"

namespace allot::internal {

class IdList {
 public:
  static constexpr uint32_t kInPlace = 8;

  IdList() = default;
  // Copies hold their own ids (data_ never points into another list). No move: a copy is
  // as cheap for the few ids a list holds, and a moved list would have to fix data_.
  IdList(const IdList& other);
  IdList& operator=(const IdList& other);

  void push_back(uint32_t id) {
    if (size_ == capacity_) Grow();
    data_[size_++] = id;
  }
  // Removes every occurrence of `id`, keeping the others in order.
  void Remove(uint32_t id);
  void clear() { size_ = 0; }

  const uint32_t* begin() const { return data_; }
  const uint32_t* end() const { return data_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint32_t operator[](size_t i) const { return data_[i]; }
  operator absl::Span<const uint32_t>() const { return absl::MakeConstSpan(data_, size_); }
  bool operator==(const IdList& other) const;

 private:
  // Doubles the room, moving the ids to the heap. Out of line: it is rare.
  void Grow();

  uint32_t* data_ = in_place_;
  uint32_t size_ = 0;
  uint32_t capacity_ = kInPlace;
  std::unique_ptr<uint32_t[]> heap_;
  uint32_t in_place_[kInPlace];
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_ID_LIST_H_
