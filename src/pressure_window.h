// PressureWindow: the exact sliding-window limit of SPEC §5.4 (动态分配) — at most `max`
// assignments in any window of length `window`. Keeps the times of the last `max`
// assignments; the next one is allowed once the oldest of them has left the window.
// Knows nothing of employees or configs; times are microseconds.
#ifndef ALLOT_SRC_PRESSURE_WINDOW_H_
#define ALLOT_SRC_PRESSURE_WINDOW_H_

#include <cstdint>
#include <vector>

namespace allot::internal {

class PressureWindow {
 public:
  // True when one more assignment at `now_us` keeps every window of `window_us` at or below
  // `max`. Requires `now_us` not earlier than any recorded time.
  static bool Allows(const std::vector<int64_t>& recent, uint32_t max, int64_t window_us,
                     int64_t now_us) {
    if (max == 0) return false;
    if (recent.size() < max) return true;
    // recent holds the last `max` times in order; the oldest must be out of the window
    // (at or before now - window) for a new one to fit.
    return recent[recent.size() - max] <= now_us - window_us;
  }

  // Records an assignment at `now_us`, keeping only the last `keep` times.
  static void Record(std::vector<int64_t>& recent, uint32_t keep, int64_t now_us) {
    recent.push_back(now_us);
    if (recent.size() > keep) recent.erase(recent.begin(), recent.end() - keep);
  }
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_PRESSURE_WINDOW_H_
