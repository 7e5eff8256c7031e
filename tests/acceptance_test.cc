// SPEC §5.4 acceptance tracking and §5.9 leave: accepted events, transfers after
// accept_timeout (never back, at most max_transfers, charged to the receiver), unresponsive
// employees, throttle tiers; and invariants over random traces with acceptance.
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

v1::Event Accepted(absl::Time at, const std::string& ref, const std::string& key,
                   const std::string& employee) {
  v1::Event e;
  testing::SetTime(e, at);
  e.mutable_accepted()->mutable_customer()->set_ref(ref);
  e.mutable_accepted()->mutable_customer()->add_keys(key);
  e.mutable_accepted()->set_employee(employee);
  return e;
}

const Assignment* Transferred(const Decision& d) {
  for (const Assignment& a : d.assignments) {
    if (a.reason == v1::Assignment::TRANSFERRED) return &a;
  }
  return nullptr;
}

constexpr char kConfig[] = R"pb(
  employees { id: "a" }
  employees { id: "b" }
  employees { id: "c" }
  groups {
    id: "g"
    strategy: SEQUENTIAL
    members { employee: "a" }
    members { employee: "b" }
    members { employee: "c" }
  }
  entries { id: "e" group: "g" }
  buffer { accept_timeout: "3m" max_transfers: 2 }
)pb";

// 2026-11-24 10:00 in Shanghai.
const absl::Time t0 =
    absl::FromCivil(absl::CivilSecond(2026, 11, 24, 2, 0, 0), absl::UTCTimeZone());

TEST_CASE("An accepted assignment stays; an unaccepted one moves after accept_timeout") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  REQUIRE(AssignedTo(MustStep(engine, Arrival(t0, "e", "c1", {"phone:1"}), state)) == "a");
  REQUIRE(AssignedTo(MustStep(engine, Arrival(t0, "e", "c2", {"phone:2"}), state)) == "a");
  MustStep(engine, Accepted(t0 + absl::Minutes(1), "c1", "phone:1", "a"), state);
  CHECK(
      MustStep(engine, Tick(t0 + absl::Minutes(2) + absl::Seconds(59)), state).assignments.empty());
  const Decision moved = MustStep(engine, Tick(t0 + absl::Minutes(3)), state);
  REQUIRE(moved.assignments.size() == 1);
  CHECK(moved.assignments[0].customer == "c2");
  CHECK(moved.assignments[0].reason == v1::Assignment::TRANSFERRED);
  CHECK(moved.assignments[0].employee == "b");
  // The customer is b's now: a repeat goes to b.
  const Decision repeat =
      MustStep(engine, Arrival(t0 + absl::Minutes(4), "e", "c2", {"phone:2"}), state);
  CHECK(repeat.assignments[0].reason == v1::Assignment::OWNER);
  CHECK(repeat.assignments[0].employee == "b");
}

TEST_CASE("A transferred customer counts against the receiver's caps") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees { id: "a" }
    employees {
      id: "b"
      caps { daily: 1 }
    }
    employees { id: "c" }
    groups {
      id: "g"
      strategy: SEQUENTIAL
      members { employee: "a" }
      members { employee: "b" }
      members { employee: "c" }
    }
    entries { id: "e" group: "g" }
    buffer { accept_timeout: "3m" }
  )pb");
  State state;
  REQUIRE(AssignedTo(MustStep(engine, Arrival(t0, "e", "c1", {"phone:1"}), state)) == "a");
  const Decision moved = MustStep(engine, Tick(t0 + absl::Minutes(3)), state);
  REQUIRE(Transferred(moved) != nullptr);
  CHECK(Transferred(moved)->employee == "b");
  // a is unresponsive no more (its customer moved) but b is full: the next goes to a, and
  // with a paused, to c, never to b.
  MustStep(engine, testing::StatusEvent(t0 + absl::Minutes(4), "a", v1::EmployeeStatus::PAUSED),
           state);
  const Decision next =
      MustStep(engine, Arrival(t0 + absl::Minutes(5), "e", "c2", {"phone:2"}, true), state);
  CHECK(AssignedTo(next) == "c");
  CHECK(next.explanation->groups(0).skipped(1).reason() == v1::Explanation::DAILY_CAP);
}

TEST_CASE("Transfers never go back to an earlier holder and stop at max_transfers") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  REQUIRE(AssignedTo(MustStep(engine, Arrival(t0, "e", "c1", {"phone:1"}), state)) == "a");
  std::vector<std::string> holders;
  for (int k = 1; k <= 4; ++k) {
    const Decision d = MustStep(engine, Tick(t0 + absl::Minutes(3 * k)), state);
    if (const Assignment* a = Transferred(d)) holders.push_back(std::string(a->employee));
  }
  CHECK(holders == std::vector<std::string>{"b", "c"});
  // c is stuck with an overdue assignment: unresponsive, skipped until it accepts.
  const Decision next = MustStep(
      engine, Arrival(t0 + absl::Minutes(13), "e", "c9", {"phone:9"}, /*explain=*/true), state);
  CHECK(AssignedTo(next) == "a");
  // A late callback from someone who no longer holds the customer changes nothing.
  const std::string before = state.ToBytes();
  absl::StatusOr<Decision> late =
      engine.Decide(Accepted(t0 + absl::Minutes(14), "c1", "phone:1", "a"), state);
  REQUIRE(late.ok());
  CHECK(late->delta.pending_done.empty());
  CHECK(engine.Decide(Accepted(t0 + absl::Minutes(14), "c1", "phone:1", "nobody"), state)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  CHECK(state.ToBytes() == before);
}

