#include "keyword_matcher.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <limits>

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
  const size_t states = nodes_.size();
  std::vector<std::vector<std::pair<unsigned char, int32_t>>> children(states);
  std::array<bool, 256> occurs{};
  for (const auto& [key, child] : edges_) {
    const auto byte = static_cast<unsigned char>(key & 0xff);
    children[key >> 8].emplace_back(byte, child);
    occurs[byte] = true;
  }
  for (auto& list : children) std::sort(list.begin(), list.end());  // deterministic order
  classes_ = 1;
  for (int b = 0; b < 256; ++b) class_[b] = occurs[b] ? static_cast<uint16_t>(classes_++) : 0;

  // Breadth first, so that a state's failure target and its row are complete before its
  // own: a missing edge then takes the failure target's transition, which already folds in
  // the rest of the failure chain.
  const size_t c = classes_;
  std::vector<uint32_t> next(states * c, 0);  // by state index, before renumbering
  std::deque<int32_t> queue;
  single_start_ = children[0].size() == 1 ? children[0][0].first : -1;
  // The prefix every keyword starts with, up to 8 bytes: down the trie while a state has
  // one child and ends no keyword (outputs_ holds only keywords ending there until the
  // walk below adds those of failure targets).
  int32_t prefix_state = 0;
  std::array<unsigned char, 8> prefix{}, mask{};
  prefix_size_ = 0;
  while (single_start_ >= 0 && prefix_size_ < 8 && children[prefix_state].size() == 1 &&
         (prefix_state == 0 || nodes_[prefix_state].outputs.empty())) {
    prefix[prefix_size_] = children[prefix_state][0].first;
    mask[prefix_size_] = 0xff;
    ++prefix_size_;
    prefix_state = children[prefix_state][0].second;
  }
  std::memcpy(&prefix_, prefix.data(), 8);
  std::memcpy(&prefix_mask_, mask.data(), 8);
  for (const auto& [byte, child] : children[0]) {
    next[class_[byte]] = static_cast<uint32_t>(child);
    starts_[byte] = true;
    nodes_[child].fail = 0;
    queue.push_back(child);
  }
  while (!queue.empty()) {
    const int32_t state = queue.front();
    queue.pop_front();
    const int32_t fail = nodes_[state].fail;
    std::copy_n(next.begin() + fail * c, c, next.begin() + state * c);
    for (const auto& [byte, child] : children[state]) {
      // The failure target's transition on `byte`: the longest proper suffix of child's
      // path that is also a path from the root.
      const uint32_t target = next[fail * c + class_[byte]];
      nodes_[child].fail = static_cast<int32_t>(target);
      const std::vector<int32_t>& inherited = nodes_[target].outputs;
      nodes_[child].outputs.insert(nodes_[child].outputs.end(), inherited.begin(), inherited.end());
      next[state * c + class_[byte]] = static_cast<uint32_t>(child);
      queue.push_back(child);
    }
  }

  // Renumber (see Run). A leaf is a state without children whose failure target is the
  // root: its row would be the root's, and it reports its own keyword only.
  std::vector<int32_t> leaf_keyword(states, -1);
  for (size_t s = 1; s < states; ++s) {
    if (children[s].empty() && nodes_[s].fail == 0 && nodes_[s].outputs.size() == 1) {
      leaf_keyword[s] = nodes_[s].outputs[0];
    }
  }
  // Subtree sizes in rows (leaves have none): children are numbered after their parent,
  // so every state comes after its parent in index order and a reverse pass sums them.
  std::vector<uint32_t> subtree(states, 0);
  for (size_t s = states; s-- > 0;) {
    subtree[s] += leaf_keyword[s] < 0 ? 1 : 0;
    for (const auto& [byte, child] : children[s]) subtree[s] += subtree[child];
  }
  // Depth first, smaller subtrees first (a keyword's last states, which have none, come
  // right after the state before them), ties by byte.
  std::vector<uint32_t> preorder;
  preorder.reserve(states);
  std::vector<int32_t> stack = {0};
  while (!stack.empty()) {
    const int32_t s = stack.back();
    stack.pop_back();
    preorder.push_back(static_cast<uint32_t>(s));
    std::vector<std::pair<unsigned char, int32_t>> by_size = children[s];
    std::stable_sort(by_size.begin(), by_size.end(), [&](const auto& x, const auto& y) {
      return subtree[x.second] > subtree[y.second];  // pushed largest first, popped last
    });
    for (const auto& [byte, child] : by_size) stack.push_back(child);
  }
  std::vector<uint32_t> order;  // states with rows, by row
  order.reserve(states);
  for (uint32_t s : preorder) {
    if (leaf_keyword[s] < 0 && nodes_[s].outputs.empty()) order.push_back(s);
  }
  const auto first_output_state = static_cast<uint32_t>(order.size());
  for (uint32_t s : preorder) {
    if (leaf_keyword[s] < 0 && !nodes_[s].outputs.empty()) order.push_back(s);
  }
  first_output_row_ = static_cast<uint32_t>(first_output_state * c);
  first_leaf_row_ = static_cast<uint32_t>(order.size() * c);
  std::vector<uint32_t> row_of(states);
  for (uint32_t i = 0; i < order.size(); ++i) row_of[order[i]] = static_cast<uint32_t>(i * c);
  for (size_t s = 0; s < states; ++s) {
    if (leaf_keyword[s] >= 0) row_of[s] = first_leaf_row_ + static_cast<uint32_t>(leaf_keyword[s]);
  }
  prefix_row_ = row_of[prefix_state];
  // Exact on multiples of c below 2^32: row * ceil(2^32 / c) = s * 2^32 + s * e, where
  // e < c, so s * e < row.
  reciprocal_ = ((uint64_t{1} << 32) + c - 1) / c;
  const bool narrow = size_t{first_leaf_row_} + keywords_.size() <=
                      size_t{std::numeric_limits<uint16_t>::max()} + 1;
  narrow_.clear();
  wide_.clear();
  for (uint32_t s : order) {
    for (size_t k = 0; k < c; ++k) {
      const uint32_t row = row_of[next[s * c + k]];
      if (narrow) {
        narrow_.push_back(static_cast<uint16_t>(row));
      } else {
        wide_.push_back(row);
      }
    }
  }
  first_output_.assign(1, 0);
  outputs_.clear();
  for (uint32_t s : order) {
    const std::vector<int32_t>& found = nodes_[s].outputs;
    outputs_.insert(outputs_.end(), found.begin(), found.end());
    first_output_.push_back(static_cast<uint32_t>(outputs_.size()));
  }
}

}  // namespace allot::internal
