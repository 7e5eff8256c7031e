#include "id_list.h"

#include <algorithm>

namespace allot::internal {

IdList::IdList(const IdList& other) { *this = other; }

IdList& IdList::operator=(const IdList& other) {
  if (this == &other) return *this;
  size_ = 0;
  for (uint32_t id : other) push_back(id);
  return *this;
}

void IdList::Remove(uint32_t id) {
  size_ = static_cast<uint32_t>(std::remove(data_, data_ + size_, id) - data_);
}

bool IdList::operator==(const IdList& other) const {
  return std::equal(begin(), end(), other.begin(), other.end());
}

void IdList::Grow() {
  const uint32_t capacity = 2 * capacity_;
  auto heap = std::make_unique<uint32_t[]>(capacity);
  std::copy(data_, data_ + size_, heap.get());
  heap_ = std::move(heap);
  data_ = heap_.get();
  capacity_ = capacity;
}

}  // namespace allot::internal
