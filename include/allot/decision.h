// allot::Decision — what Engine::Decide answered for one event, and the state change that
// Engine::Apply commits (SPEC §2). Names (employee, group, entry) are views into the Engine
// that made the decision and stay valid while any copy of that Engine lives. Convert to
// allot.v1.Decision with Engine::ToProto for storage or JSON.
#ifndef ALLOT_DECISION_H_
#define ALLOT_DECISION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "allot/v1/decision.pb.h"
#include "allot/v1/event.pb.h"

namespace allot {

struct Assignment {
  std::string customer;  // the arrival's customer.ref
  std::string_view employee;
  std::string_view group;
  std::string_view entry;
  v1::Assignment::Reason reason = v1::Assignment::NEW;
  bool used_reserve = false;
};

struct Hold {
  std::string customer;
  v1::Hold::Reason reason = v1::Hold::NO_CAPACITY;
};

struct Rejection {
  std::string customer;
  v1::Rejection::Reason reason = v1::Rejection::NO_CAPACITY;
  std::string_view owner;  // set for DUPLICATE
};

struct Alert {
  v1::Alert::Kind kind = v1::Alert::KIND_UNSPECIFIED;
  std::string_view employee;
  std::string_view entry;
  std::string_view group;
  std::string customer;
  std::string_view owner;  // DUPLICATE_ADD: the owner who keeps the customer
};

// The state change of a decision, in the deciding Engine's dense indices. Opaque to hosts:
// commit it with Engine::Apply, or convert it with Engine::ToProto.
struct Delta {
  struct Remember {
    absl::InlinedVector<uint64_t, 2> keys;  // hashed customer keys
    uint32_t customer = ~uint32_t{0};       // the remembered customer; ~0 for a new one
    uint32_t employee = 0;
    uint32_t entry = 0;      // charged assignments count toward the entry's day
    bool new_owner = false;  // false: keys join the owner's memory, nothing else changes
    bool charge = false;     // counts against the employee's caps
  };
  struct Pick {
    uint32_t group = 0;
    uint32_t member = 0;      // position in the group's member list
    double start = 0;         // WEIGHTED: new virtual start of the member
    double virtual_time = 0;  // WEIGHTED: new virtual time of the group
  };

  uint64_t engine = 0;  // fingerprint of the deciding Engine's config
  uint64_t base_version = 0;
  int64_t at_us = 0;
  int64_t local_day = 0;  // the event's day in the config's time zone, for day counters
  absl::InlinedVector<Remember, 1> remember;
  absl::InlinedVector<Pick, 1> picks;
  int64_t local_hour = 0;     // day * 24 + hour, local, for hourly caps
  int32_t local_minute = 0;   // minute of the local day
  int32_t local_weekday = 0;  // 0 = Monday
  struct StatusChange {
    uint32_t employee = 0;
    v1::EmployeeStatus::Status status = v1::EmployeeStatus::ACTIVE;
  };
  struct SurgeStart {
    bool group = false;  // index is a group's, else an employee's
    uint32_t index = 0;
    double extra = 0;
    int64_t until_us = 0;
  };
  std::vector<StatusChange> statuses;  // rare: allocated only when present
  std::vector<SurgeStart> surges;
  // The hold pool (SPEC §5.4): positions (in the pool as decided on, ascending) that leave
  // it; positions whose max_hold clock starts now (an entry opened); customers joining it.
  struct NewHold {
    std::string customer;
    absl::InlinedVector<uint64_t, 2> keys;
    uint32_t entry = 0;
    uint32_t group = 0;
    int64_t wait_from_us = 0;
    v1::Hold::Reason reason = v1::Hold::NO_CAPACITY;
  };
  std::vector<uint32_t> unheld;
  std::vector<uint32_t> wait_started;
  std::vector<NewHold> holds;
  // Acceptance tracking (SPEC §5.4): positions (ascending) leaving the pending list
  // (accepted or transferred), assignments joining it, and acceptance outcomes to record.
  struct NewPending {
    std::string customer;
    absl::InlinedVector<uint64_t, 2> keys;
    uint32_t holder = 0;  // employee
    uint32_t entry = 0;
    uint32_t group = 0;
    uint32_t transfers = 0;
    std::vector<uint32_t> earlier;  // employees
  };
  struct Outcome {
    uint32_t employee = 0;
    bool accepted = false;
  };
  std::vector<uint32_t> alerted_entries;  // capacity alert raised today
  bool reserve_alerted = false;           // RESERVE_USED raised today
  std::vector<uint32_t> lost;  // remembered customers who deleted their owner (SPEC §5.6)
  std::vector<uint32_t> pending_done;
  std::vector<NewPending> pending_added;
  std::vector<Outcome> outcomes;

  // Empties the delta, keeping its storage for the next decision.
  void Clear();
};

struct Decision {
  uint64_t version = 0;  // state version decided on
  int64_t at_us = 0;     // event time, unix microseconds
  absl::InlinedVector<Assignment, 1> assignments;
  absl::InlinedVector<Hold, 1> held;
  absl::InlinedVector<Rejection, 1> rejections;
  std::vector<std::string_view> tags_added;
  absl::InlinedVector<std::string_view, 1> tags_removed;
  absl::InlinedVector<Alert, 1> alerts;
  bool returning = false;
  std::string_view previous_owner;
  // Only when the arrival asked for it (SPEC §5.10); the fast path builds none.
  std::unique_ptr<v1::Explanation> explanation;
  Delta delta;

  // Empties the decision, keeping its storage: Engine::Decide into a reused Decision does
  // not allocate on the common path.
  void Clear();
};

}  // namespace allot

#endif  // ALLOT_DECISION_H_
