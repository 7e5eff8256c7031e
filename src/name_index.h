// NameIndex: the dense id of a name (an entry, a tag, a channel) an event brings, found by
// reading one slot: open addressing over slots that hold a name's bytes beside its id, so a
// lookup touches one cache line and calls nothing (SPEC §7: no string work on the hot path
// beyond reading the event). Built once from a fixed list; Find is const and may run
// concurrently.
#ifndef ALLOT_SRC_NAME_INDEX_H_
#define ALLOT_SRC_NAME_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace allot::internal {

class NameIndex {
 public:
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  // Indexes `names`, distinct; a name's id is its index.
  explicit NameIndex(std::vector<std::string> names = {});
  // The id of `name`, or kNone.
  uint32_t Find(absl::string_view name) const;

 private:
  // A name's bytes, packed so that names of up to 24 bytes have distinct keys; a longer
  // one's key holds its first 16 and last 8 bytes, and a match is checked on names_.
  struct Key {
    uint64_t words[3] = {0, 0, 0};
    uint64_t size = 0;
    bool operator==(const Key& other) const {
      return words[0] == other.words[0] && words[1] == other.words[1] &&
             words[2] == other.words[2] && size == other.size;
    }
  };
  static constexpr size_t kKeyBytes = 24;
  struct Slot {
    Key key;
    uint32_t id = kNone;
  };
  static Key KeyOf(absl::string_view name);
  static uint64_t Hash(const Key& key);

  std::vector<Slot> slots_;  // a power of two of them, at most half full
  std::vector<std::string> names_;
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_NAME_INDEX_H_
