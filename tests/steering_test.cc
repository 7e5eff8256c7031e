// SPEC §5.11: steering WeCom's own multi-person codes — `observed` adds charged like
// allot's own, and the roster to publish, with headroom so that rewrites landing late never
// overshoot a cap by more than the adds in flight.
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "test_support.h"

namespace allot {
namespace {

using testing::Arrival;
using testing::MustStep;
using testing::T;

v1::Event Observed(absl::Time at, const std::string& entry, const std::string& ref,
                   const std::string& key, const std::string& employee) {
  v1::Event e;
  testing::SetTime(e, at);
  e.mutable_observed()->set_entry(entry);
  e.mutable_observed()->mutable_customer()->set_ref(ref);
  e.mutable_observed()->mutable_customer()->add_keys(key);
  e.mutable_observed()->set_employee(employee);
  return e;
}

std::vector<std::string> Published(const Engine& engine, const State& state, absl::Time at,
                                   const std::string& entry = "code") {
  absl::StatusOr<v1::RosterList> roster = engine.Roster(entry, state, at);
  REQUIRE(roster.ok());
  return {roster->employees().begin(), roster->employees().end()};
}

constexpr char kConfig[] = R"pb(
  employees {
    id: "a"
    caps { daily: 3 }
  }
  employees {
    id: "b"
    caps { daily: 5 }
  }
  employees {
    id: "c"
    caps { daily: 5 }
  }
  employees { id: "s" }
  groups {
    id: "g"
    strategy: ROUND_ROBIN
    members { employee: "a" }
    members { employee: "b" }
    members { employee: "c" }
    backups: "spare"
  }
  groups {
    id: "spare"
    members { employee: "s" }
  }
  entries { id: "code" group: "g" }
  roster { headroom: 1 }
)pb";

const absl::Time t0 =
    absl::FromCivil(absl::CivilSecond(2026, 11, 24, 2, 0, 0), absl::UTCTimeZone());

TEST_CASE("Observed adds are charged like NEW, past a cap too, with OVER_CAP") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  std::vector<Decision> ds;
  for (int i = 0; i < 4; ++i) {
    ds.push_back(MustStep(engine,
                          Observed(t0 + absl::Minutes(i), "code", absl::StrCat("c", i),
                                   absl::StrCat("phone:", i), "a"),
                          state));
    REQUIRE(ds.back().assignments.size() == 1);
    CHECK(ds.back().assignments[0].reason == v1::Assignment::NEW);
    CHECK(ds.back().assignments[0].employee == "a");
  }
  CHECK(ds[2].alerts.empty());
  REQUIRE(ds[3].alerts.size() == 1);  // the 4th add went past a's cap of 3
  CHECK(ds[3].alerts[0].kind == v1::Alert::OVER_CAP);
  CHECK(ds[3].alerts[0].employee == "a");
  // Charged and remembered: a repeat scan of c0 goes to a, and a takes no new customer.
  const Decision repeat =
      MustStep(engine, Arrival(t0 + absl::Minutes(5), "code", "c0", {"phone:0"}), state);
  CHECK(repeat.assignments[0].reason == v1::Assignment::OWNER);
  CHECK(repeat.assignments[0].employee == "a");
  const Decision next =
      MustStep(engine, Arrival(t0 + absl::Minutes(6), "code", "n", {"phone:99"}), state);
  CHECK(next.assignments[0].employee != "a");
}

TEST_CASE("An observed repeat is the owner's; someone else's add is charged, owner kept") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  MustStep(engine, Observed(t0, "code", "c1", "phone:1", "b"), state);
  const Decision same =
      MustStep(engine, Observed(t0 + absl::Minutes(1), "code", "c1", "phone:1", "b"), state);
  CHECK(same.assignments[0].reason == v1::Assignment::OWNER);
  const Decision other =
      MustStep(engine, Observed(t0 + absl::Minutes(2), "code", "c1", "phone:1", "c"), state);
  REQUIRE(other.alerts.size() == 1);
  CHECK(other.alerts[0].kind == v1::Alert::DUPLICATE_ADD);
  CHECK(other.alerts[0].employee == "c");
  CHECK(other.alerts[0].owner == "b");
  const Decision scan =
      MustStep(engine, Arrival(t0 + absl::Minutes(3), "code", "c1", {"phone:1"}), state);
  CHECK(scan.assignments[0].employee == "b");  // owner unchanged
  // c was charged: with cap 5 and one add, the roster still lists c; after 3 more, not.
  for (int i = 0; i < 3; ++i) {
    MustStep(engine,
             Observed(t0 + absl::Minutes(4 + i), "code", absl::StrCat("x", i),
                      absl::StrCat("phone:", 50 + i), "c"),
             state);
  }
  const std::vector<std::string> roster = Published(engine, state, t0 + absl::Minutes(10));
  CHECK(std::find(roster.begin(), roster.end(), "c") == roster.end());  // 1 left, not above 1
}

