#include "allot/engine.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "allocator.h"
#include "compiled_config.h"
#include "customer_key.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "state_data.h"
#include "strategy.h"
#include "time_window.h"

#define XXH_INLINE_ALL
#include "xxhash.h"

namespace allot {

using internal::CompiledConfig;
using internal::StateData;

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

// Hashes the customer's keys into `keys` (emptied first), or names the key at `path` that
// is not a key. Into the caller's vector, as it runs on every arrival.
absl::Status HashKeys(const v1::Customer& customer, uint64_t seed, absl::string_view path,
                      absl::InlinedVector<uint64_t, 2>& keys) {
  keys.clear();
  if (customer.keys().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".keys: at least one key is required"));
  }
  for (int i = 0; i < customer.keys_size(); ++i) {
    absl::StatusOr<uint64_t> h = HashKey(customer.keys(i), seed);
    if (!h.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".keys[", i, "]: ", h.status().message()));
    }
    keys.push_back(*h);
  }
  return absl::OkStatus();
}

// Whether the customer has keys, each a "type:value" key (SPEC §5.5): for the events that are
// checked before anything is decided.
absl::Status CheckKeys(const v1::Customer& customer, absl::string_view path) {
  absl::InlinedVector<uint64_t, 2> keys;
  return HashKeys(customer, 0, path, keys);
}

