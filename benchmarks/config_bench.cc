// Config compile (SPEC §7): Engine::Create on a config of 2000 employees, each with daily,
// hourly and pressure caps, in one WEIGHTED group, with 500 tag rules of mixed kinds
// (trace.h). Budget ≤ 50 ms. The baseline only copies the config into its structs and checks
// references (baseline.h), so its time is a floor, not a like-for-like compiler.
//
//   BM_ConfigCompile/employees:2000, BM_Baseline_ConfigCompile/employees:2000
#include <benchmark/benchmark.h>

#include "harness.h"

namespace allot::bench {
namespace {

constexpr int kRules = 500;

void BM_ConfigCompile(benchmark::State& bench) {
  const v1::Config config = MakeConfig(MakeGroupPlan(static_cast<int>(bench.range(0))), kRules);
  for (auto _ : bench) {
    absl::StatusOr<Engine> engine = Engine::Create(config);
    if (!engine.ok()) {
      bench.SkipWithError(engine.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(engine);
  }
}

void BM_Baseline_ConfigCompile(benchmark::State& bench) {
  const v1::Config config = MakeConfig(MakeGroupPlan(static_cast<int>(bench.range(0))), kRules);
  for (auto _ : bench) {
    absl::StatusOr<Baseline> engine = Baseline::FromConfig(config);
    if (!engine.ok()) {
      bench.SkipWithError(engine.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(engine);
  }
}

}  // namespace

void RegisterConfigBenchmarks() {
  for (auto [name, fn] : {std::pair{"BM_ConfigCompile", &BM_ConfigCompile},
                          std::pair{"BM_Baseline_ConfigCompile", &BM_Baseline_ConfigCompile}}) {
    benchmark::RegisterBenchmark(name, fn)
        ->ArgName("employees")
        ->Arg(2000)
        ->MinTime(1.0)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace allot::bench
