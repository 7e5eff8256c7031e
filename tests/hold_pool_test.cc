// SPEC §5.1 steps 6 and 9, §5.4 hold pool: holding, FIFO release, expiry, off-hours
// policies, and held customers surviving a save and load; then invariants over long random
// traces with staff changes, surges and off-hours scans.
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_replace.h"
#include "allot/io.h"
#include "test_support.h"

namespace allot {
namespace {

using testing::Arrival;
using testing::AssignedTo;
using testing::MustStep;
using testing::T;
using testing::Tick;

constexpr char kPool[] = R"pb(
  employees {
    id: "a"
    caps { daily: 1 }
  }
  groups {
    id: "g"
    members { employee: "a" }
  }
  entries { id: "e" group: "g" }
  buffer { hold_capacity: 5 max_hold: "24h" }
)pb";

std::vector<std::string> Released(const Decision& d) {
  std::vector<std::string> out;
  for (const Assignment& a : d.assignments) {
    if (a.reason == v1::Assignment::RELEASED) out.push_back(a.customer);
  }
  return out;
}

TEST_CASE("Nobody eligible: customers wait, and leave FIFO as capacity comes back") {
  const Engine engine = testing::MakeEngine(absl::StrReplaceAll(kPool, {{"24h", "72h"}}));
  State state;
  CHECK(AssignedTo(MustStep(engine, Arrival(T("2026-11-24T09:00:00+08:00"), "e", "c0", {"phone:0"}),
                            state)) == "a");
  for (int i = 1; i <= 3; ++i) {
    const Decision d = MustStep(engine,
                                Arrival(T("2026-11-24T10:00:00+08:00") + absl::Minutes(i), "e",
                                        absl::StrCat("c", i), {absl::StrCat("phone:", i)}),
                                state);
    REQUIRE(d.held.size() == 1);
    CHECK(d.held[0].reason == v1::Hold::NO_CAPACITY);
    CHECK(d.held[0].customer == absl::StrCat("c", i));
  }
  // A repeat scan of a waiting customer is not held twice.
  const Decision again =
      MustStep(engine, Arrival(T("2026-11-24T11:00:00+08:00"), "e", "c2", {"phone:2"}), state);
  REQUIRE(again.held.size() == 1);
  CHECK(state.ToProto().held_size() == 3);
  // Held customers survive a save and a load.
  State loaded = *State::FromBytes(state.ToBytes());
  // Next local day, a gets one customer: the first who waited.
  const Decision morning = MustStep(engine, Tick(T("2026-11-25T00:00:30+08:00")), loaded);
  CHECK(Released(morning) == std::vector<std::string>{"c1"});
  CHECK(morning.assignments[0].employee == "a");
  CHECK(loaded.ToProto().held_size() == 2);
  const Decision day3 = MustStep(engine, Tick(T("2026-11-26T00:00:30+08:00")), loaded);
  CHECK(Released(day3) == std::vector<std::string>{"c2"});
}

TEST_CASE("A full pool rejects BUFFER_FULL and passing 80% raises an alert") {
  const Engine engine = testing::MakeEngine(kPool);
  State state;
  MustStep(engine, Arrival(T("2026-11-24T09:00:00+08:00"), "e", "c0", {"phone:0"}), state);
  std::vector<Decision> ds;
  for (int i = 1; i <= 6; ++i) {
    ds.push_back(MustStep(engine,
                          Arrival(T("2026-11-24T10:00:00+08:00") + absl::Minutes(i), "e",
                                  absl::StrCat("c", i), {absl::StrCat("phone:", i)}),
                          state));
  }
  for (int i = 0; i < 5; ++i) CHECK(ds[i].held.size() == 1);
  REQUIRE(ds[5].rejections.size() == 1);
  CHECK(ds[5].rejections[0].reason == v1::Rejection::BUFFER_FULL);
  // 5 of 5 is past 80%; 4 of 5 is not.
  for (int i = 0; i < 5; ++i) {
    INFO("hold " << i + 1);
    CHECK(ds[i].alerts.size() == (i == 4 ? 1u : 0u));
  }
  CHECK(ds[4].alerts[0].kind == v1::Alert::HOLD_POOL_HIGH);
}

TEST_CASE("Held customers expire after max_hold with HOLD_EXPIRED") {
  const Engine engine = testing::MakeEngine(absl::StrReplaceAll(kPool, {{"24h", "1h"}}));
  State state;
  MustStep(engine, Arrival(T("2026-11-24T09:00:00+08:00"), "e", "c0", {"phone:0"}), state);
  MustStep(engine, Arrival(T("2026-11-24T10:00:00+08:00"), "e", "c1", {"phone:1"}), state);
  CHECK(MustStep(engine, Tick(T("2026-11-24T10:59:59+08:00")), state).rejections.empty());
  const Decision expired = MustStep(engine, Tick(T("2026-11-24T11:00:00+08:00")), state);
  REQUIRE(expired.rejections.size() == 1);
  CHECK(expired.rejections[0].customer == "c1");
  CHECK(expired.rejections[0].reason == v1::Rejection::HOLD_EXPIRED);
  CHECK(state.ToProto().held_size() == 0);
}

TEST_CASE("The event that makes someone eligible releases the waiting customers") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees { id: "a" }
    groups {
      id: "g"
      members { employee: "a" }
    }
    entries { id: "e" group: "g" }
    buffer { hold_capacity: 10 }
  )pb");
  State state;
  MustStep(engine,
           testing::StatusEvent(T("2026-11-24T09:00:00+08:00"), "a", v1::EmployeeStatus::PAUSED),
           state);
  MustStep(engine, Arrival(T("2026-11-24T09:01:00+08:00"), "e", "c1", {"phone:1"}), state);
  MustStep(engine, Arrival(T("2026-11-24T09:02:00+08:00"), "e", "c2", {"phone:2"}), state);
  const Decision back = MustStep(
      engine, testing::StatusEvent(T("2026-11-24T09:03:00+08:00"), "a", v1::EmployeeStatus::ACTIVE),
      state);
  CHECK(Released(back) == std::vector<std::string>{"c1", "c2"});
  // Released customers are remembered like any assignment.
  const Decision repeat =
      MustStep(engine, Arrival(T("2026-11-24T09:04:00+08:00"), "e", "c1", {"phone:1"}), state);
  CHECK(repeat.assignments[0].reason == v1::Assignment::OWNER);
}

