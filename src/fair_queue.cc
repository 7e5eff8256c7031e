#include "fair_queue.h"

#include <algorithm>

namespace allot::internal {

void FairQueue::Reset(uint32_t members) {
  ready_.clear();
  waiting_.clear();
  position_.assign(members, 0);
  where_.assign(members, kNowhere);
  member_units_.assign(members, 0);
  units_ = 0;
}

void FairQueue::Insert(uint32_t m, double start, double finish, int64_t units,
                       double virtual_time) {
  member_units_[m] = units;
  units_ += units;
  if (start <= virtual_time) {
    Push(ready_, kReady, {finish, 0, m});
  } else {
    Push(waiting_, kWaiting, {start, finish, m});
  }
}

void FairQueue::Update(uint32_t m, double start, double finish, int64_t units,
                       double virtual_time) {
  const uint8_t want = start <= virtual_time ? kReady : kWaiting;
  if (where_[m] != want) {
    Erase(m);
    Insert(m, start, finish, units, virtual_time);
    return;
  }
  units_ += units - member_units_[m];
  member_units_[m] = units;
  Heap& heap = want == kReady ? ready_ : waiting_;
  const uint32_t i = position_[m];
  heap[i] = want == kReady ? Node{finish, 0, m} : Node{start, finish, m};
  SiftUp(heap, i);
  SiftDown(heap, position_[m]);
}

void FairQueue::Erase(uint32_t m) {
  if (!Contains(m)) return;
  units_ -= member_units_[m];
  RemoveAt(where_[m] == kReady ? ready_ : waiting_, position_[m]);
}

void FairQueue::Advance(double virtual_time) {
  while (!waiting_.empty() && waiting_[0].key <= virtual_time) {
    const Node node = waiting_[0];
    RemoveAt(waiting_, 0);
    Push(ready_, kReady, {node.tie, 0, node.member});
  }
}

void FairQueue::Push(Heap& heap, uint8_t which, const Node& node) {
  where_[node.member] = which;
  heap.push_back(node);
  position_[node.member] = static_cast<uint32_t>(heap.size() - 1);
  SiftUp(heap, static_cast<uint32_t>(heap.size() - 1));
}

void FairQueue::RemoveAt(Heap& heap, uint32_t i) {
  where_[heap[i].member] = kNowhere;
  const Node last = heap.back();
  heap.pop_back();
  if (i == heap.size()) return;
  Place(heap, i, last);
  SiftUp(heap, i);
  SiftDown(heap, position_[last.member]);
}

void FairQueue::SiftUp(Heap& heap, uint32_t i) {
  const Node node = heap[i];
  while (i > 0) {
    const uint32_t parent = (i - 1) / kArity;
    if (!Less(node, heap[parent])) break;
    Place(heap, i, heap[parent]);
    i = parent;
  }
  Place(heap, i, node);
}

void FairQueue::SiftDown(Heap& heap, uint32_t i) {
  const Node node = heap[i];
  const uint32_t n = static_cast<uint32_t>(heap.size());
  while (true) {
    const uint32_t first = kArity * i + 1;
    if (first >= n) break;
    uint32_t child = first;
    const uint32_t end = std::min(first + kArity, n);
    for (uint32_t c = first + 1; c < end; ++c) {
      if (Less(heap[c], heap[child])) child = c;
    }
    if (!Less(heap[child], node)) break;
    Place(heap, i, heap[child]);
    i = child;
  }
  Place(heap, i, node);
}

}  // namespace allot::internal
