#include "allot/engine.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "compiled_config.h"
#include "customer_key.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "pressure_window.h"
#include "state_data.h"
#include "strategy.h"
#include "time_window.h"

#define XXH_INLINE_ALL
#include "xxhash.h"

namespace allot {

using internal::Binding;
using internal::CompiledConfig;
using internal::CompiledEmployee;
using internal::CompiledGroup;
using internal::EmployeeCounters;
using internal::GroupClock;
using internal::kNoSlot;
using internal::StateData;
using SkipReason = v1::Explanation::SkipReason;

namespace {

uint64_t Fingerprint(const v1::Config& config) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    config.SerializeToCodedStream(&coded);
  }
  const uint64_t h = XXH3_64bits(bytes.data(), bytes.size());
  return h == 0 ? 1 : h;  // 0 means "unbound"
}

absl::StatusOr<int64_t> EventTime(const v1::Event& event) {
  if (!event.has_at()) return absl::InvalidArgumentError("at: is required");
  const auto& at = event.at();
  // 1970 to 9999, the range of google.protobuf.Timestamp after the epoch.
  if (at.nanos() < 0 || at.nanos() > 999'999'999 || at.seconds() < 0 ||
      at.seconds() > 253'402'300'799) {
    return absl::InvalidArgumentError("at: not a valid timestamp");
  }
  return at.seconds() * 1'000'000 + at.nanos() / 1000;
}

std::string FormatMicros(int64_t us) {
  return absl::FormatTime(absl::RFC3339_full, absl::FromUnixMicros(us), absl::UTCTimeZone());
}

// The state as seen by one engine: bound already, or laid out on the fly (a state just
// loaded, or made under another config) without touching it.
class StateView {
 public:
  StateView(const StateData& data, const CompiledConfig& config, uint64_t engine) : data_(data) {
    if (data.bound.engine == engine) {
      binding_ = &data.bound;
    } else {
      temporary_ = internal::MakeBinding(data, config, engine);
      binding_ = &temporary_;
    }
  }
  const EmployeeCounters& counters(uint32_t employee) const {
    static const EmployeeCounters kFresh;
    const uint32_t slot = binding_->employee_slot[employee];
    return slot == kNoSlot ? kFresh : data_.counters[slot];
  }
  const GroupClock& group(uint32_t g) const { return binding_->groups[g]; }
  const StateData& data() const { return data_; }

 private:
  const StateData& data_;
  const Binding* binding_ = nullptr;
  Binding temporary_;
};

class ArrivalDecider {
 public:
  ArrivalDecider(const CompiledConfig& config, const StateView& view, const LocalTime& local,
                 int64_t now_us, Decision& decision)
      : config_(config),
        view_(view),
        local_(local),
        local_hour_(local.day * 24 + local.minute / 60),
        now_us_(now_us),
        decision_(decision) {}

  // Caps are scaled by the level factor and the largest active surge of the employee or any
  // of its groups; normal assignments leave the reserve fraction unused (SPEC §5.4).
  uint32_t ScaledCap(uint32_t cap, const CompiledEmployee& e, const EmployeeCounters& c,
                     bool allow_reserve) const {
    if (cap == internal::kNoCap) return cap;
    double surge = c.surge.FactorAt(now_us_);
    for (uint32_t g : e.groups) surge = std::max(surge, view_.group(g).surge.FactorAt(now_us_));
    const double reserve = allow_reserve ? 1.0 : 1.0 - config_.reserve_fraction;
    // The epsilon keeps 60 × 0.7 at 42 despite binary fractions.
    return static_cast<uint32_t>(std::floor(cap * e.level_factor * surge * reserve + 1e-9));
  }

  // SPEC §5.3: the first condition an employee fails, or SKIP_REASON_UNSPECIFIED.
  SkipReason Ineligibility(uint32_t employee, bool allow_reserve) const {
    const EmployeeCounters& c = view_.counters(employee);
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
    if (c.TodayOn(local_.day) >= ScaledCap(e.daily_cap, e, c, allow_reserve)) {
      return v1::Explanation::DAILY_CAP;
    }
    for (const internal::HourlyCap& h : e.hourly) {
      if (!h.slot.Contains(local_)) continue;
      if (c.ThisHourOn(local_hour_) >= ScaledCap(h.per_hour, e, c, allow_reserve)) {
        return v1::Explanation::HOURLY_CAP;
      }
      break;  // the first slot containing the time applies
    }
    if (e.pressure_max > 0 && !internal::PressureWindow::Allows(c.recent, e.pressure_max,
                                                                e.pressure_window_us, now_us_)) {
      return v1::Explanation::PRESSURE;
    }
    return v1::Explanation::SKIP_REASON_UNSPECIFIED;
  }

