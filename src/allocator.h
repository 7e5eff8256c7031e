// Allocator: places one customer at a time through a cascade of groups (SPEC §5.1 steps
// 7–8), for Engine::Decide. It reads the state through a StateView and keeps the changes
// its own earlier placements in the same decision made (a release before an arrival) in a
// small scratch overlay, so a decision with several assignments sees each one's effect
// without touching the state. Apply later replays the same changes with ChargeCounters and
// ApplyPick.
#ifndef ALLOT_SRC_ALLOCATOR_H_
#define ALLOT_SRC_ALLOCATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "allot/decision.h"
#include "compiled_config.h"
#include "state_data.h"
#include "time_window.h"

namespace allot::internal {

// The state as seen by one engine: bound already, or laid out on the fly (a state just
// loaded, or made under another config) without touching it.
class StateView {
 public:
  // Inline: built twice per event, and the state is bound to the engine except just after a
  // load or a config change.
  StateView(const StateData& data, const CompiledConfig& config, uint64_t engine) : data_(data) {
    if (data.bound.engine == engine) {
      binding_ = &data.bound;
    } else {
      BindTemporarily(config, engine);
    }
  }
  const EmployeeCounters& counters(uint32_t employee) const {
    static constexpr EmployeeCounters kFresh{};  // constant: no guard on each call
    const uint32_t slot = binding_->employee_slot[employee];
    return slot == kNoSlot ? kFresh : data_.counters[slot];
  }
  const GroupClock& group(uint32_t g) const { return binding_->groups[g]; }
  const EntryCounters& entry(uint32_t e) const {
    static constexpr EntryCounters kFresh{};
    const uint32_t slot = binding_->entry_slot[e];
    return slot == kNoSlot ? kFresh : data_.entries[slot];
  }
  const StateData& data() const { return data_; }
  // The local time of `at_us` in the engine's zone; arithmetic near the state's clock.
  LocalTime Local(int64_t at_us, const absl::TimeZone& tz) const {
    return binding_->offset.Covers(at_us) ? binding_->offset.ToLocal(at_us)
                                          : ToLocalTime(absl::FromUnixMicros(at_us), tz);
  }
  // Whether the state is laid out for this engine already (its filed eligible members may
  // then serve).
  bool bound() const { return binding_ == &data_.bound; }
  // No surge in the state lasts past this time.
  int64_t surges_until_us() const { return binding_->surges_until_us; }

 private:
  void BindTemporarily(const CompiledConfig& config, uint64_t engine);

  const StateData& data_;
  const Binding* binding_ = nullptr;
  std::unique_ptr<Binding> temporary_;  // only when the state is not bound to the engine
};

// Counts one new customer for an employee (SPEC §5.4): today, this hour, pressure window.
void ChargeCounters(EmployeeCounters& c, const CompiledEmployee& e, int64_t local_day,
                    int64_t local_hour, int64_t at_us);

// Advances a group's strategy position by one pick (SPEC §5.2).
void ApplyPick(GroupClock& g, const Delta::Pick& pick, v1::Strategy strategy);

// After Engine::Apply has committed `delta` to `data` (bound to `delta.engine`): brings the
// filed eligible members (EligibleMembers) of each group it picked in up to date, and re-files
// every employee whose eligibility the delta may have changed (charged, status, surge, acceptance
// outcome).
void RefreshEligible(const CompiledConfig& config, StateData& data, const Delta& delta);

// The member a pick would likely take, as PrefetchLikelyPick found it: what its deep stage
// reads. Null when there is nothing to fetch.
struct LikelyPick {
  const EmployeeCounters* counters = nullptr;
  const CompiledEmployee* employee = nullptr;
};
// Asks the CPU to fetch what a pick in group `g` reads about the member its filing names
// next (WEIGHTED and LEAST_LOADED): their counters, compiled caps and filing; then, with
// PrefetchLikelyPickDeep on the result, later, once those lines are likely in, what they
// point to. In a large group these have left the caches since that member's last pick;
// fetched early, they arrive while the owner-memory lookup waits (SPEC §7); a small group
// (under 128 members) stays cached and gets nothing. Hints only: they change nothing.
LikelyPick PrefetchLikelyPick(const CompiledConfig& config, const StateData& data, uint32_t g);
void PrefetchLikelyPickDeep(const LikelyPick& pick);

class Allocator {
 public:
  // `decision` receives placements; null for an allocator that only answers questions.
  Allocator(const CompiledConfig& config, const StateView& view, const LocalTime& local,
            int64_t now_us, uint64_t version, Decision* decision)
      : config_(config),
        view_(view),
        local_(local),
        local_hour_(local.hour()),
        now_us_(now_us),
        version_(version),
        decision_(decision) {}

  // Why nobody took a customer.
  enum class Miss { kNone, kCapped, kOffDuty };

