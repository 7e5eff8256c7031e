// SPEC §5.4 capacity and §5.9 status, through the engine: hourly slot caps, the exact
// pressure window, level factors, the reserve fraction, surges, PAUSED / ON_LEAVE / ACTIVE.
#include <catch2/catch.hpp>

#include "test_support.h"

namespace allot {
namespace {

using testing::Arrival;
using testing::AssignedTo;
using testing::MustStep;
using testing::T;

v1::Event SurgeEvent(absl::Time at, const std::string& employee, const std::string& group,
                     double extra, const std::string& duration) {
  v1::Event e;
  testing::SetTime(e, at);
  e.mutable_surge()->set_employee(employee);
  e.mutable_surge()->set_group(group);
  e.mutable_surge()->set_extra(extra);
  e.mutable_surge()->set_duration(duration);
  return e;
}

// Steps `n` new customers at `at` (+1s each); returns who got them ("" for none).
std::vector<std::string> Arrive(const Engine& engine, State& state, absl::Time at, int n,
                                int* counter) {
  std::vector<std::string> got;
  for (int i = 0; i < n; ++i) {
    ++*counter;
    got.push_back(
        AssignedTo(MustStep(engine,
                            Arrival(at + absl::Seconds(i), "e", absl::StrCat("c", *counter),
                                    {absl::StrCat("phone:", *counter)}),
                            state)));
  }
  return got;
}

int Count(const std::vector<std::string>& got, const std::string& who) {
  return static_cast<int>(std::count(got.begin(), got.end(), who));
}

TEST_CASE("Hourly slot caps hold per clock hour inside their slot") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees {
      id: "a"
      caps { hourly { start: "09:00" end: "12:00" per_hour: 2 } }
    }
    groups {
      id: "g"
      members { employee: "a" }
    }
    entries { id: "e" group: "g" }
  )pb");
  State state;
  int n = 0;
  CHECK(Count(Arrive(engine, state, T("2026-11-24T09:10:00+08:00"), 3, &n), "a") == 2);
  CHECK(Count(Arrive(engine, state, T("2026-11-24T10:00:00+08:00"), 3, &n), "a") == 2);
  const Decision d = MustStep(
      engine, Arrival(T("2026-11-24T10:30:00+08:00"), "e", "x", {"unionid:x1"}, true), state);
  REQUIRE(d.explanation);
  CHECK(d.explanation->groups(0).skipped(0).reason() == v1::Explanation::HOURLY_CAP);
  CHECK(Count(Arrive(engine, state, T("2026-11-24T12:00:00+08:00"), 5, &n), "a") == 5);  // outside
}

TEST_CASE("The pressure limit is an exact sliding window, and pausing raises an alert") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees {
      id: "a"
      caps { pressure { max: 3 window: "30m" } }
    }
    groups {
      id: "g"
      members { employee: "a" }
    }
    entries { id: "e" group: "g" }
  )pb");
  State state;
  int n = 0;
  std::vector<Decision> ds;
  for (const char* at : {"09:00:00", "09:01:00", "09:02:00", "09:29:59", "09:30:00", "09:30:30",
                         "09:31:00", "09:32:00"}) {
    ++n;
    ds.push_back(MustStep(engine,
                          Arrival(T(absl::StrCat("2026-11-24T", at, "+08:00")), "e",
                                  absl::StrCat("c", n), {absl::StrCat("phone:", n)}),
                          state));
  }
  std::vector<std::string> got;
  for (const Decision& d : ds) got.push_back(AssignedTo(d));
  CHECK(got == std::vector<std::string>{"a", "a", "a", "", "a", "", "a", "a"});
  REQUIRE(ds[2].alerts.size() == 1);
  CHECK(ds[2].alerts[0].kind == v1::Alert::PRESSURE_PAUSE);
  CHECK(ds[2].alerts[0].employee == "a");
  CHECK(ds[0].alerts.empty());
  CHECK(ds[3].rejections[0].reason == v1::Rejection::NO_CAPACITY);
}

