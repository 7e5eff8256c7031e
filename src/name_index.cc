#include "name_index.h"

#include <cstring>
#include <utility>

namespace allot::internal {

NameIndex::NameIndex(std::vector<std::string> names) : names_(std::move(names)) {
  if (names_.empty()) return;
  size_t size = 2;
  while (size < 2 * names_.size()) size *= 2;
  slots_.resize(size);
  for (uint32_t id = 0; id < names_.size(); ++id) {
    const Key key = KeyOf(names_[id]);
    size_t i = Hash(key) & (size - 1);
    while (slots_[i].id != kNone) i = (i + 1) & (size - 1);
    slots_[i] = {key, id};
  }
}

// Inlined into Find: a call each cost about as much as the work.
[[gnu::always_inline]] inline NameIndex::Key NameIndex::KeyOf(absl::string_view name) {
  const char* const p = name.data();
  const size_t n = name.size();
  auto load8 = [](const char* at) {
    uint64_t v;
    std::memcpy(&v, at, 8);
    return v;
  };
  auto load4 = [](const char* at) {
    uint32_t v;
    std::memcpy(&v, at, 4);
    return uint64_t{v};
  };
  // Overlapping reads that together cover every byte (of the first 16 and the last 8).
  Key key;
  key.size = n;
  if (n >= 16) {
    key.words[0] = load8(p);
    key.words[1] = load8(p + 8);
    key.words[2] = load8(p + n - 8);
  } else if (n >= 8) {
    key.words[0] = load8(p);
    key.words[1] = load8(p + n - 8);
  } else if (n >= 4) {
    key.words[0] = load4(p) | load4(p + n - 4) << 32;
  } else if (n > 0) {
    key.words[0] = uint64_t{static_cast<unsigned char>(p[0])} |
                   uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
                   uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
  }
  return key;
}

[[gnu::always_inline]] inline uint64_t NameIndex::Hash(const Key& key) {
  uint64_t h = key.words[0] * 0x9e3779b97f4a7c15 ^ key.words[1] * 0xc2b2ae3d27d4eb4f ^
               key.words[2] * 0x165667b19e3779f9 ^ key.size;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9;
  return h ^ (h >> 32);
}

uint32_t NameIndex::Find(absl::string_view name) const {
  if (slots_.empty()) return kNone;
  const Key key = KeyOf(name);
  const size_t mask = slots_.size() - 1;
  for (size_t i = Hash(key) & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.id == kNone) return kNone;  // half the slots are empty: the walk ends
    if (slot.key == key && (name.size() <= kKeyBytes || names_[slot.id] == name)) return slot.id;
  }
}

}  // namespace allot::internal
