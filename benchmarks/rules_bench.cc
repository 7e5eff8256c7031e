// Tag rules (SPEC §5.7): an arrival carrying a message, two tags and a channel, through 500
// rules of mixed kinds (keywords, any_tags, channels, local_time; trace.h AddTagRules), a
// handful of which fire per arrival. The rules' cost per arrival (budget ≤ 100 ns) is what
// the same arrivals cost with the 500 rules more than without any, both timed in
// alternating blocks in one run (TimePairedArrivals, counter added_ns; p50_ns is with the
// rules, p50_without_ns without). 20 members, so the pick does not drown the difference.
// The baseline evaluates every rule with string compares (baseline.h); both must add the
// same tags (CheckAgreement).
//
//   BM_TagRules/rules:500, BM_Baseline_TagRules/rules:500
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "harness.h"

namespace allot::bench {
namespace {

constexpr int64_t kArrivalsPerSide = 100'000;

Workload WorkloadOf(const benchmark::State& bench) {
  Workload w;
  w.members = 20;
  w.remembered = 10'000;
  w.rules = static_cast<int>(bench.range(0));
  return w;
}

void BM_TagRules(benchmark::State& bench) {
  const Workload w = WorkloadOf(bench);
  Workload without = w;
  without.rules = 0;
  for (const Workload& x : {without, w}) {
    if (const std::string disagree = CheckAgreement(x); !disagree.empty()) {
      bench.SkipWithError(disagree.c_str());
      return;
    }
  }
  std::string error;
  std::unique_ptr<AllotFixture> a = BuildAllotFixture(without, error);
  std::unique_ptr<AllotFixture> b = a ? BuildAllotFixture(w, error) : nullptr;
  if (b == nullptr) {
    bench.SkipWithError(error.c_str());
    return;
  }
  TimePairedArrivals(
      bench, a->trace, a->event,
      [&](const v1::Event& e) { return AllotStep(*a->engine, e, a->state); }, b->trace, b->event,
      [&](const v1::Event& e) { return AllotStep(*b->engine, e, b->state); });
}

void BM_Baseline_TagRules(benchmark::State& bench) {
  const Workload w = WorkloadOf(bench);
  Workload without = w;
  without.rules = 0;
  std::string error;
  std::unique_ptr<BaselineFixture> a = BuildBaselineFixture(without, error);
  std::unique_ptr<BaselineFixture> b = a ? BuildBaselineFixture(w, error) : nullptr;
  if (b == nullptr) {
    bench.SkipWithError(error.c_str());
    return;
  }
  TimePairedArrivals(
      bench, a->trace, a->event, [&](const v1::Event& e) { return BaselineStep(*a->engine, e); },
      b->trace, b->event, [&](const v1::Event& e) { return BaselineStep(*b->engine, e); });
}

}  // namespace

void RegisterRulesBenchmarks() {
  for (auto [name, fn] : {std::pair{"BM_TagRules", &BM_TagRules},
                          std::pair{"BM_Baseline_TagRules", &BM_Baseline_TagRules}}) {
    benchmark::RegisterBenchmark(name, fn)
        ->ArgName("rules")
        ->Arg(500)
        ->Iterations(2 * kArrivalsPerSide)
        ->Unit(benchmark::kNanosecond);
  }
}

}  // namespace allot::bench
