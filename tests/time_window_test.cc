#include "time_window.h"

#include <catch2/catch.hpp>
#include <random>

#include "test_support.h"

namespace allot {
namespace {

v1::TimeWindow Window(std::initializer_list<v1::Weekday> days, const char* start, const char* end) {
  v1::TimeWindow w;
  for (auto d : days) w.add_days(d);
  w.set_start(start);
  w.set_end(end);
  return w;
}

LocalTime At(int weekday, int hour, int minute) { return {0, weekday, hour * 60 + minute}; }

TEST_CASE("ParseClock accepts HH:MM and rejects everything else") {
  CHECK(*ParseClock("09:30", false) == 570);
  CHECK(*ParseClock("00:00", false) == 0);
  CHECK(*ParseClock("24:00", true) == 1440);
  CHECK_FALSE(ParseClock("24:00", false).ok());
  CHECK_FALSE(ParseClock("9:30", false).ok());
  CHECK_FALSE(ParseClock("12:60", false).ok());
  CHECK_FALSE(ParseClock("ab:cd", false).ok());
}

TEST_CASE("A daytime window holds on its days between start and end") {
  const TimeWindow w = *TimeWindow::Compile(Window({v1::MON, v1::FRI}, "09:00", "18:00"), "w");
  CHECK(w.Contains(At(0, 9, 0)));
  CHECK(w.Contains(At(4, 17, 59)));
  CHECK_FALSE(w.Contains(At(0, 18, 0)));
  CHECK_FALSE(w.Contains(At(0, 8, 59)));
  CHECK_FALSE(w.Contains(At(1, 12, 0)));  // Tuesday
}

TEST_CASE("A window ending before it starts runs past midnight into the next day") {
  const TimeWindow w = *TimeWindow::Compile(Window({v1::SAT}, "22:00", "02:00"), "w");
  CHECK(w.Contains(At(5, 23, 0)));  // Saturday night
  CHECK(w.Contains(At(6, 1, 59)));  // early Sunday belongs to Saturday's window
  CHECK_FALSE(w.Contains(At(6, 2, 0)));
  CHECK_FALSE(w.Contains(At(5, 1, 0)));  // early Saturday belongs to Friday, not listed
  CHECK_FALSE(w.Contains(At(6, 23, 0)));
}

TEST_CASE("No days means every day; 00:00-00:00 the whole day") {
  const TimeWindow w = *TimeWindow::Compile(Window({}, "00:00", "00:00"), "w");
  for (int d = 0; d < 7; ++d) CHECK(w.Contains(At(d, 0, 0)));
  CHECK(w.Contains(At(3, 23, 59)));
}

TEST_CASE("Errors name the field path") {
  absl::StatusOr<TimeWindow> w =
      TimeWindow::Compile(Window({}, "9am", "18:00"), "employees[1].schedule[0]");
  REQUIRE_FALSE(w.ok());
  CHECK_THAT(std::string(w.status().message()), Catch::Contains("employees[1].schedule[0].start"));
}

TEST_CASE("Local time follows the time zone, across the date line of UTC") {
  absl::TimeZone shanghai;
  REQUIRE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  // 2026-11-23 16:30 UTC is Tuesday 2026-11-24 00:30 in Shanghai.
  const LocalTime t = ToLocalTime(testing::T("2026-11-23T16:30:00Z"), shanghai);
  CHECK(t.weekday == 1);
  CHECK(t.minute == 30);
  CHECK(t.day == absl::CivilDay(2026, 11, 24) - absl::CivilDay(1970, 1, 1));
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

// Requires `span`, which covers `at_us`, to give ToLocalTime's answer there.
void RequireSameAsToLocalTime(const OffsetSpan& span, int64_t at_us, const absl::TimeZone& tz) {
  const LocalTime expected = ToLocalTime(absl::FromUnixMicros(at_us), tz);
  const LocalTime local = span.ToLocal(at_us);
  INFO(tz.name() << " at " << at_us);
  REQUIRE(local.day == expected.day);
  REQUIRE(local.weekday == expected.weekday);
  REQUIRE(local.minute == expected.minute);
}

TEST_CASE("OffsetSpan gives ToLocalTime's answer wherever it covers, across clock changes") {
  std::mt19937_64 rng(17);
  for (const char* name : {"Asia/Shanghai", "America/New_York", "Asia/Kolkata",
                           "Australia/Lord_Howe", "America/St_Johns", "UTC"}) {
    absl::TimeZone tz;
    REQUIRE(absl::LoadTimeZone(name, &tz));
    int64_t at_us = absl::ToUnixMicros(absl::FromCivil(absl::CivilSecond(2025, 1, 1, 0, 0, 0), tz));
    OffsetSpan span;
    int covered = 0;
    for (int i = 0; i < 20000; ++i) {
      at_us += static_cast<int64_t>(rng() % 3'600'000'000);  // up to an hour
      if (!span.Covers(at_us)) span = OffsetSpan::At(at_us, tz);
      if (!span.Covers(at_us)) continue;
      ++covered;
      RequireSameAsToLocalTime(span, at_us, tz);
    }
    CHECK(covered == 20000);
  }
  // Around and before 1970, where the local second may be negative though the UTC one is
  // not, and the other way round.
  for (const char* name : {"Asia/Shanghai", "America/New_York", "UTC"}) {
    absl::TimeZone tz;
    REQUIRE(absl::LoadTimeZone(name, &tz));
    for (int i = 0; i < 20000; ++i) {
      const int64_t at_us =
          static_cast<int64_t>(rng() % (8 * 86'400'000'000ull)) - 4 * 86'400'000'000;
      const OffsetSpan span = OffsetSpan::At(at_us, tz);
      REQUIRE(span.Covers(at_us));
      RequireSameAsToLocalTime(span, at_us, tz);
    }
  }
  // Long before 1970 too.
  absl::TimeZone shanghai;
  REQUIRE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  const int64_t early = -86'400'000'000 * 400 + 123;
  RequireSameAsToLocalTime(OffsetSpan::At(early, shanghai), early, shanghai);
}

}  // namespace
}  // namespace allot
