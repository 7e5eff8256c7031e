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
    const unsigned char* p = reinterpret_cast<const unsigned char*>(text.data());
    const unsigned char* const end = p + text.size();
    while (p < end) {
      if (state == 0) {
        // At the root, skip the bytes no keyword starts with: most bytes of most texts.
        while (p < end && root_[*p] == 0) ++p;
        if (p == end) break;
      }
      state = Next(state, *p++);
      for (uint32_t o = first_output_[state]; o < first_output_[state + 1]; ++o) {
        on_found(outputs_[o]);
      }
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
      // A node's edges are few and contiguous: a short scan beats a hash lookup.
      for (uint32_t e = first_edge_[state]; e < first_edge_[state + 1]; ++e) {
        if (edge_byte_[e] == byte) return edge_child_[e];
      }
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
  absl::flat_hash_map<uint64_t, int32_t> edges_;  // (state << 8 | byte) → state, to build
  // The same edges by node, for matching: node i's are [first_edge_[i], first_edge_[i + 1]).
  std::vector<uint32_t> first_edge_;
  std::vector<uint32_t> first_output_;  // node i's keywords: [first_output_[i], [i + 1])
  std::vector<int32_t> outputs_;
  std::vector<unsigned char> edge_byte_;
  std::vector<int32_t> edge_child_;
  absl::flat_hash_map<std::string, int32_t> keywords_;
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_KEYWORD_MATCHER_H_