  // An assignment that fills the employee's pressure window pauses them (SPEC §5.4 alert).
  bool FillsPressureWindow(uint32_t employee) const {
    const CompiledEmployee& e = config_.employees[employee];
    if (e.pressure_max == 0) return false;
    const std::vector<int64_t>& recent = view_.counters(employee).recent;
    uint32_t in_window = 1;
    for (int64_t t : recent) in_window += t > now_us_ - e.pressure_window_us ? 1 : 0;
    return in_window >= e.pressure_max;
  }

  // SPEC §5.1 step 7: the target group, then its backups. Returns false when nobody in the
  // cascade is eligible; `any_capped` then tells NO_CAPACITY from NO_STAFF_ON_DUTY.
  bool Cascade(uint32_t target, uint64_t random_seed, bool allow_reserve, uint32_t* group_out,
               Delta::Pick* pick_out, bool* any_capped) {
    v1::Explanation* explain = decision_.explanation.get();
    for (uint32_t g : config_.groups[target].cascade) {
      const CompiledGroup& group = config_.groups[g];
      const GroupClock& clock = view_.group(g);
      v1::Explanation::GroupTrial* trial = nullptr;
      if (explain != nullptr) {
        trial = explain->add_groups();
        trial->set_group(group.id);
        trial->set_reserve(allow_reserve);
      }
      internal::StrategyInput in;
      in.strategy = group.strategy;
      in.weight = group.member_weight;
      in.start = clock.start;
      in.virtual_time = clock.virtual_time;
      in.last_picked = clock.last_picked;
      in.random_seed = random_seed;
      auto eligible = [&](int32_t m) {
        const SkipReason why = Ineligibility(group.members[m], allow_reserve);
        if (why == v1::Explanation::SKIP_REASON_UNSPECIFIED) return true;
        *any_capped = *any_capped || why == v1::Explanation::DAILY_CAP ||
                      why == v1::Explanation::HOURLY_CAP || why == v1::Explanation::PRESSURE;
        if (trial != nullptr) {
          v1::Explanation::Skip* skip = trial->add_skipped();
          skip->set_employee(config_.employees[group.members[m]].id);
          skip->set_reason(why);
        }
        return false;
      };
      auto load = [&](int32_t m) { return view_.counters(group.members[m]).TodayOn(local_.day); };
      const internal::StrategyPick pick = internal::PickMember(in, eligible, load);
      if (pick.member < 0) continue;
      if (trial != nullptr) trial->set_picked(config_.employees[group.members[pick.member]].id);
      *group_out = g;
      pick_out->group = g;
      pick_out->member = static_cast<uint32_t>(pick.member);
      pick_out->start = pick.start;
      pick_out->virtual_time = pick.virtual_time;
      return true;
    }
    return false;
  }

 private:
  const CompiledConfig& config_;
  const StateView& view_;
  const LocalTime& local_;
  const int64_t local_hour_;
  const int64_t now_us_;
  Decision& decision_;
};

absl::StatusOr<absl::InlinedVector<uint64_t, 2>> HashKeys(const v1::Customer& customer,
                                                          uint64_t seed, absl::string_view path) {
  if (customer.keys().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".keys: at least one key is required"));
  }
  absl::InlinedVector<uint64_t, 2> keys;
  for (int i = 0; i < customer.keys_size(); ++i) {
    absl::StatusOr<uint64_t> h = HashKey(customer.keys(i), seed);
    if (!h.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".keys[", i, "]: ", h.status().message()));
    }
    keys.push_back(*h);
  }
  return keys;
}

