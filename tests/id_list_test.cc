// IdList against a std::vector: random appends, removals, copies, clears and in-place
// sorts, across the move from in place to the heap; for two room sizes. Sort against
// std::sort, for every order of up to eight ids (its network) and longer random lists.
#include "id_list.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <vector>

namespace allot::internal {
namespace {

template <typename List>
void CheckSame(const List& list, const std::vector<uint32_t>& want) {
  REQUIRE(list.size() == want.size());
  REQUIRE(list.empty() == want.empty());
  REQUIRE(std::vector<uint32_t>(list.begin(), list.end()) == want);
  const absl::Span<const uint32_t> span = list;
  REQUIRE(std::vector<uint32_t>(span.begin(), span.end()) == want);
  for (size_t i = 0; i < want.size(); ++i) REQUIRE(list[i] == want[i]);
}

TEMPLATE_TEST_CASE("IdList holds what a vector holds, in place and on the heap", "", IdList,
                   BasicIdList<2>) {
  std::mt19937_64 rng(41);
  for (int trial = 0; trial < 200; ++trial) {
    TestType list;
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
          TestType copy = list;
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
        case 3:
          // Its ids are writable in place (TagRules sorts its candidates so).
          std::sort(list.begin(), list.end());
          std::sort(want.begin(), want.end());
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

TEMPLATE_TEST_CASE("IdList grows past its room in place, keeping the order", "", IdList,
                   BasicIdList<2>) {
  TestType list;
  std::vector<uint32_t> want;
  for (uint32_t id = 0; id < 5 * TestType::kInPlace + 3; ++id) {
    list.push_back(id * 7);
    want.push_back(id * 7);
    CheckSame(list, want);
  }
  TestType other;
  other = list;
  CHECK(other == list);
  list = list;  // self-assignment keeps the ids
  CheckSame(list, want);
}

TEMPLATE_TEST_CASE("IdList sorts like std::sort: every order of up to eight, and more", "", IdList,
                   BasicIdList<2>, BasicIdList<64>) {
  // Every arrangement of values with repeats, for each count up to eight (the network),
  // then random lists past it; values near the top of the range too, as the network pads
  // with the largest id.
  const uint32_t values[] = {0, 1, 1, 7, UINT32_MAX - 1, UINT32_MAX, 3, 2};
  for (size_t n = 0; n <= 8; ++n) {
    std::vector<uint32_t> ids(values, values + n);
    std::sort(ids.begin(), ids.end());
    do {
      TestType list;
      for (uint32_t id : ids) list.push_back(id);
      list.Sort();
      std::vector<uint32_t> want = ids;
      std::sort(want.begin(), want.end());
      CheckSame(list, want);
    } while (std::next_permutation(ids.begin(), ids.end()));
  }
  std::mt19937_64 rng(43);
  for (int trial = 0; trial < 200; ++trial) {
    TestType list;
    std::vector<uint32_t> want;
    const size_t n = 9 + rng() % 100;
    for (size_t i = 0; i < n; ++i) {
      const auto id = static_cast<uint32_t>(rng() % 50);
      list.push_back(id);
      want.push_back(id);
    }
    list.Sort();
    std::sort(want.begin(), want.end());
    CheckSame(list, want);
  }
}

}  // namespace
}  // namespace allot::internal
