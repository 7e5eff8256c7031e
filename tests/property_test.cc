// Invariants over long random traces (SPEC §2, §5.1, §5.2, §5.4, §5.5): caps never exceeded,
// one outcome per arrival, owner routing only within the window, determinism, state
// round-trips mid-trace, stale decisions refused, strategy guarantees through the engine.
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>

#include "allot/io.h"
#include "test_support.h"

namespace allot {
namespace {

using testing::MustStep;
using testing::T;

constexpr char kConfig[] = R"pb(
  tenant: "prop"
  time_zone: "Asia/Shanghai"
  seed: 5
  default_caps { daily: 20 }
  employees { id: "w1" weight: 1.5 }
  employees { id: "w2" }
  employees {
    id: "w3"
    weight: 0.7
    caps { daily: 4 }
  }
  employees {
    id: "r1"
    schedule {
      days: [ MON, TUE, WED, THU, FRI ]
      start: "09:00"
      end: "18:00"
    }
  }
  employees {
    id: "r2"
    schedule { start: "20:00" end: "02:00" }
  }
  employees {
    id: "s1"
    caps { daily: 3 }
  }
  employees { id: "s2" }
  employees { id: "l1" weight: 2 }
  employees { id: "l2" }
  groups {
    id: "weighted"
    strategy: WEIGHTED
    members { employee: "w1" }
    members { employee: "w2" }
    members { employee: "w3" }
    backups: "rr"
  }
  groups {
    id: "rr"
    strategy: ROUND_ROBIN
    members { employee: "r1" }
    members { employee: "r2" }
    members { employee: "w2" }
    backups: "seq"
  }
  groups {
    id: "seq"
    strategy: SEQUENTIAL
    members { employee: "s1" }
    members { employee: "s2" }
    backups: "least"
  }
  groups {
    id: "least"
    strategy: LEAST_LOADED
    members { employee: "l1" }
    members { employee: "l2" }
  }
  groups {
    id: "rand"
    strategy: RANDOM
    members { employee: "l1" }
    members { employee: "s2" }
    members { employee: "w1" }
    backups: "weighted"
  }
  entries { id: "qr" group: "weighted" }
  entries { id: "link" group: "rand" }
  entries { id: "kf" group: "rr" dedup_scope: ENTRY }
  dedup { window: "72h" remember: "240h" returning_tag: "again" }
)pb";

struct Trace {
  std::vector<v1::Event> events;
};

// Several simulated days of arrivals from a pool of customers who come back, over several
// entries, with ticks in between.
// With `shared_keys`, some arrivals also carry another customer's key, so remembered
// customers merge.
Trace RandomTrace(uint64_t seed, int n, bool shared_keys = false) {
  std::mt19937_64 rng(seed);
  Trace trace;
  absl::Time now = T("2026-11-23T06:00:00+08:00");
  const char* entries[] = {"qr", "link", "kf"};
  for (int i = 0; i < n; ++i) {
    now += absl::Seconds(rng() % 400);
    if (rng() % 10 == 0) {
      trace.events.push_back(testing::Tick(now));
      continue;
    }
    const int customer = static_cast<int>(rng() % 600);
    std::vector<std::string> keys = {absl::StrCat("phone:1380000", customer)};
    if (rng() % 3 == 0) keys.push_back(absl::StrCat("unionid:u", customer));
    if (shared_keys && rng() % 20 == 0) keys.push_back(absl::StrCat("unionid:u", rng() % 600));
    if (rng() % 2 == 0) std::swap(keys.front(), keys.back());
    v1::Event e = testing::Arrival(now, entries[rng() % 3], absl::StrCat("c", customer), {});
    for (const auto& k : keys) e.mutable_arrival()->mutable_customer()->add_keys(k);
    trace.events.push_back(e);
  }
  return trace;
}

std::string Run(const Engine& engine, const std::vector<v1::Event>& events, State& state) {
  std::string out;
  for (const v1::Event& e : events) {
    out += ToJsonLine(engine.ToProto(MustStep(engine, e, state), true));
    out += "\n";
  }
  return out;
}

TEST_CASE("Random traces: caps, one outcome per arrival, owners only within the window") {
  const Engine engine = testing::MakeEngine(kConfig);
  absl::TimeZone shanghai;
  REQUIRE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  const std::map<std::string, uint32_t> cap = {{"w1", 20}, {"w2", 20}, {"w3", 4},
                                               {"r1", 20}, {"r2", 20}, {"s1", 3},
                                               {"s2", 20}, {"l1", 20}, {"l2", 20}};
  for (uint64_t seed : {1, 2, 3}) {
    const Trace trace = RandomTrace(seed, 6000);
    State state;
    std::map<std::pair<std::string, absl::CivilDay>, uint32_t> charged;
    // Tenant-scope owner model: customer ref → (owner, assigned at).
    std::map<std::string, std::pair<std::string, absl::Time>> owner;
    uint64_t assigned = 0, owner_routed = 0, rejected = 0;
    for (const v1::Event& e : trace.events) {
      const Decision d = MustStep(engine, e, state);
      if (!e.has_arrival()) {
        CHECK(d.assignments.empty());
        continue;
      }
      const absl::Time at = absl::FromUnixMicros(d.at_us);
      REQUIRE(d.assignments.size() + d.held.size() + d.rejections.size() == 1);
      for (const Assignment& a : d.assignments) {
        REQUIRE(a.customer == e.arrival().customer().ref());
        if (a.reason == v1::Assignment::OWNER) {
          ++owner_routed;
          if (e.arrival().entry() != "kf") {
            REQUIRE(owner.count(a.customer));
            REQUIRE(owner[a.customer].first == std::string(a.employee));
            REQUIRE(at - owner[a.customer].second < absl::Hours(72));
          }
          continue;
        }
        ++assigned;
        const auto key = std::make_pair(std::string(a.employee), absl::ToCivilDay(at, shanghai));
        REQUIRE(++charged[key] <= cap.at(key.first));
        if (e.arrival().entry() != "kf") {
          // A new owner only when there was none within the window.
          if (owner.count(a.customer)) REQUIRE(at - owner[a.customer].second >= absl::Hours(72));
          owner[a.customer] = {std::string(a.employee), at};
        }
      }
      rejected += d.rejections.size();
    }
    // The trace exercised every path.
    CHECK(assigned > 1000);
    CHECK(owner_routed > 500);
    CHECK(rejected > 0);
  }
}

TEST_CASE("Same trace, same decisions and state bytes; any split through bytes equals the whole") {
  const Engine engine = testing::MakeEngine(kConfig);
  const Trace trace = RandomTrace(9, 3000, /*shared_keys=*/true);
  State whole;
  const std::string all = Run(engine, trace.events, whole);
  State again;
  CHECK(Run(engine, trace.events, again) == all);
  CHECK(again.ToBytes() == whole.ToBytes());

  std::mt19937_64 rng(4);
  for (int k = 0; k < 6; ++k) {
    const size_t split = rng() % trace.events.size();
    State first;
    std::string out = Run(engine, {trace.events.begin(), trace.events.begin() + split}, first);
    absl::StatusOr<State> loaded = State::FromBytes(first.ToBytes());
    REQUIRE(loaded.ok());
    out += Run(engine, {trace.events.begin() + split, trace.events.end()}, *loaded);
    INFO("split at " << split);
    REQUIRE(out == all);
    REQUIRE(loaded->ToBytes() == whole.ToBytes());
  }
}

TEST_CASE("Throughout a trace, a decision applied late is refused and changes nothing") {
  const Engine engine = testing::MakeEngine(kConfig);
  const Trace trace = RandomTrace(12, 1500, /*shared_keys=*/true);
  State state;
  for (size_t i = 0; i + 1 < trace.events.size(); i += 2) {
    absl::StatusOr<Decision> first = engine.Decide(trace.events[i], state);
    absl::StatusOr<Decision> second = engine.Decide(trace.events[i + 1], state);
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    REQUIRE(engine.Apply(*first, state).ok());
    const std::string bytes = state.ToBytes();
    REQUIRE(engine.Apply(*second, state).code() == absl::StatusCode::kFailedPrecondition);
    REQUIRE(state.ToBytes() == bytes);
  }
}

TEST_CASE("Through the engine, WEIGHTED and ROUND_ROBIN keep their guarantee at every prefix") {
  for (const char* strategy : {"WEIGHTED", "ROUND_ROBIN"}) {
    const Engine engine = testing::MakeEngine(absl::StrCat(R"pb(
                                                             employees { id: "a" weight: 1.5 }
                                                             employees { id: "b" }
                                                             employees { id: "c" weight: 0.7 }
                                                             employees { id: "d" weight: 3 }
                                                             groups { id: "g" strategy:)pb",
                                                           strategy, R"pb(
               members { employee: "a" } members { employee: "b" } members { employee: "c" }
               members { employee: "d" weight: 0.5 } }
                     entries { id: "e" group: "g" }
    )pb"));
    const std::map<std::string, double> w = {{"a", 1.5}, {"b", 1}, {"c", 0.7}, {"d", 1.5}};
    const double total = 4.7;
    State state;
    std::map<std::string, int> count;
    for (int n = 1; n <= 3000; ++n) {
      const Decision d =
          MustStep(engine,
                   testing::Arrival(T("2026-11-24T09:00:00+08:00") + absl::Seconds(n), "e", "c",
                                    {absl::StrCat("phone:", n)}),
                   state);
      ++count[testing::AssignedTo(d)];
      for (const auto& [id, weight] : w) {
        INFO(strategy << " after " << n << ", " << id);
        if (std::string(strategy) == "WEIGHTED") {
          REQUIRE(std::abs(count[id] - n * weight / total) < 2);
        } else {
          REQUIRE(std::abs(count[id] - n / 4.0) <= 1);
        }
      }
    }
  }
}

}  // namespace
}  // namespace allot