absl::Status CheckEmployee(const CompiledConfig& config, const std::string& id,
                           absl::string_view path) {
  if (config.employee_index.contains(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(path, ": unknown employee \"", id, "\""));
}

// Checks a non-arrival event (SPEC §3) before anything is decided: what it names must exist
// and its values must be in range.
absl::Status CheckOtherEvent(const CompiledConfig& config, const v1::Event& event) {
  switch (event.kind_case()) {
    case v1::Event::kTick:
      return absl::OkStatus();
    case v1::Event::kAccepted: {
      absl::Status st = CheckEmployee(config, event.accepted().employee(), "accepted.employee");
      if (!st.ok()) return st;
      return CheckKeys(event.accepted().customer(), "accepted.customer");
    }
    case v1::Event::kLost: {
      absl::Status st = CheckEmployee(config, event.lost().employee(), "lost.employee");
      if (!st.ok()) return st;
      return CheckKeys(event.lost().customer(), "lost.customer");
    }
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
      return CheckKeys(o.customer(), "observed.customer");
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
  compiled->fingerprint = Fingerprint(config);
  const uint64_t fingerprint = compiled->fingerprint;
  return Engine(std::make_shared<const CompiledConfig>(*std::move(compiled)), fingerprint);
}

const v1::Config& Engine::config() const { return compiled_->source; }

namespace {

// A remembered customer the keys name (SPEC §5.5: a match on any key is a match): one owned
// within the window wins, the most recently assigned first. Customers past `remember` are
// ignored here; the next Apply forgets them.
struct Remembered {
  OwnerMemory::CustomerId id = OwnerMemory::kNone;
  bool in_window = false;
};

Remembered FindRemembered(const CompiledConfig& config, const StateData& data,
                          absl::Span<const uint64_t> keys, int64_t at_us) {
  Remembered best;
  for (uint64_t key : keys) {
    const OwnerMemory::CustomerId id = data.memory.FindKey(key);
    if (id == OwnerMemory::kNone || id == best.id) continue;
    const int64_t age = at_us - data.memory.record(id).assigned_at_us;
    if (age >= config.remember_us) continue;
    // A customer who deleted their owner is owned no more (SPEC §5.6).
    const bool in_window = age < config.dedup_window_us && !data.memory.record(id).lost;
    if (best.id == OwnerMemory::kNone || in_window > best.in_window ||
        (in_window == best.in_window &&
         data.memory.record(id).assigned_at_us > data.memory.record(best.id).assigned_at_us)) {
      best = {id, in_window};
    }
  }
  return best;
}

// The placement of a customer who waited (held or unaccepted): through the cascade of the
// group stored with them while the config still has it, else the entry's group.
internal::Allocator::Request RequestFor(const CompiledConfig& config, const StateData& data,
                                        const std::string& customer,
                                        absl::Span<const uint64_t> keys, uint32_t entry,
                                        const std::string& group, v1::Assignment::Reason reason,
                                        int64_t at_us) {
  internal::Allocator::Request request;
  auto group_it = config.group_index.find(group);
  request.target =
      group_it != config.group_index.end() ? group_it->second : config.entries[entry].group;
  request.customer = &customer;
  request.keys = keys;
  request.known = FindRemembered(config, data, keys, at_us).id;
  request.entry = entry;
  request.reason = reason;
  return request;
}

// On leave or departed: no longer there to answer their customers (SPEC §5.5, §5.9).
bool Away(v1::EmployeeStatus::Status status) {
  return status == v1::EmployeeStatus::ON_LEAVE || status == v1::EmployeeStatus::DEPARTED;
}

// The engine index of the employee in state slot `slot`, or kNoIndex when the config no
// longer has them.
uint32_t EmployeeOfSlot(const CompiledConfig& config, const StateData& data, uint32_t slot) {
  if (data.bound.engine == config.fingerprint && slot < data.bound.slot_employee.size()) {
    return data.bound.slot_employee[slot];
  }
  auto it = config.employee_index.find(data.employee_ids[slot]);
  return it == config.employee_index.end() ? internal::kNoIndex : it->second;
}

// The nearest store within its radius of the arrival's position, or -1 (SPEC §5.8). Ties go
// to the earlier store in the config.
int32_t NearestStore(const CompiledConfig& config, const v1::Arrival& arrival) {
  if (!arrival.has_geo() || config.stores.empty()) return -1;
  constexpr double kEarthRadiusM = 6371000.0;
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double lat = arrival.geo().lat() * kRad, lng = arrival.geo().lng() * kRad;
  int32_t best = -1;
  double best_m = 0;
  for (size_t i = 0; i < config.stores.size(); ++i) {
    const internal::CompiledStore& s = config.stores[i];
    // Haversine distance.
    const double dlat = s.lat * kRad - lat, dlng = s.lng * kRad - lng;
    const double h =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(lat) * std::cos(s.lat * kRad) * std::sin(dlng / 2) * std::sin(dlng / 2);
    const double meters = 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(h)));
    if (meters <= s.radius_m && (best < 0 || meters < best_m)) {
      best = static_cast<int32_t>(i);
      best_m = meters;
    }
  }
  return best;
}

// Position in the hold pool of a customer any of `keys` names, or -1.
int32_t FindHeld(const StateData& data, absl::Span<const uint64_t> keys) {
  for (size_t i = 0; i < data.held.size(); ++i) {
    for (uint64_t held_key : data.held[i].keys) {
      if (std::find(keys.begin(), keys.end(), held_key) != keys.end()) {
        return static_cast<int32_t>(i);
      }
    }
  }
  return -1;
}

// Time-driven work on the hold pool (SPEC §5.4, §5.1 step 6): expire customers past
// max_hold, start the clock of off-hours customers whose entry has opened, and release in
// arrival order everyone the cascade can now take. A target that found nobody is not tried
// again in the same event.
void DispatchHeld(const CompiledConfig& config, const StateData& data, const LocalTime& local,
                  int64_t at_us, internal::Allocator& allocator, Decision& decision) {
  absl::InlinedVector<uint32_t, 4> full_targets;
  for (uint32_t i = 0; i < data.held.size(); ++i) {
    const internal::HeldCustomer& h = data.held[i];
    auto entry_it = config.entry_index.find(h.entry);
    const bool expired = h.wait_from_us != 0 && at_us - h.wait_from_us >= config.max_hold_us;
    if (expired || entry_it == config.entry_index.end()) {  // an entry gone from the config too
      decision.rejections.push_back({h.customer, v1::Rejection::HOLD_EXPIRED, {}});
      decision.delta.unheld.push_back(i);
      continue;
    }
    const internal::CompiledEntry& entry = config.entries[entry_it->second];
    if (h.reason == v1::Hold::OFF_HOURS) {
      if (!entry.IsOpen(local)) continue;
      if (h.wait_from_us == 0) decision.delta.wait_started.push_back(i);
    }
    if (h.reason == v1::Hold::OWNER_UNAVAILABLE) {
      // Back to the owner once they are back (SPEC §5.5 HOLD); through the cascade once
      // they are no longer the owner.
      const Remembered known = FindRemembered(config, data, h.keys, at_us);
      if (known.in_window) {
        const uint32_t owner = EmployeeOfSlot(config, data, data.memory.record(known.id).owner);
        const auto status = owner == internal::kNoIndex ? v1::EmployeeStatus::DEPARTED
                                                        : allocator.counters(owner).status;
        if (Away(status)) {
          continue;
        }
        decision.assignments.push_back(
            {h.customer, config.employees[owner].id, {}, entry.id, v1::Assignment::OWNER, false});
        Delta::Remember join;
        join.keys = h.keys;
        join.customer = known.id;
        join.employee = owner;
        decision.delta.remember.push_back(std::move(join));
        decision.delta.unheld.push_back(i);
        continue;
      }
    }
    const internal::Allocator::Request request =
        RequestFor(config, data, h.customer, h.keys, entry_it->second, h.group,
                   v1::Assignment::RELEASED, at_us);
    const uint32_t target = request.target;
    if (std::find(full_targets.begin(), full_targets.end(), target) != full_targets.end()) continue;
    if (allocator.Place(request) == internal::Allocator::Miss::kNone) {
      decision.delta.unheld.push_back(i);
    } else {
      full_targets.push_back(target);
    }
  }
}

// Whether an `accepted` event names the customer of a pending assignment: by the host's ref,
// or by any key (hashed as the pending's entry hashes it).
bool NamesCustomer(const CompiledConfig& config, const v1::Customer& named,
                   const internal::PendingAcceptance& p) {
  if (!named.ref().empty() && named.ref() == p.customer) return true;
  auto entry = config.entry_index.find(p.entry);
  if (entry == config.entry_index.end()) return false;
  for (const std::string& key : named.keys()) {
    absl::StatusOr<uint64_t> h = HashKey(key, config.entries[entry->second].key_seed);
    if (h.ok() && std::find(p.keys.begin(), p.keys.end(), *h) != p.keys.end()) return true;
  }
  return false;
}

// Employees holding an assignment unaccepted past accept_timeout, leaving out the pending
// positions in `settled` (SPEC §5.4 unresponsive).
absl::InlinedVector<uint32_t, 4> OverdueHolders(const CompiledConfig& config, const StateData& data,
                                                int64_t at_us,
                                                const std::vector<uint32_t>& settled) {
  absl::InlinedVector<uint32_t, 4> holders;
  if (config.accept_timeout_us == 0) return holders;
  for (uint32_t i = 0; i < data.pending.size(); ++i) {
    const internal::PendingAcceptance& p = data.pending[i];
    if (at_us - p.assigned_at_us < config.accept_timeout_us) continue;
    if (std::find(settled.begin(), settled.end(), i) != settled.end()) continue;
    const uint32_t holder = EmployeeOfSlot(config, data, p.holder);
    if (holder != internal::kNoIndex) holders.push_back(holder);
  }
  return holders;
}

// Acceptance tracking (SPEC §5.4, §5.9): an `accepted` event settles its assignment;
// assignments unaccepted past accept_timeout, or held by someone now on leave or departed,
// move to another eligible employee of their cascade who never held them, at most
// max_transfers times. Holders of assignments still overdue afterwards are unresponsive.
void TrackAcceptance(const CompiledConfig& config, const StateData& data, const v1::Event& event,
                     int64_t at_us, internal::Allocator& allocator, Decision& decision) {
  const int64_t timeout = config.accept_timeout_us;
  std::vector<uint32_t>& done = decision.delta.pending_done;
  if (event.has_accepted()) {
    const uint32_t employee = config.employee_index.at(event.accepted().employee());
    for (uint32_t i = 0; i < data.pending.size(); ++i) {
      const internal::PendingAcceptance& p = data.pending[i];
      if (EmployeeOfSlot(config, data, p.holder) != employee) continue;
      if (!NamesCustomer(config, event.accepted().customer(), p)) continue;
      done.push_back(i);
      const bool in_time = at_us - p.assigned_at_us <= timeout;
      decision.delta.outcomes.push_back({employee, in_time});
      allocator.RecordOutcome(employee, in_time);
      break;
    }
  }
  if (event.has_lost()) {  // the customer deleted the employee: nothing left to accept
    const uint32_t employee = config.employee_index.at(event.lost().employee());
    for (uint32_t i = 0; i < data.pending.size(); ++i) {
      const internal::PendingAcceptance& p = data.pending[i];
      if (EmployeeOfSlot(config, data, p.holder) != employee) continue;
      if (!NamesCustomer(config, event.lost().customer(), p)) continue;
      done.push_back(i);
      break;
    }
  }
  auto overdue = [&](const internal::PendingAcceptance& p) {
    return at_us - p.assigned_at_us >= timeout;
  };
  allocator.SetUnresponsive(OverdueHolders(config, data, at_us, done));

  // A transfer can free a colleague another transfer was waiting for: go round until
  // nothing moves.
  for (bool moved = true; moved;) {
    moved = false;
    for (uint32_t i = 0; i < data.pending.size(); ++i) {
      const internal::PendingAcceptance& p = data.pending[i];
      if (std::find(done.begin(), done.end(), i) != done.end()) continue;
      const uint32_t holder = EmployeeOfSlot(config, data, p.holder);
      const bool away = holder == internal::kNoIndex || Away(allocator.counters(holder).status);
      if ((!overdue(p) && !away) || p.transfers >= config.max_transfers) continue;
      auto entry = config.entry_index.find(p.entry);
      if (entry == config.entry_index.end()) continue;
      std::vector<uint32_t> earlier;
      for (uint32_t slot : p.earlier) {
        const uint32_t e = EmployeeOfSlot(config, data, slot);
        if (e != internal::kNoIndex) earlier.push_back(e);
      }
      if (holder != internal::kNoIndex) earlier.push_back(holder);
      internal::Allocator::Request request =
          RequestFor(config, data, p.customer, p.keys, entry->second, p.group,
                     v1::Assignment::TRANSFERRED, at_us);
      request.earlier = earlier;
      request.transfers = p.transfers + 1;
      if (allocator.Place(request) != internal::Allocator::Miss::kNone) continue;
      done.push_back(i);
      moved = true;
      if (holder != internal::kNoIndex) {
        decision.delta.outcomes.push_back({holder, false});
        allocator.RecordOutcome(holder, false);
      }
      allocator.SetUnresponsive(OverdueHolders(config, data, at_us, done));
    }
  }
  std::sort(done.begin(), done.end());
}

bool Unheld(const Decision& decision, int32_t position) {
  return std::binary_search(decision.delta.unheld.begin(), decision.delta.unheld.end(),
                            static_cast<uint32_t>(position));
}

// Customers in the buffer pool (not counting those waiting for an opening), after this
// decision's releases and expiries.
uint32_t PooledAfter(const StateData& data, const Decision& decision) {
  uint32_t pooled = 0;
  for (size_t i = 0; i < data.held.size(); ++i) {
    if (data.held[i].reason != v1::Hold::OFF_HOURS && !Unheld(decision, static_cast<int32_t>(i))) {
      ++pooled;
    }
  }
  for (const Delta::NewHold& h : decision.delta.holds) pooled += h.reason != v1::Hold::OFF_HOURS;
  return pooled;
}

// SPEC §5.7: the tag rules' tags and explanation into `decision`; returns the group they
// route to, or -1. Out of line, so that the arrival's path without rules stays as it is.
[[gnu::noinline]] int64_t ApplyTagRules(const CompiledConfig& config, const v1::Arrival& arrival,
                                        const internal::CompiledEntry* entry, uint32_t entry_index,
                                        const LocalTime& local, Decision& decision) {
  internal::TagRules::Result rules;
  // The entry's channel and tags were interned when the config was compiled.
  const uint32_t channel = arrival.channel().empty()
                               ? entry->rule_channel
                               : config.tag_rules.ChannelId(arrival.channel());
  config.tag_rules.Evaluate(arrival, entry_index, channel, entry->rule_tags, local,
                            /*list_fired=*/decision.explanation != nullptr, rules);
  for (uint32_t t : rules.added) decision.tags_added.push_back(config.tag_rules.tag(t));
  for (uint32_t t : rules.removed) decision.tags_removed.push_back(config.tag_rules.tag(t));
  if (decision.explanation) {
    for (uint32_t r : rules.fired) {
      decision.explanation->add_rules_fired(config.tag_rules.rule_name(r));
    }
  }
  return rules.route_group;
}

// SPEC §5.1 steps 4–9 for the arrival itself, after the time-driven work.
void DecideArrival(const CompiledConfig& config, const StateData& data, const v1::Arrival& arrival,
                   const internal::CompiledEntry* entry, uint32_t entry_index,
                   const absl::InlinedVector<uint64_t, 2>& keys, const LocalTime& local,
                   int64_t at_us, internal::Allocator& allocator, Decision& decision) {
  if (arrival.explain()) decision.explanation = std::make_unique<v1::Explanation>();
  const std::string& customer = arrival.customer().ref();
  for (const std::string& tag : entry->tags) decision.tags_added.push_back(tag);

  // A customer already waiting is not held twice. One released just now belongs to the
  // employee who took them; one whose wait just expired arrives afresh.
  if (!data.held.empty()) {
    const int32_t held = FindHeld(data, keys);
    if (held >= 0 && !Unheld(decision, held)) {
      decision.held.push_back({customer, data.held[held].reason});
      return;
    }
    if (held >= 0) {
      const internal::HeldCustomer& h = data.held[held];
      for (size_t k = 0; k < decision.delta.remember.size(); ++k) {
        Delta::Remember& release = decision.delta.remember[k];
        if (!release.new_owner ||
            std::find(release.keys.begin(), release.keys.end(), h.keys[0]) == release.keys.end()) {
          continue;
        }
        for (uint64_t key : keys) {
          if (std::find(release.keys.begin(), release.keys.end(), key) == release.keys.end()) {
            release.keys.push_back(key);
          }
        }
        // The release is this customer's outcome; under another ref, report the owner too.
        if (h.customer != customer) {
          decision.assignments.push_back({customer,
                                          config.employees[release.employee].id,
                                          {},
                                          entry->id,
                                          v1::Assignment::OWNER,
                                          false});
        }
        return;
      }
    }
  }

  // ---- Step 3: tag rules (SPEC §5.7).
  const int64_t route_group =
      config.tag_rules.empty()
          ? -1
          : ApplyTagRules(config, arrival, entry, entry_index, local, decision);

  // ---- Step 4: the owner path.
  const Remembered known = FindRemembered(config, data, keys, at_us);
  uint32_t previous_owner = internal::kNoIndex;
  if (known.id != OwnerMemory::kNone) {
    const uint32_t owner = EmployeeOfSlot(config, data, data.memory.record(known.id).owner);
    const bool owner_known = owner != internal::kNoIndex;
    // SPEC §5.5: an owner on leave or departed is unavailable; dedup.on_owner_unavailable
    // decides (REASSIGN: allocate anew below).
    const v1::EmployeeStatus::Status status =
        owner_known ? allocator.counters(owner).status : v1::EmployeeStatus::ACTIVE;
    const bool unavailable = Away(status);
    if (known.in_window && owner_known && unavailable &&
        config.on_owner_unavailable != v1::Dedup::REASSIGN) {
      Delta::Remember join;
      join.keys = keys;
      join.customer = known.id;
      join.employee = owner;
      decision.delta.remember.push_back(std::move(join));
      if (config.on_owner_unavailable == v1::Dedup::REJECT) {
        decision.rejections.push_back({customer, v1::Rejection::OWNER_UNAVAILABLE, {}});
        return;
      }
      // HOLD: wait in the pool for the owner to come back.
      if (PooledAfter(data, decision) >= config.hold_capacity) {
        decision.rejections.push_back({customer, v1::Rejection::BUFFER_FULL, {}});
        return;
      }
      decision.delta.holds.push_back(
          {customer, keys, entry_index, entry->group, at_us, v1::Hold::OWNER_UNAVAILABLE});
      decision.held.push_back({customer, v1::Hold::OWNER_UNAVAILABLE});
      return;
    }
    if (known.in_window && owner_known && !unavailable) {
      const std::string_view owner_name = config.employees[owner].id;
      Delta::Remember& join = decision.delta.remember.emplace_back();  // in place: every repeat
      for (uint64_t key : keys) join.keys.push_back(key);
      join.customer = known.id;
      join.employee = owner;
      if (decision.explanation) decision.explanation->set_route_source(v1::Explanation::OWNER);
      if (config.on_duplicate == v1::Dedup::DROP) {
        decision.rejections.push_back({customer, v1::Rejection::DUPLICATE, owner_name});
      } else {
        Assignment& assignment = decision.assignments.emplace_back();
        assignment.customer = customer;
        assignment.employee = owner_name;
        assignment.entry = entry->id;
        assignment.reason = v1::Assignment::OWNER;
      }
      return;
    }
    // After the window, after a `lost`, or with the owner gone from the config: new again,
    // but returning. Within the window with the owner unavailable: reassigned, not returning.
    decision.returning = !known.in_window || !owner_known;
    if (owner_known) {
      previous_owner = owner;
      decision.previous_owner = config.employees[owner].id;
    }
    if (decision.returning && !config.returning_tag.empty()) {
      decision.tags_added.push_back(config.returning_tag);
    }
  }

  // ---- Step 5: where the customer goes (SPEC §5.8). An employee to try first — the
  // previous owner of a returning customer when prefer_previous_owner is on (§5.5), else the
  // district's owner — and the group whose cascade follows: the nearest store within its
  // radius, else the region of the city, else the entry's slot for the local time, else the
  // entry's group. A tag rule's route_to_group (§5.7) comes before all but the previous owner.
  uint32_t target = entry->group;
  uint32_t region = internal::kNoIndex;
  uint32_t first = internal::kNoIndex;
  auto source = v1::Explanation::ENTRY_DEFAULT;
  auto first_source = v1::Explanation::ROUTE_SOURCE_UNSPECIFIED;
  if (decision.returning && config.prefer_previous_owner && previous_owner != internal::kNoIndex) {
    first = previous_owner;
    first_source = v1::Explanation::PREVIOUS_OWNER;
  } else if (auto d = arrival.district().empty() ? config.district_owner.end()
                                                 : config.district_owner.find(arrival.district());
             d != config.district_owner.end()) {
    first = d->second;
    first_source = v1::Explanation::DISTRICT;
  }
  if (route_group >= 0) {
    target = static_cast<uint32_t>(route_group);
    source = v1::Explanation::RULE;
    if (first_source == v1::Explanation::DISTRICT) first = internal::kNoIndex;  // rules first
  } else if (const int32_t store = NearestStore(config, arrival); store >= 0) {
    target = config.stores[store].group;
    source = v1::Explanation::STORE;
  } else if (auto r = arrival.city().empty() ? config.region_of_city.end()
                                             : config.region_of_city.find(arrival.city());
             r != config.region_of_city.end() &&
             config.regions[r->second].group != internal::kNoIndex) {
    target = config.regions[r->second].group;
    source = v1::Explanation::REGION;
    if (config.regions[r->second].protect) region = r->second;
  } else {
    for (const internal::EntrySlot& slot : entry->slots) {
      if (!slot.window.Contains(local)) continue;
      target = slot.group;
      source = v1::Explanation::SLOT;
      break;
    }
  }
  // ---- Step 6: off-hours.
  if (!entry->IsOpen(local)) {
    if (entry->off_hours == v1::HOLD_UNTIL_OPEN) {
      decision.delta.holds.push_back({customer, keys, entry_index, target, 0, v1::Hold::OFF_HOURS});
      decision.held.push_back({customer, v1::Hold::OFF_HOURS});
      return;
    }
    if (entry->off_hours == v1::ROUTE_TO_GROUP) {
      target = entry->off_hours_group;
      source = v1::Explanation::OFF_HOURS_GROUP;
      first = internal::kNoIndex;
      region = internal::kNoIndex;
    }
  }

  // ---- Steps 7–9.
  internal::Allocator::Request request;
  request.target = target;
  request.customer = &customer;
  request.keys = keys;
  request.known = known.id;
  request.entry = entry_index;
  request.reason = decision.returning ? v1::Assignment::RETURNING : v1::Assignment::NEW;
  request.explain = decision.explanation.get();
  request.last = true;
  request.region = region;
  if (first != internal::kNoIndex && allocator.PlaceWith(first, request)) {
    if (decision.explanation) decision.explanation->set_route_source(first_source);
    return;
  }
  if (decision.explanation) decision.explanation->set_route_source(source);
  const internal::Allocator::Miss miss = allocator.Place(request);
  if (miss == internal::Allocator::Miss::kNone) return;
  if (config.hold_capacity > 0) {
    const uint32_t pooled = PooledAfter(data, decision);
    if (pooled >= config.hold_capacity) {
      decision.rejections.push_back({customer, v1::Rejection::BUFFER_FULL, {}});
      return;
    }
    decision.delta.holds.push_back(
        {customer, keys, entry_index, target, at_us, v1::Hold::NO_CAPACITY});
    decision.held.push_back({customer, v1::Hold::NO_CAPACITY});
    // The pool passing 80% of its capacity (SPEC §5.4 alert).
    if (pooled * 5 <= config.hold_capacity * 4 && (pooled + 1) * 5 > config.hold_capacity * 4) {
      decision.alerts.push_back({v1::Alert::HOLD_POOL_HIGH, {}, entry->id, {}, customer});
    }
    return;
  }
  decision.rejections.push_back({customer,
                                 miss == internal::Allocator::Miss::kCapped
                                     ? v1::Rejection::NO_CAPACITY
                                     : v1::Rejection::NO_STAFF_ON_DUTY,
                                 {}});
  return;
}

// SPEC §5.11: WeCom assigned the customer itself. Charged exactly like a NEW assignment,
// even past a cap (then OVER_CAP); a repeat with the same owner within the window is an
// OWNER repeat; an add of someone else's customer is charged but leaves the owner
// (DUPLICATE_ADD).
void DecideObserved(const CompiledConfig& config, const StateData& data,
                    const v1::Observed& observed, int64_t at_us,
                    const internal::Allocator& allocator, Decision& decision) {
  const uint32_t entry_index = config.entry_index.at(observed.entry());
  const internal::CompiledEntry& entry = config.entries[entry_index];
  absl::InlinedVector<uint64_t, 2> keys;
  (void)HashKeys(observed.customer(), entry.key_seed, "observed.customer", keys);  // checked
  const uint32_t employee = config.employee_index.at(observed.employee());
  const std::string_view name = config.employees[employee].id;
  const std::string& customer = observed.customer().ref();
  const Remembered known = FindRemembered(config, data, keys, at_us);
  uint32_t owner = internal::kNoIndex;
  if (known.id != OwnerMemory::kNone) {
    owner = EmployeeOfSlot(config, data, data.memory.record(known.id).owner);
  }
  // WeCom placed a customer allot was holding: they wait no longer.
  if (const int32_t held = FindHeld(data, keys); held >= 0 && !Unheld(decision, held)) {
    auto& unheld = decision.delta.unheld;
    unheld.insert(std::upper_bound(unheld.begin(), unheld.end(), static_cast<uint32_t>(held)),
                  static_cast<uint32_t>(held));
  }
  Delta::Remember remember;
  remember.keys = keys;
  remember.customer = known.id;
  remember.employee = employee;
  remember.entry = entry_index;
  if (known.in_window && owner == employee) {
    decision.assignments.push_back({customer, name, {}, entry.id, v1::Assignment::OWNER, false});
    decision.delta.remember.push_back(std::move(remember));
    return;
  }
  if (allocator.CapReached(employee, true) != v1::Explanation::SKIP_REASON_UNSPECIFIED) {
    decision.alerts.push_back({v1::Alert::OVER_CAP, name, entry.id, {}, customer});
  }
  remember.charge = true;
  const bool returning = known.id != OwnerMemory::kNone && !known.in_window;
  if (known.in_window && owner != internal::kNoIndex) {
    decision.alerts.push_back(
        {v1::Alert::DUPLICATE_ADD, name, entry.id, {}, customer, config.employees[owner].id});
  } else {
    remember.new_owner = true;
  }
  decision.assignments.push_back({customer,
                                  name,
                                  {},
                                  entry.id,
                                  returning ? v1::Assignment::RETURNING : v1::Assignment::NEW,
                                  false});
  decision.delta.remember.push_back(std::move(remember));
}

// SPEC §5.6: a `lost` ends the relation between a customer and the employee who owns them;
// their next arrival is returning. Naming a customer the employee does not own changes
// nothing. The keys are tried in every dedup scope, since `lost` names no entry.
void MarkLost(const CompiledConfig& config, const StateData& data, const v1::Lost& lost,
              int64_t at_us, Decision& decision) {
  auto slot = data.slot_of.find(lost.employee());
  if (slot == data.slot_of.end()) return;
  std::vector<uint64_t> seeds;
  for (const internal::CompiledEntry& entry : config.entries) {
    if (std::find(seeds.begin(), seeds.end(), entry.key_seed) == seeds.end()) {
      seeds.push_back(entry.key_seed);
    }
  }
  for (uint64_t seed : seeds) {
    for (const std::string& key : lost.customer().keys()) {
      const absl::StatusOr<uint64_t> hash = HashKey(key, seed);  // checked before
      const OwnerMemory::CustomerId id = data.memory.FindKey(*hash);
      if (id == OwnerMemory::kNone) continue;
      const OwnerMemory::Record& record = data.memory.record(id);
      if (record.owner != slot->second || at_us - record.assigned_at_us >= config.remember_us) {
        continue;
      }
      if (std::find(decision.delta.lost.begin(), decision.delta.lost.end(), id) ==
          decision.delta.lost.end()) {
        decision.delta.lost.push_back(id);
      }
    }
  }
}

// How an INHERITED assignment names its customer: allot remembers only key hashes, so the
// customer is the space-separated tokens of its keys ("#" + 16 hex digits each), which a
// host matches with Engine::KeyToken.
std::string KeysToken(absl::Span<const uint64_t> keys) {
  std::string out;
  for (uint64_t k : keys) {
    absl::StrAppend(&out, out.empty() ? "#" : " #", absl::Hex(k, absl::kZeroPad16));
  }
  return out;
}

// SPEC §5.9 离职继承: every remembered customer of a departing employee gets a new owner,
// picked by the strategy of the first group the employee belongs to (its cascade), in
// order of assignment; reported as INHERITED and not charged.
void InheritCustomers(const CompiledConfig& config, const StateData& data, uint32_t departed,
                      int64_t at_us, internal::Allocator& allocator, Decision& decision) {
  const internal::CompiledEmployee& employee = config.employees[departed];
  auto slot = data.slot_of.find(employee.id);
  if (employee.memberships.empty() || slot == data.slot_of.end()) return;
  struct Owned {
    int64_t at;
    uint64_t first_key;
    OwnerMemory::CustomerId id;
    absl::InlinedVector<uint64_t, 2> keys;
  };
  std::vector<Owned> owned;
  data.memory.ForEach([&](OwnerMemory::CustomerId id, const OwnerMemory::Record& r,
                          absl::Span<const uint64_t> keys) {
    if (r.owner == slot->second && at_us - r.assigned_at_us < config.remember_us) {
      owned.push_back({r.assigned_at_us, keys[0], id, {keys.begin(), keys.end()}});
    }
  });
  // Memory order depends on history; (time, key) does not.
  std::sort(owned.begin(), owned.end(), [](const Owned& a, const Owned& b) {
    return std::tie(a.at, a.first_key) < std::tie(b.at, b.first_key);
  });
  for (const Owned& o : owned) {
    // A customer this decision already moved (an unaccepted one transferred) is not inherited.
    const auto& remembered = decision.delta.remember;
    if (std::any_of(remembered.begin(), remembered.end(),
                    [&](const Delta::Remember& r) { return r.new_owner && r.customer == o.id; })) {
      continue;
    }
    const std::string name = KeysToken(o.keys);
    internal::Allocator::Request request;
    request.target = employee.memberships[0].group;
    request.customer = &name;
    request.keys = o.keys;
    request.known = o.id;
    request.reason = v1::Assignment::INHERITED;
    request.entry = internal::kNoIndex;
    if (allocator.Place(request) != internal::Allocator::Miss::kNone) break;  // nobody active
  }
}

// The capacity alert (SPEC §5.4): once per local day per entry, when the entry's charged
// assignments today reach alerts.capacity_ratio of its cascade's daily capacity.
void CapacityAlerts(const CompiledConfig& config, const internal::StateView& view,
                    const LocalTime& local, Decision& decision) {
  for (size_t i = 0; i < decision.delta.remember.size(); ++i) {
    const Delta::Remember& r = decision.delta.remember[i];
    if (!r.charge) continue;
    const internal::CompiledEntry& entry = config.entries[r.entry];
    if (entry.daily_capacity == 0) continue;
    if (std::find(decision.delta.alerted_entries.begin(), decision.delta.alerted_entries.end(),
                  r.entry) != decision.delta.alerted_entries.end()) {
      continue;
    }
    const internal::EntryCounters& counters = view.entry(r.entry);
    if (counters.AlertedOn(local.day)) continue;
    uint64_t assigned = counters.AssignedOn(local.day);
    for (size_t k = 0; k <= i; ++k) {
      const Delta::Remember& earlier = decision.delta.remember[k];
      assigned += earlier.charge && earlier.entry == r.entry;
    }
    if (assigned >= config.capacity_ratio * entry.daily_capacity - 1e-9) {
      decision.delta.alerted_entries.push_back(r.entry);
      decision.alerts.push_back({v1::Alert::CAPACITY_RATIO, {}, entry.id, {}, {}});
    }
  }
}

}  // namespace

