#include "fair_queue.h"

namespace allot::internal {

void FairQueue::Reset(uint32_t members) {
  ready_.Reset(members);
  waiting_.Reset(members);
  member_units_.assign(members, 0);
  units_ = 0;
}

void FairQueue::Insert(uint32_t m, double start, double finish, int64_t units,
                       double virtual_time) {
  member_units_[m] = units;
  units_ += units;
  if (start <= virtual_time) {
    ready_.Set(m, finish, 0);
  } else {
    waiting_.Set(m, start, finish);
  }
}

void FairQueue::Erase(uint32_t m) {
  if (!Contains(m)) return;
  units_ -= member_units_[m];
  ready_.Erase(m);
  waiting_.Erase(m);
}

void FairQueue::Update(uint32_t m, double start, double finish, int64_t units,
                       double virtual_time) {
  const bool ready = start <= virtual_time;
  if (ready ? !ready_.Contains(m) : !waiting_.Contains(m)) {
    Erase(m);
    Insert(m, start, finish, units, virtual_time);
    return;
  }
  units_ += units - member_units_[m];
  member_units_[m] = units;
  if (ready) {
    ready_.Set(m, finish, 0);
  } else {
    waiting_.Set(m, start, finish);
  }
}

void FairQueue::Advance(double virtual_time) {
  while (!waiting_.empty() && waiting_.top().key <= virtual_time) {
    const MemberTournament::Node node = waiting_.top();
    waiting_.Erase(node.member);
    ready_.Set(node.member, node.tie, 0);
  }
}

}  // namespace allot::internal