TEST_CASE("An unresponsive employee gets nobody new until it accepts") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees { id: "a" }
    employees {
      id: "b"
      caps { daily: 0 }
    }
    groups {
      id: "g"
      strategy: SEQUENTIAL
      members { employee: "a" }
      members { employee: "b" }
    }
    entries { id: "e" group: "g" }
    buffer { accept_timeout: "3m" }
  )pb");
  State state;
  REQUIRE(AssignedTo(MustStep(engine, Arrival(t0, "e", "c1", {"phone:1"}), state)) == "a");
  // b is full, so c1 cannot move: a stays its holder, overdue.
  const Decision skipped = MustStep(
      engine, Arrival(t0 + absl::Minutes(5), "e", "c2", {"phone:2"}, /*explain=*/true), state);
  CHECK(AssignedTo(skipped).empty());
  REQUIRE(skipped.explanation != nullptr);
  CHECK(skipped.explanation->groups(0).skipped(0).reason() == v1::Explanation::UNRESPONSIVE);
  MustStep(engine, Accepted(t0 + absl::Minutes(6), "", "phone:1", "a"), state);  // by key
  CHECK(AssignedTo(MustStep(engine, Arrival(t0 + absl::Minutes(7), "e", "c3", {"phone:3"}),
                            state)) == "a");
}

TEST_CASE("Going on leave hands over unaccepted customers at once") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  REQUIRE(AssignedTo(MustStep(engine, Arrival(t0, "e", "c1", {"phone:1"}), state)) == "a");
  const Decision leave = MustStep(
      engine, testing::StatusEvent(t0 + absl::Minutes(1), "a", v1::EmployeeStatus::ON_LEAVE),
      state);
  const Assignment* moved = Transferred(leave);
  REQUIRE(moved != nullptr);
  CHECK(moved->customer == "c1");
  CHECK(moved->employee == "b");
}

TEST_CASE("Throttle tiers cut the caps of employees who leave requests unanswered") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees {
      id: "a"
      caps { daily: 10 }
    }
    employees { id: "b" }
    groups {
      id: "g"
      strategy: SEQUENTIAL
      members { employee: "a" }
      members { employee: "b" }
    }
    entries { id: "e" group: "g" }
    buffer { accept_timeout: "3m" max_transfers: 1 }
    throttle {
      last: 4
      tiers { below: 0.5 factor: 0.5 }
    }
  )pb");
  State state;
  // Four customers to a, none accepted: all move to b, a's rate drops to 0.
  for (int i = 0; i < 4; ++i) {
    REQUIRE(AssignedTo(MustStep(engine,
                                Arrival(t0 + absl::Seconds(i), "e", absl::StrCat("c", i),
                                        {absl::StrCat("phone:", i)}),
                                state)) == "a");
  }
  const Decision moved = MustStep(engine, Tick(t0 + absl::Minutes(4)), state);
  CHECK(moved.assignments.size() == 4);
  // a had 4 today; its cap is now 10 × 0.5 = 5: one more, then b.
  std::vector<std::string> got;
  for (int i = 10; i < 13; ++i) {
    const Decision d = MustStep(engine,
                                Arrival(t0 + absl::Minutes(5) + absl::Seconds(i), "e",
                                        absl::StrCat("c", i), {absl::StrCat("phone:", i)}),
                                state);
    got.push_back(AssignedTo(d));
    MustStep(engine,
             Accepted(t0 + absl::Minutes(5) + absl::Seconds(i), absl::StrCat("c", i),
                      absl::StrCat("phone:", i), AssignedTo(d)),
             state);
  }
  CHECK(got == std::vector<std::string>{"a", "b", "b"});
}