absl::StatusOr<Decision> Engine::Decide(const v1::Event& event, const State& state) const {
  Decision decision;
  absl::Status status = Decide(event, state, &decision);
  if (!status.ok()) return status;
  return decision;
}

absl::Status Engine::Decide(const v1::Event& event, const State& state, Decision* out) const {
  return DecideWith(event, state, kUnknownEntry, {}, out);
}

absl::Status Engine::DecideWith(const v1::Event& event, const State& state, uint32_t arrival_entry,
                                absl::Span<const uint64_t> arrival_keys, Decision* out) const {
  const CompiledConfig& config = *compiled_;
  const StateData& data = *state.data_;
  // On error `*out` is left empty (engine.h). On success it is emptied only once the
  // arrival's keys are hashed, so that their owner-memory lookup is under way sooner.
  auto fail = [out](absl::Status status) {
    out->Clear();
    return status;
  };
  absl::StatusOr<int64_t> at_us = EventTime(event);
  if (!at_us.ok()) return fail(at_us.status());
  if (*at_us < data.clock_us) {
    return fail(absl::InvalidArgumentError(absl::StrCat("at: ", FormatMicros(*at_us),
                                                        " is earlier than the state's clock ",
                                                        FormatMicros(data.clock_us))));
  }
  // ---- SPEC §5.1 step 1: validate everything before deciding anything.
  const internal::CompiledEntry* entry = nullptr;
  uint32_t entry_index = 0;
  absl::InlinedVector<uint64_t, 2> keys;
  internal::LikelyPick likely;
  if (event.has_arrival()) {
    const v1::Arrival& arrival = event.arrival();
    entry_index =
        arrival_entry != kUnknownEntry ? arrival_entry : config.entry_names.Find(arrival.entry());
    if (entry_index == internal::NameIndex::kNone) {
      return fail(absl::InvalidArgumentError(
          absl::StrCat("arrival.entry: unknown entry \"", arrival.entry(), "\"")));
    }
    entry = &config.entries[entry_index];
    // Step 2: identity (SPEC §5.5).
    if (!arrival_keys.empty()) {
      keys.assign(arrival_keys.begin(), arrival_keys.end());
    } else {
      absl::Status hashed = HashKeys(arrival.customer(), entry->key_seed, "arrival.customer", keys);
      if (!hashed.ok()) return fail(hashed);
      // The owner-memory lookup (step 4) misses the caches once many customers are
      // remembered: start the load now so it overlaps the work up to there (SPEC §7).
      for (uint64_t key : keys) data.memory.Prefetch(key);
    }
    // The counters of the member the entry's group would pick next have likely left the
    // caches since their last pick; fetched now, they arrive during the work below.
    likely = internal::PrefetchLikelyPick(config, data, entry->group);
  } else {
    absl::Status status = CheckOtherEvent(config, event);
    if (!status.ok()) return fail(status);
  }
  out->Clear();

  Decision& decision = *out;
  decision.version = data.version;
  decision.at_us = *at_us;
  decision.delta.engine = fingerprint_;
  decision.delta.base_version = data.version;
  decision.delta.at_us = *at_us;
  const internal::StateView view(data, config, fingerprint_);
  const LocalTime local = view.Local(*at_us, config.time_zone);
  decision.delta.local_day = local.day;
  decision.delta.local_hour = local.hour();
  decision.delta.local_minute = local.minute;
  decision.delta.local_weekday = local.weekday;
  internal::Allocator allocator(config, view, local, *at_us, data.version, &decision);

  // ---- The event's own change of who may take customers, seen by the releases below.
  if (event.has_employee_status()) {  // SPEC §5.9
    const v1::EmployeeStatus& change = event.employee_status();
    const Delta::StatusChange status{config.employee_index.at(change.employee()), change.status()};
    decision.delta.statuses.push_back(status);
    allocator.Override(status);
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
    allocator.Override(start);
  }

  // ---- SPEC §3: due time-driven work: acceptance first, then held customers, both before a
  // new arrival.
  if (config.accept_timeout_us > 0 && !data.pending.empty()) {
    TrackAcceptance(config, data, event, *at_us, allocator, decision);
  }
  if (event.has_employee_status() &&
      event.employee_status().status() == v1::EmployeeStatus::DEPARTED) {
    const uint32_t departed = decision.delta.statuses[0].employee;
    auto slot = data.slot_of.find(config.employees[departed].id);
    const bool already = slot != data.slot_of.end() &&
                         data.counters[slot->second].status == v1::EmployeeStatus::DEPARTED;
    if (!already) InheritCustomers(config, data, departed, *at_us, allocator, decision);
  }
  if (!data.held.empty()) DispatchHeld(config, data, local, *at_us, allocator, decision);
  if (event.has_lost()) MarkLost(config, data, event.lost(), *at_us, decision);
  if (event.has_observed()) {
    DecideObserved(config, data, event.observed(), *at_us, allocator, decision);
  }
  if (entry != nullptr) {
    // Before the owner lookup, which likely waits on memory: the rest of what the likely
    // pick reads, its first lines being in by now.
    internal::PrefetchLikelyPickDeep(likely);
    DecideArrival(config, data, event.arrival(), entry, entry_index, keys, local, *at_us, allocator,
                  decision);
  }
  CapacityAlerts(config, view, local, decision);
  return absl::OkStatus();
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
  if (!data.bound.offset.Covers(delta.at_us)) {
    data.bound.offset = OffsetSpan::At(delta.at_us, config.time_zone);
  }

  // Time-driven work up to the event (SPEC §3): forget customers past `remember`. Day and
  // hour counters reset lazily when read later.
  data.clock_us = delta.at_us;
  data.memory.ForgetAssignedUpTo(delta.at_us - config.remember_us);

  for (const Delta::StatusChange& change : delta.statuses) {
    data.counters[data.bound.employee_slot[change.employee]].status = change.status;
  }
  for (const Delta::SurgeStart& surge : delta.surges) {
    internal::Surge& target = surge.group
                                  ? data.bound.groups[surge.index].surge
                                  : data.counters[data.bound.employee_slot[surge.index]].surge;
    target = {surge.extra, surge.until_us};
    data.bound.surges_until_us = std::max(data.bound.surges_until_us, surge.until_us);
  }
  for (uint32_t id : delta.lost) data.memory.MarkLost(id);
  for (const Delta::Remember& r : delta.remember) {
    const uint32_t slot = data.bound.employee_slot[r.employee];
    if (r.new_owner) {
      data.memory.Assign(r.customer, r.keys, slot, delta.at_us);
    } else if (r.customer != OwnerMemory::kNone) {
      data.memory.Join(r.customer, r.keys);
    }
    if (r.charge) {
      internal::ChargeCounters(data.counters[slot], config.employees[r.employee], delta.local_day,
                               delta.local_hour, delta.at_us);
      internal::EntryCounters& entry = data.entries[data.bound.entry_slot[r.entry]];
      if (entry.day != delta.local_day) entry = {delta.local_day, 0, false};
      ++entry.assigned;
    }
  }
  for (uint32_t e : delta.alerted_entries) {
    internal::EntryCounters& entry = data.entries[data.bound.entry_slot[e]];
    if (entry.day != delta.local_day) entry = {delta.local_day, 0, false};
    entry.alerted = true;
  }
  if (delta.reserve_alerted) data.reserve_alert_day = delta.local_day;
  for (const Delta::Pick& p : delta.picks) {
    internal::ApplyPick(data.bound.groups[p.group], p, config.groups[p.group].strategy);
  }
  // Acceptance tracking: outcomes, settled or moved assignments, new ones.
  for (const Delta::Outcome& o : delta.outcomes) {
    data.counters[data.bound.employee_slot[o.employee]].RecordOutcome(o.accepted);
  }
  for (auto it = delta.pending_done.rbegin(); it != delta.pending_done.rend(); ++it) {
    data.pending.erase(data.pending.begin() + *it);
  }
  for (const Delta::NewPending& p : delta.pending_added) {
    internal::PendingAcceptance pending;
    pending.customer = p.customer;
    pending.keys = p.keys;
    pending.holder = data.bound.employee_slot[p.holder];
    pending.entry = config.entries[p.entry].id;
    pending.group = config.groups[p.group].id;
    pending.assigned_at_us = delta.at_us;
    pending.transfers = p.transfers;
    for (uint32_t e : p.earlier) pending.earlier.push_back(data.bound.employee_slot[e]);
    data.pending.push_back(std::move(pending));
  }
  // The hold pool: clocks started, customers gone (positions ascending), customers joined.
  for (uint32_t i : delta.wait_started) data.held[i].wait_from_us = delta.at_us;
  for (auto it = delta.unheld.rbegin(); it != delta.unheld.rend(); ++it) {
    data.held.erase(data.held.begin() + *it);
  }
  for (const Delta::NewHold& h : delta.holds) {
    data.held.push_back({h.customer, h.keys, config.entries[h.entry].id, config.groups[h.group].id,
                         delta.at_us, h.wait_from_us, h.reason});
  }
  // Last, so that it sees every counter, status and outcome this delta changed.
  internal::RefreshEligible(config, data, delta);
  ++data.version;
  return absl::OkStatus();
}