TEST_CASE("Level factors scale caps: a supervisor at 0.7 of 10 takes 7") {
  const Engine engine = testing::MakeEngine(R"pb(
    level_factors { key: "supervisor" value: 0.7 }
    default_caps { daily: 10 }
    employees { id: "boss" level: "supervisor" }
    employees { id: "rep" }
    groups {
      id: "g"
      strategy: SEQUENTIAL
      members { employee: "boss" }
      members { employee: "rep" }
    }
    entries { id: "e" group: "g" }
  )pb");
  State state;
  int n = 0;
  const std::vector<std::string> got =
      Arrive(engine, state, T("2026-11-24T09:00:00+08:00"), 20, &n);
  CHECK(Count(got, "boss") == 7);
  CHECK(Count(got, "rep") == 10);
}

TEST_CASE("The reserve is used only when the whole cascade is full, and says so") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees {
      id: "a"
      caps { daily: 10 }
    }
    employees {
      id: "b"
      caps { daily: 20 }
    }
    groups {
      id: "g"
      members { employee: "a" }
      backups: "h"
    }
    groups {
      id: "h"
      members { employee: "b" }
    }
    entries { id: "e" group: "g" }
    buffer { reserve_fraction: 0.1 }
  )pb");
  State state;
  int n = 0;
  std::vector<Decision> ds;
  for (int i = 0; i < 31; ++i) {
    ++n;
    ds.push_back(MustStep(engine,
                          Arrival(T("2026-11-24T09:00:00+08:00") + absl::Seconds(i), "e",
                                  absl::StrCat("c", n), {absl::StrCat("phone:", n)}),
                          state));
  }
  // Normal capacity: a 9, b 18 (floor of 90%); then the reserve: a's 1, b's 2; then none.
  for (int i = 0; i < 9; ++i)
    CHECK((AssignedTo(ds[i]) == "a" && !ds[i].assignments[0].used_reserve));
  for (int i = 9; i < 27; ++i)
    CHECK((AssignedTo(ds[i]) == "b" && !ds[i].assignments[0].used_reserve));
  CHECK(AssignedTo(ds[27]) == "a");
  CHECK(ds[27].assignments[0].used_reserve);
  CHECK(AssignedTo(ds[28]) == "b");
  CHECK(AssignedTo(ds[29]) == "b");
  CHECK(ds[29].assignments[0].used_reserve);
  CHECK(ds[30].rejections.size() == 1);
}

TEST_CASE("A surge raises caps by its extra for its duration; larger ones are refused") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees {
      id: "a"
      caps { daily: 10 }
    }
    employees {
      id: "b"
      caps { daily: 10 }
    }
    groups {
      id: "g"
      strategy: SEQUENTIAL
      members { employee: "a" }
      members { employee: "b" }
    }
    entries { id: "e" group: "g" }
  )pb");
  State state;
  int n = 0;
  MustStep(engine, SurgeEvent(T("2026-11-24T09:00:00+08:00"), "", "g", 0.2, "1h"), state);
  CHECK(Count(Arrive(engine, state, T("2026-11-24T09:10:00+08:00"), 30, &n), "") == 6);
  // After the hour, caps are back to 10: both are over and get nobody more.
  CHECK(Count(Arrive(engine, state, T("2026-11-24T10:00:00+08:00"), 2, &n), "") == 2);
  for (const auto& [extra, duration] :
       std::vector<std::pair<double, std::string>>{{0.21, "1h"}, {0.1, "121m"}, {0, "1h"}}) {
    absl::StatusOr<Decision> d =
        engine.Decide(SurgeEvent(T("2026-11-24T11:00:00+08:00"), "a", "", extra, duration), state);
    CHECK(d.status().code() == absl::StatusCode::kInvalidArgument);
  }
  // An employee surge persists through the state's bytes.
  MustStep(engine, SurgeEvent(T("2026-11-25T09:00:00+08:00"), "a", "", 0.2, "2h"), state);
  State loaded = *State::FromBytes(state.ToBytes());
  CHECK(Count(Arrive(engine, loaded, T("2026-11-25T09:01:00+08:00"), 30, &n), "a") == 12);
  // So does a group surge, for every member.
  MustStep(engine, SurgeEvent(T("2026-11-26T09:00:00+08:00"), "", "g", 0.2, "1h"), loaded);
  State reloaded = *State::FromBytes(loaded.ToBytes());
  const std::vector<std::string> day3 =
      Arrive(engine, reloaded, T("2026-11-26T09:01:00+08:00"), 30, &n);
  CHECK(Count(day3, "a") == 12);
  CHECK(Count(day3, "b") == 12);
}

