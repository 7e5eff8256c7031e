// SPEC §6: `allot validate` and `allot replay`.
#include "cli/replay.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "allot/io.h"
#include "allot/state.h"

namespace allot::cli {
namespace {

namespace fs = std::filesystem;

fs::path Scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("allot_cli_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

void Write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }
std::string Read(const fs::path& path) { return *ReadFile(path.string()); }

constexpr char kConfig[] = R"pb(
  tenant: "cli"
  employees {
    id: "a"
    caps { daily: 2 }
  }
  employees {
    id: "b"
    caps { daily: 2 }
  }
  groups {
    id: "g"
    strategy: ROUND_ROBIN
    members { employee: "a" }
    members { employee: "b" }
  }
  entries { id: "qr" group: "g" tags: "门店" }
)pb";

std::string ArrivalLine(int i) {
  return absl::StrCat(R"({"at":"2026-11-24T09:)", i < 10 ? "0" : "", i,
                      R"(:00+08:00","arrival":{"entry":"qr","customer":{"ref":"c)", i,
                      R"(","keys":["phone:)", 100 + i % 7, R"("]}}})");
}

TEST_CASE("validate prints ok for a good config and every problem of a bad one") {
  Write(Scratch("good.txtpb"), kConfig);
  Write(Scratch("bad.txtpb"), R"pb(employees { id: "" }
                                   groups {
                                     id: "g"
                                     members { employee: "x" }
                                   })pb");
  std::ostringstream out, err;
  CHECK(RunValidate(Scratch("good.txtpb").string(), out, err) == 0);
  CHECK_THAT(out.str(), Catch::StartsWith("ok: 2 employees, 1 groups, 1 entries"));
  CHECK(RunValidate(Scratch("bad.txtpb").string(), out, err) == 1);
  CHECK_THAT(err.str(), Catch::Contains("employees[0].id: must not be empty"));
  CHECK_THAT(err.str(), Catch::Contains("groups[0].members[0].employee: unknown employee \"x\""));
}

TEST_CASE("replay writes one snake_case decision per line, and a split replay equals the whole") {
  Write(Scratch("config.txtpb"), kConfig);
  std::string all, head, tail;
  for (int i = 0; i < 30; ++i) {
    const std::string line = ArrivalLine(i) + "\n";
    all += line;
    (i < 13 ? head : tail) += line;
  }
  Write(Scratch("all.jsonl"), all);
  Write(Scratch("head.jsonl"), head);
  Write(Scratch("tail.jsonl"), tail);
  std::ostringstream out, err;
  ReplayOptions whole{Scratch("config.txtpb").string(), Scratch("all.jsonl").string(), "",
                      Scratch("whole.pb").string(), Scratch("whole.jsonl").string()};
  REQUIRE(RunReplay(whole, out, err) == 0);
  ReplayOptions first{Scratch("config.txtpb").string(), Scratch("head.jsonl").string(), "",
                      Scratch("mid.pb").string(), Scratch("head-out.jsonl").string()};
  REQUIRE(RunReplay(first, out, err) == 0);
  ReplayOptions second{Scratch("config.txtpb").string(), Scratch("tail.jsonl").string(),
                       Scratch("mid.pb").string(), Scratch("end.pb").string(),
                       Scratch("tail-out.jsonl").string()};
  second.report = true;
  REQUIRE(RunReplay(second, out, err) == 0);
  CHECK(Read(Scratch("head-out.jsonl")) + Read(Scratch("tail-out.jsonl")) ==
        Read(Scratch("whole.jsonl")));
  CHECK(Read(Scratch("end.pb")) == Read(Scratch("whole.pb")));
  const std::string decisions = Read(Scratch("whole.jsonl"));
  CHECK(std::count(decisions.begin(), decisions.end(), '\n') == 30);
  CHECK_THAT(decisions, Catch::Contains(R"("tags_added":["门店"])"));
  CHECK_THAT(decisions, !Catch::Contains("tagsAdded"));
  CHECK_THAT(decisions, Catch::Contains(R"("reason":"NEW")"));
  CHECK_THAT(decisions, Catch::Contains(R"("reason":"OWNER")"));
  CHECK_THAT(decisions, Catch::Contains(R"("reason":"NO_CAPACITY")"));
  CHECK_THAT(out.str(), Catch::Contains("Employees"));
  CHECK_THAT(out.str(), Catch::Contains("Entries"));
}