absl::Status CheckEmployee(const CompiledConfig& config, const std::string& id,
                           absl::string_view path) {
  if (config.employee_index.contains(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(path, ": unknown employee \"", id, "\""));
}

// The non-arrival events: checked, accepted, and (in this version) without effect beyond
// time-driven work. SPEC §3.
absl::Status CheckOtherEvent(const CompiledConfig& config, const v1::Event& event) {
  switch (event.kind_case()) {
    case v1::Event::kTick:
      return absl::OkStatus();
    case v1::Event::kAccepted:
      return CheckEmployee(config, event.accepted().employee(), "accepted.employee");
    case v1::Event::kLost:
      return CheckEmployee(config, event.lost().employee(), "lost.employee");
    case v1::Event::kEmployeeStatus:
      if (!v1::EmployeeStatus::Status_IsValid(event.employee_status().status())) {
        return absl::InvalidArgumentError("employee_status.status: unknown status");
      }
      return CheckEmployee(config, event.employee_status().employee(), "employee_status.employee");
    case v1::Event::kSurge: {
      const v1::Surge& s = event.surge();
      if (s.employee().empty() == s.group().empty()) {
        return absl::InvalidArgumentError("surge: name exactly one of employee and group");
      }
      if (!s.employee().empty()) {
        absl::Status st = CheckEmployee(config, s.employee(), "surge.employee");
        if (!st.ok()) return st;
      } else if (!config.group_index.contains(s.group())) {
        return absl::InvalidArgumentError(
            absl::StrCat("surge.group: unknown group \"", s.group(), "\""));
      }
      if (!(s.extra() > 0 && s.extra() <= 0.2)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "surge.extra: must be above 0 and at most 0.2 (20% more capacity); got ", s.extra()));
      }
      absl::Duration d;
      if (!absl::ParseDuration(s.duration(), &d) || d <= absl::ZeroDuration() ||
          d > absl::Hours(2)) {
        return absl::InvalidArgumentError(
            absl::StrCat("surge.duration: must be a duration above 0 and at most 2h; got \"",
                         s.duration(), "\""));
      }
      return absl::OkStatus();
    }
    case v1::Event::kObserved: {
      const v1::Observed& o = event.observed();
      if (!config.entry_index.contains(o.entry())) {
        return absl::InvalidArgumentError(
            absl::StrCat("observed.entry: unknown entry \"", o.entry(), "\""));
      }
      absl::Status st = CheckEmployee(config, o.employee(), "observed.employee");
      if (!st.ok()) return st;
      return HashKeys(o.customer(), 0, "observed.customer").status();
    }
    default:
      return absl::InvalidArgumentError(
          "event: names no kind (arrival, accepted, lost, tick, employee_status, surge, observed)");
  }
}

}  // namespace

absl::StatusOr<Engine> Engine::Create(const v1::Config& config) {
  absl::StatusOr<CompiledConfig> compiled = internal::CompileConfig(config);
  if (!compiled.ok()) return compiled.status();
  const uint64_t fingerprint = Fingerprint(config);
  return Engine(std::make_shared<const CompiledConfig>(*std::move(compiled)), fingerprint);
}

const v1::Config& Engine::config() const { return compiled_->source; }