TEST_CASE("PAUSED and ON_LEAVE employees get nobody new; ACTIVE restores; status persists") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees { id: "a" }
    employees { id: "b" }
    groups {
      id: "g"
      strategy: ROUND_ROBIN
      members { employee: "a" }
      members { employee: "b" }
    }
    entries { id: "e" group: "g" }
  )pb");
  State state;
  int n = 0;
  MustStep(engine,
           testing::StatusEvent(T("2026-11-24T09:00:00+08:00"), "a", v1::EmployeeStatus::PAUSED),
           state);
  CHECK(Count(Arrive(engine, state, T("2026-11-24T09:01:00+08:00"), 4, &n), "b") == 4);
  State loaded = *State::FromBytes(state.ToBytes());
  MustStep(engine,
           testing::StatusEvent(T("2026-11-24T09:02:00+08:00"), "b", v1::EmployeeStatus::ON_LEAVE),
           loaded);
  const Decision none = MustStep(
      engine, Arrival(T("2026-11-24T09:03:00+08:00"), "e", "x", {"unionid:x"}, true), loaded);
  REQUIRE(none.rejections.size() == 1);
  CHECK(none.rejections[0].reason == v1::Rejection::NO_STAFF_ON_DUTY);
  CHECK(none.explanation->groups(0).skipped(0).reason() == v1::Explanation::PAUSED);
  CHECK(none.explanation->groups(0).skipped(1).reason() == v1::Explanation::ON_LEAVE);
  MustStep(engine,
           testing::StatusEvent(T("2026-11-24T09:04:00+08:00"), "a", v1::EmployeeStatus::ACTIVE),
           loaded);
  CHECK(Count(Arrive(engine, loaded, T("2026-11-24T09:05:00+08:00"), 3, &n), "a") == 3);
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

std::vector<int> AlertIndices(const std::vector<Decision>& ds, v1::Alert::Kind kind) {
  std::vector<int> out;
  for (size_t i = 0; i < ds.size(); ++i) {
    for (const Alert& a : ds[i].alerts) {
      if (a.kind == kind) out.push_back(static_cast<int>(i));
    }
  }
  return out;
}

TEST_CASE("The capacity alert fires once per entry per day at capacity_ratio") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees {
      id: "a"
      caps { daily: 10 }
    }
    employees {
      id: "b"
      caps { daily: 10 }
    }
    groups {
      id: "g"
      members { employee: "a" }
      members { employee: "b" }
    }
    entries { id: "e" group: "g" }
    entries { id: "f" group: "g" }
    alerts { capacity_ratio: 0.5 }
  )pb");
  State state;
  std::vector<Decision> ds;
  auto arrive = [&](absl::Time at, const char* entry, int i) {
    ds.push_back(MustStep(
        engine, Arrival(at, entry, absl::StrCat("c", i), {absl::StrCat("phone:", i)}), state));
  };
  for (int i = 0; i < 14; ++i) arrive(T("2026-11-24T09:00:00+08:00") + absl::Seconds(i), "e", i);
  // "f" shares the cascade but counts its own assignments.
  for (int i = 14; i < 20; ++i) arrive(T("2026-11-24T10:00:00+08:00") + absl::Seconds(i), "f", i);
  // Capacity is 20: the 10th assignment of "e" (index 9) reaches half; "f" gets 6, not 10.
  CHECK(AlertIndices(ds, v1::Alert::CAPACITY_RATIO) == std::vector<int>{9});
  CHECK(ds[9].alerts[0].entry == "e");
  // A new day, a new alert; the count survives a save and load.
  State loaded = *State::FromBytes(state.ToBytes());
  state = std::move(loaded);
  ds.clear();
  for (int i = 20; i < 32; ++i) arrive(T("2026-11-25T09:00:00+08:00") + absl::Seconds(i), "e", i);
  CHECK(AlertIndices(ds, v1::Alert::CAPACITY_RATIO) == std::vector<int>{9});
}

