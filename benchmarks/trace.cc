// Builders of the shared workload (trace.h): plan, config, prefilled state, trace.
#include "trace.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace allot::bench {
namespace {

constexpr int64_t kLocalOffsetUs = 8 * kHourUs;  // Asia/Shanghai: +08:00, no daylight saving
constexpr int64_t kDayUs = 24 * kHourUs;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

std::string Clock(int minutes) { return absl::StrFormat("%02d:%02d", minutes / 60, minutes % 60); }

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "allot_bench setup: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int64_t TraceStartUs() {
  static const int64_t start = absl::ToUnixMicros(
      absl::FromCivil(absl::CivilSecond(2026, 11, 24, 10, 30, 0), absl::FixedTimeZone(8 * 3600)));
  return start;
}

GroupPlan MakeGroupPlan(int members, v1::Strategy strategy) {
  GroupPlan plan;
  plan.members = members;
  plan.strategy = strategy;
  double total_weight = 0;
  for (int i = 0; i < members; ++i) total_weight += 1.0 + (i % 3) * 0.5;
  const double charged_per_hour = kFreshShare * static_cast<double>(kHourUs) / kStepUs;
  const int64_t start = TraceStartUs();
  const double hours_today =
      static_cast<double>((start + kLocalOffsetUs) % kDayUs) / static_cast<double>(kHourUs);
  const double hour_fraction = hours_today - std::floor(hours_today);
  for (int i = 0; i < members; ++i) {
    MemberPlan m;
    m.id = absl::StrCat("e", absl::Dec(i, absl::kZeroPad4));
    m.weight = 1.0 + (i % 3) * 0.5;
    const double per_hour = charged_per_hour * m.weight / total_weight;  // E per hour
    const double per_window = per_hour * kPressureWindowUs / kHourUs;
    m.today = static_cast<uint32_t>(std::lround(per_hour * hours_today));
    m.this_hour = static_cast<uint32_t>(std::lround(per_hour * hour_fraction));
    m.daily = static_cast<uint32_t>(std::ceil(1.25 * per_hour * 24));
    m.per_hour = static_cast<uint32_t>(std::ceil(1.25 * per_hour)) + 1;
    m.pressure_max = static_cast<uint32_t>(std::ceil(1.5 * per_window)) + 1;
    if (i % 10 == 3) {
      m.per_hour = std::max(m.this_hour + 1, static_cast<uint32_t>(0.8 * per_hour));
    }
    if (i % 10 == 7) m.pressure_max = std::max(1u, static_cast<uint32_t>(0.8 * per_window));
    if (i % 50 == 5) m.daily = m.today + std::max(1u, static_cast<uint32_t>(0.25 * per_hour));
    plan.member.push_back(std::move(m));
  }
  return plan;
}

v1::Config MakeConfig(const GroupPlan& plan, int rules, const std::string& dedup_window,
                      const std::string& remember) {
  v1::Config config;
  config.set_tenant("bench");
  config.set_time_zone("Asia/Shanghai");
  config.set_seed(7);
  v1::Group* group = config.add_groups();
  group->set_id("g");
  group->set_strategy(plan.strategy);
  for (const MemberPlan& m : plan.member) {
    v1::Employee* e = config.add_employees();
    e->set_id(m.id);
    e->set_weight(m.weight);
    v1::Caps* caps = e->mutable_caps();
    caps->set_daily(m.daily);
    v1::HourlyCap* hourly = caps->add_hourly();
    hourly->set_start("00:00");
    hourly->set_end("24:00");
    hourly->set_per_hour(m.per_hour);
    caps->mutable_pressure()->set_max(m.pressure_max);
    caps->mutable_pressure()->set_window(absl::StrCat(kPressureWindowUs / kMinuteUs, "m"));
    group->add_members()->set_employee(m.id);
  }
  v1::Entry* entry = config.add_entries();
  entry->set_id("qr");
  entry->set_channel("web");
  entry->set_group("g");
  if (!dedup_window.empty()) config.mutable_dedup()->set_window(dedup_window);
  if (!remember.empty()) config.mutable_dedup()->set_remember(remember);
  AddTagRules(config, rules);
  return config;
}

void AddTagRules(v1::Config& config, int rules) {
  for (int i = 0; i < rules; ++i) {
    v1::TagRule* rule = config.add_tag_rules();
    rule->set_name(absl::StrCat("rule-", i));
    v1::Condition* when = rule->mutable_when();
    switch (i % 4) {
      case 0:
        when->add_keywords(absl::StrCat("【k", i, "】"));
        when->add_keywords(absl::StrCat("【k", i, "x】"));
        break;
      case 1:
        when->add_any_tags(absl::StrCat("t", i));
        when->add_any_tags(absl::StrCat("t", i + 1));
        break;
      case 2:
        when->add_channels(absl::StrCat("ch", i));
        break;
      default: {
        // 125 windows over the first 47 half hours of the day: two or three cover most times.
        const int start = ((i / 4) * 11 % 47) * 30;
        v1::TimeWindow* w = when->add_local_time();
        w->set_start(Clock(start));
        w->set_end(Clock(start + 30));
        break;
      }
    }
    rule->add_add_tags(absl::StrCat("r", i));
  }
}

