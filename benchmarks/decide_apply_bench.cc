// Decide+Apply of one arrival (SPEC §7), the figure the performance budget is about: a
// WEIGHTED group of 20, 200 or 2000 members with daily, hourly and pressure caps on every
// member (trace.h says when they bind), 10 000 / 1M / 10M customers already remembered, fresh
// and repeat customers mixed 80/20. Each allot benchmark has a baseline twin on the same
// trace (baseline.h), named BM_Baseline_<same>.
//
//   BM_DecideApply/members:<n>/remembered:<m>   per-arrival p50/p99 (harness.h), 100 000
//                                               arrivals per run
//   BM_DecideApplyThroughput/members:2000/remembered:<1M|10M>
//                                               sustained arrivals per second: no clock
//                                               reads per arrival, events rewritten in
//                                               batches outside the timed region
//   BM_StepBatch/members:2000/remembered:<1M|10M>
//                                               the same through Engine::StepBatch
//   BM_MembersGrowth/remembered:1000000         2000 members against 20, the same way, in
//                                               alternating blocks
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness.h"
#include "memory_chase.h"

namespace allot::bench {
namespace {

constexpr int64_t kArrivalsPerRun = 100'000;
constexpr int64_t kThroughputArrivals = 500'000;
constexpr size_t kBatch = 8192;
constexpr size_t kChaseMiB = 256;  // as BM_MemoryLatency

Workload WorkloadOf(const benchmark::State& bench) {
  Workload w;
  w.members = static_cast<int>(bench.range(0));
  w.remembered = static_cast<uint64_t>(bench.range(1));
  return w;
}

void BM_DecideApply(benchmark::State& bench) {
  AllotFixture* f = TimeAllotArrivals(bench, WorkloadOf(bench), /*with_rules=*/false);
  if (f == nullptr) return;
  bench.counters["memory_B_per_customer"] = f->memory_bytes_per_customer;
  bench.counters["remembered_now"] = static_cast<double>(f->state.remembered_customers());
}

void BM_Baseline_DecideApply(benchmark::State& bench) {
  std::string error;
  BaselineFixture* f = FreshBaselineFixture(WorkloadOf(bench), error);
  if (f == nullptr) {
    bench.SkipWithError(error.c_str());
    return;
  }
  const uint64_t daily = f->engine->daily_skips(), hourly = f->engine->hourly_skips(),
                 pressure = f->engine->pressure_skips();
  TimeArrivals(bench, f->trace, f->event, /*with_rules=*/false,
               [&](const v1::Event& e) { return BaselineStep(*f->engine, e); });
  // How often caps bound during the run, counted where it is cheap to: members skipped per
  // arrival, by the cap that stopped them (same semantics as allot's).
  const double n = static_cast<double>(bench.iterations());
  if (n > 0) {
    bench.counters["daily_skips_per_arrival"] =
        static_cast<double>(f->engine->daily_skips() - daily) / n;
    bench.counters["hourly_skips_per_arrival"] =
        static_cast<double>(f->engine->hourly_skips() - hourly) / n;
    bench.counters["pressure_skips_per_arrival"] =
        static_cast<double>(f->engine->pressure_skips() - pressure) / n;
  }
  bench.counters["memory_B_per_customer"] = f->memory_bytes_per_customer;
  bench.counters["remembered_now"] = static_cast<double>(f->engine->remembered());
}

// The sustained rate: the next kBatch trace arrivals are written into a batch of events with
// the timer paused, then stepped back to back.
template <typename Fixture, typename Step>
void RunThroughput(benchmark::State& bench, Fixture& f, Step&& step) {
  std::vector<v1::Event> batch(kBatch, f.event);
  std::vector<bool> repeat(kBatch);
  size_t pos = kBatch;
  uint64_t repeats = 0, owners = 0, rejected = 0;
  for (auto _ : bench) {
    if (pos == kBatch) {
      bench.PauseTiming();
      for (size_t i = 0; i < kBatch; ++i) {
        const Trace::Arrival a = f.trace.Next();
        Rewrite(batch[i], a);
        repeat[i] = a.repeat;
      }
      pos = 0;
      bench.ResumeTiming();
    }
    const StepOutcome out = step(batch[pos]);
    if (!out.ok) {
      bench.SkipWithError("an arrival failed");
      break;
    }
    repeats += repeat[pos];
    owners += out.owner;
    rejected += out.rejected;
    ++pos;
  }
  if (bench.error_occurred()) return;
  // Arrivals written into the batch but not stepped are dropped: the trace moves on.
  if (f.trace.elapsed_us() > kMaxTraceUs || owners != repeats || rejected != 0) {
    bench.SkipWithError(absl::StrCat(repeats, " repeats, ", owners, " owner-routed, ", rejected,
                                     " rejected, or the trace ran past the window")
                            .c_str());
    return;
  }
  bench.SetItemsProcessed(bench.iterations());
}

void BM_DecideApplyThroughput(benchmark::State& bench) {
  std::string error;
  AllotFixture* f = FreshAllotFixture(WorkloadOf(bench), error);
  if (f == nullptr) {
    bench.SkipWithError(error.c_str());
    return;
  }
  RunThroughput(bench, *f, [&](const v1::Event& e) { return AllotStep(*f->engine, e, f->state); });
}

void BM_Baseline_DecideApplyThroughput(benchmark::State& bench) {
  std::string error;
  BaselineFixture* f = FreshBaselineFixture(WorkloadOf(bench), error);
  if (f == nullptr) {
    bench.SkipWithError(error.c_str());
    return;
  }
  RunThroughput(bench, *f, [&](const v1::Event& e) { return BaselineStep(*f->engine, e); });
}

Workload GrowthWorkload(const benchmark::State& bench, int members) {
  Workload w;
  w.members = members;
  w.remembered = static_cast<uint64_t>(bench.range(0));
  return w;
}

// Group size 20 → 2000 (SPEC §7: at most 2× per decision), both sizes timed in the same
// moments, as the rules are (harness.h, TimePairedArrivals): fixtures of 20 and of 2000
// members, 1M remembered each, step their own trace in alternating blocks of kBatch
// arrivals, back to back as in the sustained rate (one iteration is one block). Counter
// ratio is the median over the block pairs of 2000's time over 20's; ns_20 and ns_2000 are
// each size's median time per arrival over its blocks.
// `build` makes each size's fixture, `step` steps one arrival of a fixture.
template <typename Build, typename Step>
void RunMembersGrowth(benchmark::State& bench, Build&& build, Step&& step) {
  std::string error;
  auto small = build(GrowthWorkload(bench, 20), error);
  auto large = small ? build(GrowthWorkload(bench, 2000), error) : nullptr;
  if (large == nullptr) {
    bench.SkipWithError(error.c_str());
    return;
  }
  using Fixture = std::remove_reference_t<decltype(*small)>;
  Fixture* const side[2] = {small.get(), large.get()};
  std::vector<v1::Event> batch(kBatch, small->event);
  std::vector<double> ns_per_arrival[2];
  uint64_t repeats[2] = {}, owners[2] = {}, rejected[2] = {};
  int64_t k = 0;
  for (auto _ : bench) {
    const int s = static_cast<int>(k++ % 2);
    Fixture& f = *side[s];
    bench.PauseTiming();
    for (size_t i = 0; i < kBatch; ++i) {
      const Trace::Arrival a = f.trace.Next();
      Rewrite(batch[i], a);
      repeats[s] += a.repeat;
    }
    bench.ResumeTiming();
    const auto t0 = std::chrono::steady_clock::now();
    for (const v1::Event& e : batch) {
      const StepOutcome out = step(f, e);
      if (!out.ok) {
        bench.SkipWithError("an arrival failed");
        return;
      }
      owners[s] += out.owner;
      rejected[s] += out.rejected;
    }
    const auto t1 = std::chrono::steady_clock::now();
    ns_per_arrival[s].push_back(static_cast<double>(std::chrono::nanoseconds(t1 - t0).count()) /
                                static_cast<double>(kBatch));
  }
  for (int s = 0; s < 2; ++s) {
    if (side[s]->trace.elapsed_us() > kMaxTraceUs || owners[s] != repeats[s] || rejected[s] != 0) {
      bench.SkipWithError(absl::StrCat(side[s]->workload.members, " members: ", repeats[s],
                                       " repeats, ", owners[s], " owner-routed, ", rejected[s],
                                       " rejected, or the trace ran past the window")
                              .c_str());
      return;
    }
  }
  const size_t pairs = std::min(ns_per_arrival[0].size(), ns_per_arrival[1].size());
  std::vector<double> ratios(pairs);
  for (size_t i = 0; i < pairs; ++i) ratios[i] = ns_per_arrival[1][i] / ns_per_arrival[0][i];
  bench.counters["ratio"] = Median(std::move(ratios));
  bench.counters["ns_20"] = Median(ns_per_arrival[0]);
  bench.counters["ns_2000"] = Median(ns_per_arrival[1]);
  bench.SetItemsProcessed(bench.iterations() * static_cast<int64_t>(kBatch));
}

void BM_MembersGrowth(benchmark::State& bench) {
  RunMembersGrowth(bench, BuildAllotFixture, [](AllotFixture& f, const v1::Event& e) {
    return AllotStep(*f.engine, e, f.state);
  });
}

void BM_Baseline_MembersGrowth(benchmark::State& bench) {
  RunMembersGrowth(bench, BuildBaselineFixture, [](BaselineFixture& f, const v1::Event& e) {
    return BaselineStep(*f.engine, e);
  });
}

// The replay form, Engine::StepBatch: the same arrivals, a batch of kBatch per call, written
// with the timer paused; while one is decided the owner memory of those ahead is fetched.
// At 10M remembered every lookup misses the caches: compare with one main-memory latency
// (counters latency_ns, the median over the batches of the latency measured after each,
// and latencies_per_arrival, the median over the batches of their time per arrival in the
// latency measured after them).
void BM_StepBatch(benchmark::State& bench) {
  std::string error;
  AllotFixture* f = FreshAllotFixture(WorkloadOf(bench), error);
  if (f == nullptr) {
    bench.SkipWithError(error.c_str());
    return;
  }
  // At 10M, the yardstick is measured between the batches, with the timer paused, so that
  // each batch is set against the latency of the same moments: the host's memory has
  // modes that come and go (docs/PERFORMANCE.md, "How much a number moves").
  std::optional<MemoryChase> chase;
  if (f->workload.remembered >= 10'000'000) chase.emplace(kChaseMiB);
  std::vector<double> latency, latencies_per_arrival;
  std::vector<v1::Event> batch(kBatch, f->event);
  uint64_t repeats = 0, owners = 0, rejected = 0, items = 0;
  for (auto _ : bench) {
    bench.PauseTiming();
    for (size_t i = 0; i < kBatch; ++i) {
      const Trace::Arrival a = f->trace.Next();
      Rewrite(batch[i], a);
      repeats += a.repeat;
    }
    bench.ResumeTiming();
    const auto t0 = std::chrono::steady_clock::now();
    const absl::Status status = f->engine->StepBatch(batch, f->state, [&](const Decision& d) {
      rejected += d.assignments.empty();
      owners += !d.assignments.empty() && d.assignments[0].reason == v1::Assignment::OWNER;
    });
    const auto t1 = std::chrono::steady_clock::now();
    if (!status.ok()) {
      bench.SkipWithError(std::string(status.message()).c_str());
      return;
    }
    items += kBatch;
    if (chase) {
      bench.PauseTiming();
      // The first block settles what the batch left behind (its dirty lines on their way
      // out): measured alone, it read ~35% above BM_MemoryLatency, the second within ~10%.
      chase->NsPerLoad(static_cast<int64_t>(kBatch));
      latency.push_back(chase->NsPerLoad(static_cast<int64_t>(kBatch)));
      const double per_arrival = static_cast<double>(std::chrono::nanoseconds(t1 - t0).count()) /
                                 static_cast<double>(kBatch);
      latencies_per_arrival.push_back(per_arrival / latency.back());
      bench.ResumeTiming();
    }
  }
  if (f->trace.elapsed_us() > kMaxTraceUs || owners != repeats || rejected != 0) {
    bench.SkipWithError(absl::StrCat(repeats, " repeats, ", owners, " owner-routed, ", rejected,
                                     " rejected, or the trace ran past the window")
                            .c_str());
    return;
  }
  bench.SetItemsProcessed(static_cast<int64_t>(items));
  if (!latency.empty()) {
    bench.counters["latency_ns"] = Median(latency);
    bench.counters["latencies_per_arrival"] = Median(latencies_per_arrival);
  }
}

}  // namespace

void RegisterDecideApplyBenchmarks() {
  // allot and baseline of one (members, remembered) back to back, then StepBatch and the
  // sustained rate of the same workload; each builds its fixture afresh (FreshAllotFixture).
  for (int64_t members : {20, 200, 2000}) {
    for (int64_t remembered : {10'000, 1'000'000, 10'000'000}) {
      for (auto [name, fn] : {std::pair{"BM_DecideApply", &BM_DecideApply},
                              std::pair{"BM_Baseline_DecideApply", &BM_Baseline_DecideApply}}) {
        benchmark::RegisterBenchmark(name, fn)
            ->ArgNames({"members", "remembered"})
            ->Args({members, remembered})
            ->Iterations(kArrivalsPerRun)
            ->Unit(benchmark::kNanosecond);
      }
      if (members == 2000 && remembered >= 1'000'000) {
        benchmark::RegisterBenchmark("BM_StepBatch", &BM_StepBatch)
            ->ArgNames({"members", "remembered"})
            ->Args({members, remembered})
            ->Iterations(kThroughputArrivals / static_cast<int64_t>(kBatch))
            ->Unit(benchmark::kNanosecond);
      }
      if (remembered == 10'000'000 && members == 2000) {
        // Step one at a time at 10M, the figure StepBatch is set against.
        benchmark::RegisterBenchmark("BM_DecideApplyThroughput", &BM_DecideApplyThroughput)
            ->ArgNames({"members", "remembered"})
            ->Args({members, remembered})
            ->Iterations(kThroughputArrivals)
            ->Unit(benchmark::kNanosecond);
      }
      if (remembered != 1'000'000 || members != 2000) continue;
      for (auto [name, fn] :
           {std::pair{"BM_DecideApplyThroughput", &BM_DecideApplyThroughput},
            std::pair{"BM_Baseline_DecideApplyThroughput", &BM_Baseline_DecideApplyThroughput}}) {
        benchmark::RegisterBenchmark(name, fn)
            ->ArgNames({"members", "remembered"})
            ->Args({members, remembered})
            ->Iterations(kThroughputArrivals)
            ->Unit(benchmark::kNanosecond);
      }
    }
  }
  for (auto [name, fn] : {std::pair{"BM_MembersGrowth", &BM_MembersGrowth},
                          std::pair{"BM_Baseline_MembersGrowth", &BM_Baseline_MembersGrowth}}) {
    benchmark::RegisterBenchmark(name, fn)
        ->ArgName("remembered")
        ->Arg(1'000'000)
        ->Iterations(2 * kThroughputArrivals / static_cast<int64_t>(kBatch))
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace allot::bench
