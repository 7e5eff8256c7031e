// The straightforward baseline engine (baseline.h).
#include "baseline.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace allot::bench {
namespace {

absl::StatusOr<int64_t> Duration(const std::string& text, absl::Duration fallback,
                                 const std::string& path) {
  absl::Duration d = fallback;
  if (!text.empty() && !absl::ParseDuration(text, &d)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": bad duration \"", text, "\""));
  }
  return absl::ToInt64Microseconds(d);
}

absl::StatusOr<int> Minute(const std::string& text) {
  int h = 0, m = 0;
  if (text.size() != 5 || text[2] != ':' || std::sscanf(text.c_str(), "%d:%d", &h, &m) != 2) {
    return absl::InvalidArgumentError(absl::StrCat("bad time of day \"", text, "\""));
  }
  return h * 60 + m;
}

// "Phone: +86 138-0013-8000" → "phone:13800138000", as SPEC §5.5 normalizes keys.
std::string Normalize(const std::string& key) {
  const size_t colon = key.find(':');
  if (colon == std::string::npos) return key;
  std::string type(absl::StripAsciiWhitespace(key.substr(0, colon)));
  std::string value(absl::StripAsciiWhitespace(key.substr(colon + 1)));
  absl::AsciiStrToLower(&type);
  if (type == "phone") {
    std::string digits;
    for (char c : value) {
      if (absl::ascii_isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
    }
    if (digits.size() == 13 && digits.compare(0, 2, "86") == 0) digits.erase(0, 2);
    value = digits;
  }
  return type + ":" + value;
}

void PutU32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void PutI64(std::string& out, int64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }

}  // namespace

absl::StatusOr<Baseline> Baseline::FromConfig(const v1::Config& config) {
  Baseline b;
  const std::string zone = config.time_zone().empty() ? "Asia/Shanghai" : config.time_zone();
  if (!absl::LoadTimeZone(zone, &b.zone_)) {
    return absl::InvalidArgumentError(absl::StrCat("time_zone: unknown \"", zone, "\""));
  }
  b.seed_ = config.seed();
  std::unordered_map<std::string, int> employee_index;
  for (const v1::Employee& e : config.employees()) {
    Employee out;
    out.id = e.id();
    out.weight = e.has_weight() ? e.weight() : 1.0;
    const v1::Caps& caps = e.caps();
    if (caps.has_daily()) {
      out.daily = caps.daily();
    } else if (config.default_caps().has_daily()) {
      out.daily = config.default_caps().daily();
    }
    const v1::Caps& hourly = caps.hourly_size() > 0 ? caps : config.default_caps();
    for (const v1::HourlyCap& h : hourly.hourly()) {
      absl::StatusOr<int> start = Minute(h.start()), end = Minute(h.end());
      if (!start.ok()) return start.status();
      if (!end.ok()) return end.status();
      out.hourly.push_back({*start, *end, h.per_hour()});
    }
    const v1::Pressure& pressure =
        caps.has_pressure() ? caps.pressure() : config.default_caps().pressure();
    out.pressure_max = pressure.max();
    absl::StatusOr<int64_t> window = Duration(pressure.window(), absl::ZeroDuration(), "pressure");
    if (!window.ok()) return window.status();
    out.pressure_window_us = *window;
    employee_index[out.id] = static_cast<int>(b.employees_.size());
    b.employees_.push_back(std::move(out));
  }
  std::unordered_map<std::string, int> group_index;
  for (const v1::Group& g : config.groups()) {
    Group out;
    out.id = g.id();
    out.strategy = g.strategy();
    for (const v1::Member& m : g.members()) {
      auto it = employee_index.find(m.employee());
      if (it == employee_index.end()) {
        return absl::InvalidArgumentError(absl::StrCat("unknown employee \"", m.employee(), "\""));
      }
      out.members.push_back(it->second);
    }
    out.current.assign(out.members.size(), 0.0);
    group_index[out.id] = static_cast<int>(b.groups_.size());
    b.groups_.push_back(std::move(out));
  }
  for (const v1::Entry& e : config.entries()) {
    auto it = group_index.find(e.group());
    if (it == group_index.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown group \"", e.group(), "\""));
    }
    b.entries_[e.id()] = {e.channel(), it->second, {e.tags().begin(), e.tags().end()}};
  }
  for (const v1::TagRule& r : config.tag_rules()) {
    Rule out;
    const v1::Condition& when = r.when();
    out.entries.assign(when.entries().begin(), when.entries().end());
    out.channels.assign(when.channels().begin(), when.channels().end());
    out.any_tags.assign(when.any_tags().begin(), when.any_tags().end());
    out.keywords.assign(when.keywords().begin(), when.keywords().end());
    for (const v1::TimeWindow& w : when.local_time()) {
      absl::StatusOr<int> start = Minute(w.start()), end = Minute(w.end());
      if (!start.ok()) return start.status();
      if (!end.ok()) return end.status();
      out.local_time.emplace_back(*start, *end);
    }
    out.add_tags.assign(r.add_tags().begin(), r.add_tags().end());
    out.remove_tags.assign(r.remove_tags().begin(), r.remove_tags().end());
    out.stop = r.stop();
    b.rules_.push_back(std::move(out));
  }
  absl::StatusOr<int64_t> window = Duration(config.dedup().window(), absl::Hours(72), "window");
  if (!window.ok()) return window.status();
  absl::StatusOr<int64_t> remember =
      Duration(config.dedup().remember(), absl::Hours(720), "remember");
  if (!remember.ok()) return remember.status();
  b.window_us_ = *window;
  b.remember_us_ = std::max(*remember, *window);
  return b;
}