constexpr char kHours[] = R"pb(
  employees { id: "day" }
  employees { id: "night" }
  groups {
    id: "g"
    members { employee: "day" }
  }
  groups {
    id: "n"
    members { employee: "night" }
  }
  entries {
    id: "store"
    group: "g"
    hours { start: "09:00" end: "21:00" }
    off_hours: HOLD_UNTIL_OPEN
  }
  entries {
    id: "routed"
    group: "g"
    hours { start: "09:00" end: "21:00" }
    off_hours: ROUTE_TO_GROUP
    off_hours_group: "n"
  }
  entries {
    id: "anyway"
    group: "g"
    hours { start: "09:00" end: "21:00" }
  }
  buffer { max_hold: "1h" }
)pb";

TEST_CASE("HOLD_UNTIL_OPEN: a 23:40 scan is assigned at 09:00, uncounted and unexpired") {
  const Engine engine = testing::MakeEngine(kHours);
  State state;
  const Decision night =
      MustStep(engine, Arrival(T("2026-11-24T23:40:00+08:00"), "store", "owl", {"phone:1"}), state);
  REQUIRE(night.held.size() == 1);
  CHECK(night.held[0].reason == v1::Hold::OFF_HOURS);  // held with hold_capacity 0
  CHECK(MustStep(engine, Tick(T("2026-11-25T08:59:00+08:00")), state).assignments.empty());
  const Decision opening = MustStep(engine, Tick(T("2026-11-25T09:00:00+08:00")), state);
  REQUIRE(opening.assignments.size() == 1);
  CHECK(opening.assignments[0].customer == "owl");
  CHECK(opening.assignments[0].reason == v1::Assignment::RELEASED);
  CHECK(opening.assignments[0].employee == "day");
}

TEST_CASE("ROUTE_TO_GROUP and ASSIGN_ANYWAY outside the hours") {
  const Engine engine = testing::MakeEngine(kHours);
  State state;
  const Decision routed = MustStep(
      engine, Arrival(T("2026-11-24T22:00:00+08:00"), "routed", "r", {"phone:1"}, true), state);
  CHECK(AssignedTo(routed) == "night");
  CHECK(routed.explanation->route_source() == v1::Explanation::OFF_HOURS_GROUP);
  CHECK(AssignedTo(MustStep(
            engine, Arrival(T("2026-11-24T22:01:00+08:00"), "anyway", "a", {"phone:2"}), state)) ==
        "day");
  CHECK(AssignedTo(MustStep(
            engine, Arrival(T("2026-11-25T10:00:00+08:00"), "routed", "d", {"phone:3"}), state)) ==
        "day");
}

// ---- Invariants over long random traces.

