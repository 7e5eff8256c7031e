#include "time_window.h"

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace allot {

LocalTime ToLocalTime(absl::Time t, const absl::TimeZone& tz) {
  const absl::TimeZone::CivilInfo info = tz.At(t);
  const absl::CivilDay day(info.cs);
  LocalTime local;
  local.day = day - absl::CivilDay(1970, 1, 1);
  local.weekday =
      (static_cast<int>(absl::GetWeekday(day)) - static_cast<int>(absl::Weekday::monday) + 7) % 7;
  local.minute = info.cs.hour() * 60 + info.cs.minute();
  return local;
}

OffsetSpan OffsetSpan::At(int64_t at_us, const absl::TimeZone& tz) {
  const absl::Time t = absl::FromUnixMicros(at_us);
  OffsetSpan span;
  span.from_us_ = at_us;
  span.offset_s_ = tz.At(t).offset;
  absl::TimeZone::CivilTransition next;
  span.until_us_ = tz.NextTransition(t, &next) ? absl::ToUnixMicros(tz.At(next.to).trans)
                                               : std::numeric_limits<int64_t>::max();
  if (span.until_us_ <= at_us) span.until_us_ = at_us;  // covers nothing: look the zone up
  return span;
}

absl::StatusOr<int> ParseClock(absl::string_view text, bool allow_24) {
  auto digit = [&](size_t i) { return absl::ascii_isdigit(static_cast<unsigned char>(text[i])); };
  if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not a time of day HH:MM"));
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (allow_24 && hours == 24 && minutes == 0) return 24 * 60;
  if (hours > 23 || minutes > 59) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not a time of day HH:MM"));
  }
  return hours * 60 + minutes;
}

absl::StatusOr<TimeWindow> TimeWindow::Compile(const google::protobuf::RepeatedField<int>& days,
                                               absl::string_view start, absl::string_view end,
                                               absl::string_view path) {
  uint8_t mask = 0;
  for (int i = 0; i < days.size(); ++i) {
    if (days[i] < v1::MON || days[i] > v1::SUN) {
      return absl::InvalidArgumentError(absl::StrCat(path, ".days[", i, "]: not a weekday"));
    }
    mask |= static_cast<uint8_t>(1u << (days[i] - v1::MON));
  }
  if (days.empty()) mask = 0x7f;
  absl::StatusOr<int> s = ParseClock(start, false);
  if (!s.ok())
    return absl::InvalidArgumentError(absl::StrCat(path, ".start: ", s.status().message()));
  absl::StatusOr<int> e = ParseClock(end, true);
  if (!e.ok())
    return absl::InvalidArgumentError(absl::StrCat(path, ".end: ", e.status().message()));
  if (*s == 0 && *e == 0) e = 24 * 60;  // 00:00–00:00 is the whole day
  return TimeWindow(mask, *s, *e);
}

absl::StatusOr<TimeWindow> TimeWindow::Compile(const v1::TimeWindow& window,
                                               absl::string_view path) {
  return Compile(window.days(), window.start(), window.end(), path);
}

}  // namespace allot
