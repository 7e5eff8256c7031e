// The in-memory layout of allot::State. Employees are numbered by "slots" that only grow,
// so owner memory never needs renumbering when the config changes; per-group strategy clocks
// are laid out in the order of one engine's config (the "binding") so that Decide indexes
// them directly. A state loaded from bytes is bound lazily by the first Apply.
#ifndef ALLOT_SRC_STATE_DATA_H_
#define ALLOT_SRC_STATE_DATA_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "allot/v1/decision.pb.h"
#include "allot/v1/event.pb.h"
#include "fair_queue.h"
#include "member_tournament.h"
#include "owner_memory.h"
#include "time_window.h"

namespace allot::internal {

struct CompiledConfig;

inline constexpr uint32_t kNoSlot = std::numeric_limits<uint32_t>::max();

// A temporary raise of caps (应急通道, SPEC §5.4).
struct Surge {
  double extra = 0;
  int64_t until_us = 0;

  double FactorAt(int64_t now_us) const { return now_us < until_us ? 1.0 + extra : 1.0; }
};

struct EmployeeCounters {
  int64_t day = std::numeric_limits<int64_t>::min();  // local day `today` counts
  uint32_t today = 0;
  // Local hour (day * 24 + hour) `this_hour` counts.
  int64_t hour = std::numeric_limits<int64_t>::min();
  uint32_t this_hour = 0;
  std::vector<int64_t> recent;  // times of the last assignments, for the pressure limit
  v1::EmployeeStatus::Status status = v1::EmployeeStatus::ACTIVE;
  Surge surge;
  // Acceptance outcomes of the latest assignments, newest in bit 0 (1 = accepted in time).
  uint64_t outcome_bits = 0;
  uint32_t outcome_count = 0;

  void RecordOutcome(bool accepted) {
    outcome_bits = (outcome_bits << 1) | (accepted ? 1 : 0);
    if (outcome_count < 64) ++outcome_count;
  }
  // Share accepted among the last `last` outcomes; 1 with none yet.
  double AcceptanceRate(uint32_t last) const {
    const uint32_t n = std::min(last, outcome_count);
    if (n == 0) return 1.0;
    const uint64_t mask = n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
    return static_cast<double>(__builtin_popcountll(outcome_bits & mask)) / n;
  }

  uint32_t TodayOn(int64_t local_day) const { return day == local_day ? today : 0; }
  uint32_t ThisHourOn(int64_t local_hour) const { return hour == local_hour ? this_hour : 0; }
  bool IsDefault() const {
    return today == 0 && this_hour == 0 && recent.empty() && status == v1::EmployeeStatus::ACTIVE &&
           surge.until_us == 0 && outcome_count == 0;
  }
};

// The members of a group eligible for a normal pick (SPEC §5.3), in the order its strategy
// picks them (§5.2), so that Decide picks without asking every member (§7). Exact until
// `until_us`, the group's next boundary of local time or surge end, apart from members the
// pressure window lets back in (`wakes`); Decide scans the group when it is stale.
struct EligibleMembers {
  std::vector<uint64_t> bits;  // by member position
  FairQueue queue;             // WEIGHTED: in WF2Q order
  MemberTournament by_load;    // LEAST_LOADED: by (new customers today / weight, member)
  int64_t until_us = std::numeric_limits<int64_t>::min();
  // Members kept out only by their pressure window, by when it lets them in: (time, member).
  std::vector<std::pair<int64_t, uint32_t>> wakes;
  // By member: on `wakes`, so that re-filing a member looks through the list only when it
  // is there.
  std::vector<uint64_t> waking;