TEST_CASE("A bad line names its line number, leaves the state as before it, and stops") {
  Write(Scratch("config.txtpb"), kConfig);
  const std::string good = ArrivalLine(1) + "\n" + ArrivalLine(2) + "\n";
  Write(Scratch("good.jsonl"), good);
  Write(
      Scratch("bad.jsonl"),
      good +
          R"({"at":"2026-11-24T09:03:00+08:00","arrival":{"entry":"nope","customer":{"ref":"x","keys":["phone:1"]}}})"
          "\n" +
          ArrivalLine(4) + "\n");
  std::ostringstream out, err;
  REQUIRE(RunReplay({Scratch("config.txtpb").string(), Scratch("good.jsonl").string(), "",
                     Scratch("good.pb").string()},
                    out, err) == 0);
  std::ostringstream err2;
  CHECK(RunReplay({Scratch("config.txtpb").string(), Scratch("bad.jsonl").string(), "",
                   Scratch("bad.pb").string()},
                  out, err2) == 1);
  CHECK_THAT(err2.str(), Catch::Contains("bad.jsonl:3: arrival.entry: unknown entry \"nope\""));
  CHECK(Read(Scratch("bad.pb")) == Read(Scratch("good.pb")));

  // --keep-going records the line and goes on.
  ReplayOptions keep{Scratch("config.txtpb").string(), Scratch("bad.jsonl").string(), "",
                     Scratch("keep.pb").string(), Scratch("keep.jsonl").string()};
  keep.keep_going = true;
  std::ostringstream err3;
  CHECK(RunReplay(keep, out, err3) == 0);
  CHECK_THAT(err3.str(), Catch::Contains("bad.jsonl:3:"));
  const std::string lines = Read(Scratch("keep.jsonl"));
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 4);
  CHECK(State::FromBytes(Read(Scratch("keep.pb")))->version() == 3);

  // Malformed JSON is a bad line too.
  Write(Scratch("junk.jsonl"), "{not json\n");
  std::ostringstream err4;
  CHECK(RunReplay({Scratch("config.txtpb").string(), Scratch("junk.jsonl").string()}, out, err4) ==
        1);
  CHECK_THAT(err4.str(), Catch::Contains("junk.jsonl:1:"));
  Write(Scratch("gap.jsonl"), ArrivalLine(1) + "\n\n" + ArrivalLine(2) + "\n");
  std::ostringstream err5, out5;
  CHECK(RunReplay({Scratch("config.txtpb").string(), Scratch("gap.jsonl").string()}, out5, err5) ==
        1);
  CHECK_THAT(err5.str(), Catch::Contains("gap.jsonl:2: empty line"));
  // Without --decisions-out or --report, decisions go to stdout: one per line read, the
  // bad one as {}.
  const std::string printed = out5.str();
  CHECK(std::count(printed.begin(), printed.end(), '\n') == 2);
  CHECK_THAT(printed, Catch::StartsWith(R"({"at":)"));
  CHECK_THAT(printed, Catch::EndsWith("\n{}\n"));
}

}  // namespace
}  // namespace allot::cli

namespace allot::cli {
namespace {

TEST_CASE("roster prints the employees to publish as one JSON object") {
  Write(Scratch("config.txtpb"), kConfig);
  Write(Scratch("one.jsonl"), ArrivalLine(1) + "\n");
  std::ostringstream out, err;
  REQUIRE(RunReplay({Scratch("config.txtpb").string(), Scratch("one.jsonl").string(), "",
                     Scratch("one.pb").string(), Scratch("one-out.jsonl").string()},
                    out, err) == 0);
  std::ostringstream roster, roster_err;
  CHECK(RunRoster(Scratch("config.txtpb").string(), Scratch("one.pb").string(), "qr",
                  "2026-11-24T09:05:00+08:00", roster, roster_err) == 0);
  // a took c1 and has 1 of its 2 left, not above the default headroom of 1: only b.
  CHECK(roster.str() == "{\"entry\":\"qr\",\"group\":\"g\",\"employees\":[\"b\"]}\n");
  std::ostringstream bad, bad_err;
  CHECK(RunRoster(Scratch("config.txtpb").string(), "", "qr", "yesterday", bad, bad_err) == 1);
  CHECK_THAT(bad_err.str(), Catch::Contains("--at"));
  CHECK(RunRoster(Scratch("config.txtpb").string(), "", "nope", "2026-11-24T09:05:00+08:00", bad,
                  bad_err) == 1);
  CHECK_THAT(bad_err.str(), Catch::Contains("unknown entry \"nope\""));
}

}  // namespace
}  // namespace allot::cli