const std::vector<RuleArrival>& RuleArrivals() {
  static const std::vector<RuleArrival> pool = [] {
    std::vector<RuleArrival> out;
    for (int j = 0; j < 16; ++j) {
      RuleArrival a;
      // Indices of rules of each kind (i % 4 == kind), different per arrival.
      const int keyword_a = (j * 7 % 125) * 4, keyword_b = ((j * 13 + 5) % 125) * 4;
      a.message = absl::StrCat("你好，想了解一下【k", keyword_a, "】和【k", keyword_b,
                               "】的价格，有没有优惠？");
      a.tags = {absl::StrCat("t", (j * 11 % 125) * 4 + 1), "vip"};
      a.channel = absl::StrCat("ch", (j * 5 % 125) * 4 + 2);
      out.push_back(std::move(a));
    }
    return out;
  }();
  return pool;
}

std::string CustomerKey(uint64_t c) {
  return absl::StrCat("external_userid:", absl::Dec(c, absl::kZeroPad12));
}

const std::vector<uint64_t>& KeyHashes(const Engine& engine, uint64_t n) {
  static std::vector<uint64_t> hashes;
  if (hashes.size() >= n) return hashes;
  hashes.reserve(n);
  for (uint64_t c = hashes.size(); c < n; ++c) {
    absl::StatusOr<std::string> token = engine.KeyToken("qr", CustomerKey(c));
    if (!token.ok() || token->size() != 17 || (*token)[0] != '#') {
      Die(absl::StrCat("KeyToken: ", token.status().ToString()));
    }
    hashes.push_back(std::strtoull(token->c_str() + 1, nullptr, 16));
  }
  return hashes;
}

v1::State MakeStateProto(const GroupPlan& plan, const std::vector<uint64_t>& hashes,
                         uint64_t remembered, int64_t first_us, int64_t last_us, int64_t clock_us) {
  if (hashes.size() < remembered) Die("fewer key hashes than remembered customers");
  v1::State state;
  state.set_version(1);
  state.set_clock_us(clock_us);
  const int64_t day = FloorDiv(clock_us + kLocalOffsetUs, kDayUs);
  const int64_t hour = FloorDiv(clock_us + kLocalOffsetUs, kHourUs);
  for (const MemberPlan& m : plan.member) {
    if (m.today == 0 && m.this_hour == 0) continue;
    v1::EmployeeState* e = state.add_employees();
    e->set_id(m.id);
    e->set_day(day);
    e->set_today(m.today);
    e->set_hour(hour);
    e->set_this_hour(m.this_hour);
  }
  v1::CustomerMemory* memory = state.mutable_memory();
  if (remembered == 0) return state;
  for (const MemberPlan& m : plan.member) memory->add_owner_ids(m.id);
  memory->mutable_owner()->Reserve(static_cast<int>(remembered));
  memory->mutable_assigned_at_delta_us()->Reserve(static_cast<int>(remembered));
  memory->mutable_keys()->Reserve(static_cast<int>(remembered));
  int64_t previous = 0;
  for (uint64_t c = 0; c < remembered; ++c) {
    const int64_t at = PrefillTimeUs(c, remembered, first_us, last_us);
    memory->add_owner(static_cast<uint32_t>(c % plan.member.size()));
    memory->add_assigned_at_delta_us(at - previous);
    previous = at;
    memory->add_keys(hashes[c]);
  }
  return state;
}

Trace::Trace(uint64_t remembered, uint64_t seed)
    : rng_(seed), next_fresh_(remembered), at_us_(TraceStartUs()) {}

Trace::Arrival Trace::Next() {
  at_us_ += kStepUs;
  // One draw in five is a repeat: kFreshShare = 0.8.
  const bool repeat = next_fresh_ > 0 && rng_.Below(5) == 0;
  const uint64_t customer = repeat ? rng_.Below(next_fresh_) : next_fresh_++;
  return {customer, at_us_, repeat};
}

void SetTime(v1::Event& event, int64_t at_us) {
  event.mutable_at()->set_seconds(at_us / kSecondUs);
  event.mutable_at()->set_nanos(static_cast<int32_t>(at_us % kSecondUs) * 1000);
}

v1::Event MakeArrivalEvent() {
  v1::Event event;
  SetTime(event, TraceStartUs());
  v1::Arrival* a = event.mutable_arrival();
  a->set_entry("qr");
  a->mutable_customer()->set_ref("c");
  a->mutable_customer()->add_keys(CustomerKey(0));
  return event;
}

void Rewrite(v1::Event& event, const Trace::Arrival& arrival) {
  SetTime(event, arrival.at_us);
  // The last 12 characters of the key are the customer's digits.
  std::string& key = *event.mutable_arrival()->mutable_customer()->mutable_keys(0);
  uint64_t c = arrival.customer;
  for (size_t i = key.size(); i-- > key.size() - 12;) {
    key[i] = static_cast<char>('0' + c % 10);
    c /= 10;
  }
}

double TimerOverheadNs() {
  static const double overhead = [] {
    std::vector<int64_t> samples(100'000);
    for (int64_t& s : samples) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto t1 = std::chrono::steady_clock::now();
      s = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    }
    std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
    return static_cast<double>(samples[samples.size() / 2]);
  }();
  return overhead;
}

}  // namespace allot::bench