  bool Has(uint32_t m) const { return (bits[m >> 6] >> (m & 63)) & 1; }
  void Mark(uint32_t m, bool on) {
    const uint64_t bit = uint64_t{1} << (m & 63);
    bits[m >> 6] = on ? bits[m >> 6] | bit : bits[m >> 6] & ~bit;
  }
  bool Waking(uint32_t m) const {
    return (m >> 6) < waking.size() && ((waking[m >> 6] >> (m & 63)) & 1);
  }
  void SetWaking(uint32_t m, bool on) {
    if ((m >> 6) >= waking.size()) waking.resize((m >> 6) + 1, 0);
    const uint64_t bit = uint64_t{1} << (m & 63);
    waking[m >> 6] = on ? waking[m >> 6] | bit : waking[m >> 6] & ~bit;
  }
  void ClearWakes() {
    wakes.clear();
    std::fill(waking.begin(), waking.end(), 0);
  }
};

// A group's strategy position (SPEC §5.2).
struct GroupClock {
  std::string id;
  double virtual_time = 0;   // WEIGHTED
  int32_t last_picked = -1;  // ROUND_ROBIN: position in `member_slots`
  std::vector<uint32_t> member_slots;
  std::vector<double> start;  // WEIGHTED: virtual start per member
  Surge surge;                // raises every member's caps
  // Who may take a customer now, kept for fast picks. Derived by Engine::Apply, never
  // serialized.
  EligibleMembers eligible;
};

// The state laid out for one engine: engine employee index → slot, groups in engine order
// with members in engine member order.
struct Binding {
  uint64_t engine = 0;  // fingerprint of the engine's config; 0 = unbound
  std::vector<uint32_t> employee_slot;
  std::vector<uint32_t> slot_employee;  // the reverse: slot → engine employee or kNoSlot
  std::vector<uint32_t> entry_slot;     // engine entry index → StateData::entries
  OffsetSpan offset;                    // the engine's time zone around the state's clock; derived
  // The earliest time on any group's wake list (EligibleMembers::wakes); derived.
  int64_t next_wake_us = std::numeric_limits<int64_t>::max();
  // No employee's or group's surge lasts past this time: before it, caps need no look at
  // surges (SPEC §5.4). Derived; only ever raised while bound.
  int64_t surges_until_us = 0;
  std::vector<GroupClock> groups;
};

// A customer waiting in the hold pool (SPEC §5.4) or for an entry to open (§5.1 step 6).
// Entry and group are kept by id, so a held customer survives config changes.
struct HeldCustomer {
  std::string customer;  // the arrival's ref, echoed when released
  absl::InlinedVector<uint64_t, 2> keys;
  std::string entry;
  std::string group;  // the target group of the cascade
  int64_t held_at_us = 0;
  int64_t wait_from_us = 0;  // max_hold counts from here; 0 while waiting for an opening
  v1::Hold::Reason reason = v1::Hold::NO_CAPACITY;
};

// An assignment whose friend request is not yet accepted (SPEC §5.4 acceptance tracking).
struct PendingAcceptance {
  std::string customer;
  absl::InlinedVector<uint64_t, 2> keys;
  uint32_t holder = 0;  // employee slot
  std::string entry;
  std::string group;  // target of the cascade transfers go through
  int64_t assigned_at_us = 0;
  uint32_t transfers = 0;
  std::vector<uint32_t> earlier;  // slots of earlier holders: never transferred back
};

// What an entry handed out today, for the capacity alert (SPEC §5.4).
struct EntryCounters {
  int64_t day = std::numeric_limits<int64_t>::min();
  uint64_t assigned = 0;
  bool alerted = false;  // the capacity alert of `day` was raised

  uint64_t AssignedOn(int64_t local_day) const { return day == local_day ? assigned : 0; }
  bool AlertedOn(int64_t local_day) const { return day == local_day && alerted; }
  bool IsDefault() const {
    return day == std::numeric_limits<int64_t>::min() && assigned == 0 && !alerted;
  }
};

struct StateData {
  uint64_t version = 0;
  int64_t clock_us = 0;
  std::vector<std::string> employee_ids;  // by slot
  absl::flat_hash_map<std::string, uint32_t> slot_of;
  std::vector<EmployeeCounters> counters;  // by slot
  OwnerMemory memory;                      // owners are slots
  // When bound.engine != 0, groups are bound.groups; otherwise `loose_groups` holds them in
  // the order they were loaded.
  Binding bound;
  std::vector<GroupClock> loose_groups;
  std::vector<HeldCustomer> held;          // in arrival order
  std::vector<PendingAcceptance> pending;  // in order of assignment
  std::vector<std::string> entry_ids;      // by entry slot, like employees
  absl::flat_hash_map<std::string, uint32_t> entry_slot_of;
  std::vector<EntryCounters> entries;                               // by entry slot
  int64_t reserve_alert_day = std::numeric_limits<int64_t>::min();  // RESERVE_USED raised

  uint32_t SlotFor(const std::string& id);       // adds the employee if new
  uint32_t EntrySlotFor(const std::string& id);  // adds the entry if new
  const std::vector<GroupClock>& groups() const {
    return bound.engine != 0 ? bound.groups : loose_groups;
  }
};

// Lays `data` out for `config` (fingerprint `engine`). Employees the state has never seen
// get kNoSlot; group members new to a group start at the group's virtual time.
Binding MakeBinding(const StateData& data, const CompiledConfig& config, uint64_t engine);

// Makes `data` bound to `config`, giving every engine employee a slot.
void BindInPlace(StateData& data, const CompiledConfig& config, uint64_t engine);

}  // namespace allot::internal

#endif  // ALLOT_SRC_STATE_DATA_H_
