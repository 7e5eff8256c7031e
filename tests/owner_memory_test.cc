#include "owner_memory.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <vector>

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

// Property: against a plain model (key → customer → owner, time, lost) over long random
// sequences of every operation, through chunk turnover, index rebuilds and copies.
TEST_CASE("OwnerMemory matches a naive model over random operations") {
  for (const uint64_t key_space : {300u, 3000u, 40000u}) {
    std::mt19937_64 rng(42 + key_space);
    OwnerMemory m;
    struct Customer {
      uint32_t owner;
      int64_t at;
      bool lost = false;
      std::set<uint64_t> keys;
    };
    std::map<int, Customer> model;  // model id → customer
    std::map<uint64_t, int> key_of;
    int next_id = 0;
    int64_t now = 0;
    const int64_t kRemember = 5000;
    // Model: `keys` join customer `id`, leaving any other customer they belonged to.
    auto join = [&](int id, const std::vector<uint64_t>& keys) {
      for (uint64_t k : keys) {
        if (key_of.count(k) && key_of[k] != id) {
          model[key_of[k]].keys.erase(k);
          if (model[key_of[k]].keys.empty()) model.erase(key_of[k]);
        }
        key_of[k] = id;
        model[id].keys.insert(k);
      }
    };
    for (int step = 0; step < 60000; ++step) {
      now += rng() % 20;
      std::vector<uint64_t> keys = {rng() % key_space};
      while (rng() % 4 == 0) keys.push_back(rng() % key_space);
      const int op = static_cast<int>(rng() % 10);
      // Model of Find: the first known key decides the customer.
      int id = -1;
      for (uint64_t k : keys) {
        if (key_of.count(k)) {
          id = key_of[k];
          break;
        }
      }
      const OwnerMemory::CustomerId found = m.Find(keys);
      REQUIRE((found == OwnerMemory::kNone) == (id < 0));
      if (op == 0 && id >= 0) {
        m.MarkLost(found);
        model[id].lost = true;
      } else if (op == 1 && id >= 0) {
        m.Join(found, keys);
        join(id, keys);
      } else {
        const uint32_t owner = rng() % 10;
        m.Assign(found, keys, owner, now);
        if (id < 0) id = next_id++;
        model[id].owner = owner;
        model[id].at = now;
        model[id].lost = false;
        join(id, keys);
      }

      m.ForgetAssignedUpTo(now - kRemember);
      for (auto it = model.begin(); it != model.end();) {
        if (it->second.at <= now - kRemember) {
          for (uint64_t k : it->second.keys) key_of.erase(k);
          it = model.erase(it);
        } else {
          ++it;
        }
      }
      if (step % 5000 == 0) {
        const OwnerMemory copy = m;  // copies are deep and equal
        m = OwnerMemory();
        m = copy;
      }
      if (step % 97 == 0) {
        INFO("key space " << key_space << " step " << step);
        REQUIRE(m.size() == model.size());
        REQUIRE(m.key_count() == key_of.size());
        for (const auto& [key, mid] : key_of) {
          const OwnerMemory::CustomerId c = m.FindKey(key);
          REQUIRE(c != OwnerMemory::kNone);
          REQUIRE(m.record(c).owner == model[mid].owner);
          REQUIRE(m.record(c).assigned_at_us == model[mid].at);
          REQUIRE(m.record(c).lost == model[mid].lost);
        }
        // ForEach lists each customer once, with exactly its keys, in assignment order.
        size_t listed = 0;
        int64_t last_at = 0;
        m.ForEach([&](OwnerMemory::CustomerId c, const OwnerMemory::Record& r,
                      absl::Span<const uint64_t> ks) {
          ++listed;
          REQUIRE(r.assigned_at_us >= last_at);
          last_at = r.assigned_at_us;
          const int mid = key_of.at(ks[0]);
          REQUIRE(std::set<uint64_t>(ks.begin(), ks.end()) == model[mid].keys);
          REQUIRE(ks.size() == model[mid].keys.size());
          REQUIRE(m.FindKey(ks[0]) == c);
        });
        REQUIRE(listed == model.size());
      }
    }
  }
}

TEST_CASE("An id assigned twice in one delta follows its customer; gone ids start anew") {
  OwnerMemory m;
  m.Assign(OwnerMemory::kNone, {{1}}, 0, 10);
  const OwnerMemory::CustomerId first = m.Find({1});
  m.Assign(first, {{1}}, 1, 20);  // moves the customer: `first` now forwards
  m.Assign(first, {{1, 2}}, 2, 20);
  CHECK(m.size() == 1);
  CHECK(m.record(m.Find({2})).owner == 2);
  m.MarkLost(first);
  CHECK(m.record(m.Find({1})).lost);
  m.ForgetAssignedUpTo(20);
  CHECK(m.size() == 0);
  CHECK(m.key_count() == 0);
}

}  // namespace
}  // namespace allot