TEST_CASE("The first use of the reserve each day raises RESERVE_USED") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees {
      id: "a"
      caps { daily: 10 }
    }
    groups {
      id: "g"
      members { employee: "a" }
    }
    entries { id: "e" group: "g" }
    buffer { reserve_fraction: 0.3 }
    alerts { capacity_ratio: 1 }
  )pb");
  State state;
  std::vector<Decision> ds;
  for (int day = 24; day <= 25; ++day) {
    for (int i = 0; i < 10; ++i) {
      ds.push_back(
          MustStep(engine,
                   Arrival(T(absl::StrCat("2026-11-", day, "T09:00:00+08:00")) + absl::Seconds(i),
                           "e", "c", {absl::StrCat("phone:", day * 100 + i)}),
                   state));
    }
  }
  // 7 normal, then reserve on the 8th (index 7) of each day.
  CHECK(AlertIndices(ds, v1::Alert::RESERVE_USED) == std::vector<int>{7, 17});
  CHECK(ds[7].assignments[0].used_reserve);
  CHECK(ds[8].assignments[0].used_reserve);
  CHECK(AlertIndices(ds, v1::Alert::CAPACITY_RATIO) == std::vector<int>{9, 19});
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

TEST_CASE("DEPARTED: remembered customers go to colleagues as INHERITED, uncharged") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees {
      id: "a"
      caps { daily: 2 }
    }
    employees {
      id: "b"
      caps { daily: 2 }
    }
    employees {
      id: "c"
      caps { daily: 2 }
    }
    groups {
      id: "g"
      strategy: ROUND_ROBIN
      members { employee: "a" }
      members { employee: "b" }
      members { employee: "c" }
    }
    entries { id: "e" group: "g" }
  )pb");
  State state;
  for (int i = 0; i < 4; ++i) {  // a, b, c, a
    MustStep(engine,
             Arrival(T("2026-11-24T09:00:00+08:00") + absl::Minutes(i), "e", absl::StrCat("c", i),
                     {absl::StrCat("phone:", i)}),
             state);
  }
  const Decision gone = MustStep(
      engine,
      testing::StatusEvent(T("2026-11-24T10:00:00+08:00"), "a", v1::EmployeeStatus::DEPARTED),
      state);
  REQUIRE(gone.assignments.size() == 2);
  CHECK(gone.assignments[0].reason == v1::Assignment::INHERITED);
  CHECK(gone.assignments[0].customer == *engine.KeyToken("e", "phone:0"));
  CHECK(gone.assignments[0].employee == "b");
  CHECK(gone.assignments[1].customer == *engine.KeyToken("e", "phone:3"));
  CHECK(gone.assignments[1].employee == "c");
  // The new owners own them; nothing was charged, so b and c each still take one new.
  const Decision repeat =
      MustStep(engine, Arrival(T("2026-11-24T10:01:00+08:00"), "e", "c0", {"phone:0"}), state);
  CHECK(repeat.assignments[0].reason == v1::Assignment::OWNER);
  CHECK(repeat.assignments[0].employee == "b");
  int fresh = 0;
  for (int i = 10; i < 13; ++i) {
    const Decision d = MustStep(engine,
                                Arrival(T("2026-11-24T10:02:00+08:00") + absl::Seconds(i), "e",
                                        absl::StrCat("n", i), {absl::StrCat("phone:", i)}),
                                state);
    fresh += static_cast<int>(d.assignments.size());
  }
  CHECK(fresh == 2);
  // Departing again hands over nothing more.
  CHECK(MustStep(
            engine,
            testing::StatusEvent(T("2026-11-24T10:05:00+08:00"), "a", v1::EmployeeStatus::DEPARTED),
            state)
            .assignments.empty());
  CHECK_FALSE(engine.KeyToken("nope", "phone:1").ok());
  CHECK_FALSE(engine.KeyToken("e", "nokey").ok());
}

}  // namespace
}  // namespace allot
