// MemoryChase: the machine's main-memory latency, the yardstick the issue sets for StepBatch
// at 10M remembered ("about one main-memory latency per arrival or better"). A chain of
// dependent loads, each to a random cache line of a buffer far larger than any cache and
// than the TLB's reach, as the owner-memory lookups of 10M customers are: each load waits
// for the one before, so the time per load is the latency, not the bandwidth. The chain
// goes on where the last call left it, so short calls can be spread between other work.
// The buffer asks for 2 MiB pages, so that a load is the memory's latency and not also a
// page walk whose tables other work may have evicted (on 4 KB pages a chase run right after
// a batch of StepBatch read 280–400 ns per load on this session's host, 210–240 ns alone).
#ifndef ALLOT_BENCHMARKS_MEMORY_CHASE_H_
#define ALLOT_BENCHMARKS_MEMORY_CHASE_H_

#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <utility>
#include <vector>

namespace allot::bench {

class MemoryChase {
 public:
  // Lays one random cycle through every line of `mib` MiB (Sattolo's algorithm, fixed
  // seed: the same chain in every run).
  // `mib` must be a whole number of 2 MiB pages.
  explicit MemoryChase(size_t mib) {
    const size_t lines = mib * (size_t{1} << 20) / 64;
    std::vector<uint32_t> order(lines);
    for (size_t i = 0; i < lines; ++i) order[i] = static_cast<uint32_t>(i);
    std::mt19937_64 rng(42);
    for (size_t i = lines - 1; i > 0; --i) std::swap(order[i], order[rng() % i]);
    bytes_ = lines * 64;
    next_ = static_cast<uint64_t*>(std::aligned_alloc(kHugePage, bytes_));
    if (next_ == nullptr) throw std::bad_alloc();
    madvise(next_, bytes_, MADV_HUGEPAGE);  // a hint: without it, the loads still chase
    std::memset(next_, 0, bytes_);
    for (size_t i = 0; i < lines; ++i) {
      next_[order[i] * kWordsPerLine] = order[(i + 1) % lines] * kWordsPerLine;
    }
  }
  ~MemoryChase() { std::free(next_); }
  MemoryChase(const MemoryChase&) = delete;
  MemoryChase& operator=(const MemoryChase&) = delete;

  // Follows the chain `loads` steps; returns the wall-clock ns per load.
  double NsPerLoad(int64_t loads) {
    uint64_t at = at_;
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < loads; ++i) at = next_[at];
    benchmark::DoNotOptimize(at);
    const auto t1 = std::chrono::steady_clock::now();
    at_ = at;
    return static_cast<double>(std::chrono::nanoseconds(t1 - t0).count()) /
           static_cast<double>(loads);
  }

 private:
  static constexpr size_t kWordsPerLine = 64 / sizeof(uint64_t);
  static constexpr size_t kHugePage = size_t{2} << 20;
  uint64_t* next_ = nullptr;  // `bytes_` of them: one word of each line is the chain
  size_t bytes_ = 0;
  uint64_t at_ = 0;
};

}  // namespace allot::bench

#endif  // ALLOT_BENCHMARKS_MEMORY_CHASE_H_
