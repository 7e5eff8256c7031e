// KeywordMatcher: finds which of many keywords occur in a text in one pass over its bytes
// (Aho–Corasick), so that tag rules cost the same however many keywords they list
// (SPEC §5.7). Built once into a DFA; Match is const and allocation-free.
#ifndef ALLOT_SRC_KEYWORD_MATCHER_H_
#define ALLOT_SRC_KEYWORD_MATCHER_H_

#include <array>
#include <cstdint>
#include <cstring>
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
  // Folds the failure links into a transition table. Call once, after the last Add.
  void Build();
  // Calls on_found(id) for every occurrence of a keyword in `text` (an id may come more
  // than once).
  template <typename F>
  void Match(absl::string_view text, F&& on_found) const {
    if (keywords_.empty()) return;
    if (!narrow_.empty()) {
      Run(narrow_.data(), text, on_found);
    } else {
      Run(wide_.data(), text, on_found);
    }
  }
  size_t keyword_count() const { return keywords_.size(); }

 private:
  struct Node {
    int32_t fail = 0;
    std::vector<int32_t> outputs;  // keyword ids ending here, including via failure links
  };

  // The DFA over `next`, a table of row offsets (state × classes_): one read per byte that
  // enters the automaton. Within an arrival the table has left the L1 cache, so each byte
  // of a walk waits for a cache miss (SPEC §7): Build lays states out so that a walk reads
  // few lines. States that report nothing come first, depth first with the smaller subtree
  // first, so that a keyword's last states follow the one before them; then the states
  // that report, so that one compare tells whether a state reports anything. A keyword
  // whose last state has no children and falls back to the root (most do: "】", "价格")
  // has no row at all: its row number is first_leaf_row_ plus its id, so the walk reports
  // it without a read and goes back to skipping. At the root, the bytes no keyword starts
  // with are skipped (most bytes of most texts); from a byte that does, the walk goes on
  // until it is back at the root.
  // Out of line: the caller's live values would otherwise crowd the loop's registers.
  template <typename T, typename F>
  [[gnu::noinline]] void Run(const T* next, absl::string_view text, F& on_found) const {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(text.data());
    const unsigned char* const end = p + text.size();
    // Locals, not members: on_found writes memory, which would make each byte reload them.
    const uint16_t* const byte_class = class_.data();
    const uint32_t first_output_row = first_output_row_;
    const uint32_t first_leaf_row = first_leaf_row_;
    const bool* const starts = starts_.data();
    // Reports the keywords of the state at `row`, a reporting one; returns whether the
    // walk is back at the root (a leaf's keyword).
    auto report = [&](uint32_t row) {
      if (row >= first_leaf_row) {
        on_found(static_cast<int32_t>(row - first_leaf_row));
        return true;
      }
      // Rows are multiples of classes_: a multiply by its reciprocal divides exactly.
      const auto state = static_cast<uint32_t>((uint64_t{row} * reciprocal_) >> 32);
      for (uint32_t o = first_output_[state]; o < first_output_[state + 1]; ++o) {
        on_found(outputs_[o]);
      }
      return false;
    };
    while (p < end) {
      T row = 0;  // of the element type, so the read needs no widening on the chain
      if (single_start_ >= 0) {
        // When every keyword starts with one byte, memchr finds the next (many bytes per
        // step). They all start with the prefix too: where it follows, the walk starts
        // past it, in the state it leads to; where it does not, no keyword starts here.
        p = static_cast<const unsigned char*>(
            std::memchr(p, single_start_, static_cast<size_t>(end - p)));
        if (p == nullptr) return;
        if (end - p >= 8) {
          uint64_t bytes;
          std::memcpy(&bytes, p, 8);
          if ((bytes & prefix_mask_) != prefix_) {
            ++p;
            continue;
          }
          p += prefix_size_;
          row = static_cast<T>(prefix_row_);
          // The prefix is a keyword itself.
          if (row >= first_output_row && report(row)) continue;
          if (p == end) return;
        }
      } else {
        // Eight bytes at a time, their reads independent of each other.
        while (end - p >= 8 && !(starts[p[0]] | starts[p[1]] | starts[p[2]] | starts[p[3]] |
                                 starts[p[4]] | starts[p[5]] | starts[p[6]] | starts[p[7]])) {
          p += 8;
        }
        while (p < end && !starts[*p]) ++p;
        if (p == end) return;
      }
      do {
        // The byte's column first (off the chain of reads), then the state's entry in it:
        // each byte waits for one read only. The empty asm keeps the compiler from folding
        // the two additions back into one on the chain.
        const T* column = next + byte_class[*p++];
        asm("" : "+r"(column));
        row = column[row];
        // One compare for the two rare cases: back at the root (row 0 wraps around to the
        // largest value), or a state that reports keywords (first_output_row >= 1: the
        // root reports none).
        if (uint32_t{row} - 1 >= first_output_row - 1) {
          if (row == 0 || report(row)) break;
        }
      } while (p < end);
    }
  }
  int32_t Child(int32_t state, unsigned char byte) const {
    auto it = edges_.find((static_cast<uint64_t>(state) << 8) | byte);
    return it == edges_.end() ? -1 : it->second;
  }

  // The trie, while keywords are added.
  std::vector<Node> nodes_{Node{}};
  absl::flat_hash_map<uint64_t, int32_t> edges_;  // (state << 8 | byte) → state
  absl::flat_hash_map<std::string, int32_t> keywords_;

  // The DFA. Bytes that occur in no keyword share class 0, which leads back to the root
  // from every state; the others have a class each, so rows stay short. starts_ holds
  // whether some keyword starts with a byte, for the skip at the root.
  std::array<uint16_t, 256> class_{};
  std::array<bool, 256> starts_{};
  int single_start_ = -1;  // the byte every keyword starts with, if they share one
  // With single_start_: the first prefix_size_ (1 to 8) bytes every keyword starts with, as
  // 8 bytes read from memory (the rest masked off by prefix_mask_), and the row they lead
  // to from the root. No keyword ends inside them: at most one is exactly them.
  uint64_t prefix_ = 0;
  uint64_t prefix_mask_ = 0;
  uint32_t prefix_size_ = 0;
  uint32_t prefix_row_ = 0;
  uint32_t classes_ = 1;
  uint64_t reciprocal_ = 0;  // ceil(2^32 / classes_)
  // Row offsets of the next state by (row + class): 16 bits when every offset fits (half the
  // cache lines), 32 otherwise; one of the two is empty.
  std::vector<uint16_t> narrow_;
  std::vector<uint32_t> wide_;
  uint32_t first_output_row_ = 0;       // rows from here on report keywords
  uint32_t first_leaf_row_ = 0;         // rows from here on are leaves', one per keyword id
  std::vector<uint32_t> first_output_;  // state i's keywords: [first_output_[i], [i + 1])
  std::vector<int32_t> outputs_;
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_KEYWORD_MATCHER_H_
