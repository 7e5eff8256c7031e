#include "allot/state.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "compiled_config.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "state_data.h"

namespace allot {
namespace internal {

uint32_t StateData::SlotFor(const std::string& id) {
  auto [it, inserted] = slot_of.try_emplace(id, static_cast<uint32_t>(employee_ids.size()));
  if (inserted) {
    employee_ids.push_back(id);
    counters.emplace_back();
  }
  return it->second;
}

uint32_t StateData::EntrySlotFor(const std::string& id) {
  auto [it, inserted] = entry_slot_of.try_emplace(id, static_cast<uint32_t>(entry_ids.size()));
  if (inserted) {
    entry_ids.push_back(id);
    entries.emplace_back();
  }
  return it->second;
}

Binding MakeBinding(const StateData& data, const CompiledConfig& config, uint64_t engine) {
  Binding b;
  b.engine = engine;
  b.entry_slot.reserve(config.entries.size());
  for (const CompiledEntry& e : config.entries) {
    auto it = data.entry_slot_of.find(e.id);
    b.entry_slot.push_back(it == data.entry_slot_of.end() ? kNoSlot : it->second);
  }
  b.employee_slot.reserve(config.employees.size());
  for (const CompiledEmployee& e : config.employees) {
    auto it = data.slot_of.find(e.id);
    b.employee_slot.push_back(it == data.slot_of.end() ? kNoSlot : it->second);
  }
  const std::vector<GroupClock>& old_groups = data.groups();
  absl::flat_hash_map<std::string_view, const GroupClock*> old_by_id;
  for (const GroupClock& g : old_groups) old_by_id.emplace(g.id, &g);
  b.groups.reserve(config.groups.size());
  for (const CompiledGroup& cg : config.groups) {
    GroupClock g;
    g.id = cg.id;
    const GroupClock* old = nullptr;
    if (auto it = old_by_id.find(cg.id); it != old_by_id.end()) old = it->second;
    if (old != nullptr) {
      g.virtual_time = old->virtual_time;
      g.surge = old->surge;
    }
    absl::flat_hash_map<uint32_t, size_t> old_position;
    if (old != nullptr) {
      for (size_t k = 0; k < old->member_slots.size(); ++k) old_position[old->member_slots[k]] = k;
    }
    for (size_t m = 0; m < cg.members.size(); ++m) {
      const uint32_t slot = b.employee_slot[cg.members[m]];
      g.member_slots.push_back(slot);
      double start = g.virtual_time;  // a new member joins at the group's present
      if (auto it = old_position.find(slot); slot != kNoSlot && it != old_position.end()) {
        start = old->start[it->second];
        if (old->last_picked == static_cast<int32_t>(it->second)) {
          g.last_picked = static_cast<int32_t>(m);
        }
      }
      g.start.push_back(start);
    }
    b.groups.push_back(std::move(g));
  }
  for (const EmployeeCounters& c : data.counters) {
    b.surges_until_us = std::max(b.surges_until_us, c.surge.until_us);
  }
  for (const GroupClock& g : b.groups) {
    b.surges_until_us = std::max(b.surges_until_us, g.surge.until_us);
  }
  return b;
}

void BindInPlace(StateData& data, const CompiledConfig& config, uint64_t engine) {
  if (data.bound.engine == engine) return;
  Binding b = MakeBinding(data, config, engine);
  for (size_t e = 0; e < config.employees.size(); ++e) {
    if (b.employee_slot[e] != kNoSlot) continue;
    b.employee_slot[e] = data.SlotFor(config.employees[e].id);
  }
  for (size_t e = 0; e < config.entries.size(); ++e) {
    b.entry_slot[e] = data.EntrySlotFor(config.entries[e].id);
  }
  b.slot_employee.assign(data.employee_ids.size(), kNoSlot);
  for (size_t e = 0; e < config.employees.size(); ++e) {
    b.slot_employee[b.employee_slot[e]] = static_cast<uint32_t>(e);
  }
  for (size_t g = 0; g < config.groups.size(); ++g) {
    for (size_t m = 0; m < config.groups[g].members.size(); ++m) {
      b.groups[g].member_slots[m] = b.employee_slot[config.groups[g].members[m]];
    }
  }
  data.bound = std::move(b);
  data.loose_groups.clear();
}

}  // namespace internal

using internal::StateData;

State::State() : data_(std::make_unique<StateData>()) {}
State::State(const State& other) : data_(std::make_unique<StateData>(*other.data_)) {}
State& State::operator=(const State& other) {
  if (this != &other) data_ = std::make_unique<StateData>(*other.data_);
  return *this;
}
State::State(State&& other) noexcept = default;
State& State::operator=(State&& other) noexcept = default;
State::~State() = default;

uint64_t State::version() const { return data_->version; }
int64_t State::clock_us() const { return data_->clock_us; }
size_t State::remembered_customers() const { return data_->memory.size(); }

v1::State State::ToProto() const {
  const StateData& d = *data_;
  v1::State out;
  out.set_version(d.version);
  out.set_clock_us(d.clock_us);

  std::vector<uint32_t> slots;
  for (uint32_t s = 0; s < d.employee_ids.size(); ++s) {
    if (!d.counters[s].IsDefault()) slots.push_back(s);
  }
  std::sort(slots.begin(), slots.end(),
            [&](uint32_t a, uint32_t b) { return d.employee_ids[a] < d.employee_ids[b]; });
  for (uint32_t s : slots) {
    v1::EmployeeState* e = out.add_employees();
    e->set_id(d.employee_ids[s]);
    e->set_status(d.counters[s].status);
    const internal::EmployeeCounters& c = d.counters[s];
    if (c.today > 0) {
      e->set_day(c.day);
      e->set_today(c.today);
    }
    if (c.this_hour > 0) {
      e->set_hour(c.hour);
      e->set_this_hour(c.this_hour);
    }
    for (int64_t t : c.recent) e->add_recent_us(t);
    if (c.surge.until_us != 0) {
      e->set_surge_extra(c.surge.extra);
      e->set_surge_until_us(c.surge.until_us);
    }
    e->set_outcome_bits(c.outcome_bits);
    e->set_outcome_count(c.outcome_count);
  }

  std::vector<const internal::GroupClock*> groups;
  for (const internal::GroupClock& g : d.groups()) groups.push_back(&g);
  std::sort(groups.begin(), groups.end(), [](auto* a, auto* b) { return a->id < b->id; });
  for (const internal::GroupClock* g : groups) {
    v1::GroupState gs;
    gs.set_id(g->id);
    gs.set_virtual_time(g->virtual_time);
    if (g->surge.until_us != 0) {
      gs.set_surge_extra(g->surge.extra);
      gs.set_surge_until_us(g->surge.until_us);
    }
    if (g->last_picked >= 0 && g->member_slots[g->last_picked] != internal::kNoSlot) {
      gs.set_last_picked(d.employee_ids[g->member_slots[g->last_picked]]);
    }
    std::vector<std::pair<std::string_view, double>> members;
    for (size_t m = 0; m < g->member_slots.size(); ++m) {
      if (g->member_slots[m] == internal::kNoSlot) continue;
      members.emplace_back(d.employee_ids[g->member_slots[m]], g->start[m]);
    }
    std::sort(members.begin(), members.end());
    for (const auto& [id, start] : members) {
      auto* mc = gs.add_members();
      mc->set_employee(std::string(id));
      mc->set_start(start);
    }
    // An untouched group is the same as an absent one; leave it out so both give one form.
    const bool untouched =
        gs.virtual_time() == 0 && gs.last_picked().empty() && gs.surge_until_us() == 0 &&
        std::all_of(members.begin(), members.end(), [](const auto& m) { return m.second == 0; });
    if (untouched) continue;
    *out.add_groups() = std::move(gs);
  }

  // Memory, ordered by (assigned time, first key): independent of history. The memory lists
  // customers in assignment order already; only customers assigned at the same moment
  // need sorting.
  struct Row {
    int64_t at;
    uint64_t first_key;
    uint32_t owner;
    bool lost;
    uint32_t key_begin;
    uint32_t key_count;
  };
  std::vector<Row> rows;
  std::vector<uint64_t> keys;
  rows.reserve(d.memory.size());
  keys.reserve(d.memory.key_count());
  d.memory.ForEach(
      [&](OwnerMemory::CustomerId, const OwnerMemory::Record& r, absl::Span<const uint64_t> k) {
        rows.push_back({r.assigned_at_us, k[0], r.owner, r.lost, static_cast<uint32_t>(keys.size()),
                        static_cast<uint32_t>(k.size())});
        keys.insert(keys.end(), k.begin(), k.end());
      });
  auto by_time_and_key = [](const Row& a, const Row& b) {
    return std::tie(a.at, a.first_key) < std::tie(b.at, b.first_key);
  };
  if (!std::is_sorted(rows.begin(), rows.end(), by_time_and_key)) {
    std::sort(rows.begin(), rows.end(), by_time_and_key);
  }
  std::vector<uint32_t> owner_slots;
  for (const Row& r : rows) {
    if (owner_slots.empty() || owner_slots.back() != r.owner) owner_slots.push_back(r.owner);
  }
  std::sort(owner_slots.begin(), owner_slots.end());
  owner_slots.erase(std::unique(owner_slots.begin(), owner_slots.end()), owner_slots.end());
  std::sort(owner_slots.begin(), owner_slots.end(),
            [&](uint32_t a, uint32_t b) { return d.employee_ids[a] < d.employee_ids[b]; });
  std::vector<uint32_t> owner_index(d.employee_ids.size(), 0);  // by slot
  v1::CustomerMemory* mem = out.mutable_memory();
  for (uint32_t s : owner_slots) {
    owner_index[s] = static_cast<uint32_t>(mem->owner_ids_size());
    mem->add_owner_ids(d.employee_ids[s]);
  }
  const bool all_single = keys.size() == rows.size();
  mem->mutable_owner()->Reserve(static_cast<int>(rows.size()));
  mem->mutable_assigned_at_delta_us()->Reserve(static_cast<int>(rows.size()));
  mem->mutable_keys()->Reserve(static_cast<int>(keys.size()));
  if (!all_single) mem->mutable_key_counts()->Reserve(static_cast<int>(rows.size()));
  int64_t previous = 0;
  for (const Row& r : rows) {
    mem->add_owner(owner_index[r.owner]);
    mem->add_assigned_at_delta_us(r.at - previous);
    previous = r.at;
    if (!all_single) mem->add_key_counts(r.key_count);
    for (uint32_t k = 0; k < r.key_count; ++k) mem->add_keys(keys[r.key_begin + k]);
    if (r.lost) mem->add_lost(static_cast<uint32_t>(mem->owner_size() - 1));
  }
  if (rows.empty()) out.clear_memory();
  std::vector<std::pair<std::string_view, const internal::EntryCounters*>> entries;
  for (size_t slot = 0; slot < d.entries.size(); ++slot) {
    // Entries a binding added but nothing counted yet are not state.
    if (d.entries[slot].IsDefault()) continue;
    entries.emplace_back(d.entry_ids[slot], &d.entries[slot]);
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& [id, counters] : entries) {
    v1::EntryState* e = out.add_entries();
    e->set_id(std::string(id));
    e->set_day(counters->day);
    e->set_assigned(counters->assigned);
    e->set_alerted(counters->alerted);
  }
  if (d.reserve_alert_day != std::numeric_limits<int64_t>::min()) {
    out.set_reserve_alert_day(d.reserve_alert_day);
  }
  for (const internal::PendingAcceptance& p : d.pending) {
    v1::PendingAcceptance* q = out.add_pending();
    q->set_customer(p.customer);
    for (uint64_t k : p.keys) q->add_keys(k);
    q->set_holder(d.employee_ids[p.holder]);
    q->set_entry(p.entry);
    q->set_group(p.group);
    q->set_assigned_at_us(p.assigned_at_us);
    q->set_transfers(p.transfers);
    for (uint32_t slot : p.earlier) q->add_earlier(d.employee_ids[slot]);
  }
  for (const internal::HeldCustomer& h : d.held) {
    v1::HeldCustomer* p = out.add_held();
    p->set_customer(h.customer);
    for (uint64_t k : h.keys) p->add_keys(k);
    p->set_entry(h.entry);
    p->set_group(h.group);
    p->set_held_at_us(h.held_at_us);
    p->set_wait_from_us(h.wait_from_us);
    p->set_reason(h.reason);
  }
  return out;
}

std::string State::ToBytes() const {
  const v1::State proto = ToProto();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    proto.SerializeToCodedStream(&coded);
  }
  return bytes;
}

