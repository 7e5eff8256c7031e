// IdList against a std::vector: random appends, removals, copies, clears and in-place
// sorts, across the move from in place to the heap; for two room sizes and 32- and 64-bit
// ids. Sort against std::sort, for every order of up to eight ids (its network) and longer
// random lists.
#include "id_list.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>
#include <random>
#include <vector>

namespace allot::internal {
namespace {

template <typename List>
using Ids = std::vector<typename List::value_type>;

template <typename List>
void CheckSame(const List& list, const Ids<List>& want) {
  using Id = typename List::value_type;
  REQUIRE(list.size() == want.size());
  REQUIRE(list.empty() == want.empty());
  REQUIRE(Ids<List>(list.begin(), list.end()) == want);
  const absl::Span<const Id> span = list;
  REQUIRE(Ids<List>(span.begin(), span.end()) == want);
  for (size_t i = 0; i < want.size(); ++i) REQUIRE(list[i] == want[i]);
}

// Ids spread over the whole range of the list's type (so that 64-bit ids differ above the
// low 32 bits), `distinct` of them.
template <typename List>
typename List::value_type SpreadId(uint64_t i, uint64_t distinct) {
  using Id = typename List::value_type;
  return static_cast<Id>(i * (std::numeric_limits<Id>::max() / distinct));
}

TEMPLATE_TEST_CASE("IdList holds what a vector holds, in place and on the heap", "", IdList,
                   BasicIdList<2>, (BasicIdList<2, uint64_t>)) {
  std::mt19937_64 rng(41);
  for (int trial = 0; trial < 200; ++trial) {
    TestType list;
    Ids<TestType> want;
    const int steps = static_cast<int>(rng() % 200);
    for (int step = 0; step < steps; ++step) {
      const auto id = SpreadId<TestType>(rng() % 12, 12);
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
                   BasicIdList<2>, (BasicIdList<2, uint64_t>)) {
  TestType list;
  Ids<TestType> want;
  const uint32_t n = 5 * TestType::kInPlace + 3;
  for (uint32_t i = 0; i < n; ++i) {
    list.push_back(SpreadId<TestType>(i, n));
    want.push_back(SpreadId<TestType>(i, n));
    CheckSame(list, want);
  }
  TestType other;
  other = list;
  CHECK(other == list);
  list = list;  // self-assignment keeps the ids
  CheckSame(list, want);
}

TEMPLATE_TEST_CASE("IdList sorts like std::sort: every order of up to eight, and more", "", IdList,
                   BasicIdList<2>, BasicIdList<64>, (BasicIdList<64, uint64_t>)) {
  using Id = typename TestType::value_type;
  // Every arrangement of values with repeats, for each count up to eight (the network),
  // then random lists past it; values near the top of the range too, as the network pads
  // with the largest id, and one with only the top bit.
  constexpr Id kMax = std::numeric_limits<Id>::max();
  const Id values[] = {0, 1, 1, 7, kMax - 1, kMax, 3, kMax / 2 + 1};
  for (size_t n = 0; n <= 8; ++n) {
    Ids<TestType> ids(values, values + n);
    std::sort(ids.begin(), ids.end());
    do {
      TestType list;
      for (Id id : ids) list.push_back(id);
      list.Sort();
      Ids<TestType> want = ids;
      std::sort(want.begin(), want.end());
      CheckSame(list, want);
    } while (std::next_permutation(ids.begin(), ids.end()));
  }
  std::mt19937_64 rng(43);
  for (int trial = 0; trial < 200; ++trial) {
    TestType list;
    Ids<TestType> want;
    const size_t n = 9 + rng() % 100;
    for (size_t i = 0; i < n; ++i) {
      const auto id = SpreadId<TestType>(rng() % 50, 50);
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
