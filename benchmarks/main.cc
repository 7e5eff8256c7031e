// allot_bench: every benchmark of SPEC §7 and its baseline twin, in one binary so that one
// run gives both and their ratios. Run through scripts/bench.sh, which also fills
// docs/PERFORMANCE.md; or directly:
//   build/release/benchmarks/allot_bench [--benchmark_filter=REGEX]
// Registration is explicit (not static initializers) so the order is fixed: the cached
// fixtures of harness.h are reused by consecutive benchmarks.
#include <benchmark/benchmark.h>

#include "harness.h"

int main(int argc, char** argv) {
  allot::bench::RegisterDecideApplyBenchmarks();
  allot::bench::RegisterStrategyBenchmarks();
  allot::bench::RegisterRulesBenchmarks();
  allot::bench::RegisterStateBenchmarks();
  allot::bench::RegisterConfigBenchmarks();
  allot::bench::RegisterMachineBenchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