constexpr char kRandom[] = R"pb(
  tenant: "pool"
  time_zone: "Asia/Shanghai"
  seed: 3
  employees {
    id: "a"
    caps {
      daily: 8
      pressure { max: 3 window: "20m" }
    }
  }
  employees {
    id: "b"
    weight: 2
    caps {
      daily: 10
      hourly { start: "09:00" end: "18:00" per_hour: 2 }
    }
  }
  employees {
    id: "c"
    caps { daily: 6 }
    schedule { start: "08:00" end: "20:00" }
  }
  employees {
    id: "d"
    caps { daily: 5 }
  }
  groups {
    id: "main"
    strategy: WEIGHTED
    members { employee: "a" }
    members { employee: "b" }
    backups: "back"
  }
  groups {
    id: "back"
    strategy: ROUND_ROBIN
    members { employee: "c" }
    members { employee: "d" }
  }
  entries { id: "qr" group: "main" }
  entries {
    id: "shop"
    group: "main"
    hours { start: "10:00" end: "20:00" }
    off_hours: HOLD_UNTIL_OPEN
  }
  entries {
    id: "late"
    group: "back"
    hours { start: "09:00" end: "21:00" }
    off_hours: ROUTE_TO_GROUP
    off_hours_group: "main"
  }
  dedup { window: "72h" }
  buffer { hold_capacity: 15 max_hold: "6h" reserve_fraction: 0.2 }
)pb";

// With `minute_ticks_only`, events fall on whole minutes and the host ticks every minute
// (the caller may add more ticks).
std::vector<v1::Event> RandomTrace(uint64_t seed, int n, bool minute_ticks_only = false) {
  std::mt19937_64 rng(seed);
  std::vector<v1::Event> events;
  absl::Time now = T("2026-11-23T00:00:00+08:00");
  const char* entries[] = {"qr", "shop", "late"};
  const char* staff[] = {"a", "b", "c", "d"};
  for (int i = 0; i < n; ++i) {
    if (minute_ticks_only) {
      const absl::Time next = now + absl::Minutes(rng() % 5);
      for (absl::Time t = now + absl::Minutes(1); t <= next; t += absl::Minutes(1)) {
        events.push_back(Tick(t));
      }
      now = next;
    } else {
      now += absl::Seconds(rng() % 300);
    }
    const int kind = static_cast<int>(rng() % 100);
    if (kind < 8 && !minute_ticks_only) {
      events.push_back(Tick(now));
    } else if (kind < 11) {
      const v1::EmployeeStatus::Status s[] = {
          v1::EmployeeStatus::ACTIVE, v1::EmployeeStatus::ACTIVE,   v1::EmployeeStatus::ACTIVE,
          v1::EmployeeStatus::PAUSED, v1::EmployeeStatus::ON_LEAVE, v1::EmployeeStatus::DEPARTED};
      events.push_back(testing::StatusEvent(now, staff[rng() % 4], s[rng() % 6]));
    } else if (kind < 12) {
      v1::Event e;
      testing::SetTime(e, now);
      e.mutable_surge()->set_employee(staff[rng() % 4]);
      e.mutable_surge()->set_extra(0.2);
      e.mutable_surge()->set_duration("2h");
      events.push_back(e);
    } else {
      const int c = static_cast<int>(rng() % 900);
      events.push_back(
          Arrival(now, entries[rng() % 3], absl::StrCat("c", c), {absl::StrCat("phone:", c)}));
    }
  }
  // Far later, inside every entry's hours: everyone still waiting is released or expires.
  events.push_back(Tick(now + absl::Hours(48) + absl::Minutes(1)));
  return events;
}

