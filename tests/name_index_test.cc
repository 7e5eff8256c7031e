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

}  // namespace
}  // namespace allot::internal