  struct Request {
    uint32_t target = 0;  // group whose cascade is tried
    const std::string* customer = nullptr;
    absl::Span<const uint64_t> keys;
    uint32_t known = ~uint32_t{0};  // the remembered customer these keys belong to, if any
    uint32_t entry = 0;             // kNoIndex for INHERITED: the customer comes through no entry
    v1::Assignment::Reason reason = v1::Assignment::NEW;
    v1::Explanation* explain = nullptr;  // filled with the groups tried, when not null
    bool last = false;  // nothing more is placed in this decision: skip the scratch update
    // Transfers (SPEC §5.4): employees who held the customer before, and how many times.
    absl::Span<const uint32_t> earlier;
    uint32_t transfers = 0;
    // A protected region (SPEC §5.8): only its groups are tried; kNoIndex for none.
    uint32_t region = kNoIndex;
  };

  // Tries the cascade of `request.target`, then again allowing the reserve. On success adds
  // the assignment, its delta (remember + pick) and any pressure alert, and returns kNone.
  // An INHERITED request (SPEC §5.9) is not a new add: any ACTIVE member may take it, caps
  // and schedules aside, and nothing is charged.
  Miss Place(const Request& request);

  // Gives the customer to `employee` directly (a district owner, a previous owner) when
  // eligible within normal capacity; returns false, adding nothing, when not.
  bool PlaceWith(uint32_t employee, const Request& request);

  // The event's own change (a status, a surge), seen by every placement that follows.
  void Override(const Delta::StatusChange& change);
  void Override(const Delta::SurgeStart& surge);

  // Employees holding an assignment unaccepted past accept_timeout (SPEC §5.4).
  void SetUnresponsive(absl::InlinedVector<uint32_t, 4> employees) {
    unresponsive_ = std::move(employees);
  }

  // SPEC §5.3: the first condition an employee fails now, or SKIP_REASON_UNSPECIFIED.
  v1::Explanation::SkipReason Ineligibility(uint32_t employee, bool allow_reserve) const;

  // The first cap (daily, this hour, pressure) the employee is at, or SKIP_REASON_UNSPECIFIED.
  v1::Explanation::SkipReason CapReached(uint32_t employee, bool allow_reserve) const;

  // An acceptance outcome recorded by this decision, seen by the throttle of later placements.
  void RecordOutcome(uint32_t employee, bool accepted) {
    MutableCounters(employee).RecordOutcome(accepted);
  }

  // When the employee's surge, or one of their groups', ends (INT64_MAX: none is on): their
  // caps change with time alone then.
  int64_t SurgeEnd(uint32_t employee) const;
  // When the pressure window lets the employee take the next customer (now if it does).
  int64_t PressureEnd(uint32_t employee) const;

  // New customers the employee may still take now within normal capacity (every cap that
  // applies: daily, this hour, pressure window); UINT64_MAX when nothing limits them.
  uint64_t Remaining(uint32_t employee) const;

  // The state as this decision sees it so far.
  const EmployeeCounters& counters(uint32_t employee) const {
    // Inline for the common case, a decision that has changed no counters yet.
    return scratch_counters_.empty() ? view_.counters(employee) : CountersWithScratch(employee);
  }
  const GroupClock& group(uint32_t g) const {
    return scratch_groups_.empty() ? view_.group(g) : GroupWithScratch(g);
  }

 private:
  // What the employee's caps are multiplied by now: level, surge, throttle, reserve.
  double CapFactor(const CompiledEmployee& e, const EmployeeCounters& c, bool allow_reserve) const;
  // Whether no surge runs now, in the state or started by this decision: the common case,
  // which spares CapFactor and SurgeEnd a look at every group of the employee.
  bool NoSurgeNow() const {
    return scratch_counters_.empty() && scratch_groups_.empty() &&
           view_.surges_until_us() <= now_us_;
  }
  static uint32_t ScaledCap(uint32_t cap, double factor);
  bool FillsPressureWindow(uint32_t employee) const;
  // Adds the assignment and its delta; `pick` is null for a direct placement.
  void Commit(const Request& request, uint32_t employee, const Delta::Pick* pick,
              bool used_reserve);
  EmployeeCounters& MutableCounters(uint32_t employee);
  // The scratch copy when this decision has changed it, else the state's.
  const EmployeeCounters& CountersWithScratch(uint32_t employee) const;
  const GroupClock& GroupWithScratch(uint32_t g) const;
  GroupClock& MutableGroup(uint32_t g);
  // A pick from the group's filed eligible members when they are exact for this decision:
  // the state's own, fresh, and nothing in this decision changed eligibility. False: scan.
  bool FiledPick(uint32_t g, uint64_t random_seed, Delta::Pick* pick) const;
  bool Cascade(const Request& request, uint64_t random_seed, bool allow_reserve, Delta::Pick* pick,
               bool* any_capped) const;

  const CompiledConfig& config_;
  const StateView& view_;
  const LocalTime& local_;
  const int64_t local_hour_;
  const int64_t now_us_;
  const uint64_t version_;
  Decision* const decision_;  // null: read-only use (eligibility checks), no placements
  // Changes made by earlier placements of this decision; empty on the fast path.
  absl::InlinedVector<std::pair<uint32_t, EmployeeCounters>, 1> scratch_counters_;
  absl::InlinedVector<std::pair<uint32_t, GroupClock>, 1> scratch_groups_;
  absl::InlinedVector<uint32_t, 4> unresponsive_;
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_ALLOCATOR_H_