Baseline::Local Baseline::LocalAt(int64_t at_us) const {
  const absl::CivilSecond cs = zone_.At(absl::FromUnixMicros(at_us)).cs;
  Local local;
  local.day = absl::CivilDay(cs) - absl::CivilDay(1970, 1, 1);
  local.hour = local.day * 24 + cs.hour();
  local.minute = cs.hour() * 60 + cs.minute();
  return local;
}

void Baseline::SetCounters(int employee, uint32_t today, uint32_t this_hour, int64_t at_us) {
  const Local local = LocalAt(at_us);
  Employee& e = employees_[employee];
  e.day = local.day;
  e.today = today;
  e.hour = local.hour;
  e.this_hour = this_hour;
}

void Baseline::Remember(std::string key, int employee, int64_t at_us) {
  owners_[std::move(key)] = {employee, at_us};
}

bool Baseline::Eligible(Employee& e, const Local& local, int64_t at_us) {
  if ((e.day == local.day ? e.today : 0) >= e.daily) {
    ++daily_skips_;
    return false;
  }
  for (const HourlySlot& s : e.hourly) {
    if (local.minute < s.start_minute || local.minute >= s.end_minute) continue;
    if ((e.hour == local.hour ? e.this_hour : 0) >= s.per_hour) {
      ++hourly_skips_;
      return false;
    }
    break;  // the first slot containing the time applies
  }
  if (e.pressure_max > 0) {
    while (!e.recent.empty() && e.recent.front() <= at_us - e.pressure_window_us) {
      e.recent.pop_front();
    }
    if (e.recent.size() >= e.pressure_max) {
      ++pressure_skips_;
      return false;
    }
  }
  return true;
}

void Baseline::Charge(Employee& e, const Local& local, int64_t at_us) {
  if (e.day != local.day) {
    e.day = local.day;
    e.today = 0;
  }
  if (e.hour != local.hour) {
    e.hour = local.hour;
    e.this_hour = 0;
  }
  ++e.today;
  ++e.this_hour;
  ++e.charged;
  if (e.pressure_max > 0) e.recent.push_back(at_us);
}

