// MemberHeap against a plain ordered set, over long random sequences of Set and Erase.
#include "member_heap.h"

#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <tuple>

namespace allot::internal {
namespace {

TEST_CASE("MemberHeap keeps the least (key, tie, member) on top as members come and go") {
  std::mt19937_64 rng(19);
  for (uint32_t n : {1u, 2u, 7u, 50u, 2000u}) {
    MemberHeap heap;
    heap.Reset(n);
    std::set<std::tuple<double, double, uint32_t>> model;
    std::vector<std::pair<double, double>> keys(n);
    std::vector<bool> in(n, false);
    for (int step = 0; step < 20000; ++step) {
      const uint32_t m = static_cast<uint32_t>(rng() % n);
      if (rng() % 3 == 0) {
        heap.Erase(m);
        if (in[m]) model.erase({keys[m].first, keys[m].second, m});
        in[m] = false;
      } else {
        // Few distinct keys, so that ties on key and on tie are common.
        const double key = static_cast<double>(rng() % 8), tie = static_cast<double>(rng() % 3);
        heap.Set(m, key, tie);
        if (in[m]) model.erase({keys[m].first, keys[m].second, m});
        keys[m] = {key, tie};
        in[m] = true;
        model.insert({key, tie, m});
      }
      REQUIRE(heap.size() == model.size());
      REQUIRE(heap.Contains(m) == in[m]);
      if (model.empty()) {
        REQUIRE(heap.empty());
        continue;
      }
      const auto& [key, tie, member] = *model.begin();
      REQUIRE(heap.top().member == member);
      REQUIRE(heap.top().key == key);
      REQUIRE(heap.top().tie == tie);
    }
  }
}

}  // namespace
}  // namespace allot::internal
