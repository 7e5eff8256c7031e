// FairQueue: the eligible members of one WEIGHTED group, kept in the order WF2Q picks them
// (SPEC §5.2), so that a pick costs O(1) and an update O(log n) instead of a scan of the group.
// Members whose virtual start has come (start <= V) are ordered by (finish, member), the
// others by (start, finish, member), each side in a MemberTournament. The best choice is the
// first side's top, or, when it is empty, the second's (virtual time then jumps to its start).
// Knows nothing of caps or times: the caller decides who is eligible. Not thread-safe for
// writes; const methods may run concurrently.
#ifndef ALLOT_SRC_FAIR_QUEUE_H_
#define ALLOT_SRC_FAIR_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "member_tournament.h"
#include "prefetch.h"

namespace allot::internal {

class FairQueue {
 public:
  struct Choice {
    int32_t member = -1;  // -1: the queue is empty
    bool jump = false;    // nobody's start has come: virtual time jumps to the member's start
  };

  // Empties the queue and sizes it for `members` members.
  void Reset(uint32_t members);

  // Adds member `m` (not in the queue) with its virtual start and finish and its weight in
  // units; it is ready when `start <= virtual_time`.
  void Insert(uint32_t m, double start, double finish, int64_t units, double virtual_time);
  // Removes member `m` if it is in the queue.
  void Erase(uint32_t m);
  // Gives member `m`, in the queue or not, a new start and finish; cheaper than Erase and
  // Insert when it stays on the same side, as a picked member usually does.
  void Update(uint32_t m, double start, double finish, int64_t units, double virtual_time);
  bool Contains(uint32_t m) const { return ready_.Contains(m) || waiting_.Contains(m); }
  // Asks the CPU to fetch what an update of member `m` reads first (a hint).
  void Prefetch(uint32_t m) const {
    ready_.Prefetch(m);
    waiting_.Prefetch(m);
    if (m < member_units_.size()) PrefetchLine(&member_units_[m]);
  }

  // Virtual time moved forward to `virtual_time`: members whose start has come become ready.
  void Advance(double virtual_time);

  // The member WF2Q picks next.
  Choice Best() const {
    if (!ready_.empty()) return {static_cast<int32_t>(ready_.top().member), false};
    if (!waiting_.empty()) return {static_cast<int32_t>(waiting_.top().member), true};
    return {};
  }

  // The ready member that finishes first, and the waiting member that starts first; -1 for
  // an empty side. Best() is the first, else the second.
  int32_t ReadyTop() const {
    return ready_.empty() ? -1 : static_cast<int32_t>(ready_.top().member);
  }
  int32_t WaitingTop() const {
    return waiting_.empty() ? -1 : static_cast<int32_t>(waiting_.top().member);
  }

  // Sum of the weights (in units) of the members in the queue: exact, in any order.
  int64_t units() const { return units_; }
  size_t size() const { return ready_.size() + waiting_.size(); }

 private:
  MemberTournament ready_;    // by (finish, member)
  MemberTournament waiting_;  // by (start, finish, member)
  std::vector<int64_t> member_units_;
  int64_t units_ = 0;
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_FAIR_QUEUE_H_