// ---- Random traces: hosts accept most requests, some late, some never.
TEST_CASE("Random traces with acceptance: transfers bounded, never back, replay through bytes") {
  const Engine engine = testing::MakeEngine(R"pb(
    tenant: "acc"
    default_caps {
      daily: 30
      pressure { max: 4 window: "15m" }
    }
    employees { id: "a" }
    employees { id: "b" weight: 2 }
    employees { id: "c" }
    employees { id: "d" }
    groups {
      id: "g"
      strategy: WEIGHTED
      members { employee: "a" }
      members { employee: "b" }
      members { employee: "c" }
      backups: "h"
    }
    groups {
      id: "h"
      strategy: ROUND_ROBIN
      members { employee: "d" }
      members { employee: "a" }
    }
    entries { id: "e" group: "g" }
    buffer { accept_timeout: "3m" max_transfers: 2 hold_capacity: 20 max_hold: "1h" }
    throttle {
      last: 8
      tiers { below: 0.3 factor: 0.5 }
    }
  )pb");
  for (uint64_t seed : {1, 2, 3}) {
    std::mt19937_64 rng(seed);
    State state, split;
    std::map<std::string, std::string> holder;         // customer → employee now
    std::map<std::string, std::set<std::string>> had;  // customer → all holders
    std::map<std::string, int> transfers;
    absl::Time now = t0;
    std::string whole_log, split_log;
    const int kSteps = 4000;
    const int split_at = static_cast<int>(rng() % kSteps);
    uint64_t moved = 0;
    for (int step = 0; step < kSteps; ++step) {
      now += absl::Seconds(rng() % 90);
      v1::Event e;
      if (rng() % 3 == 0 && !holder.empty()) {
        auto it = holder.begin();
        std::advance(it, rng() % holder.size());
        // Sometimes a stale employee (a late callback), usually the holder.
        const std::string who = rng() % 5 == 0 ? std::string(1, "abcd"[rng() % 4]) : it->second;
        e = Accepted(now, it->first, absl::StrCat("phone:", it->first.substr(1)), who);
      } else if (rng() % 25 == 0) {
        const v1::EmployeeStatus::Status s[] = {v1::EmployeeStatus::ACTIVE,
                                                v1::EmployeeStatus::ON_LEAVE};
        e = testing::StatusEvent(now, std::string(1, "abcd"[rng() % 4]), s[rng() % 2]);
      } else {
        const int c = static_cast<int>(rng() % 3000);
        e = Arrival(now, "e", absl::StrCat("c", c), {absl::StrCat("phone:", c)});
      }
      if (step == split_at) split = *State::FromBytes(state.ToBytes());
      const Decision d = MustStep(engine, e, state);
      whole_log += ToJsonLine(engine.ToProto(d, true));
      if (step >= split_at)
        split_log += ToJsonLine(engine.ToProto(MustStep(engine, e, split), true));
      for (const Assignment& a : d.assignments) {
        const std::string who(a.employee);
        if (a.reason == v1::Assignment::TRANSFERRED) {
          ++moved;
          REQUIRE(++transfers[a.customer] <= 2);
          REQUIRE_FALSE(had[a.customer].count(who));
        }
        if (a.reason != v1::Assignment::OWNER) {
          if (a.reason != v1::Assignment::TRANSFERRED) {
            had[a.customer].clear();
            transfers[a.customer] = 0;
          }
          had[a.customer].insert(who);
          holder[a.customer] = who;
        }
      }
    }
    CHECK(moved > 20);
    CHECK(split.ToBytes() == state.ToBytes());
    CHECK(whole_log.substr(whole_log.size() - split_log.size()) == split_log);
  }
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

// SPEC §3: a tick before an event at the same time changes nothing the event decides.
std::string StateWithoutVersion(const State& state) {
  v1::State p = state.ToProto();
  p.clear_version();
  return p.SerializeAsString();
}

TEST_CASE("Transfers and throttling come out the same with or without a tick first") {
  const char* configs[] = {
      // A transfer's "not accepted" must cut the caps of placements later in the decision.
      R"pb(employees {
             id: "a"
             caps { daily: 2 }
           }
           employees { id: "b" }
           groups {
             id: "g"
             strategy: SEQUENTIAL
             members { employee: "a" }
             members { employee: "b" }
           }
           entries { id: "e1" group: "g" }
           entries { id: "e2" group: "g" }
           buffer { accept_timeout: "3m" }
           throttle {
             last: 1
             tiers { below: 0.5 factor: 0.5 }
           })pb",
      // A transfer that frees b lets another transfer waiting for b go through.
      R"pb(employees { id: "a" }
           employees { id: "b" }
           employees { id: "c" }
           groups {
             id: "g1"
             strategy: SEQUENTIAL
             members { employee: "a" }
             members { employee: "b" }
           }
           groups {
             id: "g2"
             strategy: SEQUENTIAL
             members { employee: "b" }
             members { employee: "c" }
           }
           entries { id: "e1" group: "g1" }
           entries { id: "e2" group: "g2" }
           buffer { accept_timeout: "3m" })pb"};
  for (const char* config : configs) {
    const Engine engine = testing::MakeEngine(config);
    State plain;
    MustStep(engine, Arrival(t0, "e1", "x", {"phone:1"}), plain);
    MustStep(engine, Arrival(t0, "e2", "y", {"phone:2"}), plain);
    State ticked = plain;
    const v1::Event z = Arrival(t0 + absl::Minutes(3), "e1", "z", {"phone:3"});
    const Decision direct = MustStep(engine, z, plain);
    MustStep(engine, Tick(t0 + absl::Minutes(3)), ticked);
    const Decision after_tick = MustStep(engine, z, ticked);
    auto employee_of_z = [](const Decision& d) {
      for (const Assignment& a : d.assignments) {
        if (a.customer == "z") return std::string(a.employee);
      }
      return std::string();
    };
    CHECK(employee_of_z(direct) == employee_of_z(after_tick));
    CHECK_FALSE(employee_of_z(direct).empty());
    CHECK(StateWithoutVersion(plain) == StateWithoutVersion(ticked));
  }
}

}  // namespace
}  // namespace allot