absl::StatusOr<Decision> Engine::Decide(const v1::Event& event, const State& state) const {
  const CompiledConfig& config = *compiled_;
  const StateData& data = *state.data_;
  absl::StatusOr<int64_t> at_us = EventTime(event);
  if (!at_us.ok()) return at_us.status();
  if (*at_us < data.clock_us) {
    return absl::InvalidArgumentError(absl::StrCat("at: ", FormatMicros(*at_us),
                                                   " is earlier than the state's clock ",
                                                   FormatMicros(data.clock_us)));
  }
  Decision decision;
  decision.version = data.version;
  decision.at_us = *at_us;
  decision.delta.engine = fingerprint_;
  decision.delta.base_version = data.version;
  decision.delta.at_us = *at_us;
  const LocalTime local = ToLocalTime(absl::FromUnixMicros(*at_us), config.time_zone);
  decision.delta.local_day = local.day;
  decision.delta.local_hour = local.day * 24 + local.minute / 60;

  if (event.kind_case() != v1::Event::kArrival) {
    absl::Status status = CheckOtherEvent(config, event);
    if (!status.ok()) return status;
    if (event.has_employee_status()) {  // SPEC §5.9
      const v1::EmployeeStatus& change = event.employee_status();
      decision.delta.statuses.push_back(
          {config.employee_index.at(change.employee()), change.status()});
    } else if (event.has_surge()) {  // SPEC §5.4 应急通道
      const v1::Surge& surge = event.surge();
      absl::Duration duration;
      (void)absl::ParseDuration(surge.duration(), &duration);  // checked above
      Delta::SurgeStart start;
      start.group = !surge.group().empty();
      start.index = start.group ? config.group_index.at(surge.group())
                                : config.employee_index.at(surge.employee());
      start.extra = surge.extra();
      start.until_us = *at_us + absl::ToInt64Microseconds(duration);
      decision.delta.surges.push_back(start);
    }
    return decision;
  }

  // ---- SPEC §5.1 step 1: validate.
  const v1::Arrival& arrival = event.arrival();
  auto entry_it = config.entry_index.find(arrival.entry());
  if (entry_it == config.entry_index.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("arrival.entry: unknown entry \"", arrival.entry(), "\""));
  }
  const internal::CompiledEntry& entry = config.entries[entry_it->second];
  // ---- Step 2: identity (SPEC §5.5).
  absl::StatusOr<absl::InlinedVector<uint64_t, 2>> keys =
      HashKeys(arrival.customer(), entry.key_seed, "arrival.customer");
  if (!keys.ok()) return keys.status();

  const StateView view(data, config, fingerprint_);
  if (arrival.explain()) decision.explanation = std::make_unique<v1::Explanation>();
  const std::string& customer = arrival.customer().ref();
  for (const std::string& tag : entry.tags) decision.tags_added.push_back(tag);

  // ---- Step 4: the owner path. A customer is remembered until assigned_at + remember and
  // owned until assigned_at + window; memory past its time is ignored here and forgotten
  // by the next Apply.
  // A match on any key is a match (SPEC §5.5): among the customers the keys name, one
  // owned within the window wins, the most recently assigned first.
  OwnerMemory::CustomerId known = OwnerMemory::kNone;
  bool known_in_window = false;
  for (uint64_t key : *keys) {
    const OwnerMemory::CustomerId id = data.memory.FindKey(key);
    if (id == OwnerMemory::kNone || id == known) continue;
    const int64_t age = *at_us - data.memory.record(id).assigned_at_us;
    if (age >= config.remember_us) continue;  // past its time; the next Apply forgets it
    const bool in_window = age < config.dedup_window_us;
    if (known == OwnerMemory::kNone || in_window > known_in_window ||
        (in_window == known_in_window &&
         data.memory.record(id).assigned_at_us > data.memory.record(known).assigned_at_us)) {
      known = id;
      known_in_window = in_window;
    }
  }
  if (known != OwnerMemory::kNone) {
    const OwnerMemory::Record& record = data.memory.record(known);
    {
      const std::string& owner_id = data.employee_ids[record.owner];
      auto owner = config.employee_index.find(owner_id);
      const bool in_window = known_in_window;
      if (in_window && owner != config.employee_index.end()) {
        const std::string_view owner_name = config.employees[owner->second].id;
        Delta::Remember join;
        join.keys = *keys;
        join.customer = known;
        join.employee = owner->second;
        decision.delta.remember.push_back(std::move(join));
        if (decision.explanation) decision.explanation->set_route_source(v1::Explanation::OWNER);
        if (config.on_duplicate == v1::Dedup::DROP) {
          decision.rejections.push_back({customer, v1::Rejection::DUPLICATE, owner_name});
        } else {
          decision.assignments.push_back(
              {customer, owner_name, {}, entry.id, v1::Assignment::OWNER, false});
        }
        return decision;
      }
      // After the window (or with the owner gone from the config): new again, but returning.
      decision.returning = true;
      decision.previous_owner = owner != config.employee_index.end()
                                    ? std::string_view(config.employees[owner->second].id)
                                    : std::string_view();
      if (!config.returning_tag.empty()) decision.tags_added.push_back(config.returning_tag);
    }
  }

  // ---- Step 5: target group (this version: the entry's default group).
  const uint32_t target = entry.group;
  if (decision.explanation) decision.explanation->set_route_source(v1::Explanation::ENTRY_DEFAULT);

  // ---- Steps 7 and 9.
  const uint64_t random_seed =
      internal::Mix64(config.seed ^ internal::Mix64((*keys)[0] ^ internal::Mix64(data.version)));
  ArrivalDecider decider(config, view, local, *at_us, decision);
  uint32_t group = 0;
  Delta::Pick pick;
  bool any_capped = false;
  bool found = decider.Cascade(target, random_seed, false, &group, &pick, &any_capped);
  // Step 8: the whole cascade is full; run it again allowing the reserve (SPEC §5.4).
  const bool used_reserve = !found && any_capped && config.reserve_fraction > 0 &&
                            decider.Cascade(target, random_seed, true, &group, &pick, &any_capped);
  found = found || used_reserve;
  if (!found) {
    decision.rejections.push_back(
        {customer, any_capped ? v1::Rejection::NO_CAPACITY : v1::Rejection::NO_STAFF_ON_DUTY, {}});
    return decision;
  }
  const uint32_t employee = config.groups[group].members[pick.member];
  decision.assignments.push_back(
      {customer, config.employees[employee].id, config.groups[group].id, entry.id,
       decision.returning ? v1::Assignment::RETURNING : v1::Assignment::NEW, used_reserve});
  if (decider.FillsPressureWindow(employee)) {
    decision.alerts.push_back(
        {v1::Alert::PRESSURE_PAUSE, config.employees[employee].id, entry.id, {}, customer});
  }
  Delta::Remember remember;
  remember.keys = *std::move(keys);
  remember.customer = known;
  remember.employee = employee;
  remember.new_owner = true;
  remember.charge = true;
  decision.delta.remember.push_back(std::move(remember));
  decision.delta.picks.push_back(pick);
  return decision;
}

