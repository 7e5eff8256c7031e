// MemberHeap: group members ordered by a key, for picks in O(1) and re-keying in O(log n):
// an indexed 4-ary min-heap of member positions by (key, tie, member). FairQueue keeps two of
// them for WF2Q; LEAST_LOADED keeps one by load / weight (SPEC §5.2). Knows nothing of
// caps or times. Not thread-safe for writes; const methods may run concurrently.
#ifndef ALLOT_SRC_MEMBER_HEAP_H_
#define ALLOT_SRC_MEMBER_HEAP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "prefetch.h"

namespace allot::internal {

class MemberHeap {
 public:
  struct Node {
    double key = 0;
    double tie = 0;
    uint32_t member = 0;
  };

  // Empties the heap and sizes it for members 0 … members - 1.
  void Reset(uint32_t members);
  // Puts member `m` in the heap with (key, tie), or moves it there if it is in already.
  void Set(uint32_t m, double key, double tie);
  // Takes member `m` out, if it is in.
  void Erase(uint32_t m);
  bool Contains(uint32_t m) const { return m < position_.size() && position_[m] != kAbsent; }
  // Asks the CPU to fetch where member `m` is (a hint before an update of `m`).
  void Prefetch(uint32_t m) const {
    if (m < position_.size()) PrefetchLine(&position_[m]);
  }

  // The least node; requires !empty().
  const Node& top() const { return nodes_[0]; }
  bool empty() const { return nodes_.empty(); }
  size_t size() const { return nodes_.size(); }

  static bool Less(const Node& a, const Node& b) {
    if (a.key != b.key) return a.key < b.key;
    if (a.tie != b.tie) return a.tie < b.tie;
    return a.member < b.member;
  }

 private:
  static constexpr uint32_t kAbsent = ~uint32_t{0};
  // 4-ary: half the depth of a binary heap, and a node's children share a cache line or two.
  static constexpr uint32_t kArity = 4;

  void SiftUp(uint32_t i);
  // Moves the node at `i` down to a leaf along the least children; returns where it is.
  uint32_t SiftHoleDown(uint32_t i);
  void Place(uint32_t i, const Node& node) {
    nodes_[i] = node;
    position_[node.member] = i;
  }

  std::vector<Node> nodes_;
  std::vector<uint32_t> position_;  // index in nodes_, by member; kAbsent when out
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_MEMBER_HEAP_H_
