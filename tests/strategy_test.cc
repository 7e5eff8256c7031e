// SPEC §5.2: each strategy's guarantee, at every prefix of long pick sequences.
#include "strategy.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

namespace allot::internal {
namespace {

// A group's strategy state, advanced as Engine::Apply would.
struct Group {
  v1::Strategy strategy;
  std::vector<double> weight;
  std::vector<int64_t> units;
  std::vector<double> start;
  double virtual_time = 0;
  int32_t last_picked = -1;
  std::vector<uint32_t> count;

  Group(v1::Strategy s, std::vector<double> w)
      : strategy(s), weight(w), start(w.size(), 0), count(w.size(), 0) {
    for (double x : w) units.push_back(WeightUnits(x));
  }

  template <typename Eligible>
  int32_t Pick(Eligible eligible, uint64_t seed = 0) {
    StrategyInput in{strategy, weight, units, start, virtual_time, last_picked, seed};
    const StrategyPick p = PickMember(in, eligible, [&](int32_t m) { return count[m]; });
    if (p.member < 0) return -1;
    last_picked = p.member;
    if (strategy == v1::WEIGHTED) {
      start[p.member] = p.start;
      virtual_time = p.virtual_time;
    }
    ++count[p.member];
    return p.member;
  }
};

TEST_CASE("WEIGHTED: |count - N*w/W| < 2 at every prefix, for random weights and eligible sets") {
  std::mt19937_64 rng(7);
  const double choices[] = {0.1, 0.5, 0.7, 1.0, 1.5, 2, 3, 10, 100};
  double worst = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + rng() % 40;
    std::vector<double> w(n);
    std::vector<bool> eligible(n);
    for (int i = 0; i < n; ++i) {
      w[i] = rng() % 3 == 0 ? 0.05 + (rng() % 5000) / 100.0 : choices[rng() % 9];
      eligible[i] = rng() % 10 < 7;
    }
    eligible[rng() % n] = true;
    double total = 0;
    for (int i = 0; i < n; ++i) total += eligible[i] ? w[i] : 0;
    Group g(v1::WEIGHTED, w);
    for (int k = 1; k <= 1000; ++k) {
      const int32_t m = g.Pick([&](int32_t i) { return bool(eligible[i]); });
      REQUIRE(m >= 0);
      REQUIRE(eligible[m]);
      for (int i = 0; i < n; ++i) {
        if (!eligible[i]) continue;
        const double deviation = std::abs(g.count[i] - k * w[i] / total);
        worst = std::max(worst, deviation);
        INFO("trial " << trial << " pick " << k << " member " << i);
        REQUIRE(deviation < 2);
      }
    }
  }
  // The implementation is tighter than the SPEC asks (WF2Q's one-turn bound).
  CHECK(worst < 1.0 + 1e-9);
}

TEST_CASE("WEIGHTED: 1.5 / 1.0 / 0.7 is smooth, and a member back from a cap gets no burst") {
  Group g(v1::WEIGHTED, {1.5, 1.0, 0.7});
  std::vector<int32_t> picks;
  for (int k = 0; k < 32; ++k) picks.push_back(g.Pick([](int32_t) { return true; }));
  // Never three in a row of the same member in a 1.5 : 1.0 : 0.7 mix.
  for (size_t k = 2; k < picks.size(); ++k) {
    CHECK_FALSE((picks[k] == picks[k - 1] && picks[k] == picks[k - 2]));
  }
  // Member 0 is capped for 300 picks, then returns: over the next 32 picks it gets about its
  // share (32 * 1.5/3.2 = 15), not a catch-up burst.
  for (int k = 0; k < 300; ++k) g.Pick([](int32_t i) { return i != 0; });
  const uint32_t before = g.count[0];
  for (int k = 0; k < 32; ++k) g.Pick([](int32_t) { return true; });
  CHECK(g.count[0] - before <= 15 + 2);
}

TEST_CASE("ROUND_ROBIN: counts differ by at most 1 among the eligible, at every prefix") {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 100; ++trial) {
    const int n = 1 + rng() % 30;
    std::vector<bool> eligible(n);
    for (int i = 0; i < n; ++i) eligible[i] = rng() % 3 != 0;
    eligible[rng() % n] = true;
    Group g(v1::ROUND_ROBIN, std::vector<double>(n, 1.0));
    for (int k = 0; k < 500; ++k) {
      REQUIRE(g.Pick([&](int32_t i) { return bool(eligible[i]); }) >= 0);
      uint32_t lo = ~0u, hi = 0;
      for (int i = 0; i < n; ++i) {
        if (!eligible[i]) continue;
        lo = std::min(lo, g.count[i]);
        hi = std::max(hi, g.count[i]);
      }
      REQUIRE(hi - lo <= 1);
    }
  }
}

TEST_CASE("ROUND_ROBIN takes strict turns in member order, skipping the ineligible") {
  Group g(v1::ROUND_ROBIN, {1, 1, 1, 1});
  std::vector<int32_t> picks;
  for (int k = 0; k < 6; ++k) picks.push_back(g.Pick([](int32_t i) { return i != 2; }));
  CHECK(picks == std::vector<int32_t>{0, 1, 3, 0, 1, 3});
}

TEST_CASE("SEQUENTIAL always picks the first eligible member") {
  Group g(v1::SEQUENTIAL, {1, 1, 1});
  CHECK(g.Pick([](int32_t) { return true; }) == 0);
  CHECK(g.Pick([](int32_t) { return true; }) == 0);
  CHECK(g.Pick([](int32_t i) { return i != 0; }) == 1);
  CHECK(g.Pick([](int32_t i) { return i == 2; }) == 2);
  CHECK(g.Pick([](int32_t) { return false; }) == -1);
}

TEST_CASE("LEAST_LOADED picks the lowest load/weight, ties by member order") {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + rng() % 12;
    std::vector<double> w(n);
    for (double& x : w) x = 0.5 * (1 + rng() % 4);
    Group g(v1::LEAST_LOADED, w);
    for (int i = 0; i < n; ++i) g.count[i] = rng() % 6;
    std::vector<bool> eligible(n);
    for (int i = 0; i < n; ++i) eligible[i] = rng() % 4 != 0;
    int expected = -1;
    for (int i = 0; i < n; ++i) {
      if (!eligible[i]) continue;
      if (expected < 0 || g.count[i] / w[i] < g.count[expected] / w[expected]) expected = i;
    }
    CHECK(g.Pick([&](int32_t i) { return bool(eligible[i]); }) == expected);
  }
}

TEST_CASE("RANDOM is uniform over the eligible and a function of its seed") {
  Group g(v1::RANDOM, {1, 1, 1, 1, 1, 1});
  auto eligible = [](int32_t i) { return i != 1 && i != 4; };
  std::vector<int> hits(6, 0);
  const int kDraws = 40000;
  for (int s = 0; s < kDraws; ++s) {
    const uint64_t seed = Mix64(static_cast<uint64_t>(s));
    const int32_t m = g.Pick(eligible, seed);
    REQUIRE(m == g.Pick(eligible, seed));  // deterministic
    ++hits[m];
  }
  CHECK(hits[1] == 0);
  CHECK(hits[4] == 0);
  // Chi-square over the 4 eligible members, 3 degrees of freedom: 16.3 is p = 0.001.
  double chi2 = 0;
  for (int m : {0, 2, 3, 5}) {
    const double expected = kDraws / 4.0;
    chi2 += (hits[m] * 2 - 2 * expected) * (hits[m] - expected) / (2 * expected);
  }
  CHECK(chi2 < 16.3);
}

}  // namespace
}  // namespace allot::internal