int Baseline::Pick(Group& g, const Local& local, int64_t at_us) {
  const int n = static_cast<int>(g.members.size());
  switch (g.strategy) {
    case v1::SEQUENTIAL:
      for (int m = 0; m < n; ++m) {
        if (Eligible(employees_[g.members[m]], local, at_us)) return m;
      }
      return -1;
    case v1::ROUND_ROBIN:
      for (int i = 1; i <= n; ++i) {
        const int m = (g.last + i + n) % n;
        if (Eligible(employees_[g.members[m]], local, at_us)) {
          g.last = m;
          return m;
        }
      }
      return -1;
    case v1::RANDOM: {
      scratch_.clear();
      for (int m = 0; m < n; ++m) {
        if (Eligible(employees_[g.members[m]], local, at_us)) scratch_.push_back(m);
      }
      if (scratch_.empty()) return -1;
      uint64_t z = seed_ + 0x9e3779b97f4a7c15ULL * ++draws_;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return scratch_[(z ^ (z >> 31)) % scratch_.size()];
    }
    case v1::LEAST_LOADED: {
      int best = -1;
      double best_load = 0;
      for (int m = 0; m < n; ++m) {
        Employee& e = employees_[g.members[m]];
        if (!Eligible(e, local, at_us)) continue;
        const double load = (e.day == local.day ? e.today : 0) / e.weight;
        if (best < 0 || load < best_load) {
          best = m;
          best_load = load;
        }
      }
      return best;
    }
    case v1::WEIGHTED:
    default: {
      // Smooth weighted round-robin: every eligible member gains its weight, the richest is
      // picked and pays the total.
      int best = -1;
      double total = 0;
      for (int m = 0; m < n; ++m) {
        Employee& e = employees_[g.members[m]];
        if (!Eligible(e, local, at_us)) continue;
        g.current[m] += e.weight;
        total += e.weight;
        if (best < 0 || g.current[m] > g.current[best]) best = m;
      }
      if (best >= 0) g.current[best] -= total;
      return best;
    }
  }
}

uint32_t Baseline::ApplyRules(const v1::Arrival& arrival, const std::string& entry_id,
                              const Entry& entry, const Local& local) {
  std::vector<std::string> tags(arrival.tags().begin(), arrival.tags().end());
  tags.insert(tags.end(), entry.tags.begin(), entry.tags.end());
  const std::string& channel = arrival.channel().empty() ? entry.channel : arrival.channel();
  const std::string& message = arrival.message();
  auto contains = [](const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  };
  uint32_t added = 0;
  for (const Rule& r : rules_) {
    if (!r.entries.empty() && !contains(r.entries, entry_id)) continue;
    if (!r.channels.empty() && !contains(r.channels, channel)) continue;
    if (!r.any_tags.empty() &&
        std::none_of(r.any_tags.begin(), r.any_tags.end(),
                     [&](const std::string& t) { return contains(tags, t); })) {
      continue;
    }
    if (!r.keywords.empty() &&
        std::none_of(r.keywords.begin(), r.keywords.end(),
                     [&](const std::string& k) { return message.find(k) != std::string::npos; })) {
      continue;
    }
    if (!r.local_time.empty() &&
        std::none_of(r.local_time.begin(), r.local_time.end(), [&](const auto& w) {
          return local.minute >= w.first && local.minute < w.second;
        })) {
      continue;
    }
    for (const std::string& t : r.add_tags) {
      if (!contains(tags, t)) {
        tags.push_back(t);
        ++added;
      }
    }
    for (const std::string& t : r.remove_tags) {
      tags.erase(std::remove(tags.begin(), tags.end(), t), tags.end());
    }
    if (r.stop) break;
  }
  return added;
}