absl::StatusOr<v1::RosterList> Engine::Roster(std::string_view entry_id, const State& state,
                                              absl::Time at) const {
  const CompiledConfig& config = *compiled_;
  const StateData& data = *state.data_;
  auto entry_it = config.entry_index.find(std::string(entry_id));
  if (entry_it == config.entry_index.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("entry: unknown entry \"", std::string(entry_id), "\""));
  }
  const internal::CompiledEntry& entry = config.entries[entry_it->second];
  v1::RosterList roster;
  roster.set_entry(entry.id);
  const int64_t at_us = absl::ToUnixMicros(at);
  const LocalTime local = ToLocalTime(at, config.time_zone);
  uint32_t target = entry.group;
  if (!entry.IsOpen(local)) {
    if (entry.off_hours == v1::HOLD_UNTIL_OPEN) return roster;  // nobody takes customers now
    if (entry.off_hours == v1::ROUTE_TO_GROUP) target = entry.off_hours_group;
  }
  const internal::StateView view(data, config, fingerprint_);
  internal::Allocator allocator(config, view, local, at_us, data.version, nullptr);
  allocator.SetUnresponsive(OverdueHolders(config, data, at_us, {}));
  for (uint32_t g : config.groups[target].cascade) {
    const internal::CompiledGroup& group = config.groups[g];
    const internal::GroupClock& clock = allocator.group(g);
    // (order key, tie, member position): the order the strategy picks in (SPEC §5.2).
    std::vector<std::tuple<double, double, uint32_t>> ranked;
    const uint32_t n = static_cast<uint32_t>(group.members.size());
    for (uint32_t m = 0; m < n; ++m) {
      const uint32_t e = group.members[m];
      if (allocator.Ineligibility(e, false) != v1::Explanation::SKIP_REASON_UNSPECIFIED) continue;
      if (allocator.Remaining(e) <= config.roster_headroom) continue;
      double key = m, tie = 0;
      switch (config.groups[target].strategy) {  // the entry group's strategy orders
        case v1::ROUND_ROBIN:
          key = (m + n - static_cast<uint32_t>(clock.last_picked + 1)) % n;
          break;
        case v1::WEIGHTED: {
          // WF2Q: members whose turn has come by finish, then the rest by start.
          const double start = clock.start[m];
          const bool ready = start <= clock.virtual_time;
          key = ready ? -std::numeric_limits<double>::infinity() : start;
          tie = start + internal::TurnOf(group.member_units[m]);
          break;
        }
        case v1::LEAST_LOADED:
          key =
              internal::LoadScore(allocator.counters(e).TodayOn(local.day), group.member_weight[m]);
          break;
        default:
          break;
      }
      ranked.emplace_back(key, tie, m);
    }
    if (ranked.empty()) continue;
    std::stable_sort(ranked.begin(), ranked.end());
    roster.set_group(group.id);
    for (const auto& [key, tie, m] : ranked) {
      if (roster.employees_size() >= static_cast<int>(config.roster_max_members)) break;
      roster.add_employees(config.employees[group.members[m]].id);
    }
    return roster;
  }
  return roster;
}

