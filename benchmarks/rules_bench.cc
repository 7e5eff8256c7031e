// Tag rules (SPEC §5.7): an arrival carrying a message, two tags and a channel, through 500
// rules of mixed kinds (keywords, any_tags, channels, local_time; trace.h AddTagRules), a
// handful of which fire per arrival. The rules' cost per arrival is the difference between
// rules:500 and rules:0 on the same arrivals (docs/PERFORMANCE.md computes it from the p50
// of both); budget ≤ 100 ns. 20 members, so the pick does not drown the difference. The
// baseline evaluates every rule with string compares (baseline.h); both must add the same
// tags (CheckAgreement).
//
//   BM_TagRules/rules:<0|500>, BM_Baseline_TagRules/rules:<0|500>
#include <benchmark/benchmark.h>

#include <string>

#include "harness.h"

namespace allot::bench {
namespace {

constexpr int64_t kArrivalsPerRun = 100'000;

Workload WorkloadOf(const benchmark::State& bench) {
  Workload w;
  w.members = 20;
  w.remembered = 10'000;
  w.rules = static_cast<int>(bench.range(0));
  return w;
}

void BM_TagRules(benchmark::State& bench) {
  TimeAllotArrivals(bench, WorkloadOf(bench), /*with_rules=*/true);
}

void BM_Baseline_TagRules(benchmark::State& bench) {
  TimeBaselineArrivals(bench, WorkloadOf(bench), /*with_rules=*/true);
}

}  // namespace

void RegisterRulesBenchmarks() {
  for (int64_t rules : {0, 500}) {
    for (auto [name, fn] : {std::pair{"BM_TagRules", &BM_TagRules},
                            std::pair{"BM_Baseline_TagRules", &BM_Baseline_TagRules}}) {
      benchmark::RegisterBenchmark(name, fn)
          ->ArgName("rules")
          ->Arg(rules)
          ->Iterations(kArrivalsPerRun)
          ->Unit(benchmark::kNanosecond);
    }
  }
}

}  // namespace allot::bench
