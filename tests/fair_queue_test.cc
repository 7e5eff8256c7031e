// FairQueue must pick exactly as the WEIGHTED scan of strategy.h does (SPEC §5.2), through
// long random runs where members leave and rejoin the eligible set.
#include "fair_queue.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "strategy.h"

namespace allot::internal {
namespace {

TEST_CASE("FairQueue picks what the WEIGHTED scan picks, as members come and go") {
  std::mt19937_64 rng(5);
  const double choices[] = {0.1, 0.5, 0.7, 1.0, 1.5, 3, 100};
  for (int trial = 0; trial < 100; ++trial) {
    const uint32_t n = 1 + rng() % 60;
    std::vector<double> weight(n);
    std::vector<int64_t> units(n);
    for (uint32_t m = 0; m < n; ++m) {
      weight[m] = rng() % 4 == 0 ? 0.01 + (rng() % 1000) / 37.0 : choices[rng() % 7];
      units[m] = WeightUnits(weight[m]);
    }
    std::vector<double> start(n, 0);
    double virtual_time = 0;
    std::vector<bool> eligible(n, true);
    FairQueue queue;
    queue.Reset(n);
    for (uint32_t m = 0; m < n; ++m) {
      queue.Insert(m, start[m], start[m] + TurnOf(units[m]), units[m], virtual_time);
    }
    for (int step = 0; step < 2000; ++step) {
      // Now and then a member leaves or rejoins, keeping its virtual start.
      if (rng() % 4 == 0) {
        const uint32_t m = rng() % n;
        eligible[m] = !eligible[m];
        if (eligible[m]) {
          // Update files an absent member too.
          queue.Update(m, start[m], start[m] + TurnOf(units[m]), units[m], virtual_time);
        } else {
          queue.Erase(m);
        }
      }
      StrategyInput in;
      in.strategy = v1::WEIGHTED;
      in.weight = weight;
      in.units = units;
      in.start = start;
      in.virtual_time = virtual_time;
      const StrategyPick scan = PickMember(
          in, [&](int32_t m) { return bool(eligible[m]); }, [](int32_t) { return 0; });
      const FairQueue::Choice best = queue.Best();
      INFO("trial " << trial << " step " << step);
      REQUIRE(best.member == scan.member);
      if (scan.member < 0) continue;
      int64_t eligible_units = 0;
      for (uint32_t m = 0; m < n; ++m) eligible_units += eligible[m] ? units[m] : 0;
      REQUIRE(queue.units() == eligible_units);
      const uint32_t m = static_cast<uint32_t>(best.member);
      const StrategyPick pick = WeightedPick(best.member, start[m], start[m] + TurnOf(units[m]),
                                             best.jump, virtual_time, queue.units());
      REQUIRE(pick.start == scan.start);
      REQUIRE(pick.virtual_time == scan.virtual_time);
      // Apply the pick as Engine::Apply does, moving the member in place or, now and then,
      // out and in again.
      start[m] = pick.start;
      virtual_time = pick.virtual_time;
      if (rng() % 3 == 0) {
        queue.Erase(m);
        queue.Insert(m, start[m], start[m] + TurnOf(units[m]), units[m], virtual_time);
      } else {
        queue.Update(m, start[m], start[m] + TurnOf(units[m]), units[m], virtual_time);
      }
      queue.Advance(virtual_time);
      REQUIRE(queue.size() ==
              static_cast<size_t>(std::count(eligible.begin(), eligible.end(), true)));
    }
  }
}

TEST_CASE("FairQueue: empty, erase of an absent member, and a jump when nobody is ready") {
  FairQueue queue;
  queue.Reset(3);
  CHECK(queue.Best().member == -1);
  queue.Erase(1);  // not there: nothing happens
  CHECK(queue.units() == 0);
  queue.Insert(2, 5.0, 6.0, 10, /*virtual_time=*/1.0);
  queue.Insert(0, 3.0, 9.0, 20, 1.0);
  CHECK(queue.Best().member == 0);  // earliest start
  CHECK(queue.Best().jump);
  queue.Advance(5.0);  // both ready now: earliest finish wins
  CHECK(queue.Best().member == 2);
  CHECK_FALSE(queue.Best().jump);
  CHECK(queue.units() == 30);
  queue.Erase(2);
  CHECK(queue.Best().member == 0);
  CHECK_FALSE(queue.Contains(2));
  CHECK(queue.size() == 1);
}

}  // namespace
}  // namespace allot::internal
