#include "member_heap.h"

#include <algorithm>

namespace allot::internal {

void MemberHeap::Reset(uint32_t members) {
  nodes_.clear();
  position_.assign(members, kAbsent);
}

void MemberHeap::Set(uint32_t m, double key, double tie) {
  const Node node{key, tie, m};
  if (!Contains(m)) {
    nodes_.push_back(node);
    position_[m] = static_cast<uint32_t>(nodes_.size() - 1);
    SiftUp(position_[m]);
    return;
  }
  const uint32_t i = position_[m];
  const bool larger = Less(nodes_[i], node);
  nodes_[i] = node;
  if (larger) {
    SiftUp(SiftHoleDown(i));  // a load or a finish that grew sinks, mostly far (see Erase)
  } else {
    SiftUp(i);
  }
}

void MemberHeap::Erase(uint32_t m) {
  if (!Contains(m)) return;
  const uint32_t i = position_[m];
  position_[m] = kAbsent;
  const Node last = nodes_.back();
  nodes_.pop_back();
  if (i == nodes_.size()) return;
  // The last node, from the bottom, mostly belongs near the bottom again: walk the hole down
  // to a leaf along the least children (no comparison with the node on the way), then
  // bring the node up from there (Floyd's sift) — a pick pops the top of two heaps.
  nodes_[i] = last;
  SiftUp(SiftHoleDown(i));
}

uint32_t MemberHeap::SiftHoleDown(uint32_t i) {
  const uint32_t n = static_cast<uint32_t>(nodes_.size());
  auto lesser = [&](uint32_t a, uint32_t b) {
    const uint32_t b_wins = Less(nodes_[b], nodes_[a]);
    return a ^ ((a ^ b) & (0u - b_wins));
  };
  const Node node = nodes_[i];
  while (true) {
    const uint32_t first = kArity * i + 1;
    if (first >= n) break;
    uint32_t child;
    if (first + kArity <= n) {
      child = lesser(lesser(first, first + 1), lesser(first + 2, first + 3));
    } else {
      child = first;
      for (uint32_t c = first + 1; c < n; ++c) child = lesser(child, c);
    }
    Place(i, nodes_[child]);
    i = child;
  }
  Place(i, node);
  return i;
}

void MemberHeap::SiftUp(uint32_t i) {
  const Node node = nodes_[i];
  while (i > 0) {
    const uint32_t parent = (i - 1) / kArity;
    if (!Less(node, nodes_[parent])) break;
    Place(i, nodes_[parent]);
    i = parent;
  }
  Place(i, node);
}

}  // namespace allot::internal
