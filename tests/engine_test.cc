// Engine behaviour of SPEC §2, §3, §5.1, §5.3–§5.5 for arrivals and ticks.
#include "allot/engine.h"

#include <catch2/catch.hpp>
#include <fstream>

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

constexpr char kConfig[] = R"pb(
  tenant: "t"
  time_zone: "Asia/Shanghai"
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
    caps { daily: 1 }
  }
  groups {
    id: "main"
    strategy: ROUND_ROBIN
    members { employee: "a" }
    members { employee: "b" }
    backups: "spare"
  }
  groups {
    id: "spare"
    members { employee: "c" }
  }
  entries { id: "qr" group: "main" tags: "门店" }
  entries { id: "link" group: "main" }
  entries { id: "solo" group: "main" dedup_scope: ENTRY }
  dedup { window: "72h" remember: "720h" returning_tag: "二次触达" }
)pb";

TEST_CASE("Decide is pure: the state is untouched and the decision repeats byte for byte") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  MustStep(engine, Arrival(T("2026-11-24T09:00:00+08:00"), "qr", "c0", {"phone:1"}), state);
  const std::string before = state.ToBytes();
  const v1::Event event = Arrival(T("2026-11-24T09:01:00+08:00"), "qr", "c1", {"phone:2"}, true);
  absl::StatusOr<Decision> first = engine.Decide(event, state);
  absl::StatusOr<Decision> second = engine.Decide(event, state);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(state.ToBytes() == before);
  CHECK(state.version() == 1);
  CHECK(engine.ToProto(*first, true).SerializeAsString() ==
        engine.ToProto(*second, true).SerializeAsString());
}

TEST_CASE("Apply refuses a decision made on another version and changes nothing") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  absl::StatusOr<Decision> d1 =
      engine.Decide(Arrival(T("2026-11-24T09:00:00+08:00"), "qr", "c1", {"phone:1"}), state);
  absl::StatusOr<Decision> d2 =
      engine.Decide(Arrival(T("2026-11-24T09:00:00+08:00"), "qr", "c2", {"phone:2"}), state);
  REQUIRE(d1.ok());
  REQUIRE(d2.ok());
  REQUIRE(engine.Apply(*d1, state).ok());
  const std::string after_first = state.ToBytes();
  const absl::Status stale = engine.Apply(*d2, state);
  CHECK(stale.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(state.ToBytes() == after_first);
  CHECK(state.version() == 1);

  const Engine other = testing::MakeEngine(std::string(kConfig) + " seed: 9");
  absl::StatusOr<Decision> foreign =
      other.Decide(Arrival(T("2026-11-24T09:00:00+08:00"), "qr", "c3", {"phone:3"}), state);
  REQUIRE(foreign.ok());
  CHECK(engine.Apply(*foreign, state).code() == absl::StatusCode::kInvalidArgument);
  CHECK(state.ToBytes() == after_first);
}

TEST_CASE("Bad events are rejected with their field path and change nothing") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  MustStep(engine, Arrival(T("2026-11-24T09:00:00+08:00"), "qr", "c0", {"phone:1"}), state);
  const std::string before = state.ToBytes();
  auto message = [&](const v1::Event& e) {
    absl::StatusOr<Decision> d = engine.Step(e, state);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(d.status().message());
  };
  CHECK_THAT(message(Arrival(T("2026-11-24T09:01:00+08:00"), "nope", "c", {"phone:1"})),
             Catch::Contains("arrival.entry: unknown entry \"nope\""));
  CHECK_THAT(message(Arrival(T("2026-11-24T09:01:00+08:00"), "qr", "c", {})),
             Catch::Contains("arrival.customer.keys: at least one key"));
  CHECK_THAT(message(Arrival(T("2026-11-24T09:01:00+08:00"), "qr", "c", {"phone:1", "nokey"})),
             Catch::Contains("arrival.customer.keys[1]"));
  CHECK_THAT(message(Arrival(T("2026-11-24T08:59:00+08:00"), "qr", "c", {"phone:5"})),
             Catch::Contains("earlier than the state's clock"));
  v1::Event no_kind;
  testing::SetTime(no_kind, T("2026-11-24T09:01:00+08:00"));
  CHECK_THAT(message(no_kind), Catch::Contains("names no kind"));
  v1::Event surge;
  testing::SetTime(surge, T("2026-11-24T09:01:00+08:00"));
  surge.mutable_surge()->set_group("main");
  surge.mutable_surge()->set_extra(0.5);
  surge.mutable_surge()->set_duration("1h");
  CHECK_THAT(message(surge), Catch::Contains("surge.extra"));
  CHECK(state.ToBytes() == before);
}

