#include "owner_memory.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>

namespace allot {
namespace {

TEST_CASE("A customer is found by any of its keys, and new keys join it") {
  OwnerMemory m;
  const uint64_t a[] = {1, 2};
  m.Assign(OwnerMemory::kNone, a, /*owner=*/7, /*at=*/100);
  REQUIRE(m.Find({2}) != OwnerMemory::kNone);
  CHECK(m.Find({2}) == m.Find({1}));
  CHECK(m.record(m.Find({1})).owner == 7);
  const uint64_t joined[] = {9, 1};
  m.Join(m.Find(joined), joined);
  CHECK(m.Find({9}) == m.Find({1}));
  CHECK(m.size() == 1);
  CHECK(m.key_count() == 3);
}

TEST_CASE("Customers are forgotten in assignment order; a reassignment restarts the clock") {
  OwnerMemory m;
  m.Assign(OwnerMemory::kNone, {{1}}, 0, 100);
  m.Assign(OwnerMemory::kNone, {{2}}, 0, 200);
  m.Assign(m.Find({1}), {{1}}, 1, 300);  // customer 1 reassigned: the entry at 100 is stale
  m.ForgetAssignedUpTo(250);
  CHECK(m.Find({2}) == OwnerMemory::kNone);
  REQUIRE(m.Find({1}) != OwnerMemory::kNone);
  CHECK(m.record(m.Find({1})).owner == 1);
  m.ForgetAssignedUpTo(300);
  CHECK(m.size() == 0);
  CHECK(m.key_count() == 0);
}

TEST_CASE("A key seen with another customer's key moves to that customer") {
  OwnerMemory m;
  m.Assign(OwnerMemory::kNone, {{1}}, 0, 10);
  m.Assign(OwnerMemory::kNone, {{2}}, 1, 20);
  const uint64_t both[] = {2, 1};  // key 2 matches first: key 1 moves to its customer
  m.Assign(m.Find(both), both, 2, 30);
  CHECK(m.size() == 1);
  CHECK(m.Find({1}) == m.Find({2}));
  CHECK(m.record(m.Find({1})).owner == 2);
}

// Property: against a plain model (key → (owner, at)) over a long random sequence.
TEST_CASE("OwnerMemory matches a naive model over random operations") {
  std::mt19937_64 rng(42);
  OwnerMemory m;
  struct Customer {
    uint32_t owner;
    int64_t at;
    std::set<uint64_t> keys;
  };
  std::map<int, Customer> model;  // model id → customer
  std::map<uint64_t, int> key_of;
  int next_id = 0;
  int64_t now = 0;
  const int64_t kRemember = 5000;
  for (int step = 0; step < 20000; ++step) {
    now += rng() % 20;
    const uint64_t k1 = rng() % 3000, k2 = rng() % 3000;
    std::vector<uint64_t> keys = {k1};
    if (rng() % 4 == 0 && k2 != k1) keys.push_back(k2);
    const uint32_t owner = rng() % 10;
    // Model of Assign: first known key decides the customer; all keys join it.
    int id = -1;
    for (uint64_t k : keys) {
      if (key_of.count(k)) {
        id = key_of[k];
        break;
      }
    }
    if (id < 0) id = next_id++;
    for (uint64_t k : keys) {
      if (key_of.count(k) && key_of[k] != id) {
        model[key_of[k]].keys.erase(k);
        if (model[key_of[k]].keys.empty()) model.erase(key_of[k]);
      }
      key_of[k] = id;
    }
    Customer& c = model[id];
    c.owner = owner;
    c.at = now;
    for (uint64_t k : keys) c.keys.insert(k);
    m.Assign(m.Find(keys), keys, owner, now);

    m.ForgetAssignedUpTo(now - kRemember);
    for (auto it = model.begin(); it != model.end();) {
      if (it->second.at <= now - kRemember) {
        for (uint64_t k : it->second.keys) key_of.erase(k);
        it = model.erase(it);
      } else {
        ++it;
      }
    }
    if (step % 97 == 0) {
      REQUIRE(m.size() == model.size());
      REQUIRE(m.key_count() == key_of.size());
      for (const auto& [key, mid] : key_of) {
        const OwnerMemory::CustomerId found = m.Find({key});
        REQUIRE(found != OwnerMemory::kNone);
        REQUIRE(m.record(found).owner == model[mid].owner);
        REQUIRE(m.record(found).assigned_at_us == model[mid].at);
      }
    }
  }
}

}  // namespace
}  // namespace allot