absl::StatusOr<std::string> Engine::KeyToken(std::string_view entry_id,
                                             std::string_view key) const {
  const CompiledConfig& config = *compiled_;
  auto entry = config.entry_index.find(std::string(entry_id));
  if (entry == config.entry_index.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("entry: unknown entry \"", std::string(entry_id), "\""));
  }
  absl::StatusOr<uint64_t> hash =
      HashKey(absl::string_view(key.data(), key.size()), config.entries[entry->second].key_seed);
  if (!hash.ok()) return absl::InvalidArgumentError(absl::StrCat("key: ", hash.status().message()));
  const uint64_t keys[] = {*hash};
  return KeysToken(keys);
}

absl::Status Engine::Step(const v1::Event& event, State& state, Decision* decision) const {
  absl::Status status = Decide(event, state, decision);
  if (status.ok()) status = Apply(*decision, state);
  if (!status.ok()) decision->Clear();
  return status;
}

absl::Status Engine::StepBatch(absl::Span<const v1::Event> events, State& state,
                               absl::FunctionRef<void(const Decision&)> on_decision) const {
  const CompiledConfig& config = *compiled_;
  const OwnerMemory& memory = state.data_->memory;
  // Owner memory is fetched in bursts, a group of events at a time, two stages ahead of the
  // group being decided: two groups ahead, the arrivals' keys are hashed and their tags and
  // record numbers fetched; one group ahead, the records those name. A prefetch that misses
  // the TLB holds up the core until its page walk is done, so prefetches issued one by one
  // between events each cost most of a memory latency, while a burst of them waits once
  // (BM_PrefetchCost; docs/PERFORMANCE.md, "Replays through Engine::StepBatch").
  constexpr size_t kGroup = 16;
  constexpr size_t kRing = 64;  // > 3 groups, a power of two
  static_assert(kRing >= 3 * kGroup && (kRing & (kRing - 1)) == 0);
  struct Ahead {
    uint32_t entry = kUnknownEntry;
    absl::InlinedVector<uint64_t, 2> keys;  // empty: not an arrival, or Decide hashes
  };
  std::array<Ahead, kRing> ring;
  auto hash_ahead = [&](size_t j) {
    Ahead& a = ring[j % kRing];
    a.entry = kUnknownEntry;
    a.keys.clear();
    if (j >= events.size() || !events[j].has_arrival()) return;
    const v1::Arrival& arrival = events[j].arrival();
    const uint32_t entry = config.entry_names.Find(arrival.entry());
    if (entry == internal::NameIndex::kNone) return;  // Decide reports it
    if (!HashKeys(arrival.customer(), config.entries[entry].key_seed, "arrival.customer", a.keys)
             .ok()) {
      a.keys.clear();
      return;  // Decide reports it
    }
    a.entry = entry;
  };
  // Hashes group [from, from + kGroup), then fetches its slots and the records of the
  // group before it, back to back.
  auto fetch_ahead = [&](size_t from) {
    for (size_t j = from; j < from + kGroup; ++j) hash_ahead(j);
    for (size_t j = from; j < from + kGroup; ++j) {
      for (uint64_t key : ring[j % kRing].keys) memory.Prefetch(key);
    }
    if (from < kGroup) return;
    for (size_t j = from - kGroup; j < from; ++j) {
      for (uint64_t key : ring[j % kRing].keys) memory.PrefetchRecord(key);
    }
  };
  fetch_ahead(0);
  fetch_ahead(kGroup);
  Decision decision;
  for (size_t i = 0; i < events.size(); ++i) {
    if (i % kGroup == 0) fetch_ahead(i + 2 * kGroup);
    const Ahead& a = ring[i % kRing];
    absl::Status status = DecideWith(events[i], state, a.entry, a.keys, &decision);
    if (status.ok()) status = Apply(decision, state);
    if (!status.ok()) {
      return absl::Status(status.code(), absl::StrCat("events[", i, "]: ", status.message()));
    }
    on_decision(decision);
  }
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