absl::Status Engine::Apply(const Decision& decision, State& state) const {
  const CompiledConfig& config = *compiled_;
  StateData& data = *state.data_;
  const Delta& delta = decision.delta;
  if (delta.engine != fingerprint_) {
    return absl::InvalidArgumentError("decision: made by an engine with a different config");
  }
  if (delta.base_version != data.version) {
    return absl::FailedPreconditionError(
        absl::StrCat("decision: made on state version ", delta.base_version,
                     ", but the state is at version ", data.version));
  }
  if (delta.at_us < data.clock_us) {
    return absl::FailedPreconditionError("decision: earlier than the state's clock");
  }
  internal::BindInPlace(data, config, fingerprint_);

  // Time-driven work up to the event (SPEC §3): forget customers past `remember`. Day
  // counters reset lazily when read on a later day.
  data.clock_us = delta.at_us;
  data.memory.ForgetAssignedUpTo(delta.at_us - config.remember_us);

  for (const Delta::Remember& r : delta.remember) {
    const uint32_t slot = data.bound.employee_slot[r.employee];
    if (r.new_owner) {
      data.memory.Assign(r.customer, r.keys, slot, delta.at_us);
    } else if (r.customer != OwnerMemory::kNone) {
      data.memory.Join(r.customer, r.keys);
    }
    if (r.charge) {
      EmployeeCounters& c = data.counters[slot];
      if (c.day != delta.local_day) {
        c.day = delta.local_day;
        c.today = 0;
      }
      ++c.today;
      if (c.hour != delta.local_hour) {
        c.hour = delta.local_hour;
        c.this_hour = 0;
      }
      ++c.this_hour;
      const CompiledEmployee& e = config.employees[r.employee];
      if (e.pressure_max > 0)
        internal::PressureWindow::Record(c.recent, e.pressure_max, delta.at_us);
    }
  }
  for (const Delta::StatusChange& change : delta.statuses) {
    data.counters[data.bound.employee_slot[change.employee]].status = change.status;
  }
  for (const Delta::SurgeStart& surge : delta.surges) {
    internal::Surge& target = surge.group
                                  ? data.bound.groups[surge.index].surge
                                  : data.counters[data.bound.employee_slot[surge.index]].surge;
    target = {surge.extra, surge.until_us};
  }
  for (const Delta::Pick& p : delta.picks) {
    GroupClock& g = data.bound.groups[p.group];
    g.last_picked = static_cast<int32_t>(p.member);
    if (config.groups[p.group].strategy == v1::WEIGHTED) {
      g.start[p.member] = p.start;
      g.virtual_time = p.virtual_time;
    }
  }
  ++data.version;
  return absl::OkStatus();
}

absl::StatusOr<Decision> Engine::Step(const v1::Event& event, State& state) const {
  absl::StatusOr<Decision> decision = Decide(event, state);
  if (!decision.ok()) return decision;
  absl::Status applied = Apply(*decision, state);
  if (!applied.ok()) return applied;
  return decision;
}

}  // namespace allot