absl::StatusOr<State> State::FromBytes(std::string_view bytes) {
  v1::State proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("state: bytes are not an allot.v1.State");
  }
  return FromProto(proto);
}

absl::StatusOr<State> State::FromProto(const v1::State& proto) {
  State state;
  StateData& d = *state.data_;
  d.version = proto.version();
  d.clock_us = proto.clock_us();
  if (d.clock_us < 0) return absl::InvalidArgumentError("clock_us: must not be negative");
  for (int i = 0; i < proto.employees_size(); ++i) {
    const v1::EmployeeState& e = proto.employees(i);
    const std::string path = absl::StrCat("employees[", i, "]");
    if (e.id().empty()) return absl::InvalidArgumentError(path + ".id: must not be empty");
    if (d.slot_of.contains(e.id())) {
      return absl::InvalidArgumentError(absl::StrCat(path, ".id: duplicate id \"", e.id(), "\""));
    }
    if (!v1::EmployeeStatus::Status_IsValid(e.status())) {
      return absl::InvalidArgumentError(path + ".status: unknown status");
    }
    internal::EmployeeCounters& c = d.counters[d.SlotFor(e.id())];
    c.status = e.status();
    c.day = e.today() > 0 ? e.day() : c.day;
    c.today = e.today();
    c.hour = e.this_hour() > 0 ? e.hour() : c.hour;
    c.this_hour = e.this_hour();
    c.recent.assign(e.recent_us().begin(), e.recent_us().end());
    if (!std::is_sorted(c.recent.begin(), c.recent.end())) {
      return absl::InvalidArgumentError(path + ".recent_us: must be in time order");
    }
    if (!c.recent.empty() && (c.recent.front() < 0 || c.recent.back() > d.clock_us)) {
      return absl::InvalidArgumentError(
          path + ".recent_us: times must lie between 0 and the state's clock");
    }
    if (!(e.surge_extra() >= 0 && e.surge_extra() <= 0.2)) {
      return absl::InvalidArgumentError(path + ".surge_extra: must be between 0 and 0.2");
    }
    c.surge = {e.surge_extra(), e.surge_until_us()};
    if (e.outcome_count() > 64)
      return absl::InvalidArgumentError(path + ".outcome_count: above 64");
    c.outcome_bits = e.outcome_bits();
    c.outcome_count = e.outcome_count();
  }
  absl::flat_hash_set<std::string> group_ids;
  for (int i = 0; i < proto.groups_size(); ++i) {
    const v1::GroupState& gs = proto.groups(i);
    const std::string path = absl::StrCat("groups[", i, "]");
    if (gs.id().empty()) return absl::InvalidArgumentError(path + ".id: must not be empty");
    if (!group_ids.insert(gs.id()).second) {
      return absl::InvalidArgumentError(absl::StrCat(path, ".id: duplicate id \"", gs.id(), "\""));
    }
    internal::GroupClock g;
    g.id = gs.id();
    g.virtual_time = gs.virtual_time();
    if (!std::isfinite(g.virtual_time)) {
      return absl::InvalidArgumentError(path + ".virtual_time: must be a finite number");
    }
    if (!(gs.surge_extra() >= 0 && gs.surge_extra() <= 0.2)) {
      return absl::InvalidArgumentError(path + ".surge_extra: must be between 0 and 0.2");
    }
    g.surge = {gs.surge_extra(), gs.surge_until_us()};
    absl::flat_hash_set<std::string> members;
    for (int m = 0; m < gs.members_size(); ++m) {
      const auto& mc = gs.members(m);
      if (mc.employee().empty() || !members.insert(mc.employee()).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ".members[", m, "].employee: empty or repeated"));
      }
      if (!std::isfinite(mc.start())) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ".members[", m, "].start: must be a finite number"));
      }
      g.member_slots.push_back(d.SlotFor(mc.employee()));
      g.start.push_back(mc.start());
    }
    if (!gs.last_picked().empty()) {
      const uint32_t slot = d.SlotFor(gs.last_picked());
      auto it = std::find(g.member_slots.begin(), g.member_slots.end(), slot);
      if (it == g.member_slots.end()) {
        g.member_slots.push_back(slot);
        g.start.push_back(0);
        it = g.member_slots.end() - 1;
      }
      g.last_picked = static_cast<int32_t>(it - g.member_slots.begin());
    }
    d.loose_groups.push_back(std::move(g));
  }

  const v1::CustomerMemory& mem = proto.memory();
  const int n = mem.owner_size();
  if (mem.assigned_at_delta_us_size() != n) {
    return absl::InvalidArgumentError(absl::StrCat("memory.assigned_at_delta_us: has ",
                                                   mem.assigned_at_delta_us_size(),
                                                   " entries, memory.owner has ", n));
  }
  if (mem.key_counts_size() != 0 && mem.key_counts_size() != n) {
    return absl::InvalidArgumentError(absl::StrCat("memory.key_counts: has ", mem.key_counts_size(),
                                                   " entries, memory.owner has ", n));
  }
  std::vector<uint32_t> owner_slots;
  for (int i = 0; i < mem.owner_ids_size(); ++i) {
    if (mem.owner_ids(i).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("memory.owner_ids[", i, "]: must not be empty"));
    }
    owner_slots.push_back(d.SlotFor(mem.owner_ids(i)));
  }
  d.memory.Reserve(static_cast<size_t>(mem.keys_size()));
  std::vector<OwnerMemory::CustomerId> customers;  // in order, for `lost`
  if (mem.lost_size() > 0) customers.reserve(static_cast<size_t>(n));
  int64_t at = 0;
  int64_t key_pos = 0;
  // Each customer's keys are looked up and inserted at random places of the index: fetch
  // the slots of the keys kLoadAhead ahead meanwhile, so that loading a large memory waits
  // for many of them at once rather than for each in turn (SPEC §7: parse 1M ≤ 150 ms).
  constexpr int kLoadAhead = 16;
  for (int k = 0; k < std::min(kLoadAhead, mem.keys_size()); ++k) d.memory.Prefetch(mem.keys(k));
  for (int i = 0; i < n; ++i) {
    if (key_pos + kLoadAhead < mem.keys_size()) d.memory.Prefetch(mem.keys(key_pos + kLoadAhead));
    if (mem.owner(i) >= owner_slots.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("memory.owner[", i, "]: no such owner_ids entry"));
    }
    // Every time lies in [0, clock] and in order, so the sum cannot overflow.
    const int64_t step = mem.assigned_at_delta_us(i);
    if ((i > 0 || step < 0) && (step < 0 || step > d.clock_us - at)) {
      return absl::InvalidArgumentError(
          absl::StrCat("memory.assigned_at_delta_us[", i,
                       "]: customers must be in time order, between 0 and the state's clock"));
    }
    if (i == 0 && step > d.clock_us) {
      return absl::InvalidArgumentError(
          "memory.assigned_at_delta_us[0]: later than the state's clock");
    }
    at += step;
    const int64_t count = mem.key_counts_size() == 0 ? 1 : int64_t{mem.key_counts(i)};
    if (count < 1 || key_pos + count > mem.keys_size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("memory.key_counts[", i, "]: out of range of memory.keys"));
    }
    absl::Span<const uint64_t> keys(mem.keys().data() + key_pos, count);
    // Keys repeated within one customer: a scan for the usual few, a set for many.
    absl::flat_hash_set<uint64_t> own;
    if (count > 16) own.reserve(static_cast<size_t>(count));
    for (int64_t k = 0; k < count; ++k) {
      const bool again =
          count > 16 ? !own.insert(keys[k]).second
                     : std::find(keys.begin(), keys.begin() + k, keys[k]) != keys.begin() + k;
      const bool repeated = again || d.memory.FindKey(keys[k]) != OwnerMemory::kNone;
      if (repeated) {
        return absl::InvalidArgumentError(
            absl::StrCat("memory.keys[", key_pos + k, "]: key belongs to two customers"));
      }
    }
    key_pos += count;
    d.memory.Assign(OwnerMemory::kNone, keys, owner_slots[mem.owner(i)], at);
    if (mem.lost_size() > 0) customers.push_back(d.memory.FindKey(keys[0]));
  }
  for (int i = 0; i < mem.lost_size(); ++i) {
    if (mem.lost(i) >= customers.size()) {
      return absl::InvalidArgumentError(absl::StrCat("memory.lost[", i, "]: no such customer"));
    }
    d.memory.MarkLost(customers[mem.lost(i)]);
  }
  for (int i = 0; i < proto.held_size(); ++i) {
    const v1::HeldCustomer& h = proto.held(i);
    const std::string path = absl::StrCat("held[", i, "]");
    if (h.keys().empty()) return absl::InvalidArgumentError(path + ".keys: must not be empty");
    if (h.entry().empty()) return absl::InvalidArgumentError(path + ".entry: must not be empty");
    if (!v1::Hold::Reason_IsValid(h.reason()) || h.reason() == v1::Hold::REASON_UNSPECIFIED) {
      return absl::InvalidArgumentError(path + ".reason: unknown reason");
    }
    if (h.held_at_us() < 0 || h.held_at_us() > d.clock_us || h.wait_from_us() < 0 ||
        h.wait_from_us() > d.clock_us) {
      return absl::InvalidArgumentError(path + ": times must lie between 0 and the state's clock");
    }
    d.held.push_back({h.customer(),
                      {h.keys().begin(), h.keys().end()},
                      h.entry(),
                      h.group(),
                      h.held_at_us(),
                      h.wait_from_us(),
                      h.reason()});
  }
  for (int i = 0; i < proto.entries_size(); ++i) {
    const v1::EntryState& e = proto.entries(i);
    if (e.id().empty() || d.entry_slot_of.contains(e.id())) {
      return absl::InvalidArgumentError(absl::StrCat("entries[", i, "].id: empty or repeated"));
    }
    d.entries[d.EntrySlotFor(e.id())] = {e.day(), e.assigned(), e.alerted()};
  }
  if (proto.reserve_alert_day() != 0) d.reserve_alert_day = proto.reserve_alert_day();
  for (int i = 0; i < proto.pending_size(); ++i) {
    const v1::PendingAcceptance& p = proto.pending(i);
    const std::string path = absl::StrCat("pending[", i, "]");
    if (p.keys().empty()) return absl::InvalidArgumentError(path + ".keys: must not be empty");
    if (p.holder().empty()) return absl::InvalidArgumentError(path + ".holder: must not be empty");
    if (p.assigned_at_us() < 0 || p.assigned_at_us() > d.clock_us) {
      return absl::InvalidArgumentError(path + ".assigned_at_us: must lie between 0 and the clock");
    }
    internal::PendingAcceptance pending;
    pending.customer = p.customer();
    pending.keys.assign(p.keys().begin(), p.keys().end());
    pending.holder = d.SlotFor(p.holder());
    pending.entry = p.entry();
    pending.group = p.group();
    pending.assigned_at_us = p.assigned_at_us();
    pending.transfers = p.transfers();
    for (const std::string& id : p.earlier()) {
      if (id.empty()) return absl::InvalidArgumentError(path + ".earlier: empty id");
      pending.earlier.push_back(d.SlotFor(id));
    }
    d.pending.push_back(std::move(pending));
  }
  if (key_pos != mem.keys_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("memory.keys: ", mem.keys_size() - key_pos, " keys belong to no customer"));
  }
  return state;
}

}  // namespace allot