TEST_CASE("Random traces with holds: caps, one outcome per arrival, every held customer resolved") {
  const Engine engine = testing::MakeEngine(kRandom);
  absl::TimeZone tz;
  REQUIRE(absl::LoadTimeZone("Asia/Shanghai", &tz));
  const std::map<std::string, uint32_t> daily = {{"a", 8}, {"b", 10}, {"c", 6}, {"d", 5}};
  for (uint64_t seed : {1, 2, 3, 4}) {
    const std::vector<v1::Event> trace = RandomTrace(seed, 5000);
    State state;
    std::map<std::pair<std::string, absl::CivilDay>, uint32_t> per_day;
    std::map<std::pair<std::string, absl::CivilHour>, uint32_t> per_hour;
    std::map<std::string, std::vector<absl::Time>> times;
    std::map<std::string, std::pair<double, absl::Time>> surge;
    std::set<std::string> waiting;
    uint64_t held = 0, released = 0, expired = 0, inherited = 0;
    for (const v1::Event& e : trace) {
      const Decision d = MustStep(engine, e, state);
      const absl::Time at = absl::FromUnixMicros(d.at_us);
      if (e.has_surge()) surge[e.surge().employee()] = {0.2, at + absl::Hours(2)};
      if (e.has_arrival()) {
        // The arrival's own outcome; or, if the same customer was waiting and got released in
        // this very event, that release. (An expiry here belongs to the earlier arrival.)
        int outcomes = 0, released_now = 0;
        const std::string& ref = e.arrival().customer().ref();
        for (const auto& a : d.assignments) {
          (a.reason == v1::Assignment::RELEASED ? released_now : outcomes) += a.customer == ref;
        }
        for (const auto& h : d.held) outcomes += h.customer == ref;
        for (const auto& r : d.rejections) {
          outcomes += r.customer == ref && r.reason != v1::Rejection::HOLD_EXPIRED;
        }
        REQUIRE(outcomes + released_now == 1);
      }
      for (const Rejection& r : d.rejections) {
        if (r.reason != v1::Rejection::HOLD_EXPIRED) continue;
        REQUIRE(waiting.erase(r.customer) == 1);
        ++expired;
      }
      for (const Assignment& a : d.assignments) {
        if (a.reason == v1::Assignment::RELEASED) {
          REQUIRE(waiting.erase(a.customer) == 1);
          ++released;
        }
        if (a.reason == v1::Assignment::INHERITED) ++inherited;
        // Owner repeats and inheritance are not new adds: nothing to charge.
        if (a.reason == v1::Assignment::OWNER || a.reason == v1::Assignment::INHERITED) continue;
        const std::string id(a.employee);
        const double factor =
            surge.count(id) && at < surge[id].second ? 1.0 + surge[id].first : 1.0;
        INFO("seed " << seed << " " << id << " at " << at);
        REQUIRE(++per_day[{id, absl::ToCivilDay(at, tz)}] <=
                std::floor(daily.at(id) * factor + 1e-9));
        const absl::CivilSecond local = absl::ToCivilSecond(at, tz);
        if (id == "b" && local.hour() >= 9 && local.hour() < 18) {
          REQUIRE(++per_hour[{id, absl::CivilHour(local)}] <= std::floor(2 * factor + 1e-9));
        }
        if (id == "a") {
          auto& t = times[id];
          t.push_back(at);
          int in_window = 0;
          for (auto it = t.rbegin(); it != t.rend() && *it > at - absl::Minutes(20); ++it)
            ++in_window;
          REQUIRE(in_window <= 3);
        }
        if (id == "c") {
          REQUIRE(local.hour() >= 8);
          REQUIRE(local.hour() < 20);
        }
      }
      // Joins last: a customer whose wait expired may be held again by this very arrival.
      for (const Hold& h : d.held) {
        if (!waiting.count(h.customer)) ++held;
        waiting.insert(h.customer);
      }
    }
    CHECK(waiting.empty());
    CHECK(state.ToProto().held_size() == 0);
    CHECK(held > 50);
    CHECK(released > 20);
    CHECK(expired > 0);
    CHECK(inherited > 0);
  }
}

// SPEC §3: time-driven work runs on every event up to its time, so how often the host
// ticks does not matter: with everything due on whole minutes, ticking every 10 seconds
// instead of every minute changes no outcome and no remembered fact.
TEST_CASE("Outcomes do not depend on how often the host sends ticks") {
  const Engine engine = testing::MakeEngine(kRandom);
  const std::vector<v1::Event> minutes = RandomTrace(21, 3000, /*minute_ticks_only=*/true);
  std::vector<v1::Event> dense;
  for (const v1::Event& e : minutes) {
    if (e.has_tick()) {
      for (int s = 10; s < 60; s += 10) {
        dense.push_back(Tick(absl::FromUnixSeconds(e.at().seconds()) - absl::Seconds(s)));
      }
      std::sort(dense.end() - 5, dense.end(), [](const v1::Event& a, const v1::Event& b) {
        return a.at().seconds() < b.at().seconds();
      });
    }
    dense.push_back(e);
  }
  auto outcomes = [&](const std::vector<v1::Event>& events, State& state) {
    std::string out;
    for (const v1::Event& e : events) {
      const Decision d = MustStep(engine, e, state);
      v1::Decision p = engine.ToProto(d);
      p.clear_version();
      p.clear_at();
      if (p.assignments_size() + p.held_size() + p.rejections_size() + p.alerts_size() == 0) {
        continue;
      }
      out += ToJsonLine(p) + "\n";
    }
    return out;
  };
  State sparse_state, dense_state;
  const std::string sparse = outcomes(minutes, sparse_state);
  const std::string many = outcomes(dense, dense_state);
  CHECK(std::count(sparse.begin(), sparse.end(), '\n') > 1000);
  CHECK(sparse == many);
  v1::State a = sparse_state.ToProto(), b = dense_state.ToProto();
  a.clear_version();
  b.clear_version();
  CHECK(a.SerializeAsString() == b.SerializeAsString());
}

