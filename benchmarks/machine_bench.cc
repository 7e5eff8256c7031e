// The machine, as each run found it.
// - Its main-memory latency, the yardstick the issue sets for StepBatch at 10M remembered
//   ("about one main-memory latency per arrival or better"): a chain of dependent loads,
//   each to a random cache line of a 256 MiB buffer, far larger than any cache and than the
//   TLB's reach, as the owner-memory lookups of 10M customers are. Each load waits for the
//   one before, so the time per load is the latency, not the bandwidth.
// - The core's speed: a chain of multiply-adds, each waiting for the one before, so its
//   time per step follows the clock the core runs at and nothing in memory.
// The two tell a host's modes apart (docs/PERFORMANCE.md, "How much a number moves"): on
// this machine's host the slower mode is in memory, not in the core.
//
//   BM_MemoryLatency/MiB:256 (counter latency_ns), BM_CoreChain (counter step_ns)
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "harness.h"

namespace allot::bench {
namespace {

constexpr int64_t kLoadsPerIteration = 1 << 20;

void BM_MemoryLatency(benchmark::State& bench) {
  const size_t lines = static_cast<size_t>(bench.range(0)) * (1 << 20) / 64;
  constexpr size_t kWordsPerLine = 64 / sizeof(uint64_t);
  // One random cycle through every line (Sattolo's algorithm), fixed seed: the same chain
  // each run.
  std::vector<uint32_t> order(lines);
  for (size_t i = 0; i < lines; ++i) order[i] = static_cast<uint32_t>(i);
  std::mt19937_64 rng(42);
  for (size_t i = lines - 1; i > 0; --i) std::swap(order[i], order[rng() % i]);
  std::vector<uint64_t> next(lines * kWordsPerLine);
  for (size_t i = 0; i < lines; ++i) {
    next[order[i] * kWordsPerLine] = order[(i + 1) % lines] * kWordsPerLine;
  }
  uint64_t at = 0;
  std::chrono::nanoseconds spent{0};
  for (auto _ : bench) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < kLoadsPerIteration; ++i) at = next[at];
    benchmark::DoNotOptimize(at);
    spent += std::chrono::steady_clock::now() - t0;
  }
  const double loads = static_cast<double>(bench.iterations()) * kLoadsPerIteration;
  bench.counters["latency_ns"] = static_cast<double>(spent.count()) / loads;
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
