// PressureWindow: the exact sliding-window limit of SPEC §5.4 (动态分配) — at most `max`
// assignments in any window of length `window`. Keeps the times of (at least) the last `max`
// assignments, in order; the next one is allowed once the max-th latest has left the window.
// Knows nothing of employees or configs; times are microseconds.
#ifndef ALLOT_SRC_PRESSURE_WINDOW_H_
#define ALLOT_SRC_PRESSURE_WINDOW_H_

#include <algorithm>
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

  // How many recorded times lie in the window (now - window, now]: O(log n).
  static uint32_t InWindow(const std::vector<int64_t>& recent, int64_t window_us, int64_t now_us) {
    return static_cast<uint32_t>(
        recent.end() - std::upper_bound(recent.begin(), recent.end(), now_us - window_us));
  }

  // True when one more assignment at `now_us` leaves `max` in the window (now - window, now]:
  // InWindow + 1 >= max, in O(1): the times are in order, so it is enough to look at the
  // (max - 1)-th latest. Requires max >= 1.
  static bool Fills(const std::vector<int64_t>& recent, uint32_t max, int64_t window_us,
                    int64_t now_us) {
    const size_t k = max - 1;
    if (k == 0) return true;
    return recent.size() >= k && recent[recent.size() - k] > now_us - window_us;
  }

  // Records an assignment at `now_us`, keeping at least the last `keep` times. Older ones are
  // dropped in blocks, so that a record costs O(1) amortized however large `keep` is.
  // Allocates at most once for a vector that is full: room for the most it will hold is
  // taken at once (a state just loaded holds its times in vectors with no room; growing by
  // doubling allocated on about one in five arrivals of a 2000-member group for its first
  // hundred thousand, SPEC §7).
  static void Record(std::vector<int64_t>& recent, uint32_t keep, int64_t now_us) {
    if (recent.size() == recent.capacity()) recent.reserve(Most(keep));
    recent.push_back(now_us);
    if (recent.size() > Most(keep) - 1) {
      recent.erase(recent.begin(), recent.end() - keep);
    }
  }
  // The most times Record holds for `keep`: 2 × keep + 8 and the one just recorded.
  static size_t Most(uint32_t keep) { return 2 * size_t{keep} + 9; }
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_PRESSURE_WINDOW_H_
