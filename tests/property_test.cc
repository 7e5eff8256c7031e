// Invariants over long random traces (SPEC §2, §5.1, §5.2, §5.4, §5.5): caps never exceeded,
// one outcome per arrival, owner routing only within the window, determinism, state
// round-trips mid-trace, stale decisions refused, strategy guarantees through the engine.
#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "absl/strings/str_replace.h"
#include "allot/io.h"
#include "test_support.h"

namespace allot {
namespace {

using testing::MustStep;
using testing::T;

constexpr char kConfig[] = R"pb(
  tenant: "prop"
  time_zone: "Asia/Shanghai"
  seed: 5
  default_caps { daily: 20 }
  employees { id: "w1" weight: 1.5 }
  employees { id: "w2" }
  employees {
    id: "w3"
    weight: 0.7
    caps { daily: 4 }
  }
  employees {
    id: "r1"
    schedule {
      days: [ MON, TUE, WED, THU, FRI ]
      start: "09:00"
      end: "18:00"
    }
  }
  employees {
    id: "r2"
    schedule { start: "20:00" end: "02:00" }
  }
  employees {
    id: "s1"
    caps { daily: 3 }
  }
  employees { id: "s2" }
  employees { id: "l1" weight: 2 }
  employees { id: "l2" }
  groups {
    id: "weighted"
    strategy: WEIGHTED
    members { employee: "w1" }
    members { employee: "w2" }
    members { employee: "w3" }
    backups: "rr"
  }
  groups {
    id: "rr"
    strategy: ROUND_ROBIN
    members { employee: "r1" }
    members { employee: "r2" }
    members { employee: "w2" }
    backups: "seq"
  }
  groups {
    id: "seq"
    strategy: SEQUENTIAL
    members { employee: "s1" }
    members { employee: "s2" }
    backups: "least"
  }
  groups {
    id: "least"
    strategy: LEAST_LOADED
    members { employee: "l1" }
    members { employee: "l2" }
  }
  groups {
    id: "rand"
    strategy: RANDOM
    members { employee: "l1" }
    members { employee: "s2" }
    members { employee: "w1" }
    backups: "weighted"
  }
  entries { id: "qr" group: "weighted" }
  entries { id: "link" group: "rand" }
  entries { id: "kf" group: "rr" dedup_scope: ENTRY }
  dedup { window: "72h" remember: "240h" returning_tag: "again" }
)pb";

struct Trace {
  std::vector<v1::Event> events;
};

// Several simulated days of arrivals from a pool of customers who come back, over several
// entries, with ticks in between.
// With `shared_keys`, some arrivals also carry another customer's key, so remembered
// customers merge.
Trace RandomTrace(uint64_t seed, int n, bool shared_keys = false) {
  std::mt19937_64 rng(seed);
  Trace trace;
  absl::Time now = T("2026-11-23T06:00:00+08:00");
  const char* entries[] = {"qr", "link", "kf"};
  for (int i = 0; i < n; ++i) {
    now += absl::Seconds(rng() % 400);
    if (rng() % 10 == 0) {
      trace.events.push_back(testing::Tick(now));
      continue;
    }
    const int customer = static_cast<int>(rng() % 600);
    std::vector<std::string> keys = {absl::StrCat("phone:1380000", customer)};
    if (rng() % 3 == 0) keys.push_back(absl::StrCat("unionid:u", customer));
    if (shared_keys && rng() % 20 == 0) keys.push_back(absl::StrCat("unionid:u", rng() % 600));
    if (rng() % 2 == 0) std::swap(keys.front(), keys.back());
    v1::Event e = testing::Arrival(now, entries[rng() % 3], absl::StrCat("c", customer), {});
    for (const auto& k : keys) e.mutable_arrival()->mutable_customer()->add_keys(k);
    trace.events.push_back(e);
  }
  return trace;
}

std::string Run(const Engine& engine, const std::vector<v1::Event>& events, State& state) {
  std::string out;
  for (const v1::Event& e : events) {
    out += ToJsonLine(engine.ToProto(MustStep(engine, e, state), true));
    out += "\n";
  }
  return out;
}

TEST_CASE("Random traces: caps, one outcome per arrival, owners only within the window") {
  const Engine engine = testing::MakeEngine(kConfig);
  absl::TimeZone shanghai;
  REQUIRE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  const std::map<std::string, uint32_t> cap = {{"w1", 20}, {"w2", 20}, {"w3", 4},
                                               {"r1", 20}, {"r2", 20}, {"s1", 3},
                                               {"s2", 20}, {"l1", 20}, {"l2", 20}};
  for (uint64_t seed : {1, 2, 3}) {
    const Trace trace = RandomTrace(seed, 6000);
    State state;
    std::map<std::pair<std::string, absl::CivilDay>, uint32_t> charged;
    // Tenant-scope owner model: customer ref → (owner, assigned at).
    std::map<std::string, std::pair<std::string, absl::Time>> owner;
    uint64_t assigned = 0, owner_routed = 0, rejected = 0;
    for (const v1::Event& e : trace.events) {
      const Decision d = MustStep(engine, e, state);
      if (!e.has_arrival()) {
        CHECK(d.assignments.empty());
        continue;
      }
      const absl::Time at = absl::FromUnixMicros(d.at_us);
      REQUIRE(d.assignments.size() + d.held.size() + d.rejections.size() == 1);
      for (const Assignment& a : d.assignments) {
        REQUIRE(a.customer == e.arrival().customer().ref());
        if (a.reason == v1::Assignment::OWNER) {
          ++owner_routed;
          if (e.arrival().entry() != "kf") {
            REQUIRE(owner.count(a.customer));
            REQUIRE(owner[a.customer].first == std::string(a.employee));
            REQUIRE(at - owner[a.customer].second < absl::Hours(72));
          }
          continue;
        }
        ++assigned;
        const auto key = std::make_pair(std::string(a.employee), absl::ToCivilDay(at, shanghai));
        REQUIRE(++charged[key] <= cap.at(key.first));
        if (e.arrival().entry() != "kf") {
          // A new owner only when there was none within the window.
          if (owner.count(a.customer)) REQUIRE(at - owner[a.customer].second >= absl::Hours(72));
          owner[a.customer] = {std::string(a.employee), at};
        }
      }
      rejected += d.rejections.size();
    }
    // The trace exercised every path.
    CHECK(assigned > 1000);
    CHECK(owner_routed > 500);
    CHECK(rejected > 0);
  }
}

TEST_CASE("Same trace, same decisions and state bytes; any split through bytes equals the whole") {
  const Engine engine = testing::MakeEngine(kConfig);
  const Trace trace = RandomTrace(9, 3000, /*shared_keys=*/true);
  State whole;
  const std::string all = Run(engine, trace.events, whole);
  State again;
  CHECK(Run(engine, trace.events, again) == all);
  CHECK(again.ToBytes() == whole.ToBytes());

  std::mt19937_64 rng(4);
  for (int k = 0; k < 6; ++k) {
    const size_t split = rng() % trace.events.size();
    State first;
    std::string out = Run(engine, {trace.events.begin(), trace.events.begin() + split}, first);
    absl::StatusOr<State> loaded = State::FromBytes(first.ToBytes());
    REQUIRE(loaded.ok());
    out += Run(engine, {trace.events.begin() + split, trace.events.end()}, *loaded);
    INFO("split at " << split);
    REQUIRE(out == all);
    REQUIRE(loaded->ToBytes() == whole.ToBytes());
  }
}

TEST_CASE("Throughout a trace, a decision applied late is refused and changes nothing") {
  const Engine engine = testing::MakeEngine(kConfig);
  const Trace trace = RandomTrace(12, 1500, /*shared_keys=*/true);
  State state;
  for (size_t i = 0; i + 1 < trace.events.size(); i += 2) {
    absl::StatusOr<Decision> first = engine.Decide(trace.events[i], state);
    absl::StatusOr<Decision> second = engine.Decide(trace.events[i + 1], state);
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    REQUIRE(engine.Apply(*first, state).ok());
    const std::string bytes = state.ToBytes();
    REQUIRE(engine.Apply(*second, state).code() == absl::StatusCode::kFailedPrecondition);
    REQUIRE(state.ToBytes() == bytes);
  }
}

TEST_CASE("Through the engine, WEIGHTED and ROUND_ROBIN keep their guarantee at every prefix") {
  for (const char* strategy : {"WEIGHTED", "ROUND_ROBIN"}) {
    const Engine engine = testing::MakeEngine(absl::StrCat(R"pb(
                                                             employees { id: "a" weight: 1.5 }
                                                             employees { id: "b" }
                                                             employees { id: "c" weight: 0.7 }
                                                             employees { id: "d" weight: 3 }
                                                             groups { id: "g" strategy:)pb",
                                                           strategy, R"pb(
               members { employee: "a" } members { employee: "b" } members { employee: "c" }
               members { employee: "d" weight: 0.5 } }
                     entries { id: "e" group: "g" }
    )pb"));
    const std::map<std::string, double> w = {{"a", 1.5}, {"b", 1}, {"c", 0.7}, {"d", 1.5}};
    const double total = 4.7;
    State state;
    std::map<std::string, int> count;
    for (int n = 1; n <= 3000; ++n) {
      const Decision d =
          MustStep(engine,
                   testing::Arrival(T("2026-11-24T09:00:00+08:00") + absl::Seconds(n), "e", "c",
                                    {absl::StrCat("phone:", n)}),
                   state);
      ++count[testing::AssignedTo(d)];
      for (const auto& [id, weight] : w) {
        INFO(strategy << " after " << n << ", " << id);
        if (std::string(strategy) == "WEIGHTED") {
          REQUIRE(std::abs(count[id] - n * weight / total) < 2);
        } else {
          REQUIRE(std::abs(count[id] - n / 4.0) <= 1);
        }
      }
    }
  }
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

// A 14-member WEIGHTED group, and groups of every other strategy sharing its members, whose
// members leave and rejoin the eligible set for every reason there is: caps of every kind,
// odd-minute schedules, statuses, surges of members and of the group, throttling by acceptance.
constexpr char kBigGroup[] = R"pb(
  tenant: "fast"
  time_zone: "Asia/Shanghai"
  seed: 9
  default_caps { daily: 30 }
  employees {
    id: "m0"
    weight: 1.5
    caps { daily: 6 }
  }
  employees {
    id: "m1"
    caps {
      daily: 40
      pressure { max: 2 window: "7m" }
    }
  }
  employees {
    id: "m2"
    weight: 0.7
    caps {
      daily: 40
      hourly { start: "09:13" end: "16:47" per_hour: 2 }
    }
  }
  employees {
    id: "m3"
    weight: 3
    schedule { start: "08:59" end: "11:01" }
    schedule { start: "13:30" end: "01:15" }
  }
  employees { id: "m4" weight: 0.1 }
  employees {
    id: "m5"
    weight: 2.5
    caps { daily: 3 }
  }
  employees {
    id: "m6"
    caps { pressure { max: 1 window: "90s" } }
  }
  employees { id: "m7" weight: 0.33 level: "lead" }
  employees { id: "m8" weight: 1.25 }
  employees {
    id: "m9"
    weight: 4
    caps { daily: 9 }
  }
  employees { id: "m10" weight: 0.5 }
  employees {
    id: "m11"
    caps { hourly { start: "00:00" end: "24:00" per_hour: 1 } }
  }
  employees {
    id: "m12"
    weight: 7
    caps { daily: 2 }
  }
  employees {
    id: "m13"
    schedule {
      days: [ MON, WED, FRI ]
      start: "10:10"
      end: "20:20"
    }
  }
  employees { id: "spare" }
  level_factors { key: "lead" value: 0.5 }
  groups {
    id: "big"
    strategy: WEIGHTED
    members { employee: "m0" }
    members { employee: "m1" }
    members { employee: "m2" weight: 2 }
    members { employee: "m3" }
    members { employee: "m4" }
    members { employee: "m5" }
    members { employee: "m6" }
    members { employee: "m7" }
    members { employee: "m8" }
    members { employee: "m9" }
    members { employee: "m10" }
    members { employee: "m11" }
    members { employee: "m12" }
    members { employee: "m13" }
    backups: "other"
  }
  groups {
    id: "other"
    strategy: WEIGHTED
    members { employee: "m4" }
    members { employee: "m9" }
    members { employee: "spare" }
  }
  groups {
    id: "seq"
    strategy: SEQUENTIAL
    members { employee: "m5" }
    members { employee: "m1" }
    members { employee: "m12" }
    members { employee: "m6" }
    members { employee: "m2" }
    members { employee: "m0" }
    backups: "other"
  }
  groups {
    id: "rr"
    strategy: ROUND_ROBIN
    members { employee: "m6" }
    members { employee: "m3" }
    members { employee: "m11" }
    members { employee: "m1" }
    members { employee: "m13" }
    backups: "other"
  }
  groups {
    id: "rand"
    strategy: RANDOM
    members { employee: "m1" }
    members { employee: "m6" }
    members { employee: "m9" }
    members { employee: "m3" }
    members { employee: "m12" }
    members { employee: "m11" }
    backups: "other"
  }
  groups {
    id: "least"
    strategy: LEAST_LOADED
    members { employee: "m0" weight: 2 }
    members { employee: "m6" }
    members { employee: "m1" }
    members { employee: "m7" weight: 0.5 }
    members { employee: "m11" }
    members { employee: "m2" }
    backups: "other"
  }
  entries { id: "qr" group: "big" }
  entries { id: "side" group: "other" }
  entries { id: "seq" group: "seq" }
  entries { id: "rr" group: "rr" }
  entries { id: "rand" group: "rand" }
  entries { id: "least" group: "least" }
  dedup { window: "72h" remember: "100h" }
  buffer { reserve_fraction: 0.2 hold_capacity: 30 max_hold: "2h" accept_timeout: "5m" }
  throttle {
    last: 6
    tiers { below: 0.5 factor: 0.5 }
  }
)pb";

TEST_CASE(
    "Picks from the filed eligible members equal a scan, for every strategy; a reused Decision "
    "equals a new one") {
  // In Shanghai, and in New York across the end of daylight saving (2026-11-01 02:00).
  const auto [zone, start] =
      GENERATE(std::make_pair("Asia/Shanghai", "2026-11-23T07:00:00+08:00"),
               std::make_pair("America/New_York", "2026-10-31T18:00:00-04:00"));
  const Engine engine =
      testing::MakeEngine(absl::StrReplaceAll(kBigGroup, {{"Asia/Shanghai", std::string(zone)}}));
  std::mt19937_64 rng(31);
  State state;
  absl::Time now = T(start);
  // Every assignment is accepted by its latest holder: most at once, as in life, some
  // late enough to be transferred first.
  std::deque<std::string> to_accept;
  std::map<std::string, std::string> holder;
  Decision reused;
  int arrivals = 0;
  for (int i = 0; i < 6000; ++i) {
    now += rng() % 20 == 0 ? absl::Minutes(rng() % 180) : absl::Seconds(rng() % 30);
    const int kind = static_cast<int>(rng() % 100);
    const std::string who = absl::StrCat("m", rng() % 14);
    v1::Event e;
    if (kind < 5) {
      e = testing::Tick(now);
    } else if (kind < 8) {
      const v1::EmployeeStatus::Status s[] = {
          v1::EmployeeStatus::ACTIVE, v1::EmployeeStatus::ACTIVE, v1::EmployeeStatus::PAUSED,
          v1::EmployeeStatus::ON_LEAVE};
      e = testing::StatusEvent(now, who, s[rng() % 4]);
    } else if (kind < 10) {
      testing::SetTime(e, now);
      if (rng() % 2 == 0) {
        e.mutable_surge()->set_employee(who);
      } else {
        e.mutable_surge()->set_group("big");
      }
      e.mutable_surge()->set_extra(0.2);
      e.mutable_surge()->set_duration(absl::StrCat(1 + rng() % 100, "m"));
    } else if ((kind < 25 || to_accept.size() > 3) && !to_accept.empty()) {
      const std::string customer = to_accept.front();
      const std::string employee = holder[customer];
      to_accept.pop_front();
      testing::SetTime(e, now);
      e.mutable_accepted()->mutable_customer()->set_ref(customer);
      e.mutable_accepted()->mutable_customer()->add_keys(
          absl::StrCat("phone:", customer.substr(1)));
      e.mutable_accepted()->set_employee(employee);
    } else {
      const int c = static_cast<int>(rng() % 5000);
      const char* entries[] = {"qr", "qr", "qr", "side", "seq", "rr", "rand", "least"};
      e = testing::Arrival(now, entries[rng() % 8], absl::StrCat("c", c),
                           {absl::StrCat("phone:", c)});
      e.mutable_arrival()->set_explain(rng() % 10 == 0);
      ++arrivals;
    }
    // The live state keeps its FairQueues; a copy through bytes has none and scans.
    const State scanned = *State::FromBytes(state.ToBytes());
    const absl::StatusOr<Decision> fast = engine.Decide(e, state);
    const absl::StatusOr<Decision> slow = engine.Decide(e, scanned);
    REQUIRE(fast.ok());
    REQUIRE(slow.ok());
    INFO("event " << i << ": " << ToJsonLine(e));
    REQUIRE(ToJsonLine(engine.ToProto(*fast, true)) == ToJsonLine(engine.ToProto(*slow, true)));
    // And the strategy positions they move on to (WEIGHTED virtual times), not in the JSON.
    REQUIRE(fast->delta.picks.size() == slow->delta.picks.size());
    for (size_t p = 0; p < fast->delta.picks.size(); ++p) {
      const Delta::Pick& f = fast->delta.picks[p];
      const Delta::Pick& s = slow->delta.picks[p];
      REQUIRE(std::tie(f.group, f.member, f.start, f.virtual_time) ==
              std::tie(s.group, s.member, s.start, s.virtual_time));
    }
    // A Decision reused from event to event carries nothing over.
    REQUIRE(engine.Decide(e, state, &reused).ok());
    REQUIRE(ToJsonLine(engine.ToProto(reused, true)) == ToJsonLine(engine.ToProto(*fast, true)));
    REQUIRE(engine.Apply(*fast, state).ok());
    for (const Assignment& a : fast->assignments) {
      holder[a.customer] = std::string(a.employee);
      if (rng() % 10 != 0) {
        to_accept.push_front(a.customer);
      } else {
        to_accept.push_back(a.customer);
      }
    }
  }
  CHECK(arrivals > 2500);
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

TEST_CASE("A member re-filed while its pressure window holds it back is woken once") {
  // m0 fills its window, is re-filed by a status event while still held back, and is let
  // back in by time alone: the fast pick must weigh it once, as the scan does (a member
  // counted twice would skew the group's virtual time).
  const Engine engine = testing::MakeEngine(R"pb(
    tenant: "t"
    time_zone: "Asia/Shanghai"
    employees {
      id: "m0"
      weight: 3
      caps { pressure { max: 1 window: "10m" } }
    }
    employees { id: "m1" }
    employees { id: "m2" weight: 0.5 }
    groups {
      id: "g"
      strategy: WEIGHTED
      members { employee: "m0" }
      members { employee: "m1" }
      members { employee: "m2" }
    }
    entries { id: "qr" group: "g" }
  )pb");
  State state;
  absl::Time now = T("2026-11-23T10:00:00+08:00");
  int customer = 0;
  auto step_both = [&](const v1::Event& e) {
    const State scanned = *State::FromBytes(state.ToBytes());
    const absl::StatusOr<Decision> fast = engine.Decide(e, state);
    const absl::StatusOr<Decision> slow = engine.Decide(e, scanned);
    REQUIRE(fast.ok());
    REQUIRE(slow.ok());
    INFO(ToJsonLine(e));
    REQUIRE(ToJsonLine(engine.ToProto(*fast, true)) == ToJsonLine(engine.ToProto(*slow, true)));
    REQUIRE(fast->delta.picks.size() == slow->delta.picks.size());
    for (size_t p = 0; p < fast->delta.picks.size(); ++p) {
      CHECK(fast->delta.picks[p].virtual_time == slow->delta.picks[p].virtual_time);
      CHECK(fast->delta.picks[p].start == slow->delta.picks[p].start);
    }
    REQUIRE(engine.Apply(*fast, state).ok());
  };
  auto arrive = [&] {
    ++customer;
    step_both(testing::Arrival(now, "qr", absl::StrCat("c", customer),
                               {absl::StrCat("phone:", customer)}));
  };
  for (int round = 0; round < 4; ++round) {
    // Until m0 has been picked and held back by its window.
    for (int i = 0; i < 6; ++i) {
      arrive();
      now += absl::Seconds(20);
    }
    step_both(testing::StatusEvent(now, "m0", v1::EmployeeStatus::ACTIVE));
    now += absl::Seconds(20);
    arrive();
    now += absl::Minutes(10);  // the window lets m0 in again
    arrive();
    now += absl::Seconds(20);
  }
}

TEST_CASE("StepBatch decides as Step one event at a time, and stops at a bad event") {
  const Engine engine = testing::MakeEngine(kBigGroup);
  std::mt19937_64 rng(12);
  std::vector<v1::Event> events;
  absl::Time now = T("2026-11-23T08:00:00+08:00");
  for (int i = 0; i < 3000; ++i) {
    now += absl::Seconds(rng() % 40);
    if (rng() % 25 == 0) {
      events.push_back(testing::Tick(now));
      continue;
    }
    const int c = static_cast<int>(rng() % 1500);  // repeats, within the window and after
    v1::Event e = testing::Arrival(now, rng() % 4 == 0 ? "side" : "qr", absl::StrCat("c", c),
                                   {absl::StrCat("phone:", c)});
    if (rng() % 8 == 0)
      e.mutable_arrival()->mutable_customer()->add_keys(absl::StrCat("unionid:u", c));
    events.push_back(e);
  }
  State one_by_one;
  std::vector<std::string> expected;
  for (const v1::Event& e : events) {
    expected.push_back(ToJsonLine(engine.ToProto(MustStep(engine, e, one_by_one), true)));
  }
  State batched;
  std::vector<std::string> got;
  REQUIRE(
      engine
          .StepBatch(events, batched,
                     [&](const Decision& d) { got.push_back(ToJsonLine(engine.ToProto(d, true))); })
          .ok());
  CHECK(got == expected);
  CHECK(batched.ToBytes() == one_by_one.ToBytes());

  // Batches of every length around StepBatch's groups of 16 and its ring of 64 (events
  // fetched two groups ahead), one after another into one state: still as one at a time.
  State chunked;
  got.clear();
  const size_t lengths[] = {0, 1, 2, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 100, 257};
  size_t at = 0;
  for (size_t n = 0; at < events.size(); ++n) {
    const size_t length = std::min(lengths[n % std::size(lengths)], events.size() - at);
    REQUIRE(engine
                .StepBatch(
                    absl::MakeConstSpan(events).subspan(at, length), chunked,
                    [&](const Decision& d) { got.push_back(ToJsonLine(engine.ToProto(d, true))); })
                .ok());
    at += length;
  }
  CHECK(got == expected);
  CHECK(chunked.ToBytes() == one_by_one.ToBytes());

  // A bad event: the error names it, and the state holds everything before it.
  const size_t bad = 1234;
  events[bad].mutable_arrival()->set_entry("nope");
  State partial;
  size_t decided = 0;
  const absl::Status status =
      engine.StepBatch(events, partial, [&](const Decision&) { ++decided; });
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(status.message()).rfind("events[1234]: arrival.entry", 0) == 0);
  CHECK(decided == bad);
  State before;
  for (size_t i = 0; i < bad; ++i) MustStep(engine, events[i], before);
  CHECK(partial.ToBytes() == before.ToBytes());
}

}  // namespace
}  // namespace allot