Baseline::Result Baseline::Arrive(const v1::Event& event) {
  const v1::Arrival& arrival = event.arrival();
  const int64_t at_us = event.at().seconds() * 1'000'000 + event.at().nanos() / 1000;
  Result result;
  auto entry = entries_.find(arrival.entry());
  if (entry == entries_.end()) return result;
  const Local local = LocalAt(at_us);
  if (!rules_.empty()) result.tags = ApplyRules(arrival, entry->first, entry->second, local);

  std::vector<std::string> keys;
  keys.reserve(arrival.customer().keys_size());
  for (const std::string& k : arrival.customer().keys()) keys.push_back(Normalize(k));
  bool returning = false;
  for (const std::string& k : keys) {
    auto it = owners_.find(k);
    if (it == owners_.end()) continue;
    const int64_t age = at_us - it->second.assigned_at_us;
    if (age < window_us_) {
      // Within the window: back to the owner, caps not charged; other keys join.
      const Owner owner = it->second;
      for (const std::string& other : keys) owners_.emplace(other, owner);
      return {Outcome::kOwner, owner.employee, result.tags};
    }
    if (age < remember_us_) returning = true;
  }
  Group& group = groups_[entry->second.group];
  const int m = Pick(group, local, at_us);
  if (m < 0) return result;
  const int employee = group.members[m];
  Charge(employees_[employee], local, at_us);
  for (std::string& k : keys) owners_[std::move(k)] = {employee, at_us};
  return {returning ? Outcome::kReturning : Outcome::kNew, employee, result.tags};
}

size_t Baseline::Tick(int64_t at_us) {
  size_t forgotten = 0;
  for (auto it = owners_.begin(); it != owners_.end();) {
    if (at_us - it->second.assigned_at_us >= remember_us_) {
      it = owners_.erase(it);
      ++forgotten;
    } else {
      ++it;
    }
  }
  return forgotten;
}

std::string Baseline::Serialize() const {
  std::string out;
  PutU32(out, static_cast<uint32_t>(employees_.size()));
  for (const Employee& e : employees_) {
    PutU32(out, static_cast<uint32_t>(e.id.size()));
    out += e.id;
  }
  PutI64(out, static_cast<int64_t>(owners_.size()));
  for (const auto& [key, owner] : owners_) {
    PutU32(out, static_cast<uint32_t>(key.size()));
    out += key;
    PutU32(out, static_cast<uint32_t>(owner.employee));
    PutI64(out, owner.assigned_at_us);
  }
  return out;
}

absl::Status Baseline::Parse(std::string_view bytes) {
  size_t pos = 0;
  auto take = [&](void* out, size_t n) {
    if (pos + n > bytes.size()) return false;
    std::memcpy(out, bytes.data() + pos, n);
    pos += n;
    return true;
  };
  const absl::Status bad = absl::InvalidArgumentError("baseline state: truncated");
  uint32_t employees = 0;
  if (!take(&employees, 4)) return bad;
  std::unordered_map<std::string, int> index;
  for (const Employee& e : employees_) index[e.id] = static_cast<int>(&e - employees_.data());
  std::vector<int> mapping(employees, -1);
  for (uint32_t i = 0; i < employees; ++i) {
    uint32_t len = 0;
    if (!take(&len, 4) || pos + len > bytes.size()) return bad;
    auto it = index.find(std::string(bytes.substr(pos, len)));
    if (it != index.end()) mapping[i] = it->second;
    pos += len;
  }
  int64_t count = 0;
  if (!take(&count, 8)) return bad;
  owners_.clear();
  owners_.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    uint32_t len = 0, employee = 0;
    int64_t at = 0;
    if (!take(&len, 4) || pos + len > bytes.size()) return bad;
    std::string key(bytes.substr(pos, len));
    pos += len;
    if (!take(&employee, 4) || !take(&at, 8) || employee >= employees) return bad;
    if (mapping[employee] < 0) continue;  // an employee gone from the config
    owners_.emplace(std::move(key), Owner{mapping[employee], at});
  }
  return absl::OkStatus();
}

}  // namespace allot::bench