TEST_CASE("Random traces with holds replay identically through saved states") {
  const Engine engine = testing::MakeEngine(kRandom);
  const std::vector<v1::Event> trace = RandomTrace(77, 3000);
  State whole;
  std::string all;
  for (const v1::Event& e : trace)
    all += ToJsonLine(engine.ToProto(MustStep(engine, e, whole), true));
  std::mt19937_64 rng(8);
  for (int k = 0; k < 5; ++k) {
    const size_t split = rng() % trace.size();
    State part;
    std::string out;
    for (size_t i = 0; i < trace.size(); ++i) {
      if (i == split) part = *State::FromBytes(part.ToBytes());
      out += ToJsonLine(engine.ToProto(MustStep(engine, trace[i], part), true));
    }
    INFO("split at " << split);
    REQUIRE(out == all);
    REQUIRE(part.ToBytes() == whole.ToBytes());
  }
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

v1::Event ObservedAdd(absl::Time at, const std::string& ref, const std::string& key,
                      const std::string& employee) {
  v1::Event e;
  testing::SetTime(e, at);
  e.mutable_observed()->set_entry("e");
  e.mutable_observed()->mutable_customer()->set_ref(ref);
  e.mutable_observed()->mutable_customer()->add_keys(key);
  e.mutable_observed()->set_employee(employee);
  return e;
}

TEST_CASE("A held customer WeCom places itself leaves the pool") {
  const Engine engine = testing::MakeEngine(absl::StrCat(kPool, R"pb(employees { id: "b" })pb"));
  State state;
  MustStep(engine, Arrival(T("2026-11-24T09:00:00+08:00"), "e", "c0", {"phone:0"}), state);
  REQUIRE(MustStep(engine, Arrival(T("2026-11-24T09:01:00+08:00"), "e", "y", {"phone:2"}), state)
              .held.size() == 1);
  MustStep(engine, ObservedAdd(T("2026-11-24T09:02:00+08:00"), "y", "phone:2", "b"), state);
  CHECK(state.ToProto().held_size() == 0);
  // Next day nothing is released twice, and y stays b's.
  CHECK(MustStep(engine, Tick(T("2026-11-25T00:00:30+08:00")), state).assignments.empty());
  const Decision repeat =
      MustStep(engine, Arrival(T("2026-11-25T09:00:00+08:00"), "e", "y", {"phone:2"}), state);
  CHECK(repeat.assignments[0].employee == "b");
}

TEST_CASE("A rescan as the wait expires is a fresh arrival; one just released joins its owner") {
  const Engine engine = testing::MakeEngine(absl::StrReplaceAll(kPool, {{"24h", "1h"}}));
  State state;
  MustStep(engine, Arrival(T("2026-11-24T09:00:00+08:00"), "e", "c0", {"phone:0"}), state);
  MustStep(engine, Arrival(T("2026-11-24T09:00:00+08:00"), "e", "y", {"phone:2"}), state);
  const Decision rescan = MustStep(
      engine, Arrival(T("2026-11-24T10:00:00+08:00"), "e", "y2", {"phone:2", "unionid:u"}), state);
  REQUIRE(rescan.rejections.size() == 1);
  CHECK(rescan.rejections[0].customer == "y");
  CHECK(rescan.rejections[0].reason == v1::Rejection::HOLD_EXPIRED);
  REQUIRE(rescan.held.size() == 1);  // the new request waits afresh
  CHECK(rescan.held[0].customer == "y2");
  // Released next morning under the first ref; a scan under the other key in that same
  // event is owned by the same employee.
  const Decision morning =
      MustStep(engine, Arrival(T("2026-11-25T00:00:30+08:00"), "e", "y3", {"unionid:u"}), state);
  REQUIRE(morning.assignments.size() == 2);
  CHECK(morning.assignments[0].reason == v1::Assignment::RELEASED);
  CHECK(morning.assignments[1].customer == "y3");
  CHECK(morning.assignments[1].reason == v1::Assignment::OWNER);
  CHECK(morning.assignments[1].employee == morning.assignments[0].employee);
}

}  // namespace
}  // namespace allot
