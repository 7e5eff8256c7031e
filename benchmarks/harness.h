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
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"
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
// A fixture of `w` of the caller's own, outside the cache, for a benchmark that needs two
// at once (BM_TagRules, BM_MembersGrowth). nullptr and `error` set as above.
std::unique_ptr<AllotFixture> BuildAllotFixture(const Workload& w, std::string& error);
std::unique_ptr<BaselineFixture> BuildBaselineFixture(const Workload& w, std::string& error);

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

// What the timed arrivals of one fixture reported.
struct ArrivalTally {
  std::vector<int64_t> samples;  // ns of each timed step, in order
  uint64_t arrivals = 0, repeats = 0, owners = 0, rejected = 0, tags = 0;
  int64_t allocations = 0;  // operator new calls inside the steps

  // Writes the next arrival of `trace` into `event` (`with_rules`: and the rule fields),
  // times step(event) alone and counts what it reported. False when the step failed.
  template <typename Step>
  bool Time(Trace& trace, v1::Event& event, bool with_rules, Step&& step) {
    const Trace::Arrival a = trace.Next();
    Rewrite(event, a);
    if (with_rules) SetRuleFields(event, arrivals);
    ++arrivals;
    const int64_t allocated_before = Allocations();
    const auto t0 = std::chrono::steady_clock::now();
    const StepOutcome out = step(event);
    const auto t1 = std::chrono::steady_clock::now();
    allocations += Allocations() - allocated_before;
    if (!out.ok) return false;
    samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    repeats += a.repeat;
    owners += out.owner;
    rejected += out.rejected;
    tags += out.tags;
    return true;
  }
};

// Runs the checks of TimeArrivals on `tally` and sets its counters (below). False, and
// the benchmark skipped with an error, when a check fails.
bool ReportArrivals(benchmark::State& bench, ArrivalTally& tally, const Trace& trace);

// The timing loop of every arrival benchmark: per iteration the next trace arrival is
// written into `event`, then step(event) is timed alone. After the run: counters p50_ns,
// p99_ns, mean_ns, timer_ns, repeat_share, tags_per_arrival, allocs_per_arrival (operator
// new calls inside step, counted outside the timed window); the checks above. `with_rules`
// also rewrites the rule fields.
template <typename Step>
void TimeArrivals(benchmark::State& bench, Trace& trace, v1::Event& event, bool with_rules,
                  Step&& step) {
  ArrivalTally tally;
  tally.samples.reserve(static_cast<size_t>(bench.max_iterations));
  for (auto _ : bench) {
    if (!tally.Time(trace, event, with_rules, step)) {
      bench.SkipWithError("an arrival failed (see the first error printed)");
      break;
    }
  }
  ReportArrivals(bench, tally, trace);
}

// What one thing (the tag rules) adds to an arrival, with both sides timed in the same
// moments: this machine's host has modes that come and go within a second
// (docs/PERFORMANCE.md, "How much a number moves"), so two benchmarks run seconds apart may
// each meet another. Side 0 (without) and side 1 (with) step their own fixtures in
// alternating blocks of kPairBlock arrivals, both with the rule fields; a block's cost is
// the interquartile mean of its arrivals (the mean of the middle half: finer than the
// clock's ~10 ns step, and deaf to preemption and to the block's first, colder arrivals),
// and counter added_ns is the median over the block pairs of with − without. The other
// counters are side 1's, as TimeArrivals sets them, and p50_without_ns; both sides are
// checked.
inline constexpr int64_t kPairBlock = 500;
double InterquartileMean(absl::Span<const int64_t> samples);
// The middle value of `values` (the upper one of an even count); 0 when empty.
double Median(std::vector<double> values);
void ReportPairedArrivals(benchmark::State& bench, ArrivalTally (&tally)[2],
                          const std::vector<double> (&block_cost)[2], const Trace& trace0,
                          const Trace& trace1);
template <typename Step0, typename Step1>
void TimePairedArrivals(benchmark::State& bench, Trace& trace0, v1::Event& event0, Step0&& step0,
                        Trace& trace1, v1::Event& event1, Step1&& step1) {
  ArrivalTally tally[2];
  std::vector<double> block_cost[2];
  for (ArrivalTally& t : tally) t.samples.reserve(static_cast<size_t>(bench.max_iterations));
  int64_t k = 0;
  for (auto _ : bench) {
    const int side = static_cast<int>((k++ / kPairBlock) % 2);
    ArrivalTally& t = tally[side];
    if (!(side == 0 ? t.Time(trace0, event0, true, step0) : t.Time(trace1, event1, true, step1))) {
      bench.SkipWithError("an arrival failed (see the first error printed)");
      break;
    }
    if (t.samples.size() % kPairBlock == 0) {
      block_cost[side].push_back(
          InterquartileMean(absl::MakeConstSpan(t.samples).subspan(t.samples.size() - kPairBlock)));
    }
  }
  ReportPairedArrivals(bench, tally, block_cost, trace0, trace1);
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
