// SPEC §2: State converts losslessly to and from allot.v1.State and bytes.
#include "allot/state.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "test_support.h"

namespace allot {
namespace {

using testing::Arrival;
using testing::MustStep;
using testing::T;

constexpr char kConfig[] = R"pb(
  tenant: "t"
  employees {
    id: "a"
    weight: 1.5
    caps { daily: 50 }
  }
  employees { id: "b" }
  employees { id: "c" weight: 0.7 }
  groups {
    id: "w"
    strategy: WEIGHTED
    members { employee: "a" }
    members { employee: "b" }
    members { employee: "c" }
    backups: "r"
  }
  groups {
    id: "r"
    strategy: ROUND_ROBIN
    members { employee: "c" }
    members { employee: "b" }
  }
  entries { id: "e" group: "w" }
  entries { id: "f" group: "r" }
)pb";

State Busy(const Engine& engine, int n) {
  State state;
  for (int i = 0; i < n; ++i) {
    std::initializer_list<std::string> keys = {absl::StrCat("phone:", i % 40),
                                               absl::StrCat("unionid:u", i % 53)};
    MustStep(engine,
             Arrival(T("2026-11-24T09:00:00+08:00") + absl::Minutes(7 * i), i % 3 ? "e" : "f",
                     absl::StrCat("c", i), keys),
             state);
  }
  return state;
}

TEST_CASE("ToBytes/FromBytes round-trips to identical bytes") {
  const Engine engine = testing::MakeEngine(kConfig);
  const State state = Busy(engine, 300);
  const std::string bytes = state.ToBytes();
  absl::StatusOr<State> loaded = State::FromBytes(bytes);
  REQUIRE(loaded.ok());
  CHECK(loaded->ToBytes() == bytes);
  CHECK(loaded->version() == state.version());
  CHECK(loaded->clock_us() == state.clock_us());
  CHECK(loaded->remembered_customers() == state.remembered_customers());
  CHECK(State().ToBytes() == State(*State::FromBytes("")).ToBytes());
}

TEST_CASE("A loaded state decides exactly as the original") {
  const Engine engine = testing::MakeEngine(kConfig);
  State original = Busy(engine, 200);
  State loaded = *State::FromBytes(original.ToBytes());
  for (int i = 0; i < 100; ++i) {
    const v1::Event e =
        Arrival(T("2026-11-26T09:00:00+08:00") + absl::Minutes(i), i % 2 ? "e" : "f",
                absl::StrCat("n", i), {absl::StrCat("phone:", i * 3)});
    const Decision a = MustStep(engine, e, original);
    const Decision b = MustStep(engine, e, loaded);
    REQUIRE(engine.ToProto(a, true).SerializeAsString() ==
            engine.ToProto(b, true).SerializeAsString());
  }
  CHECK(original.ToBytes() == loaded.ToBytes());
}

TEST_CASE("The state survives a config that drops and re-adds an employee") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state = Busy(engine, 50);
  const Engine without_b = testing::MakeEngine(R"pb(
    tenant: "t"
    employees { id: "a" }
    employees { id: "c" }
    groups {
      id: "w"
      strategy: WEIGHTED
      members { employee: "a" }
      members { employee: "c" }
    }
    entries { id: "e" group: "w" }
    entries { id: "f" group: "w" }
  )pb");
  // Who owns each of the 40 phones now (Decide only: nothing changes).
  auto owners = [&](const State& s, absl::Time at) {
    std::vector<std::string> out;
    for (int p = 0; p < 40; ++p) {
      absl::StatusOr<Decision> d =
          engine.Decide(Arrival(at, "e", "again", {absl::StrCat("phone:", p)}), s);
      REQUIRE(d.ok());
      REQUIRE(d->assignments.size() == 1);
      REQUIRE(d->assignments[0].reason == v1::Assignment::OWNER);
      out.push_back(std::string(d->assignments[0].employee));
    }
    return out;
  };
  const std::vector<std::string> before = owners(state, T("2026-11-24T15:00:00+08:00"));
  REQUIRE(std::count(before.begin(), before.end(), "b") > 0);
  for (int i = 0; i < 20; ++i) {
    const Decision d = MustStep(without_b,
                                Arrival(T("2026-11-24T16:00:00+08:00") + absl::Minutes(i), "e", "x",
                                        {absl::StrCat("phone:", 500 + i)}),
                                state);
    REQUIRE(d.assignments.size() == 1);
    CHECK(d.assignments[0].employee != "b");
  }
  // Back under the first config, through bytes, b's remembered customers are still b's.
  absl::StatusOr<State> reloaded = State::FromBytes(state.ToBytes());
  REQUIRE(reloaded.ok());
  CHECK(owners(*reloaded, T("2026-11-24T17:00:00+08:00")) == before);
}

TEST_CASE("Malformed state bytes and messages are errors naming the field") {
  CHECK_FALSE(State::FromBytes("\xff\xff\xff").ok());
  v1::State bad;
  bad.set_clock_us(100);
  bad.mutable_memory()->add_owner(3);
  bad.mutable_memory()->add_assigned_at_delta_us(1);
  bad.mutable_memory()->add_keys(42);
  absl::StatusOr<State> s = State::FromProto(bad);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(std::string(s.status().message()), Catch::Contains("memory.owner[0]"));

  v1::State twice;
  twice.set_clock_us(100);
  twice.mutable_memory()->add_owner_ids("a");
  for (int i = 0; i < 2; ++i) {
    twice.mutable_memory()->add_owner(0);
    twice.mutable_memory()->add_assigned_at_delta_us(1);
    twice.mutable_memory()->add_keys(42);
  }
  s = State::FromProto(twice);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(std::string(s.status().message()), Catch::Contains("memory.keys[1]"));

  // Counts and times that would overflow, or lie past the clock, are refused.
  v1::State huge;
  huge.set_clock_us(100);
  huge.mutable_memory()->add_owner_ids("a");
  for (uint32_t count : {1u, 2147483647u}) {
    huge.mutable_memory()->add_owner(0);
    huge.mutable_memory()->add_assigned_at_delta_us(1);
    huge.mutable_memory()->add_key_counts(count);
  }
  huge.mutable_memory()->add_keys(1);
  s = State::FromProto(huge);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(std::string(s.status().message()), Catch::Contains("memory.key_counts[1]"));
  huge.mutable_memory()->set_key_counts(1, 1);
  huge.mutable_memory()->add_keys(2);
  CHECK(State::FromProto(huge).ok());
  huge.mutable_memory()->set_assigned_at_delta_us(1, std::numeric_limits<int64_t>::max());
  s = State::FromProto(huge);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(std::string(s.status().message()), Catch::Contains("memory.assigned_at_delta_us[1]"));

  v1::State nan;
  auto* g = nan.add_groups();
  g->set_id("g");
  g->set_virtual_time(std::nan(""));
  s = State::FromProto(nan);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(std::string(s.status().message()), Catch::Contains("groups[0].virtual_time"));

  // Pressure-window times past the clock (here near the end of time) are refused.
  v1::State late;
  late.set_clock_us(1'000'000);
  auto* e = late.add_employees();
  e->set_id("a");
  e->add_recent_us(999'999);
  CHECK(State::FromProto(late).ok());
  e->add_recent_us(std::numeric_limits<int64_t>::max());
  s = State::FromProto(late);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(std::string(s.status().message()), Catch::Contains("employees[0].recent_us"));
}

}  // namespace
}  // namespace allot
