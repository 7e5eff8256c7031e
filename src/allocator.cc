#include "allocator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "prefetch.h"
#include "pressure_window.h"
#include "strategy.h"

namespace allot::internal {

using SkipReason = v1::Explanation::SkipReason;

void StateView::BindTemporarily(const CompiledConfig& config, uint64_t engine) {
  temporary_ = std::make_unique<Binding>(MakeBinding(data_, config, engine));
  binding_ = temporary_.get();
}

void ChargeCounters(EmployeeCounters& c, const CompiledEmployee& e, int64_t local_day,
                    int64_t local_hour, int64_t at_us) {
  if (c.day != local_day) {
    c.day = local_day;
    c.today = 0;
  }
  ++c.today;
  if (c.hour != local_hour) {
    c.hour = local_hour;
    c.this_hour = 0;
  }
  ++c.this_hour;
  if (e.pressure_max > 0) PressureWindow::Record(c.recent, e.pressure_max, at_us);
}

void ApplyPick(GroupClock& g, const Delta::Pick& pick, v1::Strategy strategy) {
  g.last_picked = static_cast<int32_t>(pick.member);
  if (strategy == v1::WEIGHTED) {
    g.start[pick.member] = pick.start;
    g.virtual_time = pick.virtual_time;
  }
}

namespace {

// When the filed eligible members of a group filed at `at_us` (local minute `minute`) go
// stale: the next of the group's boundaries in local time, or as many minutes of absolute
// time from the start of this minute if that comes first, so that a clock turned back
// (daylight saving) can neither make it late nor leave it in the past.
int64_t NextBoundaryUs(int64_t at_us, int minute, const std::vector<int>& boundaries,
                       const absl::TimeZone& tz) {
  auto it = std::upper_bound(boundaries.begin(), boundaries.end(), minute);
  const int next = it == boundaries.end() ? 24 * 60 + boundaries.front() : *it;
  const absl::TimeZone::CivilInfo info = tz.At(absl::FromUnixMicros(at_us));
  const int64_t sub_second_us = ((at_us % 1'000'000) + 1'000'000) % 1'000'000;
  const int64_t minute_start_us = at_us - info.cs.second() * int64_t{1'000'000} - sub_second_us;
  const int64_t by_duration_us = minute_start_us + int64_t{next - minute} * 60'000'000;
  const int64_t by_clock_us =
      absl::ToUnixMicros(absl::FromCivil(absl::CivilMinute(info.cs) + (next - minute), tz));
  const int64_t until =
      by_clock_us > at_us ? std::min(by_clock_us, by_duration_us) : by_duration_us;
  return until > at_us ? until : at_us;  // at_us: stale at once
}

}  // namespace

namespace {

// Every line of `bytes` bytes at `p`.
void FetchLines(const void* p, size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (size_t offset = 0; offset < bytes; offset += 64) PrefetchLine(c + offset);
  PrefetchLine(c + bytes - 1);
}

}  // namespace

LikelyPick PrefetchLikelyPick(const CompiledConfig& config, const StateData& data, uint32_t g) {
  if (data.bound.engine != config.fingerprint || g >= data.bound.groups.size()) return {};
  const CompiledGroup& group = config.groups[g];
  // A small group's members stay in the caches between their picks (~10 lines each): the
  // prefetches would be work for nothing.
  constexpr size_t kCachedMembers = 128;
  if (group.members.size() < kCachedMembers) return {};
  const GroupClock& clock = data.bound.groups[g];
  const EligibleMembers& filed = clock.eligible;
  int32_t best = -1;
  if (group.strategy == v1::WEIGHTED) {
    best = filed.queue.Best().member;
  } else if (group.strategy == v1::LEAST_LOADED && !filed.by_load.empty()) {
    best = static_cast<int32_t>(filed.by_load.top().member);
  }
  if (best < 0) return {};
  const uint32_t m = static_cast<uint32_t>(best);
  const uint32_t e = group.members[m];
  const uint32_t slot = data.bound.employee_slot[e];
  if (slot == kNoSlot) return {};
  const EmployeeCounters& c = data.counters[slot];
  const CompiledEmployee& employee = config.employees[e];
  // What is found by index: no load waits on a line being fetched.
  if (m < clock.start.size()) PrefetchLine(&clock.start[m]);
  if (m < group.member_units.size()) PrefetchLine(&group.member_units[m]);
  if (!filed.bits.empty()) PrefetchLine(&filed.bits[m >> 6]);
  filed.queue.Prefetch(m);
  filed.by_load.Prefetch(m);
  FetchLines(&c, sizeof(c));
  FetchLines(&employee, sizeof(employee));
  return {&c, &employee};
}

void PrefetchLikelyPickDeep(const LikelyPick& pick) {
  if (pick.counters == nullptr) return;
  const EmployeeCounters& c = *pick.counters;
  const CompiledEmployee& employee = *pick.employee;
  if (!c.recent.empty()) {  // the newest times, where the window's search ends (at most 4 lines)
    const size_t n = std::min<size_t>(c.recent.size(), 32);
    FetchLines(c.recent.data() + (c.recent.size() - n), n * sizeof(int64_t));
  }
  if (!employee.hourly.empty()) FetchLines(employee.hourly.data(), sizeof(HourlyCap));
  if (!employee.schedule.empty()) FetchLines(employee.schedule.data(), sizeof(TimeWindow));
  if (!employee.memberships.empty()) {
    FetchLines(employee.memberships.data(), sizeof(Membership));
  }
}

void RefreshEligible(const CompiledConfig& config, StateData& data, const Delta& delta) {
  const LocalTime local{delta.local_day, delta.local_weekday, delta.local_minute};
  const StateView view(data, config, delta.engine);
  const Allocator allocator(config, view, local, delta.at_us, data.version, nullptr);
  auto fresh = [&](uint32_t g) { return data.bound.groups[g].eligible.until_us > delta.at_us; };
  // Files member `m` of group `g` again: in the strategy's order if eligible now; if held
  // back only by the pressure window, on the group's wake list for when it lets them in.
  // `rebuilding`: the wake list was emptied and is sorted once at the end.
  auto refile = [&](uint32_t g, uint32_t m, bool rebuilding = false) {
    const CompiledGroup& group = config.groups[g];
    GroupClock& clock = data.bound.groups[g];
    EligibleMembers& filed = clock.eligible;
    const uint32_t e = group.members[m];
    filed.until_us = std::min(filed.until_us, allocator.SurgeEnd(e));
    if (!rebuilding && filed.Waking(m)) {
      filed.wakes.erase(std::remove_if(filed.wakes.begin(), filed.wakes.end(),
                                       [&](const auto& w) { return w.second == m; }),
                        filed.wakes.end());
      filed.SetWaking(m, false);
    }
    const SkipReason why = allocator.Ineligibility(e, false);
    const bool eligible = why == v1::Explanation::SKIP_REASON_UNSPECIFIED;
    filed.Mark(m, eligible);
    if (!eligible) {
      filed.queue.Erase(m);
      filed.by_load.Erase(m);
      if (why == v1::Explanation::PRESSURE) {
        const std::pair<int64_t, uint32_t> wake{allocator.PressureEnd(e), m};
        if (rebuilding) {
          filed.wakes.push_back(wake);
        } else {
          filed.wakes.insert(std::upper_bound(filed.wakes.begin(), filed.wakes.end(), wake), wake);
        }
        filed.SetWaking(m, true);
        data.bound.next_wake_us = std::min(data.bound.next_wake_us, wake.first);
      }
      return;
    }
    if (group.strategy == v1::WEIGHTED) {
      const int64_t units = group.member_units[m];
      filed.queue.Update(m, clock.start[m], clock.start[m] + TurnOf(units), units,
                         clock.virtual_time);
    } else if (group.strategy == v1::LEAST_LOADED) {
      filed.by_load.Set(
          m, LoadScore(allocator.counters(e).TodayOn(local.day), group.member_weight[m]), 0);
    }
  };
  // Members the pressure window lets in again by now (a look at every group only when one
  // is due, so that configs with many groups pay nothing per event).
  if (data.bound.next_wake_us <= delta.at_us) {
    data.bound.next_wake_us = std::numeric_limits<int64_t>::max();
    for (uint32_t g = 0; g < config.groups.size(); ++g) {
      EligibleMembers& filed = data.bound.groups[g].eligible;
      if (!fresh(g)) filed.ClearWakes();  // filed again from scratch on its next pick
      if (!filed.wakes.empty() && filed.wakes.front().first <= delta.at_us) {
        const auto due = std::upper_bound(filed.wakes.begin(), filed.wakes.end(),
                                          std::make_pair(delta.at_us, ~uint32_t{0}));
        absl::InlinedVector<uint32_t, 8> woken;
        for (auto it = filed.wakes.begin(); it != due; ++it) {
          woken.push_back(it->second);
          filed.SetWaking(it->second, false);
        }
        filed.wakes.erase(filed.wakes.begin(), due);
        for (uint32_t m : woken) refile(g, m);
        filed.queue.Advance(data.bound.groups[g].virtual_time);
      }
      if (!filed.wakes.empty()) {
        data.bound.next_wake_us = std::min(data.bound.next_wake_us, filed.wakes.front().first);
      }
    }
  }
  for (const Delta::SurgeStart& surge : delta.surges) {
    if (!surge.group) continue;
    // A group surge raises caps in every group its members belong to: start over.
    for (GroupClock& clock : data.bound.groups) {
      clock.eligible.until_us = std::numeric_limits<int64_t>::min();
    }
  }
  for (const Delta::Pick& p : delta.picks) {
    GroupClock& clock = data.bound.groups[p.group];
    if (fresh(p.group)) {
      refile(p.group, p.member);
      clock.eligible.queue.Advance(clock.virtual_time);
      continue;
    }
    const uint32_t n = static_cast<uint32_t>(config.groups[p.group].members.size());
    EligibleMembers& filed = clock.eligible;
    filed.bits.assign((n + 63) / 64, 0);
    filed.queue.Reset(config.groups[p.group].strategy == v1::WEIGHTED ? n : 0);
    filed.by_load.Reset(config.groups[p.group].strategy == v1::LEAST_LOADED ? n : 0);
    filed.ClearWakes();
    filed.until_us = NextBoundaryUs(delta.at_us, delta.local_minute,
                                    config.groups[p.group].boundaries, config.time_zone);
    for (uint32_t m = 0; m < n; ++m) refile(p.group, m, /*rebuilding=*/true);
    std::sort(filed.wakes.begin(), filed.wakes.end());
  }
  // Employees whose counters, status, surge or acceptance rate the delta changed (in the
  // groups they were just picked in, already filed above).
  auto touched = [&](uint32_t e) {
    const CompiledEmployee& employee = config.employees[e];
    for (const Membership& in : employee.memberships) {
      if (!fresh(in.group)) continue;
      const bool picked = std::any_of(delta.picks.begin(), delta.picks.end(), [&](const auto& p) {
        return p.group == in.group && p.member == in.position;
      });
      if (!picked) refile(in.group, in.position);
    }
  };
  for (const Delta::Remember& r : delta.remember) {
    if (r.charge) touched(r.employee);
  }
  for (const Delta::StatusChange& change : delta.statuses) touched(change.employee);
  for (const Delta::SurgeStart& surge : delta.surges) {
    if (!surge.group) touched(surge.index);
  }
  if (!config.throttle_tiers.empty()) {
    for (const Delta::Outcome& o : delta.outcomes) touched(o.employee);
  }
}

const EmployeeCounters& Allocator::CountersWithScratch(uint32_t employee) const {
  for (const auto& [e, c] : scratch_counters_) {
    if (e == employee) return c;
  }
  return view_.counters(employee);
}

const GroupClock& Allocator::GroupWithScratch(uint32_t g) const {
  for (const auto& [id, clock] : scratch_groups_) {
    if (id == g) return clock;
  }
  return view_.group(g);
}

EmployeeCounters& Allocator::MutableCounters(uint32_t employee) {
  for (auto& [e, c] : scratch_counters_) {
    if (e == employee) return c;
  }
  scratch_counters_.emplace_back(employee, view_.counters(employee));
  return scratch_counters_.back().second;
}

GroupClock& Allocator::MutableGroup(uint32_t g) {
  for (auto& [id, clock] : scratch_groups_) {
    if (id == g) return clock;
  }
  scratch_groups_.emplace_back(g, view_.group(g));
  return scratch_groups_.back().second;
}

void Allocator::Override(const Delta::StatusChange& change) {
  MutableCounters(change.employee).status = change.status;
}

void Allocator::Override(const Delta::SurgeStart& surge) {
  Surge& target =
      surge.group ? MutableGroup(surge.index).surge : MutableCounters(surge.index).surge;
  target = {surge.extra, surge.until_us};
}

// Caps are scaled by the level factor and the largest active surge of the employee or any
// of its groups; normal assignments leave the reserve fraction unused (SPEC §5.4).
double Allocator::CapFactor(const CompiledEmployee& e, const EmployeeCounters& c,
                            bool allow_reserve) const {
  double surge = 1.0;
  if (!NoSurgeNow()) {
    surge = c.surge.FactorAt(now_us_);
    for (const Membership& in : e.memberships) {
      surge = std::max(surge, group(in.group).surge.FactorAt(now_us_));
    }
  }
  const double reserve = allow_reserve ? 1.0 : 1.0 - config_.reserve_fraction;
  double throttle = 1.0;
  if (!config_.throttle_tiers.empty()) {
    const double rate = c.AcceptanceRate(config_.throttle_last);
    for (const auto& [below, factor] : config_.throttle_tiers) {
      if (rate < below) {
        throttle = factor;
        break;
      }
    }
  }
  return e.level_factor * surge * throttle * reserve;
}

// Inline (only this file calls it): called twice per eligibility check.
inline uint32_t Allocator::ScaledCap(uint32_t cap, double factor) {
  if (cap == kNoCap || factor == 1.0) return cap;
  // The epsilon keeps 60 × 0.7 at 42 despite binary fractions; the clamp keeps huge caps
  // with a surge inside uint32.
  const double scaled = std::floor(cap * factor + 1e-9);
  return scaled >= static_cast<double>(kNoCap - 1) ? kNoCap - 1 : static_cast<uint32_t>(scaled);
}

SkipReason Allocator::Ineligibility(uint32_t employee, bool allow_reserve) const {
  const EmployeeCounters& c = counters(employee);
  switch (c.status) {
    case v1::EmployeeStatus::PAUSED:
      return v1::Explanation::PAUSED;
    case v1::EmployeeStatus::ON_LEAVE:
      return v1::Explanation::ON_LEAVE;
    case v1::EmployeeStatus::DEPARTED:
      return v1::Explanation::DEPARTED;
    default:
      break;
  }
  const CompiledEmployee& e = config_.employees[employee];
  if (!e.schedule.empty()) {
    bool on = false;
    for (const TimeWindow& w : e.schedule) on = on || w.Contains(local_);
    if (!on) return v1::Explanation::OFF_SCHEDULE;
  }
  if (std::find(unresponsive_.begin(), unresponsive_.end(), employee) != unresponsive_.end()) {
    return v1::Explanation::UNRESPONSIVE;
  }
  return CapReached(employee, allow_reserve);
}

SkipReason Allocator::CapReached(uint32_t employee, bool allow_reserve) const {
  const EmployeeCounters& c = counters(employee);
  const CompiledEmployee& e = config_.employees[employee];
  const double factor = CapFactor(e, c, allow_reserve);
  if (c.TodayOn(local_.day) >= ScaledCap(e.daily_cap, factor)) {
    return v1::Explanation::DAILY_CAP;
  }
  for (const HourlyCap& h : e.hourly) {
    if (!h.slot.Contains(local_)) continue;
    if (c.ThisHourOn(local_hour_) >= ScaledCap(h.per_hour, factor)) {
      return v1::Explanation::HOURLY_CAP;
    }
    break;  // the first slot containing the time applies
  }
  if (e.pressure_max > 0 &&
      !PressureWindow::Allows(c.recent, e.pressure_max, e.pressure_window_us, now_us_)) {
    return v1::Explanation::PRESSURE;
  }
  return v1::Explanation::SKIP_REASON_UNSPECIFIED;
}

uint64_t Allocator::Remaining(uint32_t employee) const {
  const EmployeeCounters& c = counters(employee);
  const CompiledEmployee& e = config_.employees[employee];
  uint64_t remaining = UINT64_MAX;
  auto limit = [&](uint32_t cap, uint32_t used) {
    if (cap == kNoCap) return;
    remaining = std::min<uint64_t>(remaining, cap > used ? cap - used : 0);
  };
  const double factor = CapFactor(e, c, false);
  limit(ScaledCap(e.daily_cap, factor), c.TodayOn(local_.day));
  for (const HourlyCap& h : e.hourly) {
    if (!h.slot.Contains(local_)) continue;
    limit(ScaledCap(h.per_hour, factor), c.ThisHourOn(local_hour_));
    break;
  }
  if (e.pressure_max > 0) {
    limit(e.pressure_max, PressureWindow::InWindow(c.recent, e.pressure_window_us, now_us_));
  }
  return remaining;
}

// An assignment that fills the employee's pressure window pauses them (SPEC §5.4 alert).
bool Allocator::FillsPressureWindow(uint32_t employee) const {
  const CompiledEmployee& e = config_.employees[employee];
  if (e.pressure_max == 0) return false;
  return PressureWindow::Fills(counters(employee).recent, e.pressure_max, e.pressure_window_us,
                               now_us_);
}

int64_t Allocator::SurgeEnd(uint32_t employee) const {
  int64_t end = std::numeric_limits<int64_t>::max();
  if (NoSurgeNow()) return end;
  auto consider = [&](int64_t t) {
    if (t > now_us_) end = std::min(end, t);
  };
  consider(counters(employee).surge.until_us);
  for (const Membership& in : config_.employees[employee].memberships) {
    consider(group(in.group).surge.until_us);
  }
  return end;
}

int64_t Allocator::PressureEnd(uint32_t employee) const {
  const EmployeeCounters& c = counters(employee);
  const CompiledEmployee& e = config_.employees[employee];
  if (e.pressure_max == 0 || c.recent.size() < e.pressure_max) return now_us_;
  // Recorded times are within the state's clock (State::FromProto checks), so this cannot
  // overflow; saturate anyway.
  const int64_t oldest = c.recent[c.recent.size() - e.pressure_max];
  const int64_t end = oldest > std::numeric_limits<int64_t>::max() - e.pressure_window_us
                          ? std::numeric_limits<int64_t>::max()
                          : oldest + e.pressure_window_us;
  return std::max(now_us_, end);
}

bool Allocator::FiledPick(uint32_t g, uint64_t random_seed, Delta::Pick* pick_out) const {
  if (!view_.bound() || !scratch_counters_.empty() || !scratch_groups_.empty() ||
      !unresponsive_.empty()) {
    return false;
  }
  const GroupClock& clock = view_.group(g);
  const EligibleMembers& filed = clock.eligible;
  if (filed.until_us <= now_us_) return false;
  const CompiledGroup& members = config_.groups[g];
  // Members the pressure window let in since they were filed are eligible too (Apply files
  // them); a few are weighed here, more send the pick to the scan.
  constexpr size_t kMaxWoken = 8;
  absl::InlinedVector<uint32_t, kMaxWoken> woken;
  for (const auto& [wake_us, m] : filed.wakes) {
    if (wake_us > now_us_) break;
    if (woken.size() == kMaxWoken) return false;
    if (Ineligibility(members.members[m], false) == v1::Explanation::SKIP_REASON_UNSPECIFIED) {
      woken.push_back(m);
    }
  }
  int32_t member = -1;
  StrategyPick weighted;
  switch (members.strategy) {
    case v1::WEIGHTED: {
      struct Candidate {
        int32_t member = -1;
        double start = 0, finish = 0;
      };
      auto candidate = [&](int32_t m) {
        if (m < 0) return Candidate{};
        return Candidate{m, clock.start[m], clock.start[m] + TurnOf(members.member_units[m])};
      };
      Candidate ready = candidate(filed.queue.ReadyTop());
      Candidate waiting = candidate(filed.queue.WaitingTop());
      int64_t units = filed.queue.units();
      for (uint32_t m : woken) {
        units += members.member_units[m];
        const Candidate c = candidate(static_cast<int32_t>(m));
        if (c.start <= clock.virtual_time) {
          if (ready.member < 0 ||
              std::tie(c.finish, c.member) < std::tie(ready.finish, ready.member)) {
            ready = c;
          }
        } else if (waiting.member < 0 ||
                   std::tie(c.start, c.finish, c.member) <
                       std::tie(waiting.start, waiting.finish, waiting.member)) {
          waiting = c;
        }
      }
      const bool jump = ready.member < 0;
      const Candidate& best = jump ? waiting : ready;
      if (best.member >= 0) {
        weighted =
            WeightedPick(best.member, best.start, best.finish, jump, clock.virtual_time, units);
        member = best.member;
      }
      break;
    }
    case v1::LEAST_LOADED: {
      MemberTournament::Node best{0, 0, ~uint32_t{0}};
      if (!filed.by_load.empty()) best = filed.by_load.top();
      for (uint32_t m : woken) {
        const MemberTournament::Node c{
            LoadScore(counters(members.members[m]).TodayOn(local_.day), members.member_weight[m]),
            0, m};
        if (best.member == ~uint32_t{0} || MemberTournament::Less(c, best)) best = c;
      }
      if (best.member != ~uint32_t{0}) member = static_cast<int32_t>(best.member);
      break;
    }
    default: {
      // The rest pick by member order from the eligible bits.
      absl::InlinedVector<uint64_t, 32> bits(filed.bits.begin(), filed.bits.end());
      for (uint32_t m : woken) bits[m >> 6] |= uint64_t{1} << (m & 63);
      member = PickFromBits(
          members.strategy, bits,
          TurnAfter(clock.last_picked, static_cast<int32_t>(members.members.size())), random_seed);
      break;
    }
  }
  if (member < 0) return false;  // nobody eligible: the scan tells capped from off duty
  pick_out->group = g;
  pick_out->member = static_cast<uint32_t>(member);
  pick_out->start = weighted.start;
  pick_out->virtual_time = weighted.virtual_time;
  return true;
}

// SPEC §5.1 step 7: the target group, then its backups. Returns false when nobody in the
// cascade is eligible; `any_capped` then tells NO_CAPACITY from NO_STAFF_ON_DUTY.
bool Allocator::Cascade(const Request& r, uint64_t random_seed, bool allow_reserve,
                        Delta::Pick* pick_out, bool* any_capped) const {
  v1::Explanation* explain = r.explain;
  const bool inheriting = r.reason == v1::Assignment::INHERITED;
  for (uint32_t g : config_.groups[r.target].cascade) {
    const CompiledGroup& members = config_.groups[g];
    // Region protection: the cascade never leaves the region's groups (SPEC §5.1 step 7).
    if (r.region != kNoIndex && members.region != r.region) continue;
    // The fast path (SPEC §7): a pick from the filed eligible members, where a scan would
    // ask every member.
    if (explain == nullptr && !allow_reserve && !inheriting && r.earlier.empty() &&
        FiledPick(g, random_seed, pick_out)) {
      return true;
    }
    const GroupClock& clock = group(g);
    v1::Explanation::GroupTrial* trial = nullptr;
    if (explain != nullptr) {
      trial = explain->add_groups();
      trial->set_group(members.id);
      trial->set_reserve(allow_reserve);
    }
    StrategyInput in;
    in.strategy = members.strategy;
    in.weight = members.member_weight;
    in.units = members.member_units;
    in.start = clock.start;
    in.virtual_time = clock.virtual_time;
    in.last_picked = clock.last_picked;
    in.random_seed = random_seed;
    auto eligible = [&](int32_t m) {
      const uint32_t e = members.members[m];
      const bool held_before = std::find(r.earlier.begin(), r.earlier.end(), e) != r.earlier.end();
      SkipReason why =
          held_before ? v1::Explanation::ALREADY_HELD : Ineligibility(e, allow_reserve);
      if (inheriting && counters(e).status == v1::EmployeeStatus::ACTIVE) {
        why = v1::Explanation::SKIP_REASON_UNSPECIFIED;
      }
      if (why == v1::Explanation::SKIP_REASON_UNSPECIFIED) return true;
      *any_capped = *any_capped || why == v1::Explanation::DAILY_CAP ||
                    why == v1::Explanation::HOURLY_CAP || why == v1::Explanation::PRESSURE;
      if (trial != nullptr) {
        v1::Explanation::Skip* skip = trial->add_skipped();
        skip->set_employee(config_.employees[members.members[m]].id);
        skip->set_reason(why);
      }
      return false;
    };
    auto load = [&](int32_t m) { return counters(members.members[m]).TodayOn(local_.day); };
    const StrategyPick pick = PickMember(in, eligible, load);
    if (pick.member < 0) continue;
    if (trial != nullptr) trial->set_picked(config_.employees[members.members[pick.member]].id);
    pick_out->group = g;
    pick_out->member = static_cast<uint32_t>(pick.member);
    pick_out->start = pick.start;
    pick_out->virtual_time = pick.virtual_time;
    return true;
  }
  return false;
}

Allocator::Miss Allocator::Place(const Request& r) {
  const uint64_t random_seed = Mix64(config_.seed ^ Mix64(r.keys[0] ^ Mix64(version_)));
  Delta::Pick pick;
  bool any_capped = false;
  bool found = Cascade(r, random_seed, false, &pick, &any_capped);
  // Step 8: the whole cascade is full; run it again allowing the reserve (SPEC §5.4).
  const bool used_reserve = !found && any_capped && config_.reserve_fraction > 0 &&
                            Cascade(r, random_seed, true, &pick, &any_capped);
  if (!found && !used_reserve) return any_capped ? Miss::kCapped : Miss::kOffDuty;
  Commit(r, config_.groups[pick.group].members[pick.member], &pick, used_reserve);
  return Miss::kNone;
}

bool Allocator::PlaceWith(uint32_t employee, const Request& r) {
  const SkipReason why = Ineligibility(employee, false);
  if (r.explain != nullptr) {
    v1::Explanation::GroupTrial* trial = r.explain->add_groups();
    if (why == v1::Explanation::SKIP_REASON_UNSPECIFIED) {
      trial->set_picked(config_.employees[employee].id);
    } else {
      v1::Explanation::Skip* skip = trial->add_skipped();
      skip->set_employee(config_.employees[employee].id);
      skip->set_reason(why);
    }
  }
  if (why != v1::Explanation::SKIP_REASON_UNSPECIFIED) return false;
  Commit(r, employee, nullptr, false);
  return true;
}

void Allocator::Commit(const Request& r, uint32_t employee, const Delta::Pick* pick,
                       bool used_reserve) {
  const bool charge = r.reason != v1::Assignment::INHERITED;  // not a new add (SPEC §5.9)
  const CompiledEmployee& e = config_.employees[employee];
  const std::string_view entry_id =
      r.entry == kNoIndex ? std::string_view() : std::string_view(config_.entries[r.entry].id);
  const std::string_view group_id =
      pick == nullptr ? std::string_view() : std::string_view(config_.groups[pick->group].id);
  // Built in place, not moved in: this runs on every arrival.
  Assignment& assignment = decision_->assignments.emplace_back();
  assignment.customer = *r.customer;
  assignment.employee = e.id;
  assignment.group = group_id;
  assignment.entry = entry_id;
  assignment.reason = r.reason;
  assignment.used_reserve = used_reserve;
  // The first use of the reserve each day (SPEC §5.4 alert).
  if (used_reserve && !decision_->delta.reserve_alerted &&
      view_.data().reserve_alert_day != local_.day) {
    decision_->delta.reserve_alerted = true;
    decision_->alerts.push_back({v1::Alert::RESERVE_USED, e.id, entry_id, group_id, *r.customer});
  }
  if (charge && FillsPressureWindow(employee)) {
    decision_->alerts.push_back({v1::Alert::PRESSURE_PAUSE, e.id, entry_id, {}, *r.customer});
  }
  Delta::Remember& remember = decision_->delta.remember.emplace_back();
  for (uint64_t key : r.keys) remember.keys.push_back(key);  // inline; assign is out of line
  remember.customer = r.known;
  remember.employee = employee;
  remember.entry = r.entry;
  remember.new_owner = true;
  remember.charge = charge;
  if (pick != nullptr) decision_->delta.picks.push_back(*pick);
  if (config_.accept_timeout_us > 0 && charge) {
    Delta::NewPending pending;
    pending.customer = *r.customer;
    pending.keys.assign(r.keys.begin(), r.keys.end());
    pending.holder = employee;
    pending.entry = r.entry;
    pending.group = r.target;
    pending.transfers = r.transfers;
    pending.earlier.assign(r.earlier.begin(), r.earlier.end());
    decision_->delta.pending_added.push_back(std::move(pending));
  }
  if (!r.last) {
    // Later placements of this decision see this one.
    if (charge) {
      ChargeCounters(MutableCounters(employee), e, local_.day, local_hour_, now_us_);
    }
    if (pick != nullptr) {
      ApplyPick(MutableGroup(pick->group), *pick, config_.groups[pick->group].strategy);
    }
  }
}

}  // namespace allot::internal
