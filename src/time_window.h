// Weekly windows of local time ("MON–FRI 09:00–18:00"), used by employee schedules, entry
// hours, entry slots and rule conditions. Knows nothing of the rest of allot.
#ifndef ALLOT_SRC_TIME_WINDOW_H_
#define ALLOT_SRC_TIME_WINDOW_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "allot/v1/common.pb.h"

namespace allot {

// A moment in local time, computed once per event.
struct LocalTime {
  int64_t day = 0;  // days since 1970-01-01, local
  int weekday = 0;  // 0 = Monday … 6 = Sunday
  int minute = 0;   // minute of the day, 0–1439

  // Hours since 1970-01-01, local (day * 24 + hour): what hourly caps count by.
  int64_t hour() const { return day * 24 + static_cast<unsigned>(minute) / 60; }
};

// Converts `t` to local time in `tz`.
LocalTime ToLocalTime(absl::Time t, const absl::TimeZone& tz);

// A stretch of time over which a zone keeps one UTC offset, so that local times inside it
// are arithmetic instead of a time-zone lookup. Equal to ToLocalTime wherever it Covers.
class OffsetSpan {
 public:
  // The span holding `at_us`: from `at_us` to the zone's next offset change.
  static OffsetSpan At(int64_t at_us, const absl::TimeZone& tz);

  bool Covers(int64_t at_us) const { return at_us >= from_us_ && at_us < until_us_; }
  LocalTime ToLocal(int64_t at_us) const {
    constexpr int64_t kDay = 86400;
    const int64_t seconds = FloorDiv(at_us, 1'000'000) + offset_s_;
    const int64_t day = FloorDiv(seconds, kDay);
    // 1970-01-01 was a Thursday (3, counting Monday as 0). The second of the day is never
    // negative.
    return {day, static_cast<int>(FloorMod(day + 3, 7)),
            static_cast<int>(static_cast<uint64_t>(seconds - day * kDay) / 60)};
  }

 private:
  // Floor division and its remainder by a positive constant; unsigned, which costs a
  // multiply where signed costs several more steps, for the times after 1970 that events
  // have (once per event, SPEC §7).
  static int64_t FloorDiv(int64_t a, int64_t b) {
    if (a >= 0) return static_cast<int64_t>(static_cast<uint64_t>(a) / static_cast<uint64_t>(b));
    return a / b - (a % b != 0);
  }
  static int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

  int64_t from_us_ = 0;
  int64_t until_us_ = 0;  // empty by default
  int64_t offset_s_ = 0;
};

// Parses "HH:MM" (00:00–23:59; "24:00" too when `allow_24` is set) into minutes.
absl::StatusOr<int> ParseClock(absl::string_view text, bool allow_24);

// A weekly window. `days` is a bitmask (bit 0 = Monday); a window whose end is at or before
// its start runs past midnight, its tail belonging to the day after a listed day.
class TimeWindow {
 public:
  TimeWindow() = default;
  TimeWindow(uint8_t days, int start_minute, int end_minute)
      : days_(days), start_(start_minute), end_(end_minute) {}

  // Compiles a window. Errors name `path` (e.g. "employees[2].schedule[0].start").
  static absl::StatusOr<TimeWindow> Compile(const v1::TimeWindow& window, absl::string_view path);
  // Compiles days and clock bounds given separately (slots, hourly caps).
  static absl::StatusOr<TimeWindow> Compile(const google::protobuf::RepeatedField<int>& days,
                                            absl::string_view start, absl::string_view end,
                                            absl::string_view path);

  // Minutes of the day where the window opens and closes.
  int start_minute() const { return start_; }
  int end_minute() const { return end_; }
  // Whether any minute of hour `hour` (0–23) of day `weekday` (0 = Monday) is inside.
  bool TouchesHour(int weekday, int hour) const {
    const int from = hour * 60, to = from + 60;
    auto overlaps = [&](int a, int b) { return a < to && b > from; };
    if (start_ < end_) return OnDay(weekday) && overlaps(start_, end_);
    return (OnDay(weekday) && overlaps(start_, 24 * 60)) ||
           (OnDay((weekday + 6) % 7) && overlaps(0, end_));
  }

  bool Contains(const LocalTime& t) const {
    if (start_ < end_) return OnDay(t.weekday) && t.minute >= start_ && t.minute < end_;
    // Overnight: the evening part on a listed day, the morning part on the day after.
    if (t.minute >= start_) return OnDay(t.weekday);
    return t.minute < end_ && OnDay((t.weekday + 6) % 7);
  }

 private:
  bool OnDay(int weekday) const { return (days_ >> weekday) & 1; }

  uint8_t days_ = 0x7f;
  int start_ = 0;
  int end_ = 24 * 60;
};

}  // namespace allot

#endif  // ALLOT_SRC_TIME_WINDOW_H_
