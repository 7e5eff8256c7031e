// SPEC §5.10: the explanation names, for every skipped member, the first condition it
// failed — here in a 20-member group crafted so that every reason occurs.
#include <catch2/catch.hpp>
#include <map>

#include "test_support.h"

namespace allot {
namespace {

using testing::MustStep;
using testing::StatusEvent;
using testing::T;

TEST_CASE("Every skipped member of a 20-member group has the right reason") {
  // Members and what will be wrong with them; "ok" is the only one eligible.
  const std::vector<std::pair<std::string, v1::Explanation::SkipReason>> expected = {
      {"p1", v1::Explanation::PAUSED},       {"p2", v1::Explanation::PAUSED},
      {"l1", v1::Explanation::ON_LEAVE},     {"l2", v1::Explanation::ON_LEAVE},
      {"d1", v1::Explanation::DEPARTED},     {"d2", v1::Explanation::DEPARTED},
      {"s1", v1::Explanation::OFF_SCHEDULE}, {"s2", v1::Explanation::OFF_SCHEDULE},
      {"s3", v1::Explanation::OFF_SCHEDULE}, {"c1", v1::Explanation::DAILY_CAP},
      {"c2", v1::Explanation::DAILY_CAP},    {"c3", v1::Explanation::DAILY_CAP},
      {"h1", v1::Explanation::HOURLY_CAP},   {"h2", v1::Explanation::HOURLY_CAP},
      {"h3", v1::Explanation::HOURLY_CAP},   {"r1", v1::Explanation::PRESSURE},
      {"r2", v1::Explanation::PRESSURE},     {"u1", v1::Explanation::UNRESPONSIVE},
      {"u2", v1::Explanation::UNRESPONSIVE}, {"ok", v1::Explanation::SKIP_REASON_UNSPECIFIED}};
  std::string config = R"pb(buffer { accept_timeout: "3m" max_transfers: 0 }
                            entries { id: "e" group: "big" }
                            entries { id: "side" group: "solo" }
                            groups {
                              id: "solo"
                              strategy: ROUND_ROBIN
                              members { employee: "u1" }
                              members { employee: "u2" }
                            }
                            groups { id: "big" strategy: LEAST_LOADED)pb";
  for (const auto& [id, reason] : expected)
    absl::StrAppend(&config, " members { employee: \"", id, "\" }");
  config += "}\n";
  for (const auto& [id, reason] : expected) {
    std::string caps;
    if (id[0] == 's') caps = R"( schedule { start: "02:00" end: "03:00" })";
    if (id[0] == 'c') caps = " caps { daily: 0 }";
    if (id[0] == 'h') caps = R"( caps { hourly { start: "00:00" end: "00:00" per_hour: 0 } })";
    if (id[0] == 'r') caps = R"( caps { pressure { max: 1 window: "1h" } })";
    absl::StrAppend(&config, "employees { id: \"", id, "\"", caps, " }\n");
  }
  const Engine engine = testing::MakeEngine(config);
  State state;
  absl::Time now = T("2026-11-24T10:00:00+08:00");
  auto tick = [&] { return now += absl::Seconds(1); };
  for (const auto& [id, reason] : expected) {
    if (reason == v1::Explanation::PAUSED) {
      MustStep(engine, StatusEvent(tick(), id, v1::EmployeeStatus::PAUSED), state);
    } else if (reason == v1::Explanation::ON_LEAVE) {
      MustStep(engine, StatusEvent(tick(), id, v1::EmployeeStatus::ON_LEAVE), state);
    } else if (reason == v1::Explanation::DEPARTED) {
      MustStep(engine, StatusEvent(tick(), id, v1::EmployeeStatus::DEPARTED), state);
    } else if (reason == v1::Explanation::PRESSURE) {
      v1::Event add;
      testing::SetTime(add, tick());
      add.mutable_observed()->set_entry("e");
      add.mutable_observed()->mutable_customer()->add_keys("unionid:" + id);
      add.mutable_observed()->set_employee(id);
      MustStep(engine, add, state);
    }
  }
  // u1 and u2 each get a customer through the side entry and never accept it.
  MustStep(engine, testing::Arrival(tick(), "side", "x1", {"phone:91"}), state);
  MustStep(engine, testing::Arrival(tick(), "side", "x2", {"phone:92"}), state);
  now += absl::Minutes(5);
  const Decision d =
      MustStep(engine, testing::Arrival(now, "e", "who", {"phone:1"}, /*explain=*/true), state);
  CHECK(testing::AssignedTo(d) == "ok");
  REQUIRE(d.explanation != nullptr);
  REQUIRE(d.explanation->groups_size() == 1);
  const v1::Explanation::GroupTrial& trial = d.explanation->groups(0);
  CHECK(trial.group() == "big");
  CHECK(trial.picked() == "ok");
  std::map<std::string, v1::Explanation::SkipReason> got;
  for (const auto& skip : trial.skipped()) got[skip.employee()] = skip.reason();
  CHECK(got.size() == 19);
  for (const auto& [id, reason] : expected) {
    if (reason == v1::Explanation::SKIP_REASON_UNSPECIFIED) continue;
    INFO(id);
    CHECK(got[id] == reason);
  }
  // The same arrival without explain builds none.
  State again = state;
  absl::StatusOr<Decision> quiet =
      engine.Decide(testing::Arrival(now, "e", "who", {"phone:1"}), again);
  REQUIRE(quiet.ok());
  CHECK(quiet->explanation == nullptr);
}

}  // namespace
}  // namespace allot