// engine.h: on error a reused Decision is left empty, whichever check refuses the event.
TEST_CASE("A reused Decision is left empty when Decide or Step refuses an event") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  MustStep(engine, Arrival(T("2026-11-24T09:00:00+08:00"), "qr", "c0", {"phone:1"}), state);
  const std::vector<v1::Event> bad = {
      Arrival(T("2026-11-24T09:01:00+08:00"), "nope", "c", {"phone:2"}),
      Arrival(T("2026-11-24T09:01:00+08:00"), "qr", "c", {"phone:2", "nokey"}),
      Arrival(T("2026-11-24T08:59:00+08:00"), "qr", "c", {"phone:2"}),
  };
  for (const v1::Event& e : bad) {
    for (bool step : {false, true}) {
      Decision reused;
      const v1::Event good = Arrival(T("2026-11-24T09:01:00+08:00"), "qr", "c9", {"phone:9"});
      REQUIRE(engine.Decide(good, state, &reused).ok());
      REQUIRE_FALSE(reused.assignments.empty());
      const absl::Status status =
          step ? engine.Step(e, state, &reused) : engine.Decide(e, state, &reused);
      CHECK_FALSE(status.ok());
      CHECK(reused.assignments.empty());
      CHECK(reused.tags_added.empty());
      CHECK(reused.delta.remember.empty());
      CHECK(reused.delta.picks.empty());
    }
  }
}

TEST_CASE("Full members are skipped and the cascade moves on to the backups") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  std::vector<std::string> got;
  for (int i = 0; i < 6; ++i) {
    const Decision d = MustStep(engine,
                                Arrival(T("2026-11-24T10:00:00+08:00") + absl::Minutes(i), "qr",
                                        absl::StrCat("c", i), {absl::StrCat("phone:", 100 + i)}),
                                state);
    got.push_back(AssignedTo(d));
    if (i == 4) CHECK(d.assignments[0].group == "spare");
    if (i == 5) {
      CHECK(d.assignments.empty());
      REQUIRE(d.rejections.size() == 1);
      CHECK(d.rejections[0].reason == v1::Rejection::NO_CAPACITY);
      CHECK(d.rejections[0].customer == "c5");
    }
  }
  CHECK(got == std::vector<std::string>{"a", "b", "a", "b", "c", ""});
}

TEST_CASE("Daily caps reset at local midnight in the config's time zone") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  int n = 0;
  auto arrive = [&](const char* at) {
    ++n;
    return AssignedTo(MustStep(
        engine, Arrival(T(at), "qr", absl::StrCat("c", n), {absl::StrCat("phone:", 1000 + n)}),
        state));
  };
  for (int i = 0; i < 5; ++i) arrive("2026-11-24T23:58:00+08:00");
  CHECK(arrive("2026-11-24T23:59:59+08:00").empty());  // everyone full today
  // 00:00:01 Shanghai is still 16:00 UTC of the same UTC day: the local day decides.
  CHECK(arrive("2026-11-25T00:00:01+08:00") != "");
}

TEST_CASE("The explanation names the reason of every skipped member") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  for (int i = 0; i < 4; ++i) {
    MustStep(engine,
             Arrival(T("2026-11-24T10:00:00+08:00"), "qr", "x", {absl::StrCat("phone:", i)}),
             state);
  }
  const Decision d = MustStep(
      engine, Arrival(T("2026-11-24T10:01:00+08:00"), "qr", "y", {"phone:99"}, true), state);
  REQUIRE(d.explanation != nullptr);
  const v1::Explanation& e = *d.explanation;
  CHECK(e.route_source() == v1::Explanation::ENTRY_DEFAULT);
  REQUIRE(e.groups_size() == 2);
  CHECK(e.groups(0).group() == "main");
  REQUIRE(e.groups(0).skipped_size() == 2);
  CHECK(e.groups(0).skipped(0).reason() == v1::Explanation::DAILY_CAP);
  CHECK(e.groups(0).skipped(1).reason() == v1::Explanation::DAILY_CAP);
  CHECK(e.groups(1).picked() == "c");
  // Without explain, none is built.
  const Decision quiet =
      MustStep(engine, Arrival(T("2026-11-24T10:02:00+08:00"), "qr", "z", {"phone:98"}), state);
  CHECK(quiet.explanation == nullptr);
}

