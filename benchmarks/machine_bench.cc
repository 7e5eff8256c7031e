// The machine, as each run found it.
// - Its main-memory latency (MemoryChase over 256 MiB), also measured by BM_StepBatch at 10M
//   between its batches, the yardstick that row is set against.
// - The core's speed: a chain of multiply-adds, each waiting for the one before, so its
//   time per step follows the clock the core runs at and nothing in memory.
// The two tell a host's modes apart (docs/PERFORMANCE.md, "How much a number moves"): on
// this machine's host the slower mode is in memory, not in the core.
// - What fetching ahead can hide here: items of about an arrival's compute, each reading a
//   random line of a buffer far beyond the TLB's reach, with the line loaded when needed,
//   prefetched one at a time a few items ahead (as StepBatch did until this round), or
//   prefetched in bursts (as it does now). On a host where a prefetch that misses the TLB
//   holds up the core for its page walk, one at a time hides little.
//
//   BM_MemoryLatency/MiB:256 (counter latency_ns), BM_CoreChain (counter step_ns),
//   BM_PrefetchCost (counters compute_ns, and load_ns, lone_ns, burst_ns: each way's time
//   per item above compute_ns)
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

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

constexpr size_t kPrefetchBufferBytes = size_t{256} << 20;
constexpr int64_t kItemsPerBlock = 2048;
constexpr int kComputeSteps = 300;  // ~400 ns of dependent multiply-adds, about an arrival
constexpr int64_t kLoneAhead = 4;   // items
constexpr int64_t kBurst = 16;      // items, fetched 16 to 32 ahead

enum class Fetch { kNone, kLoad, kLone, kBurst };

// One block of items through `buffer`, `fetch` the way; returns ns per item.
double TimeItems(const char* buffer, int64_t first, Fetch fetch) {
  const uint64_t lines = kPrefetchBufferBytes / 64;
  auto line = [&](int64_t item) {  // a fixed scatter, not a read: addresses known ahead
    return buffer + ((static_cast<uint64_t>(item) * 0x9E3779B97F4A7C15ULL) >> 20) % lines * 64;
  };
  uint64_t x = 1;
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = first; i < first + kItemsPerBlock; ++i) {
    if (fetch == Fetch::kLone) __builtin_prefetch(line(i + kLoneAhead));
    if (fetch == Fetch::kBurst && (i - first) % kBurst == 0) {
      for (int64_t j = i + kBurst; j < i + 2 * kBurst; ++j) __builtin_prefetch(line(j));
    }
    // The item's work waits for its line, as a decision waits for the customer's owner.
    if (fetch != Fetch::kNone) x += static_cast<unsigned char>(*line(i));
    for (int s = 0; s < kComputeSteps; ++s) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  }
  benchmark::DoNotOptimize(x);
  const auto t1 = std::chrono::steady_clock::now();
  return static_cast<double>(std::chrono::nanoseconds(t1 - t0).count()) /
         static_cast<double>(kItemsPerBlock);
}

// The four ways in alternating blocks, so that each is set against the compute alone of
// the same moments; each counter is the median over the blocks.
void BM_PrefetchCost(benchmark::State& bench) {
  // Plain heap memory, on whatever pages the host gives it, as the owner memory's arrays.
  std::unique_ptr<char[]> buffer(new char[kPrefetchBufferBytes]);
  std::memset(buffer.get(), 1, kPrefetchBufferBytes);
  constexpr std::array<Fetch, 4> kWays = {Fetch::kNone, Fetch::kLoad, Fetch::kLone, Fetch::kBurst};
  std::array<std::vector<double>, kWays.size()> ns;
  int64_t item = 0;
  for (auto _ : bench) {
    for (size_t w = 0; w < kWays.size(); ++w) {
      ns[w].push_back(TimeItems(buffer.get(), item, kWays[w]));
      item += kItemsPerBlock;
    }
  }
  const double compute = Median(ns[0]);
  bench.counters["compute_ns"] = compute;
  bench.counters["load_ns"] = Median(ns[1]) - compute;
  bench.counters["lone_ns"] = Median(ns[2]) - compute;
  bench.counters["burst_ns"] = Median(ns[3]) - compute;
}

}  // namespace

void RegisterMachineBenchmarks() {
  benchmark::RegisterBenchmark("BM_MemoryLatency", BM_MemoryLatency)
      ->ArgName("MiB")
      ->Arg(256)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_CoreChain", BM_CoreChain)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_PrefetchCost", BM_PrefetchCost)
      ->Iterations(100)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace allot::bench
