// IdList against a std::vector: random appends, removals, copies and clears, across the
// move from in place to the heap.
#include "id_list.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <vector>

namespace allot::internal {
namespace {

void CheckSame(const IdList& list, const std::vector<uint32_t>& want) {
  REQUIRE(list.size() == want.size());
  REQUIRE(list.empty() == want.empty());
  REQUIRE(std::vector<uint32_t>(list.begin(), list.end()) == want);
  const absl::Span<const uint32_t> span = list;
  REQUIRE(std::vector<uint32_t>(span.begin(), span.end()) == want);
  for (size_t i = 0; i < want.size(); ++i) REQUIRE(list[i] == want[i]);
}

TEST_CASE("IdList holds what a vector holds, in place and on the heap") {
  std::mt19937_64 rng(41);
  for (int trial = 0; trial < 200; ++trial) {
    IdList list;
    std::vector<uint32_t> want;
    const int steps = static_cast<int>(rng() % 200);
    for (int step = 0; step < steps; ++step) {
      const uint32_t id = static_cast<uint32_t>(rng() % 12);
      switch (rng() % 10) {
        case 0: {
          list.Remove(id);
          want.erase(std::remove(want.begin(), want.end(), id), want.end());
          break;
        }
        case 1: {
          // A copy is equal and independent: changing one leaves the other.
          IdList copy = list;
          CHECK(copy == list);
          copy.push_back(id);
          CHECK_FALSE(copy == list);
          CheckSame(list, want);
          list = copy;
          want.push_back(id);
          break;
        }
        case 2:
          if (rng() % 10 == 0) {
            list.clear();
            want.clear();
          }
          break;
        default:
          list.push_back(id);
          want.push_back(id);
          break;
      }
      CheckSame(list, want);
    }
  }
}

TEST_CASE("IdList grows past its room in place, keeping the order") {
  IdList list;
  std::vector<uint32_t> want;
  for (uint32_t id = 0; id < 5 * IdList::kInPlace + 3; ++id) {
    list.push_back(id * 7);
    want.push_back(id * 7);
    CheckSame(list, want);
  }
  IdList other;
  other = list;
  CHECK(other == list);
  list = list;  // self-assignment keeps the ids
  CheckSame(list, want);
}

}  // namespace
}  // namespace allot::internal