TEST_CASE("Nobody on schedule gives NO_STAFF_ON_DUTY") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees {
      id: "day"
      schedule { start: "09:00" end: "18:00" }
    }
    groups {
      id: "g"
      members { employee: "day" }
    }
    entries { id: "e" group: "g" }
  )pb");
  State state;
  const Decision night =
      MustStep(engine, Arrival(T("2026-11-24T23:40:00+08:00"), "e", "c", {"phone:1"}), state);
  REQUIRE(night.rejections.size() == 1);
  CHECK(night.rejections[0].reason == v1::Rejection::NO_STAFF_ON_DUTY);
  CHECK(AssignedTo(MustStep(engine, Arrival(T("2026-11-25T09:00:00+08:00"), "e", "c", {"phone:1"}),
                            state)) == "day");
}

TEST_CASE("TENANT dedup: a repeat on any entry within 72h goes to the owner, uncharged") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  const Decision first = MustStep(
      engine, Arrival(T("2026-11-24T09:00:00+08:00"), "qr", "c1", {"phone:138 0013 8000"}), state);
  REQUIRE(AssignedTo(first) == "a");
  CHECK(first.tags_added.size() == 1);
  // Another key of the same customer joins; the repeat names a key seen for the first time.
  const Decision repeat = MustStep(
      engine,
      Arrival(T("2026-11-24T12:00:00+08:00"), "link", "c1", {"unionid:u1", "phone:+8613800138000"}),
      state);
  REQUIRE(repeat.assignments.size() == 1);
  CHECK(repeat.assignments[0].reason == v1::Assignment::OWNER);
  CHECK(repeat.assignments[0].employee == "a");
  const Decision by_new_key =
      MustStep(engine, Arrival(T("2026-11-27T08:59:59+08:00"), "qr", "c1", {"unionid:u1"}), state);
  CHECK(by_new_key.assignments[0].reason == v1::Assignment::OWNER);
  // a got 1 charged customer, so with cap 2 it still takes one more new customer in turn.
  const Decision next =
      MustStep(engine, Arrival(T("2026-11-27T09:00:00+08:00"), "qr", "c2", {"phone:2"}), state);
  CHECK(next.assignments[0].reason == v1::Assignment::NEW);
}

TEST_CASE("The window runs from the assignment; after it the customer returns, tagged") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  REQUIRE(AssignedTo(MustStep(
              engine, Arrival(T("2026-11-24T09:00:00+08:00"), "qr", "c1", {"phone:1"}), state)) ==
          "a");
  // Repeats do not extend the window.
  MustStep(engine, Arrival(T("2026-11-26T09:00:00+08:00"), "qr", "c1", {"phone:1"}), state);
  const Decision after =
      MustStep(engine, Arrival(T("2026-11-27T09:00:00+08:00"), "link", "c1", {"phone:1"}), state);
  REQUIRE(after.assignments.size() == 1);
  CHECK(after.assignments[0].reason == v1::Assignment::RETURNING);
  CHECK(after.returning);
  CHECK(after.previous_owner == "a");
  CHECK(std::find(after.tags_added.begin(), after.tags_added.end(), "二次触达") !=
        after.tags_added.end());
  // The returning assignment starts a new window with the new owner.
  const Decision again =
      MustStep(engine, Arrival(T("2026-11-27T10:00:00+08:00"), "qr", "c1", {"phone:1"}), state);
  CHECK(again.assignments[0].reason == v1::Assignment::OWNER);
  CHECK(again.assignments[0].employee == after.assignments[0].employee);
}

TEST_CASE("ENTRY dedup scope remembers per entry") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  MustStep(engine, Arrival(T("2026-11-24T09:00:00+08:00"), "qr", "c1", {"phone:1"}), state);
  const Decision solo =
      MustStep(engine, Arrival(T("2026-11-24T09:05:00+08:00"), "solo", "c1", {"phone:1"}), state);
  CHECK(solo.assignments[0].reason == v1::Assignment::NEW);
  const Decision solo_again =
      MustStep(engine, Arrival(T("2026-11-24T09:06:00+08:00"), "solo", "c1", {"phone:1"}), state);
  CHECK(solo_again.assignments[0].reason == v1::Assignment::OWNER);
  CHECK(solo_again.assignments[0].employee == solo.assignments[0].employee);
}

