#include "member_tournament.h"

namespace allot::internal {

void MemberTournament::Reset(uint32_t members) {
  leaves_ = 2;
  while (leaves_ < members) leaves_ *= 2;
  keys_.assign(leaves_, Key{});
  in_.assign(leaves_, 0);
  // Everyone is out, and the least index wins ties of infinite keys: node i's winner is its
  // leftmost leaf.
  winner_.assign(leaves_, 0);
  for (uint32_t i = leaves_ - 1; i >= 1; --i) {
    winner_[i] = 2 * i >= leaves_ ? 2 * i - leaves_ : winner_[2 * i];
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
  uint32_t won = Beats(m, m ^ 1) ? m : m ^ 1;
  uint32_t i = (leaves_ + m) >> 1;
  while (true) {
    // Above a node whose winner is the same member as before, and not `m` (whose key may
    // have changed), nothing changes.
    if (winner_[i] == won && won != m) return;
    winner_[i] = won;
    if (i == 1) return;
    const uint32_t other = winner_[i ^ 1];
    if (Beats(other, won)) won = other;
    i >>= 1;
  }
}

}  // namespace allot::internal
