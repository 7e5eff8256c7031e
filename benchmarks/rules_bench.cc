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

// TimePairedArrivals on two fixtures of their own, built by `build`: of the workload
// without rules and with them.
template <typename Build, typename Step>
void TimeRulesPaired(benchmark::State& bench, Build&& build, Step&& step) {
  const Workload with = WorkloadOf(bench);
  Workload without = with;
  without.rules = 0;
  std::string error;
  auto a = build(without, error);
  auto b = a ? build(with, error) : nullptr;
  if (b == nullptr) {
    bench.SkipWithError(error.c_str());
    return;
  }
  TimePairedArrivals(
      bench, a->trace, a->event, [&](const v1::Event& e) { return step(*a, e); }, b->trace,
      b->event, [&](const v1::Event& e) { return step(*b, e); });
}

void BM_TagRules(benchmark::State& bench) {
  for (int rules : {0, static_cast<int>(bench.range(0))}) {
    Workload w = WorkloadOf(bench);
    w.rules = rules;
    if (const std::string disagree = CheckAgreement(w); !disagree.empty()) {
      bench.SkipWithError(disagree.c_str());
      return;
    }
  }
  TimeRulesPaired(bench, BuildAllotFixture, [](AllotFixture& f, const v1::Event& e) {
    return AllotStep(*f.engine, e, f.state);
  });
}

void BM_Baseline_TagRules(benchmark::State& bench) {
  TimeRulesPaired(bench, BuildBaselineFixture, [](BaselineFixture& f, const v1::Event& e) {
    return BaselineStep(*f.engine, e);
  });
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
