// MemberTournament: group members ordered by a key, for picks in O(1) and re-keying in
// O(log n): a winner tree over member positions by (key, tie, member). Each inner node holds
// the least member of its subtree with a copy of its key, so re-keying a member replays its
// one leaf-to-root path, one read and one compare per level, and stops where the path's
// winner stays the same. FairQueue keeps
// two of them for WF2Q; LEAST_LOADED keeps one by load / weight (SPEC §5.2). Knows nothing
// of caps or times. Not thread-safe for writes; const methods may run concurrently.
#ifndef ALLOT_SRC_MEMBER_TOURNAMENT_H_
#define ALLOT_SRC_MEMBER_TOURNAMENT_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "prefetch.h"

namespace allot::internal {

class MemberTournament {
 public:
  struct Node {
    double key = 0;
    double tie = 0;
    uint32_t member = 0;
  };

  // Empties the tournament and sizes it for members 0 … members - 1.
  void Reset(uint32_t members);
  // Puts member `m` in with (key, tie), or re-keys it if it is in already. Requires finite
  // key and tie: members out of the tournament are kept with infinite ones.
  void Set(uint32_t m, double key, double tie);
  // Takes member `m` out, if it is in.
  void Erase(uint32_t m);
  bool Contains(uint32_t m) const { return m < in_.size() && in_[m]; }
  // Asks the CPU to fetch what a re-keying of member `m` reads first (a hint).
  void Prefetch(uint32_t m) const {
    if (m < keys_.size()) {
      PrefetchLine(&keys_[m]);
      PrefetchLine(&nodes_[(leaves_ + m) >> 1]);
    }
  }

  // The least member; requires !empty().
  Node top() const { return nodes_[1]; }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  static bool Less(const Node& a, const Node& b) {
    if (a.key != b.key) return a.key < b.key;
    if (a.tie != b.tie) return a.tie < b.tie;
    return a.member < b.member;
  }

 private:
  struct Key {
    double key = std::numeric_limits<double>::infinity();  // out of the tournament
    double tie = std::numeric_limits<double>::infinity();
  };

  // Member `m`'s leaf. Members out of the tournament (and the padding up to leaves_) have
  // infinite keys, so they go after everyone in it.
  Node Leaf(uint32_t m) const { return {keys_[m].key, keys_[m].tie, m}; }
  // Recomputes the winners on member `m`'s path after its key or presence changed.
  void Replay(uint32_t m);

  uint32_t leaves_ = 0;  // a power of two, at least 2 and at least the members
  // Inner nodes 1 … leaves_ - 1, each its subtree's winner and the winner's key (a copy, so
  // that a replay reads one node per level rather than a member number and then its key);
  // node i's children are 2i and 2i + 1, and node leaves_ + m is member m's leaf.
  std::vector<Node> nodes_;
  std::vector<Key> keys_;    // by member (and the padding up to leaves_)
  std::vector<uint8_t> in_;  // by member
  size_t size_ = 0;
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_MEMBER_TOURNAMENT_H_
