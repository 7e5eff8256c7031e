// NameIndex against a std::set: every indexed name is found with its id, short or long, and
// no other name is, however names share prefixes, suffixes and lengths.
#include "name_index.h"

#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace allot::internal {
namespace {

TEST_CASE("NameIndex finds exactly the names it indexes, by their ids") {
  std::mt19937_64 rng(17);
  const char* const pieces[] = {"a", "b", "敏", "感", "-", "qr"};
  auto random_name = [&] {
    std::string name;
    for (int i = 0, n = static_cast<int>(rng() % 20); i < n; ++i) name += pieces[rng() % 6];
    return name;
  };
  for (int size : {0, 1, 3, 40, 400}) {
    std::set<std::string> distinct;
    while (static_cast<int>(distinct.size()) < size) distinct.insert(random_name());
    const std::vector<std::string> names(distinct.begin(), distinct.end());
    const NameIndex index(names);
    for (uint32_t id = 0; id < names.size(); ++id) {
      INFO(names[id]);
      CHECK(index.Find(names[id]) == id);
    }
    auto absent = [&](const std::string& name) {
      INFO(name);
      CHECK((index.Find(name) == NameIndex::kNone) == (distinct.count(name) == 0));
    };
    for (int i = 0; i < 3000; ++i) absent(random_name());
    // Near misses: every name with one byte changed, dropped or added.
    for (const std::string& name : names) {
      for (size_t at = 0; at < name.size(); ++at) {
        std::string changed = name;
        changed[at] = static_cast<char>(changed[at] ^ 1);
        absent(changed);
        absent(std::string(name).erase(at, 1));
      }
      absent(name + "a");
    }
  }
}

// The empty name is found only when indexed: an empty slot holds its key (with id kNone).
TEST_CASE("NameIndex finds the empty name only when it indexes it") {
  CHECK(NameIndex().Find("") == NameIndex::kNone);
  CHECK(NameIndex().Find("a") == NameIndex::kNone);
  CHECK(NameIndex({"a", "b"}).Find("") == NameIndex::kNone);
  CHECK(NameIndex({"a", "", "b"}).Find("") == 1);
  CHECK(NameIndex({""}).Find("") == 0);
  CHECK(NameIndex({""}).Find(std::string(1, '\0')) == NameIndex::kNone);
}

// An index that was the source of a move (which copies) still finds its names.
TEST_CASE("NameIndex stays usable after being moved from") {
  NameIndex index({"a", "bb"});
  const NameIndex moved = std::move(index);
  CHECK(moved.Find("bb") == 1);
  CHECK(index.Find("bb") == 1);  // NOLINT(bugprone-use-after-move): the point of the test
  CHECK(index.Find("c") == NameIndex::kNone);
}

// Names alike but for a few bytes, at every length about the 16 bytes a key holds exactly:
// many share a hash chain, and long ones share their key's first and last 8 bytes.
TEST_CASE("NameIndex tells apart names that share most of their bytes") {
  for (size_t length = 1; length <= 40; ++length) {
    std::vector<std::string> names;
    for (int i = 0; i < 300; ++i) {
      std::string name(length, 'x');
      name[length / 2] = static_cast<char>('a' + i % 26);
      if (length > 1) name[(length - 1) / 3] = static_cast<char>('A' + i / 26);
      if (i < 26 || length > 1) names.push_back(name);
    }
    const NameIndex index(names);
    for (uint32_t id = 0; id < names.size(); ++id) {
      INFO(names[id]);
      CHECK(index.Find(names[id]) == id);
      CHECK(index.Find(names[id] + "x") == NameIndex::kNone);
      CHECK(index.Find(std::string(names[id]).erase(0, 1)) == NameIndex::kNone);
      std::string zero = names[id];
      zero[length / 2] = '\0';
      CHECK(index.Find(zero) == NameIndex::kNone);
    }
  }
}

}  // namespace
}  // namespace allot::internal
