// Engine::ToProto: a Decision in its message form (SPEC §6 output).
#include "allot/engine.h"
#include "compiled_config.h"

namespace allot {

v1::Decision Engine::ToProto(const Decision& d, bool with_delta) const {
  const internal::CompiledConfig& config = *compiled_;
  v1::Decision out;
  out.set_version(d.version);
  out.mutable_at()->set_seconds(d.at_us / 1'000'000);
  out.mutable_at()->set_nanos(static_cast<int32_t>(d.at_us % 1'000'000) * 1000);
  for (const Assignment& a : d.assignments) {
    v1::Assignment* p = out.add_assignments();
    p->set_customer(a.customer);
    p->set_employee(std::string(a.employee));
    p->set_group(std::string(a.group));
    p->set_entry(std::string(a.entry));
    p->set_reason(a.reason);
    p->set_used_reserve(a.used_reserve);
  }
  for (const Hold& h : d.held) {
    v1::Hold* p = out.add_held();
    p->set_customer(h.customer);
    p->set_reason(h.reason);
  }
  for (const Rejection& r : d.rejections) {
    v1::Rejection* p = out.add_rejections();
    p->set_customer(r.customer);
    p->set_reason(r.reason);
    p->set_owner(std::string(r.owner));
  }
  for (std::string_view t : d.tags_added) out.add_tags_added(std::string(t));
  for (std::string_view t : d.tags_removed) out.add_tags_removed(std::string(t));
  for (const Alert& a : d.alerts) {
    v1::Alert* p = out.add_alerts();
    p->set_kind(a.kind);
    p->set_employee(std::string(a.employee));
    p->set_entry(std::string(a.entry));
    p->set_group(std::string(a.group));
    p->set_customer(a.customer);
    p->set_owner(std::string(a.owner));
  }
  out.set_returning(d.returning);
  out.set_previous_owner(std::string(d.previous_owner));
  if (d.explanation) *out.mutable_explain() = *d.explanation;
  // The delta is in the deciding engine's indices: only that engine can name them.
  if (with_delta && d.delta.engine == fingerprint_) {
    v1::Delta* delta = out.mutable_delta();
    delta->set_base_version(d.delta.base_version);
    delta->set_at_us(d.delta.at_us);
    for (const Delta::Remember& r : d.delta.remember) {
      v1::Delta::Remember* p = delta->add_remember();
      for (uint64_t k : r.keys) p->add_keys(k);
      p->set_employee(config.employees[r.employee].id);
      p->set_new_owner(r.new_owner);
      p->set_charge(r.charge);
    }
    for (const Delta::Pick& pk : d.delta.picks) {
      v1::Delta::Pick* p = delta->add_picks();
      p->set_group(config.groups[pk.group].id);
      p->set_employee(config.employees[config.groups[pk.group].members[pk.member]].id);
      p->set_start(pk.start);
      p->set_virtual_time(pk.virtual_time);
    }
    delta->set_local_hour(d.delta.local_hour);
    for (const Delta::StatusChange& change : d.delta.statuses) {
      v1::Delta::StatusChange* p = delta->add_statuses();
      p->set_employee(config.employees[change.employee].id);
      p->set_status(change.status);
    }
    for (const Delta::SurgeStart& surge : d.delta.surges) {
      v1::Delta::SurgeStart* p = delta->add_surges();
      if (surge.group) {
        p->set_group(config.groups[surge.index].id);
      } else {
        p->set_employee(config.employees[surge.index].id);
      }
      p->set_extra(surge.extra);
      p->set_until_us(surge.until_us);
    }
    for (uint32_t i : d.delta.unheld) delta->add_unheld(i);
    for (uint32_t i : d.delta.wait_started) delta->add_wait_started(i);
    for (uint32_t i : d.delta.pending_done) delta->add_pending_done(i);
    delta->set_lost_count(static_cast<uint32_t>(d.delta.lost.size()));
    for (const Delta::NewPending& p : d.delta.pending_added) {
      v1::Delta::NewPending* q = delta->add_pending_added();
      q->set_customer(p.customer);
      for (uint64_t k : p.keys) q->add_keys(k);
      q->set_holder(config.employees[p.holder].id);
      q->set_entry(config.entries[p.entry].id);
      q->set_group(config.groups[p.group].id);
      q->set_transfers(p.transfers);
      for (uint32_t e : p.earlier) q->add_earlier(config.employees[e].id);
    }
    for (const Delta::Outcome& o : d.delta.outcomes) {
      v1::Delta::Outcome* q = delta->add_outcomes();
      q->set_employee(config.employees[o.employee].id);
      q->set_accepted(o.accepted);
    }
    for (const Delta::NewHold& h : d.delta.holds) {
      v1::Delta::NewHold* p = delta->add_holds();
      p->set_customer(h.customer);
      for (uint64_t k : h.keys) p->add_keys(k);
      p->set_entry(config.entries[h.entry].id);
      p->set_group(config.groups[h.group].id);
      p->set_wait_from_us(h.wait_from_us);
      p->set_reason(h.reason);
    }
  }
  return out;
}

namespace {

// Empties `v` keeping its storage (InlinedVector::clear would free it); an empty one, the
// common case, costs a compare. One element at a time: a decision holds one or two, and
// erase(begin, end) costs ~30 instructions even then.
template <typename V>
void EmptyKeepingStorage(V& v) {
  while (!v.empty()) v.pop_back();
}

}  // namespace

void Delta::Clear() {
  engine = 0;
  base_version = 0;
  at_us = 0;
  local_day = 0;
  EmptyKeepingStorage(remember);
  EmptyKeepingStorage(picks);
  local_hour = 0;
  local_minute = 0;
  local_weekday = 0;
  statuses.clear();
  surges.clear();
  unheld.clear();
  wait_started.clear();
  holds.clear();
  alerted_entries.clear();
  reserve_alerted = false;
  lost.clear();
  pending_done.clear();
  pending_added.clear();
  outcomes.clear();
}

void Decision::Clear() {
  version = 0;
  at_us = 0;
  EmptyKeepingStorage(assignments);
  EmptyKeepingStorage(held);
  EmptyKeepingStorage(rejections);
  tags_added.clear();  // a vector keeps its storage
  EmptyKeepingStorage(tags_removed);
  EmptyKeepingStorage(alerts);
  returning = false;
  previous_owner = {};
  explanation.reset();
  delta.Clear();
}

}  // namespace allot
