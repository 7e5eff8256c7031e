// Engine::Create's validation and compilation of allot.v1.Config (SPEC §4). Every problem is
// collected with its field path; nothing stops at the first.
#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "compiled_config.h"
#include "customer_key.h"
#include "strategy.h"

namespace allot::internal {
namespace {

class Problems {
 public:
  template <typename... Args>
  void Add(absl::string_view path, const Args&... args) {
    lines_.push_back(absl::StrCat(path, ": ", args...));
  }
  void Add(const absl::Status& status) { lines_.emplace_back(status.message()); }
  bool empty() const { return lines_.empty(); }
  std::vector<std::string>& lines() { return lines_; }
  absl::Status ToStatus() const { return absl::InvalidArgumentError(absl::StrJoin(lines_, "\n")); }

 private:
  std::vector<std::string> lines_;
};

// Parses a duration string; empty gives `fallback`.
int64_t DurationField(const std::string& text, absl::string_view path, absl::Duration fallback,
                      Problems& problems) {
  if (text.empty()) return absl::ToInt64Microseconds(fallback);
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d < absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    problems.Add(path, "\"", text, "\" is not a duration such as \"30m\" or \"72h\"");
    return absl::ToInt64Microseconds(fallback);
  }
  // Ten years bounds every window, so time arithmetic never overflows.
  if (d > absl::Hours(24 * 3660)) {
    problems.Add(path, "\"", text, "\" is longer than ten years");
    return absl::ToInt64Microseconds(fallback);
  }
  return absl::ToInt64Microseconds(d);
}

bool PositiveFinite(double x) { return std::isfinite(x) && x > 0; }

// Indexes ids, reporting empty and repeated ones.
template <typename Items, typename IdOf>
absl::flat_hash_map<std::string, uint32_t> IndexIds(const Items& items, absl::string_view list,
                                                    IdOf id_of, Problems& problems) {
  absl::flat_hash_map<std::string, uint32_t> index;
  for (int i = 0; i < items.size(); ++i) {
    const std::string& id = id_of(items[i]);
    const std::string path = absl::StrCat(list, "[", i, "].id");
    if (id.empty()) {
      problems.Add(path, "must not be empty");
    } else if (!index.try_emplace(id, static_cast<uint32_t>(i)).second) {
      problems.Add(path, "duplicate id \"", id, "\"");
    }
  }
  return index;
}

void CheckCaps(const v1::Caps& caps, const std::string& path, Problems& problems) {
  for (int i = 0; i < caps.hourly_size(); ++i) {
    const v1::HourlyCap& h = caps.hourly(i);
    const std::string p = absl::StrCat(path, ".hourly[", i, "]");
    absl::StatusOr<TimeWindow> w = TimeWindow::Compile({}, h.start(), h.end(), p);
    if (!w.ok()) problems.Add(w.status());
  }
  if (caps.has_pressure()) {
    const std::string p = absl::StrCat(path, ".pressure");
    if (caps.pressure().max() == 0) problems.Add(p + ".max", "must be at least 1");
    if (caps.pressure().window().empty()) {
      problems.Add(p + ".window", "is required");
    } else if (DurationField(caps.pressure().window(), p + ".window", absl::ZeroDuration(),
                             problems) == 0) {
      problems.Add(p + ".window", "must be positive");
    }
  }
}

std::vector<TimeWindow> Windows(const google::protobuf::RepeatedPtrField<v1::TimeWindow>& windows,
                                const std::string& path, Problems& problems) {
  std::vector<TimeWindow> out;
  for (int i = 0; i < windows.size(); ++i) {
    absl::StatusOr<TimeWindow> w = TimeWindow::Compile(windows[i], absl::StrCat(path, "[", i, "]"));
    if (w.ok()) {
      out.push_back(*w);
    } else {
      problems.Add(w.status());
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<CompiledConfig> CompileConfig(const v1::Config& config) {
  Problems problems;
  CompiledConfig c;
  c.source = config;
  c.seed = config.seed();

  const std::string tz_name = config.time_zone().empty() ? "Asia/Shanghai" : config.time_zone();
  if (!absl::LoadTimeZone(tz_name, &c.time_zone)) {
    problems.Add("time_zone", "unknown time zone \"", tz_name, "\"");
  }

  // ---- ids first, so that references can be checked in any order.
  c.employee_index = IndexIds(
      config.employees(), "employees",
      [](const v1::Employee& e) -> const std::string& { return e.id(); }, problems);
  c.group_index = IndexIds(
      config.groups(), "groups", [](const v1::Group& g) -> const std::string& { return g.id(); },
      problems);
  c.entry_index = IndexIds(
      config.entries(), "entries", [](const v1::Entry& e) -> const std::string& { return e.id(); },
      problems);
  const auto region_index = IndexIds(
      config.regions(), "regions", [](const v1::Region& r) -> const std::string& { return r.id(); },
      problems);
  auto check_group = [&](const std::string& id, const std::string& path, bool required) {
    if (id.empty()) {
      if (required) problems.Add(path, "is required");
    } else if (!c.group_index.contains(id)) {
      problems.Add(path, "unknown group \"", id, "\"");
    }
  };
  auto check_employee = [&](const std::string& id, const std::string& path) {
    if (id.empty()) {
      problems.Add(path, "is required");
    } else if (!c.employee_index.contains(id)) {
      problems.Add(path, "unknown employee \"", id, "\"");
    }
  };

  // ---- caps and levels.
  CheckCaps(config.default_caps(), "default_caps", problems);
  // Map order is unspecified: sort, so that the problems come out in one order.
  std::vector<std::pair<std::string, double>> levels(config.level_factors().begin(),
                                                     config.level_factors().end());
  std::sort(levels.begin(), levels.end());
  for (const auto& [level, factor] : levels) {
    if (!PositiveFinite(factor)) {
      problems.Add(absl::StrCat("level_factors[\"", level, "\"]"), "must be a positive number");
    }
  }

  // ---- employees (SPEC §4).
  for (int i = 0; i < config.employees_size(); ++i) {
    const v1::Employee& e = config.employees(i);
    const std::string path = absl::StrCat("employees[", i, "]");
    CompiledEmployee ce;
    ce.id = e.id();
    if (e.has_weight()) {
      if (!PositiveFinite(e.weight())) problems.Add(path + ".weight", "must be a positive number");
      ce.weight = e.weight();
    }
    CheckCaps(e.caps(), path + ".caps", problems);
    if (e.caps().has_daily()) {
      ce.daily_cap = e.caps().daily();
    } else if (config.default_caps().has_daily()) {
      ce.daily_cap = config.default_caps().daily();
    }
    // Hourly slots and pressure: the employee's own when set, else the defaults.
    const v1::Caps& hourly_source = e.caps().hourly_size() > 0 ? e.caps() : config.default_caps();
    for (const v1::HourlyCap& h : hourly_source.hourly()) {
      absl::StatusOr<TimeWindow> slot = TimeWindow::Compile({}, h.start(), h.end(), "");
      if (slot.ok()) ce.hourly.push_back({*slot, h.per_hour()});
    }
    const v1::Caps& pressure_source = e.caps().has_pressure() ? e.caps() : config.default_caps();
    if (pressure_source.has_pressure()) {
      absl::Duration window;
      if (absl::ParseDuration(pressure_source.pressure().window(), &window)) {
        ce.pressure_max = pressure_source.pressure().max();
        ce.pressure_window_us = absl::ToInt64Microseconds(window);
      }
    }
    if (!e.level().empty()) {
      auto level = config.level_factors().find(e.level());
      if (level != config.level_factors().end()) ce.level_factor = level->second;
    }
    ce.schedule = Windows(e.schedule(), path + ".schedule", problems);
    for (int r = 0; r < e.regions_size(); ++r) {
      if (!region_index.contains(e.regions(r))) {
        problems.Add(absl::StrCat(path, ".regions[", r, "]"), "unknown region \"", e.regions(r),
                     "\"");
      }
    }
    c.employees.push_back(std::move(ce));
  }

  // ---- groups (SPEC §4, §5.2).
  for (int i = 0; i < config.groups_size(); ++i) {
    const v1::Group& g = config.groups(i);
    const std::string path = absl::StrCat("groups[", i, "]");
    CompiledGroup cg;
    cg.id = g.id();
    cg.strategy = g.strategy();
    if (!v1::Strategy_IsValid(g.strategy())) problems.Add(path + ".strategy", "unknown strategy");
    if (g.members_size() == 0) problems.Add(path + ".members", "a group needs at least one member");
    absl::flat_hash_set<std::string> seen;
    for (int m = 0; m < g.members_size(); ++m) {
      const v1::Member& member = g.members(m);
      const std::string mpath = absl::StrCat(path, ".members[", m, "]");
      check_employee(member.employee(), mpath + ".employee");
      if (!seen.insert(member.employee()).second) {
        problems.Add(mpath + ".employee", "employee \"", member.employee(),
                     "\" is already a member");
      }
      double weight = 1.0;
      if (member.has_weight()) {
        if (!PositiveFinite(member.weight()))
          problems.Add(mpath + ".weight", "must be a positive number");
        weight = member.weight();
      }
      auto it = c.employee_index.find(member.employee());
      if (it == c.employee_index.end()) continue;
      c.employees[it->second].memberships.push_back(
          {static_cast<uint32_t>(i), static_cast<uint32_t>(cg.members.size())});
      cg.members.push_back(it->second);
      double region_factor = 1.0;  // SPEC §5.2: × the employee's (first) region's factor
      const v1::Employee& source = config.employees(static_cast<int>(it->second));
      if (source.regions_size() > 0) {
        auto region = region_index.find(source.regions(0));
        if (region != region_index.end() &&
            config.regions(static_cast<int>(region->second)).has_weight_factor()) {
          region_factor = config.regions(static_cast<int>(region->second)).weight_factor();
        }
      }
      // Effective weights live in [2^-20, 2^20], so that products of tiny or huge factors
      // neither vanish nor overflow, and every strategy sees the weight WEIGHTED counts.
      const int64_t units = WeightUnits(weight * c.employees[it->second].weight * region_factor);
      cg.member_units.push_back(units);
      cg.member_weight.push_back(static_cast<double>(units) / kWeightUnit);
    }
    for (int b = 0; b < g.backups_size(); ++b) {
      const std::string bpath = absl::StrCat(path, ".backups[", b, "]");
      check_group(g.backups(b), bpath, true);
      if (g.backups(b) == g.id()) problems.Add(bpath, "a group cannot back itself up");
    }
    if (!g.region().empty() && !region_index.contains(g.region())) {
      problems.Add(path + ".region", "unknown region \"", g.region(), "\"");
    }
    c.groups.push_back(std::move(cg));
  }
  for (CompiledGroup& cg : c.groups) {
    std::vector<int>& b = cg.boundaries;
    for (int h = 0; h < 24; ++h) b.push_back(h * 60);
    auto add = [&](const TimeWindow& w) {
      b.push_back(w.start_minute() % (24 * 60));
      b.push_back(w.end_minute() % (24 * 60));
    };
    for (uint32_t e : cg.members) {
      for (const TimeWindow& w : c.employees[e].schedule) add(w);
      for (const HourlyCap& h : c.employees[e].hourly) add(h.slot);
    }
    std::sort(b.begin(), b.end());
    b.erase(std::unique(b.begin(), b.end()), b.end());
  }
  // Cascades: the group, then its backups depth-first, each group once (SPEC §5.1 step 7).
  for (uint32_t g = 0; g < c.groups.size(); ++g) {
    std::vector<bool> visited(c.groups.size(), false);
    std::function<void(uint32_t)> visit = [&](uint32_t x) {
      if (visited[x]) return;
      visited[x] = true;
      c.groups[g].cascade.push_back(x);
      for (const std::string& backup : config.groups(x).backups()) {
        auto it = c.group_index.find(backup);
        if (it != c.group_index.end()) visit(it->second);
      }
    };
    visit(g);
  }

  // ---- dedup (SPEC §5.5).
  const v1::Dedup& dedup = config.dedup();
  c.dedup_window_us = DurationField(dedup.window(), "dedup.window", absl::Hours(72), problems);
  c.remember_us = DurationField(dedup.remember(), "dedup.remember", absl::Hours(720), problems);
  if (!dedup.remember().empty() && c.remember_us < c.dedup_window_us) {
    problems.Add("dedup.remember", "must not be shorter than dedup.window");
  }
  c.remember_us = std::max(c.remember_us, c.dedup_window_us);
  c.on_duplicate = dedup.on_duplicate();
  c.on_owner_unavailable = dedup.on_owner_unavailable();
  if (!v1::DedupScope_IsValid(dedup.scope())) problems.Add("dedup.scope", "unknown scope");
  if (!v1::Dedup::OnDuplicate_IsValid(dedup.on_duplicate())) {
    problems.Add("dedup.on_duplicate", "unknown policy");
  }
  if (!v1::Dedup::OwnerUnavailable_IsValid(dedup.on_owner_unavailable())) {
    problems.Add("dedup.on_owner_unavailable", "unknown policy");
  }
  c.returning_tag = dedup.returning_tag();

  // ---- entries (SPEC §4).
  const uint64_t tenant_seed = TenantSeed(config.tenant());
  for (int i = 0; i < config.entries_size(); ++i) {
    const v1::Entry& e = config.entries(i);
    const std::string path = absl::StrCat("entries[", i, "]");
    CompiledEntry ce;
    ce.id = e.id();
    ce.channel = e.channel();
    check_group(e.group(), path + ".group", true);
    if (auto it = c.group_index.find(e.group()); it != c.group_index.end()) ce.group = it->second;
    for (int s = 0; s < e.slots_size(); ++s) {
      const v1::Slot& slot = e.slots(s);
      const std::string spath = absl::StrCat(path, ".slots[", s, "]");
      absl::StatusOr<TimeWindow> w =
          TimeWindow::Compile(slot.days(), slot.start(), slot.end(), spath);
      if (!w.ok()) problems.Add(w.status());
      check_group(slot.group(), spath + ".group", true);
      auto g = c.group_index.find(slot.group());
      if (w.ok() && g != c.group_index.end()) ce.slots.push_back({*w, g->second});
    }
    ce.hours = Windows(e.hours(), path + ".hours", problems);
    ce.off_hours = e.off_hours();
    if (auto it = c.group_index.find(e.off_hours_group()); it != c.group_index.end()) {
      ce.off_hours_group = it->second;
    }
    if (e.off_hours() == v1::ROUTE_TO_GROUP) {
      check_group(e.off_hours_group(), path + ".off_hours_group", true);
    } else if (!e.off_hours_group().empty()) {
      check_group(e.off_hours_group(), path + ".off_hours_group", false);
    }
    for (int t = 0; t < e.tags_size(); ++t) {
      if (e.tags(t).empty())
        problems.Add(absl::StrCat(path, ".tags[", t, "]"), "must not be empty");
    }
    if (!v1::DedupScope_IsValid(e.dedup_scope()))
      problems.Add(path + ".dedup_scope", "unknown scope");
    if (!v1::OffHours_IsValid(e.off_hours())) problems.Add(path + ".off_hours", "unknown policy");
    const v1::DedupScope scope =
        e.dedup_scope() != v1::DEDUP_SCOPE_UNSPECIFIED ? e.dedup_scope() : dedup.scope();
    ce.key_seed = scope == v1::ENTRY ? EntryScopeSeed(tenant_seed, e.id()) : tenant_seed;
    ce.tags.assign(e.tags().begin(), e.tags().end());
    if (ce.group != kNoIndex) {
      std::vector<bool> counted(c.employees.size(), false);
      bool unlimited = false;
      for (uint32_t g : c.groups[ce.group].cascade) {
        for (uint32_t m : c.groups[g].members) {
          if (counted[m]) continue;
          counted[m] = true;
          const CompiledEmployee& employee = c.employees[m];
          if (employee.daily_cap == kNoCap) unlimited = true;
          if (!unlimited) {
            ce.daily_capacity += static_cast<uint64_t>(
                std::floor(employee.daily_cap * employee.level_factor + 1e-9));
          }
        }
      }
      if (unlimited) ce.daily_capacity = 0;
    }
    c.entries.push_back(std::move(ce));
  }

  // ---- buffer (SPEC §5.4).
  const v1::Buffer& buffer = config.buffer();
  if (!(buffer.reserve_fraction() >= 0 && buffer.reserve_fraction() <= 0.30)) {
    problems.Add("buffer.reserve_fraction",
                 "must be between 0 and 0.30 (operators lose customers "
                 "when more is held back); got ",
                 buffer.reserve_fraction());
  }
  c.reserve_fraction = buffer.reserve_fraction();
  c.hold_capacity = buffer.hold_capacity();
  c.max_hold_us = DurationField(buffer.max_hold(), "buffer.max_hold", absl::Hours(24), problems);
  c.accept_timeout_us = DurationField(buffer.accept_timeout(), "buffer.accept_timeout",
                                      absl::ZeroDuration(), problems);
  if (buffer.has_max_transfers()) c.max_transfers = buffer.max_transfers();

  const v1::Throttle& throttle = config.throttle();
  for (int i = 0; i < throttle.tiers_size(); ++i) {
    const std::string path = absl::StrCat("throttle.tiers[", i, "]");
    const auto& tier = throttle.tiers(i);
    if (!(tier.below() > 0 && tier.below() <= 1))
      problems.Add(path + ".below", "must be in (0, 1]");
    if (!(tier.factor() > 0 && tier.factor() <= 1))
      problems.Add(path + ".factor", "must be in (0, 1]");
  }
  if (throttle.tiers_size() > 0 && (throttle.last() == 0 || throttle.last() > 64)) {
    problems.Add("throttle.last", "must be between 1 and 64");
  }
  if (throttle.tiers_size() > 0 && buffer.accept_timeout().empty()) {
    problems.Add("throttle", "needs buffer.accept_timeout: acceptance is what it measures");
  }
  c.throttle_last = throttle.last();
  for (const auto& tier : throttle.tiers())
    c.throttle_tiers.emplace_back(tier.below(), tier.factor());

  // ---- routing references (behaviour: SPEC §5.7, §5.8).
  for (int i = 0; i < config.tag_rules_size(); ++i) {
    const v1::TagRule& rule = config.tag_rules(i);
    const std::string path = absl::StrCat("tag_rules[", i, "]");
    if (!rule.route_to_group().empty())
      check_group(rule.route_to_group(), path + ".route_to_group", false);
    std::function<void(const v1::Condition&, const std::string&)> check_condition =
        [&](const v1::Condition& when, const std::string& cpath) {
          Windows(when.local_time(), cpath + ".local_time", problems);
          for (int d = 0; d < when.weekdays_size(); ++d) {
            if (when.weekdays(d) < v1::MON || when.weekdays(d) > v1::SUN) {
              problems.Add(absl::StrCat(cpath, ".weekdays[", d, "]"), "not a weekday");
            }
          }
          for (int a = 0; a < when.any_of_size(); ++a) {
            check_condition(when.any_of(a), absl::StrCat(cpath, ".any_of[", a, "]"));
          }
          if (when.has_not_()) check_condition(when.not_(), cpath + ".not");
        };
    check_condition(rule.when(), path + ".when");
  }
  for (int i = 0; i < config.regions_size(); ++i) {
    const v1::Region& r = config.regions(i);
    const std::string path = absl::StrCat("regions[", i, "]");
    check_group(r.group(), path + ".group", false);
    if (r.has_weight_factor() && !PositiveFinite(r.weight_factor())) {
      problems.Add(path + ".weight_factor", "must be a positive number");
    }
    CompiledRegion region;
    region.id = r.id();
    if (auto g = c.group_index.find(r.group()); g != c.group_index.end()) region.group = g->second;
    region.weight_factor = r.has_weight_factor() ? r.weight_factor() : 1.0;
    region.protect = r.protect();
    for (int k = 0; k < r.cities_size(); ++k) {
      auto [it, inserted] = c.region_of_city.try_emplace(r.cities(k), static_cast<uint32_t>(i));
      if (!inserted) {
        problems.Add(absl::StrCat(path, ".cities[", k, "]"), "city \"", r.cities(k),
                     "\" is already in regions[", it->second, "]");
      }
    }
    c.regions.push_back(std::move(region));
  }
  for (int i = 0; i < config.groups_size(); ++i) {
    if (auto r = region_index.find(config.groups(i).region()); r != region_index.end()) {
      c.groups[i].region = r->second;
    }
  }
  for (int i = 0; i < config.stores_size(); ++i) {
    const v1::Store& s = config.stores(i);
    const std::string path = absl::StrCat("stores[", i, "]");
    check_group(s.group(), path + ".group", true);
    if (!(std::abs(s.geo().lat()) <= 90 && std::abs(s.geo().lng()) <= 180)) {
      problems.Add(path + ".geo", "latitude must be within ±90 and longitude within ±180");
    }
    if (s.has_radius_m() && !PositiveFinite(s.radius_m()))
      problems.Add(path + ".radius_m", "must be positive");
    CompiledStore store;
    store.lat = s.geo().lat();
    store.lng = s.geo().lng();
    if (s.has_radius_m()) store.radius_m = s.radius_m();
    if (auto g = c.group_index.find(s.group()); g != c.group_index.end()) store.group = g->second;
    c.stores.push_back(store);
  }
  absl::flat_hash_map<std::string, int> district_seen;
  for (int i = 0; i < config.districts_size(); ++i) {
    const v1::District& d = config.districts(i);
    const std::string path = absl::StrCat("districts[", i, "]");
    if (d.id().empty()) problems.Add(path + ".id", "must not be empty");
    auto [it, inserted] = district_seen.try_emplace(d.id(), i);
    if (!inserted && !d.id().empty()) {
      problems.Add(path + ".id", "district \"", d.id(), "\" already has an owner in districts[",
                   it->second, "]; each district has exactly one");
    }
    check_employee(d.employee(), path + ".employee");
    if (auto e = c.employee_index.find(d.employee()); e != c.employee_index.end()) {
      c.district_owner.try_emplace(d.id(), e->second);
    }
  }
  c.prefer_previous_owner = config.dedup().prefer_previous_owner();
  std::vector<std::string> entry_ids;
  for (const CompiledEntry& e : c.entries) entry_ids.push_back(e.id);
  c.entry_names = NameIndex(std::move(entry_ids));
  c.tag_rules = TagRules::Compile(config, c.entry_index, c.group_index, problems.lines());
  for (CompiledEntry& ce : c.entries) {
    ce.rule_channel = c.tag_rules.ChannelId(ce.channel);
    for (const std::string& t : ce.tags) ce.rule_tags.push_back(c.tag_rules.TagId(t));
  }
  if (config.alerts().has_capacity_ratio()) c.capacity_ratio = config.alerts().capacity_ratio();
  if (config.roster().has_headroom()) c.roster_headroom = config.roster().headroom();
  if (config.roster().has_max_members()) c.roster_max_members = config.roster().max_members();
  if (config.alerts().has_capacity_ratio() &&
      !(config.alerts().capacity_ratio() > 0 && config.alerts().capacity_ratio() <= 1)) {
    problems.Add("alerts.capacity_ratio", "must be in (0, 1]");
  }

  if (!problems.empty()) return problems.ToStatus();
  return c;
}

}  // namespace allot::internal
