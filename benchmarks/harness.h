// What the arrival benchmarks share: fixtures (engine + prefilled state + trace position),
// cached so that the costly ones (10M remembered customers) are built once, and the timing
// loop that reports per-arrival percentiles.
//
// Percentiles: every arrival is timed on its own with steady_clock; p50/p99/mean are taken
// over all of a run's samples after subtracting the median cost of an empty now() pair
// (TimerOverheadNs, reported as counter timer_ns). Google Benchmark's own time per
// iteration of these benchmarks therefore includes the two clock reads and the in-place
// event rewrite; the throughput benchmark (BM_DecideApplyThroughput) has neither.
//
// Correctness of what is measured: every fixture checks that a repeat of a prefilled
// customer is routed to its owner before timing, every run checks that exactly its repeat
// arrivals were owner-routed and none was rejected, and allot and the baseline are checked
// to agree on the first 10 000 arrivals of the trace (CheckAgreement). A failed check is
// reported with SkipWithError, never silently measured.
#ifndef ALLOT_BENCHMARKS_HARNESS_H_
#define ALLOT_BENCHMARKS_HARNESS_H_

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "allot/engine.h"
#include "baseline.h"
#include "heap_counter.h"
#include "trace.h"

namespace allot::bench {

// The shape of an arrival benchmark's workload.
struct Workload {
  int members = 20;
  uint64_t remembered = 10'000;
  v1::Strategy strategy = v1::WEIGHTED;
  int rules = 0;
  bool operator==(const Workload&) const = default;
};

struct AllotFixture {
  Workload workload;
  GroupPlan plan;
  std::optional<Engine> engine;
  State state;
  Trace trace{0};
  v1::Event event;
  double memory_bytes_per_customer = 0;  // live heap of the State / remembered, at build
};

struct BaselineFixture {
  Workload workload;
  GroupPlan plan;
  std::optional<Baseline> engine;
  Trace trace{0};
  v1::Event event;
  double memory_bytes_per_customer = 0;
};

// A fixture of `w` built afresh for each benchmark run, so that every row starts from the
// state it names: the benchmarks of one workload (Decide+Apply, StepBatch, the sustained
// rate) used to share one, and the last of them ran on ~1.5M customers where its row says
// 1M. The previous fixture of the kind is freed first, to bound memory at 10M customers.
// nullptr and `error` set when the build or its checks fail. Both kinds replay the same
// trace from the same start, after a 1000-arrival warm-up.
AllotFixture* FreshAllotFixture(const Workload& w, std::string& error);
BaselineFixture* FreshBaselineFixture(const Workload& w, std::string& error);
void DropFixtures();

// allot and the baseline fed the first 10 000 arrivals of the trace of `w` (10 000
// remembered): the same arrivals owner-routed, none rejected, and each member's count of new
// customers equal within max(3, 3%) (WF2Q and smooth round-robin interleave differently).
// Empty when they agree, else what differs. Cached per workload.
std::string CheckAgreement(Workload w);

// What one timed arrival reported.
struct StepOutcome {
  bool ok = true;
  bool owner = false;     // routed to its owner (a repeat within the window)
  bool rejected = false;  // no assignment
  uint32_t tags = 0;      // tags added by rules
};

// The body of an arrival benchmark of workload `w`: (allot only) the agreement check, then
// the fixture and TimeArrivals with AllotStep / BaselineStep. Returns the fixture for extra
// counters, or null when the benchmark was skipped with an error.
AllotFixture* TimeAllotArrivals(benchmark::State& bench, const Workload& w, bool with_rules);
BaselineFixture* TimeBaselineArrivals(benchmark::State& bench, const Workload& w, bool with_rules);

// Adds the message, tags and channel of RuleArrivals()[i % 16] to `event`.
void SetRuleFields(v1::Event& event, uint64_t i);

// Sets the counters of TimeArrivals and runs its checks.
void ReportArrivals(benchmark::State& bench, std::vector<int64_t>& samples, uint64_t repeats,
                    uint64_t owners, uint64_t rejected, uint64_t tags, int64_t allocations,
                    const Trace& trace);

// The timing loop of every arrival benchmark: per iteration the next trace arrival is
// written into `event`, then step(event) is timed alone. After the run: counters p50_ns,
// p99_ns, mean_ns, timer_ns, repeat_share, tags_per_arrival, allocs_per_arrival (operator
// new calls inside step, counted outside the timed window); the checks above. `with_rules`
// also rewrites the rule fields.
template <typename Step>
void TimeArrivals(benchmark::State& bench, Trace& trace, v1::Event& event, bool with_rules,
                  Step&& step) {
  std::vector<int64_t> samples;
  samples.reserve(static_cast<size_t>(bench.max_iterations));
  uint64_t repeats = 0, owners = 0, rejected = 0, tags = 0, i = 0;
  int64_t allocations = 0;
  for (auto _ : bench) {
    const Trace::Arrival a = trace.Next();
    Rewrite(event, a);
    if (with_rules) SetRuleFields(event, i);
    ++i;
    const int64_t allocated_before = Allocations();
    const auto t0 = std::chrono::steady_clock::now();
    const StepOutcome out = step(event);
    const auto t1 = std::chrono::steady_clock::now();
    allocations += Allocations() - allocated_before;
    if (!out.ok) {
      bench.SkipWithError("an arrival failed (see the first error printed)");
      break;
    }
    samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    repeats += a.repeat;
    owners += out.owner;
    rejected += out.rejected;
    tags += out.tags;
  }
  ReportArrivals(bench, samples, repeats, owners, rejected, tags, allocations, trace);
}

// The allot step of TimeArrivals: Engine::Step, classified.
StepOutcome AllotStep(const Engine& engine, const v1::Event& event, State& state);
StepOutcome BaselineStep(Baseline& engine, const v1::Event& event);

// Registration, one function per benchmark file, called in this order by main.cc so the
// run order (and the fixture cache's hits) is fixed.
void RegisterDecideApplyBenchmarks();
void RegisterStrategyBenchmarks();
void RegisterRulesBenchmarks();
void RegisterStateBenchmarks();
void RegisterConfigBenchmarks();
void RegisterMachineBenchmarks();

}  // namespace allot::bench

#endif  // ALLOT_BENCHMARKS_HARNESS_H_
