// Decide+Apply of an arrival under each of the five strategies of SPEC §5.2, at 20 and 2000
// members: SPEC §5.2 says per-pick cost must not grow linearly with group size, so the
// 20 → 2000 ratio of each strategy is the figure to read. Same caps, trace and 10 000
// remembered customers as BM_DecideApply; the baseline picks with a linear scan
// (baseline.h).
//
//   BM_Strategy/<STRATEGY>/members:<n>, BM_Baseline_Strategy/<STRATEGY>/members:<n>
#include <benchmark/benchmark.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "harness.h"

namespace allot::bench {
namespace {

constexpr int64_t kArrivalsPerRun = 100'000;

Workload WorkloadOf(const benchmark::State& bench, v1::Strategy strategy) {
  Workload w;
  w.members = static_cast<int>(bench.range(0));
  w.remembered = 10'000;
  w.strategy = strategy;
  return w;
}

void BM_Strategy(benchmark::State& bench, v1::Strategy strategy) {
  TimeAllotArrivals(bench, WorkloadOf(bench, strategy), /*with_rules=*/false);
}

void BM_Baseline_Strategy(benchmark::State& bench, v1::Strategy strategy) {
  TimeBaselineArrivals(bench, WorkloadOf(bench, strategy), /*with_rules=*/false);
}

}  // namespace

void RegisterStrategyBenchmarks() {
  for (v1::Strategy s :
       {v1::SEQUENTIAL, v1::ROUND_ROBIN, v1::RANDOM, v1::LEAST_LOADED, v1::WEIGHTED}) {
    for (int64_t members : {20, 2000}) {
      for (auto [prefix, fn] : {std::pair{"BM_Strategy/", &BM_Strategy},
                                std::pair{"BM_Baseline_Strategy/", &BM_Baseline_Strategy}}) {
        benchmark::RegisterBenchmark(absl::StrCat(prefix, v1::Strategy_Name(s)).c_str(), fn, s)
            ->ArgName("members")
            ->Arg(members)
            ->Iterations(kArrivalsPerRun)
            ->Unit(benchmark::kNanosecond);
      }
    }
  }
}

}  // namespace allot::bench
