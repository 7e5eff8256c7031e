// KeywordMatcher: finds which of many keywords occur in a text in one pass over its bytes
// (Aho–Corasick), so that tag rules cost the same however many keywords they list
// (SPEC §5.7). Built once; Match is const and allocation-free.
#ifndef ALLOT_SRC_KEYWORD_MATCHER_H_
#define ALLOT_SRC_KEYWORD_MATCHER_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace allot::internal {

class KeywordMatcher {
 public:
  // Adds a keyword (bytes, e.g. UTF-8) and returns its id; equal keywords share one id.
  // Empty keywords are ignored (id -1). Call before Build.
  int32_t Add(absl::string_view keyword);
  // Computes failure links. Call once, after the last Add.
  void Build();
  // Calls on_found(id) for every occurrence of a keyword in `text` (an id may come more
  // than once).
  template <typename F>
  void Match(absl::string_view text, F&& on_found) const {
    if (keywords_.empty()) return;
    int32_t state = 0;
    for (unsigned char byte : text) {
      state = Next(state, byte);
      for (int32_t id : nodes_[state].outputs) on_found(id);
    }
  }
  size_t keyword_count() const { return keywords_.size(); }

 private:
  struct Node {
    int32_t fail = 0;
    std::vector<int32_t> outputs;  // keyword ids ending here, including via failure links
  };
  int32_t Next(int32_t state, unsigned char byte) const {
    while (state != 0) {
      const int32_t next = Child(state, byte);
      if (next >= 0) return next;
      state = nodes_[state].fail;
    }
    return root_[byte];  // most bytes of most texts: one array read
  }
  int32_t Child(int32_t state, unsigned char byte) const {
    auto it = edges_.find((static_cast<uint64_t>(state) << 8) | byte);
    return it == edges_.end() ? -1 : it->second;
  }

  std::vector<Node> nodes_{Node{}};
  std::array<int32_t, 256> root_{};               // the root's transitions, dense (0: stay)
  absl::flat_hash_map<uint64_t, int32_t> edges_;  // (state << 8 | byte) → state
  absl::flat_hash_map<std::string, int32_t> keywords_;
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_KEYWORD_MATCHER_H_