TEST_CASE("The roster lists the first group with eligible members, in strategy order") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  CHECK(Published(engine, state, t0) == std::vector<std::string>{"a", "b", "c"});
  MustStep(engine, Arrival(t0, "code", "c1", {"phone:1"}), state);  // round robin: a took it
  CHECK(Published(engine, state, t0) == std::vector<std::string>{"b", "c", "a"});
  // Fill the group: the roster moves to the backup group.
  for (int i = 0; i < 12; ++i) {
    MustStep(engine, Arrival(t0 + absl::Seconds(i), "code", "x", {absl::StrCat("phone:", 100 + i)}),
             state);
  }
  absl::StatusOr<v1::RosterList> roster = engine.Roster("code", state, t0 + absl::Minutes(1));
  REQUIRE(roster.ok());
  CHECK(roster->group() == "spare");
  CHECK(std::vector<std::string>(roster->employees().begin(), roster->employees().end()) ==
        std::vector<std::string>{"s"});
  CHECK(engine.Roster("nope", state, t0).status().code() == absl::StatusCode::kInvalidArgument);
}

// The point of headroom: a host publishes the roster, and WeCom keeps assigning from the
// published list until the next rewrite lands. With at most `headroom` adds per employee in
// flight between rewrites, no cap is ever overshot.
TEST_CASE("Steering with headroom never overshoots a cap by more than the adds in flight") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees {
      id: "a"
      caps { daily: 20 }
    }
    employees {
      id: "b"
      caps { daily: 15 }
    }
    employees {
      id: "c"
      caps { daily: 25 }
    }
    groups {
      id: "g"
      strategy: LEAST_LOADED
      members { employee: "a" }
      members { employee: "b" }
      members { employee: "c" }
    }
    entries { id: "code" group: "g" }
    roster { headroom: 2 }
  )pb");
  const std::map<std::string, int> cap = {{"a", 20}, {"b", 15}, {"c", 25}};
  std::mt19937_64 rng(5);
  State state;
  std::map<std::string, int> added;
  absl::Time now = t0;
  int customer = 0, over_cap_alerts = 0;
  for (int round = 0; round < 100; ++round) {
    const std::vector<std::string> published = Published(engine, state, now);
    if (published.empty()) break;
    // Before the rewrite lands, up to `headroom` adds per published employee.
    for (const std::string& who : published) {
      for (int k = static_cast<int>(rng() % 3); k > 0; --k) {
        now += absl::Seconds(10);
        const Decision d = MustStep(engine,
                                    Observed(now, "code", absl::StrCat("c", customer),
                                             absl::StrCat("phone:", customer), who),
                                    state);
        ++customer;
        ++added[who];
        for (const Alert& a : d.alerts) over_cap_alerts += a.kind == v1::Alert::OVER_CAP;
      }
    }
  }
  for (const auto& [id, n] : added) {
    INFO(id);
    CHECK(n <= cap.at(id));
    CHECK(n >= cap.at(id) - 2);  // and capacity is used, up to the headroom
  }
  CHECK(over_cap_alerts == 0);
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

TEST_CASE("The roster's first employee is the one the strategy picks next") {
  for (const char* strategy : {"WEIGHTED", "ROUND_ROBIN", "SEQUENTIAL", "LEAST_LOADED"}) {
    const Engine engine = testing::MakeEngine(absl::StrCat(R"pb(
                                                             employees { id: "a" weight: 1.5 }
                                                             employees { id: "b" }
                                                             employees { id: "c" weight: 0.7 }
                                                             employees { id: "d" weight: 3 }
                                                             groups { id: "g" strategy:)pb",
                                                           strategy, R"pb(
        members { employee: "a" }
        members { employee: "b" }
        members { employee: "c" }
        members { employee: "d" }
      }
              entries { id: "code" group: "g" }
      roster { headroom: 0 }
    )pb"));
    State state;
    absl::Time now = T("2026-11-24T10:00:00+08:00");
    for (int i = 0; i < 200; ++i) {
      now += absl::Seconds(7);
      const std::vector<std::string> roster = Published(engine, state, now);
      REQUIRE(!roster.empty());
      const Decision d = MustStep(
          engine, Arrival(now, "code", absl::StrCat("c", i), {absl::StrCat("phone:", i)}), state);
      INFO(strategy << " arrival " << i);
      REQUIRE(d.assignments.size() == 1);
      REQUIRE(roster[0] == d.assignments[0].employee);
    }
  }
}

}  // namespace
}  // namespace allot
