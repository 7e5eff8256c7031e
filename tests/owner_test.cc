// SPEC §5.5 (owner unavailable), §5.6 (lost and re-added), §5.9 (departure) through the
// engine: who gets a repeat customer when the owner is away or the relation has ended.
#include <catch2/catch.hpp>

#include "test_support.h"

namespace allot {
namespace {

using testing::Arrival;
using testing::AssignedTo;
using testing::MustStep;
using testing::StatusEvent;
using testing::Tick;

const absl::Time t0 =
    absl::FromCivil(absl::CivilSecond(2026, 11, 24, 2, 0, 0), absl::UTCTimeZone());

std::string Config(const std::string& policy) {
  return absl::StrCat(R"pb(
                        employees { id: "a" }
                        employees { id: "b" }
                        groups {
                          id: "g"
                          strategy: SEQUENTIAL
                          members { employee: "a" }
                          members { employee: "b" }
                        }
                        entries { id: "e" group: "g" }
                        buffer { hold_capacity: 5 }
                        dedup { returning_tag: "again" on_owner_unavailable:)pb",
                      policy, " }");
}

TEST_CASE("A repeat whose owner is on leave: REASSIGN, REJECT or HOLD") {
  for (const char* policy : {"REASSIGN", "REJECT", "HOLD"}) {
    INFO(policy);
    const Engine engine = testing::MakeEngine(Config(policy));
    State state;
    REQUIRE(AssignedTo(MustStep(engine, Arrival(t0, "e", "x", {"phone:1"}), state)) == "a");
    MustStep(engine, StatusEvent(t0 + absl::Minutes(1), "a", v1::EmployeeStatus::ON_LEAVE), state);
    const Decision repeat =
        MustStep(engine, Arrival(t0 + absl::Minutes(2), "e", "x", {"phone:1"}), state);
    if (std::string(policy) == "REASSIGN") {
      REQUIRE(AssignedTo(repeat) == "b");
      CHECK(repeat.assignments[0].reason == v1::Assignment::NEW);
      CHECK_FALSE(repeat.returning);
      CHECK(repeat.previous_owner == "a");
      // b owns x now.
      const Decision again =
          MustStep(engine, Arrival(t0 + absl::Minutes(3), "e", "x", {"phone:1"}), state);
      CHECK(again.assignments[0].reason == v1::Assignment::OWNER);
      CHECK(AssignedTo(again) == "b");
    } else if (std::string(policy) == "REJECT") {
      REQUIRE(repeat.rejections.size() == 1);
      CHECK(repeat.rejections[0].reason == v1::Rejection::OWNER_UNAVAILABLE);
    } else {
      REQUIRE(repeat.held.size() == 1);
      CHECK(repeat.held[0].reason == v1::Hold::OWNER_UNAVAILABLE);
      CHECK(MustStep(engine, Tick(t0 + absl::Minutes(30)), state).assignments.empty());
      const Decision back = MustStep(
          engine, StatusEvent(t0 + absl::Hours(1), "a", v1::EmployeeStatus::ACTIVE), state);
      REQUIRE(back.assignments.size() == 1);
      CHECK(back.assignments[0].customer == "x");
      CHECK(back.assignments[0].employee == "a");
      CHECK(back.assignments[0].reason == v1::Assignment::OWNER);
    }
  }
}

TEST_CASE("A PAUSED owner still receives repeats; a lost customer comes back returning") {
  const Engine engine = testing::MakeEngine(Config("REASSIGN"));
  State state;
  REQUIRE(AssignedTo(MustStep(engine, Arrival(t0, "e", "x", {"phone:1"}), state)) == "a");
  MustStep(engine, StatusEvent(t0 + absl::Minutes(1), "a", v1::EmployeeStatus::PAUSED), state);
  const Decision paused =
      MustStep(engine, Arrival(t0 + absl::Minutes(2), "e", "x", {"phone:1"}), state);
  CHECK(paused.assignments[0].reason == v1::Assignment::OWNER);
  MustStep(engine, StatusEvent(t0 + absl::Minutes(3), "a", v1::EmployeeStatus::ACTIVE), state);
  // A `lost` naming someone who does not own x changes nothing.
  v1::Event stray;
  testing::SetTime(stray, t0 + absl::Minutes(4));
  stray.mutable_lost()->mutable_customer()->add_keys("phone:1");
  stray.mutable_lost()->set_employee("b");
  const std::string before = state.ToBytes();
  absl::StatusOr<Decision> nothing = engine.Decide(stray, state);
  REQUIRE(nothing.ok());
  CHECK(nothing->delta.lost.empty());
  v1::Event lost = stray;
  lost.mutable_lost()->set_employee("a");
  MustStep(engine, lost, state);
  // Survives bytes; the next scan is returning, tagged, to the first eligible (a again).
  State loaded = *State::FromBytes(state.ToBytes());
  const Decision back =
      MustStep(engine, Arrival(t0 + absl::Minutes(5), "e", "x", {"phone:1"}), loaded);
  CHECK(back.returning);
  CHECK(back.previous_owner == "a");
  CHECK(back.assignments[0].reason == v1::Assignment::RETURNING);
  CHECK(std::find(back.tags_added.begin(), back.tags_added.end(), "again") !=
        back.tags_added.end());
}

TEST_CASE("A departing holder's unaccepted customer moves once, not twice") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees { id: "a" }
    employees { id: "b" }
    employees { id: "c" }
    groups {
      id: "g"
      strategy: ROUND_ROBIN
      members { employee: "a" }
      members { employee: "b" }
      members { employee: "c" }
    }
    entries { id: "e" group: "g" }
    buffer { accept_timeout: "3m" }
  )pb");
  State state;
  REQUIRE(AssignedTo(MustStep(engine, Arrival(t0, "e", "x", {"phone:1"}), state)) == "a");
  const Decision gone = MustStep(
      engine, StatusEvent(t0 + absl::Minutes(1), "a", v1::EmployeeStatus::DEPARTED), state);
  REQUIRE(gone.assignments.size() == 1);
  CHECK(gone.assignments[0].reason == v1::Assignment::TRANSFERRED);
  const std::string holder(gone.assignments[0].employee);
  const Decision repeat =
      MustStep(engine, Arrival(t0 + absl::Minutes(2), "e", "x", {"phone:1"}), state);
  CHECK(AssignedTo(repeat) == holder);
  REQUIRE(state.ToProto().pending_size() == 1);
  CHECK(state.ToProto().pending(0).holder() == holder);
}

}  // namespace
}  // namespace allot
