#include "keyword_matcher.h"

#include <algorithm>
#include <deque>

namespace allot::internal {

int32_t KeywordMatcher::Add(absl::string_view keyword) {
  if (keyword.empty()) return -1;
  auto [it, inserted] =
      keywords_.try_emplace(std::string(keyword), static_cast<int32_t>(keywords_.size()));
  if (!inserted) return it->second;
  int32_t state = 0;
  for (unsigned char byte : keyword) {
    int32_t next = Child(state, byte);
    if (next < 0) {
      next = static_cast<int32_t>(nodes_.size());
      nodes_.emplace_back();
      edges_.emplace((static_cast<uint64_t>(state) << 8) | byte, next);
    }
    state = next;
  }
  nodes_[state].outputs.push_back(it->second);
  return it->second;
}

void KeywordMatcher::Build() {
  // Breadth first, so that a node's failure target is complete before its children's.
  std::vector<std::vector<std::pair<unsigned char, int32_t>>> children(nodes_.size());
  for (const auto& [key, child] : edges_) {
    children[key >> 8].emplace_back(static_cast<unsigned char>(key & 0xff), child);
  }
  for (auto& list : children) std::sort(list.begin(), list.end());  // deterministic order
  first_edge_.assign(1, 0);
  edge_byte_.clear();
  edge_child_.clear();
  for (const auto& list : children) {
    for (const auto& [byte, child] : list) {
      edge_byte_.push_back(byte);
      edge_child_.push_back(child);
    }
    first_edge_.push_back(static_cast<uint32_t>(edge_byte_.size()));
  }
  for (const auto& [byte, child] : children[0]) root_[byte] = child;
  std::deque<int32_t> queue;
  for (const auto& [byte, child] : children[0]) {
    nodes_[child].fail = 0;
    queue.push_back(child);
  }
  while (!queue.empty()) {
    const int32_t state = queue.front();
    queue.pop_front();
    for (const auto& [byte, child] : children[state]) {
      int32_t fail = nodes_[state].fail;
      while (fail != 0 && Child(fail, byte) < 0) fail = nodes_[fail].fail;
      const int32_t target = Child(fail, byte);
      nodes_[child].fail = target >= 0 && target != child ? target : 0;
      const std::vector<int32_t>& inherited = nodes_[nodes_[child].fail].outputs;
      nodes_[child].outputs.insert(nodes_[child].outputs.end(), inherited.begin(), inherited.end());
      queue.push_back(child);
    }
  }
  first_output_.assign(1, 0);
  outputs_.clear();
  for (const Node& node : nodes_) {
    outputs_.insert(outputs_.end(), node.outputs.begin(), node.outputs.end());
    first_output_.push_back(static_cast<uint32_t>(outputs_.size()));
  }
}

}  // namespace allot::internal
