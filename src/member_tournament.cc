#include "member_tournament.h"

namespace allot::internal {

void MemberTournament::Reset(uint32_t members) {
  leaves_ = 2;
  while (leaves_ < members) leaves_ *= 2;
  keys_.assign(leaves_, Key{});
  in_.assign(leaves_, 0);
  // Everyone is out, and the least index wins ties of infinite keys: node i's winner is its
  // leftmost leaf.
  nodes_.assign(leaves_, Node{});
  for (uint32_t i = leaves_ - 1; i >= 1; --i) {
    nodes_[i] = 2 * i >= leaves_ ? Leaf(2 * i - leaves_) : nodes_[2 * i];
  }
  size_ = 0;
}

void MemberTournament::Set(uint32_t m, double key, double tie) {
  keys_[m] = {key, tie};
  if (!in_[m]) {
    in_[m] = 1;
    ++size_;
  }
  Replay(m);
}

void MemberTournament::Erase(uint32_t m) {
  if (!Contains(m)) return;
  in_[m] = 0;
  keys_[m] = Key{};
  --size_;
  Replay(m);
}

void MemberTournament::Replay(uint32_t m) {
  // The leaf's level: the sibling leaf is member m ^ 1.
  const Node leaf = Leaf(m), sibling = Leaf(m ^ 1);
  Node won = Less(leaf, sibling) ? leaf : sibling;
  uint32_t i = (leaves_ + m) >> 1;
  while (true) {
    // Above a node whose winner is the same member as before, and not `m` (whose key may
    // have changed; any other's is as copied), nothing changes.
    Node& node = nodes_[i];
    if (node.member == won.member && won.member != m) return;
    node = won;
    if (i == 1) return;
    const Node& other = nodes_[i ^ 1];
    if (Less(other, won)) won = other;
    i >>= 1;
  }
}

}  // namespace allot::internal
