#include "name_index.h"

#include <utility>

namespace allot::internal {

NameIndex::NameIndex(std::vector<std::string> names) : names_(std::move(names)) {
  // At least one slot, empty, so that Find needs no test for an empty index.
  size_t size = 1;
  while (size < 2 * names_.size()) size *= 2;
  slots_.resize(size);
  mask_ = size - 1;
  for (uint32_t id = 0; id < names_.size(); ++id) {
    const Key key = KeyOf(names_[id]);
    size_t i = Hash(key) & mask_;
    while (slots_[i].id != kNone) i = (i + 1) & mask_;
    slots_[i] = key;
    slots_[i].id = id;
  }
}

uint32_t NameIndex::FindLong(absl::string_view name) const {
  const Key key = KeyOf(name);
  for (size_t i = Hash(key) & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.id == kNone) return kNone;  // half the slots are empty: the walk ends
    if (slot.SameKey(key) && absl::string_view(names_[slot.id]) == name) return slot.id;
  }
}

}  // namespace allot::internal
