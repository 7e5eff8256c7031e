// SPEC §4 and Appendix A: what Engine::Create accepts, and how it reports what it does not.
#include <catch2/catch.hpp>

#include "allot/io.h"
#include "test_support.h"

namespace allot {
namespace {

using testing::CreateStatus;

TEST_CASE("SPEC Appendix A config parses and compiles as written") {
  absl::StatusOr<v1::Config> config = LoadConfigFile(ALLOT_TEST_DATA "/appendix_a.txtpb");
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  CHECK(config->employees_size() == 5);
  CHECK(config->groups(0).strategy() == v1::WEIGHTED);
  CHECK(config->entries(0).off_hours() == v1::HOLD_UNTIL_OPEN);
  CHECK(config->buffer().reserve_fraction() == Approx(0.1));
  CHECK(config->tag_rules(0).when().attributes().at("coupon_used") == "false");
  absl::StatusOr<Engine> engine = Engine::Create(*config);
  INFO(engine.status().ToString());
  CHECK(engine.ok());
}

TEST_CASE("The same config as JSON and as binary compiles to the same engine input") {
  absl::StatusOr<v1::Config> text = LoadConfigFile(ALLOT_TEST_DATA "/appendix_a.txtpb");
  REQUIRE(text.ok());
  const std::string json = ToJsonLine(*text);
  absl::StatusOr<v1::Config> from_json = ParseConfig(json, ConfigFormat::kJson);
  REQUIRE(from_json.ok());
  CHECK(from_json->SerializeAsString() == text->SerializeAsString());
  absl::StatusOr<v1::Config> from_binary =
      ParseConfig(text->SerializeAsString(), ConfigFormat::kBinary);
  REQUIRE(from_binary.ok());
  CHECK(from_binary->DebugString() == text->DebugString());
}

TEST_CASE("A bad config lists every problem, each with its field path") {
  const absl::Status status = CreateStatus(R"pb(
    time_zone: "Mars/Olympus"
    employees { id: "a" weight: -1 }
    employees { id: "a" }
    employees {
      id: "b"
      schedule { start: "9:00" end: "18:00" }
    }
    groups {
      id: "g"
      members { employee: "e9" }
      backups: "nowhere"
    }
    groups { id: "empty" }
    entries { id: "x" group: "missing" }
    dedup { window: "3 days" }
    buffer { reserve_fraction: 0.5 }
    districts { id: "xujiahui" employee: "a" }
    districts { id: "xujiahui" employee: "b" }
    tag_rules { name: "r" route_to_group: "ghost" }
  )pb");
  REQUIRE(status.code() == absl::StatusCode::kInvalidArgument);
  const std::string message(status.message());
  for (const char* expected : {
           "time_zone: unknown time zone \"Mars/Olympus\"",
           "employees[0].weight: must be a positive number",
           "employees[1].id: duplicate id \"a\"",
           "employees[2].schedule[0].start:",
           "groups[0].members[0].employee: unknown employee \"e9\"",
           "groups[0].backups[0]: unknown group \"nowhere\"",
           "groups[1].members: a group needs at least one member",
           "entries[0].group: unknown group \"missing\"",
           "dedup.window: \"3 days\" is not a duration",
           "buffer.reserve_fraction: must be between 0 and 0.30",
           "districts[1].id: district \"xujiahui\" already has an owner",
           "tag_rules[0].route_to_group: unknown group \"ghost\"",
       }) {
    INFO(message);
    CHECK_THAT(message, Catch::Contains(expected));
  }
  CHECK(std::count(message.begin(), message.end(), '\n') + 1 == 12);
}

TEST_CASE("Unknown enum values and absurd durations are config errors") {
  const absl::Status status = CreateStatus(R"pb(
    employees { id: "a" }
    groups {
      id: "g"
      strategy: 9
      members { employee: "a" }
    }
    entries { id: "e" group: "g" dedup_scope: 7 }
    dedup { window: "100000000000h" on_duplicate: 5 }
  )pb");
  const std::string message(status.message());
  INFO(message);
  CHECK_THAT(message, Catch::Contains("groups[0].strategy: unknown strategy"));
  CHECK_THAT(message, Catch::Contains("entries[0].dedup_scope: unknown scope"));
  CHECK_THAT(message, Catch::Contains("dedup.window: \"100000000000h\" is longer than ten years"));
  CHECK_THAT(message, Catch::Contains("dedup.on_duplicate: unknown policy"));
}

TEST_CASE("Problems come out in the same order every time") {
  const std::string config = R"pb(
    level_factors { key: "z" value: -1 }
    level_factors { key: "a" value: 0 }
    level_factors { key: "m" value: -2 }
  )pb";
  const std::string first(CreateStatus(config).message());
  CHECK(first.find("level_factors[\"a\"]") < first.find("level_factors[\"m\"]"));
  CHECK(first.find("level_factors[\"m\"]") < first.find("level_factors[\"z\"]"));
}

TEST_CASE("Config parse errors carry the line") {
  absl::StatusOr<v1::Config> config =
      ParseConfig("tenant: \"a\"\nemployees { idd: \"x\" }\n", ConfigFormat::kText);
  REQUIRE_FALSE(config.ok());
  CHECK_THAT(std::string(config.status().message()), Catch::Contains("line 2"));
  CHECK_FALSE(LoadConfigFile("/nonexistent/config.txtpb").ok());
}

TEST_CASE("Reserve fraction up to 0.30 is accepted, above is not") {
  const std::string base = R"pb(employees { id: "a" }
                                groups {
                                  id: "g"
                                  members { employee: "a" }
                                }
                                entries { id: "e" group: "g" })pb";
  CHECK(CreateStatus(base + "buffer { reserve_fraction: 0.30 }").ok());
  CHECK_FALSE(CreateStatus(base + "buffer { reserve_fraction: 0.31 }").ok());
  CHECK_FALSE(CreateStatus(base + "buffer { reserve_fraction: -0.1 }").ok());
}

}  // namespace
}  // namespace allot
