// MemberTournament against a plain ordered set, over long random sequences of Set and Erase.
#include "member_tournament.h"

#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <tuple>

namespace allot::internal {
namespace {

TEST_CASE("MemberTournament keeps the least (key, tie, member) on top as members come and go") {
  std::mt19937_64 rng(19);
  for (uint32_t n : {1u, 2u, 3u, 7u, 50u, 2000u}) {
    MemberTournament tournament;
    tournament.Reset(n);
    std::set<std::tuple<double, double, uint32_t>> model;
    std::vector<std::pair<double, double>> keys(n);
    std::vector<bool> in(n, false);
    for (int step = 0; step < 20000; ++step) {
      const uint32_t m = static_cast<uint32_t>(rng() % n);
      if (rng() % 3 == 0) {
        tournament.Erase(m);
        if (in[m]) model.erase({keys[m].first, keys[m].second, m});
        in[m] = false;
      } else {
        // Few distinct keys, so that ties on key and on tie are common.
        const double key = static_cast<double>(rng() % 8), tie = static_cast<double>(rng() % 3);
        tournament.Set(m, key, tie);
        if (in[m]) model.erase({keys[m].first, keys[m].second, m});
        keys[m] = {key, tie};
        in[m] = true;
        model.insert({key, tie, m});
      }
      REQUIRE(tournament.size() == model.size());
      REQUIRE(tournament.Contains(m) == in[m]);
      if (model.empty()) {
        REQUIRE(tournament.empty());
        continue;
      }
      const auto& [key, tie, member] = *model.begin();
      REQUIRE(tournament.top().member == member);
      REQUIRE(tournament.top().key == key);
      REQUIRE(tournament.top().tie == tie);
    }
    // Reset empties it for reuse (a group filed again from scratch).
    tournament.Reset(n);
    REQUIRE(tournament.empty());
    for (uint32_t m = 0; m < n; ++m) REQUIRE_FALSE(tournament.Contains(m));
    tournament.Set(n - 1, 5, 0);
    REQUIRE(tournament.top().member == n - 1);
  }
}

}  // namespace
}  // namespace allot::internal
