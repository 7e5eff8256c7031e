#include "pressure_window.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

namespace allot::internal {
namespace {

TEST_CASE("PressureWindow allows max per window, exactly") {
  std::vector<int64_t> recent;
  const int64_t W = 30 * 60;  // 30 minutes in (test) seconds
  for (int64_t t : {0, 60, 120}) {
    REQUIRE(PressureWindow::Allows(recent, 3, W, t));
    PressureWindow::Record(recent, 3, t);
  }
  CHECK_FALSE(PressureWindow::Allows(recent, 3, W, 1799));  // 0 is still inside (1799-W, 1799]
  CHECK(PressureWindow::Allows(recent, 3, W, 1800));        // 0 has left the window
  PressureWindow::Record(recent, 3, 1800);
  CHECK(PressureWindow::InWindow(recent, W, 1800) == 3);  // 60, 120, 1800
  CHECK(PressureWindow::InWindow(recent, W, 1860) == 2);
  CHECK_FALSE(PressureWindow::Allows(recent, 3, W, 1859));
  CHECK(PressureWindow::Allows(recent, 3, W, 1860));
  CHECK_FALSE(PressureWindow::Allows(recent, 0, W, 1860));
}

TEST_CASE("PressureWindow never lets any window exceed max, over random arrivals") {
  std::mt19937_64 rng(5);
  for (uint32_t max : {1u, 2u, 5u, 10u}) {
    const int64_t W = 100;
    std::vector<int64_t> recent, accepted;
    int64_t t = 0;
    for (int i = 0; i < 5000; ++i) {
      t += rng() % 15;
      // Fills is InWindow + 1 >= max, looked up in O(1).
      REQUIRE(PressureWindow::Fills(recent, max, W, t) ==
              (PressureWindow::InWindow(recent, W, t) + 1 >= max));
      if (!PressureWindow::Allows(recent, max, W, t)) continue;
      PressureWindow::Record(recent, max, t);
      accepted.push_back(t);
      REQUIRE(recent.size() <= 2 * max + 8);  // old times are dropped
      REQUIRE(recent.capacity() <= PressureWindow::Most(max));
      // Every window (t - W, t] ending at an accepted time holds at most max.
      uint32_t in_window = 0;
      for (auto it = accepted.rbegin(); it != accepted.rend() && *it > t - W; ++it) ++in_window;
      REQUIRE(in_window <= max);
      REQUIRE(PressureWindow::InWindow(recent, W, t) == std::min(in_window, max));
    }
    // And it is not stricter than needed: a refused time would have broken the limit.
    CHECK(accepted.size() > 5000 * 7 / 100 * max / 15);
  }
}

TEST_CASE("PressureWindow::Record allocates once for a vector with no room, then never") {
  for (uint32_t keep : {1u, 3u, 10u, 100u}) {
    // As a state just loaded holds them: exactly as many as there are, no room.
    std::vector<int64_t> loaded = {1, 2, 3};
    std::vector<int64_t> recent(loaded.begin(), loaded.end());
    recent.shrink_to_fit();
    PressureWindow::Record(recent, keep, 4);
    const int64_t* const storage = recent.data();
    for (int64_t t = 5; t < 5000; ++t) {
      PressureWindow::Record(recent, keep, t);
      REQUIRE(recent.data() == storage);
      REQUIRE(recent.back() == t);
      REQUIRE(recent.size() >= std::min<size_t>(keep, static_cast<size_t>(t)));
    }
  }
}

}  // namespace
}  // namespace allot::internal