TEST_CASE("dedup.on_duplicate DROP reports the duplicate and its owner") {
  const Engine engine = testing::MakeEngine(
      absl::StrReplaceAll(kConfig, {{"returning_tag: \"二次触达\"", "on_duplicate: DROP"}}));
  State state;
  MustStep(engine, Arrival(T("2026-11-24T09:00:00+08:00"), "qr", "c1", {"phone:1"}), state);
  const Decision dup =
      MustStep(engine, Arrival(T("2026-11-24T09:05:00+08:00"), "qr", "c1", {"phone:1"}), state);
  CHECK(dup.assignments.empty());
  REQUIRE(dup.rejections.size() == 1);
  CHECK(dup.rejections[0].reason == v1::Rejection::DUPLICATE);
  CHECK(dup.rejections[0].owner == "a");
}

TEST_CASE("A tick forgets customers past dedup.remember") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  MustStep(engine, Arrival(T("2026-11-01T09:00:00+08:00"), "qr", "c1", {"phone:1", "unionid:x"}),
           state);
  MustStep(engine, Arrival(T("2026-11-10T09:00:00+08:00"), "qr", "c2", {"phone:2"}), state);
  CHECK(state.remembered_customers() == 2);
  MustStep(engine, Tick(T("2026-12-01T09:00:00+08:00")), state);  // 720h after c1
  CHECK(state.remembered_customers() == 1);
  const Decision back =
      MustStep(engine, Arrival(T("2026-12-01T09:01:00+08:00"), "qr", "c1", {"unionid:x"}), state);
  CHECK_FALSE(back.returning);
  MustStep(engine, Tick(T("2026-12-10T09:00:00+08:00")), state);
  CHECK(state.remembered_customers() == 1);  // only c1's new assignment is left
}

TEST_CASE("Every event of SPEC Appendix A is accepted") {
  absl::StatusOr<v1::Config> config = LoadConfigFile(ALLOT_TEST_DATA "/appendix_a.txtpb");
  REQUIRE(config.ok());
  absl::StatusOr<Engine> engine = Engine::Create(*config);
  REQUIRE(engine.ok());
  State state;
  std::ifstream in(ALLOT_TEST_DATA "/appendix_a_events.jsonl");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    absl::StatusOr<v1::Event> event = ParseEventJson(line);
    INFO(line << "\n" << event.status().ToString());
    REQUIRE(event.ok());
    absl::StatusOr<Decision> d = engine->Step(*event, state);
    INFO(d.status().ToString());
    REQUIRE(d.ok());
    ++n;
  }
  CHECK(n == 7);
  CHECK(state.version() == 7);
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

// SPEC §5.5: "a match on any key is a match" — whatever the order of the keys, and however
// many remembered customers they name, a customer owned within the window is found.
TEST_CASE("A key naming an owned customer wins over keys of older customers, in any order") {
  for (const char* remember : {"720h", "100h"}) {
    const Engine engine = testing::MakeEngine(absl::StrReplaceAll(kConfig, {{"720h", remember}}));
    for (bool phone_first : {true, false}) {
      State state;
      const absl::Time t0 = T("2026-11-24T09:00:00+08:00");
      REQUIRE(AssignedTo(MustStep(engine, Arrival(t0, "qr", "A", {"phone:111"}), state)) == "a");
      const absl::Time later = t0 + absl::Hours(std::string(remember) == "100h" ? 99 : 71);
      REQUIRE(AssignedTo(MustStep(engine, Arrival(later, "qr", "B", {"unionid:b"}), state)) == "b");
      const absl::Time at = t0 + absl::Hours(std::string(remember) == "100h" ? 101 : 73);
      const Decision d =
          MustStep(engine,
                   phone_first ? Arrival(at, "link", "AB", {"phone:111", "unionid:b"})
                               : Arrival(at, "link", "AB", {"unionid:b", "phone:111"}),
                   state);
      INFO("remember " << remember << ", phone first " << phone_first);
      REQUIRE(d.assignments.size() == 1);
      CHECK(d.assignments[0].reason == v1::Assignment::OWNER);
      CHECK(d.assignments[0].employee == "b");
      // Both keys now lead to the owned customer.
      const Decision by_phone =
          MustStep(engine, Arrival(at + absl::Minutes(1), "qr", "AB", {"phone:111"}), state);
      CHECK(by_phone.assignments[0].reason == v1::Assignment::OWNER);
      CHECK(by_phone.assignments[0].employee == "b");
    }
  }
}

}  // namespace
}  // namespace allot
