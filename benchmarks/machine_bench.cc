// The machine, as each run found it.
// - Its main-memory latency (MemoryChase over 256 MiB), also measured by BM_StepBatch at 10M
//   between its batches, the yardstick that row is set against.
// - The core's speed: a chain of multiply-adds, each waiting for the one before, so its
//   time per step follows the clock the core runs at and nothing in memory.
// The two tell a host's modes apart (docs/PERFORMANCE.md, "How much a number moves"): on
// this machine's host the slower mode is in memory, not in the core.
//
//   BM_MemoryLatency/MiB:256 (counter latency_ns), BM_CoreChain (counter step_ns)
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>

#include "harness.h"
#include "memory_chase.h"

namespace allot::bench {
namespace {

constexpr int64_t kLoadsPerIteration = 1 << 20;

void BM_MemoryLatency(benchmark::State& bench) {
  MemoryChase chase(static_cast<size_t>(bench.range(0)));
  double ns = 0;
  for (auto _ : bench) ns += chase.NsPerLoad(kLoadsPerIteration);
  bench.counters["latency_ns"] = ns / static_cast<double>(bench.iterations());
}

constexpr int64_t kStepsPerIteration = 1 << 24;

void BM_CoreChain(benchmark::State& bench) {
  uint64_t x = 1;
  std::chrono::nanoseconds spent{0};
  for (auto _ : bench) {
    const auto t0 = std::chrono::steady_clock::now();
    // A 64-bit LCG step: a multiply and an add on the chain, which no compiler shortens.
    for (int64_t i = 0; i < kStepsPerIteration; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    }
    benchmark::DoNotOptimize(x);
    spent += std::chrono::steady_clock::now() - t0;
  }
  const double steps = static_cast<double>(bench.iterations()) * kStepsPerIteration;
  bench.counters["step_ns"] = static_cast<double>(spent.count()) / steps;
}

}  // namespace

void RegisterMachineBenchmarks() {
  benchmark::RegisterBenchmark("BM_MemoryLatency", BM_MemoryLatency)
      ->ArgName("MiB")
      ->Arg(256)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_CoreChain", BM_CoreChain)->Unit(benchmark::kMillisecond);
}

}  // namespace allot::bench
