// Fixtures, checks and percentile reporting of the arrival benchmarks (harness.h).
#include "harness.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "heap_counter.h"

namespace allot::bench {
namespace {

constexpr int kWarmUpArrivals = 1000;

// The one live fixture of each kind (freed when the next is built, or by DropFixtures).
std::unique_ptr<AllotFixture>& AllotCache() {
  static std::unique_ptr<AllotFixture> cache;
  return cache;
}
std::unique_ptr<BaselineFixture>& BaselineCache() {
  static std::unique_ptr<BaselineFixture> cache;
  return cache;
}

// Prefilled customers were assigned over the 24 hours before the trace starts.
int64_t PrefillFirstUs() { return TraceStartUs() - 24 * kHourUs; }
int64_t PrefillLastUs() { return TraceStartUs(); }

// A repeat of a prefilled customer, for the checks: customer remembered / 2.
Trace::Arrival ProbeRepeat(uint64_t remembered) { return {remembered / 2, TraceStartUs(), true}; }

}  // namespace

std::unique_ptr<AllotFixture> BuildAllotFixture(const Workload& w, std::string& error) {
  auto f = std::make_unique<AllotFixture>();
  f->workload = w;
  f->plan = MakeGroupPlan(w.members, w.strategy);
  absl::StatusOr<Engine> engine = Engine::Create(MakeConfig(f->plan, w.rules));
  if (!engine.ok()) {
    error = absl::StrCat("Engine::Create: ", engine.status().ToString());
    return nullptr;
  }
  f->engine.emplace(*std::move(engine));
  const std::vector<uint64_t>& hashes = KeyHashes(*f->engine, w.remembered);
  {
    const v1::State proto = MakeStateProto(f->plan, hashes, w.remembered, PrefillFirstUs(),
                                           PrefillLastUs(), TraceStartUs());
    const int64_t before = LiveHeapBytes();
    absl::StatusOr<State> state = State::FromProto(proto);
    if (!state.ok()) {
      error = absl::StrCat("State::FromProto: ", state.status().ToString());
      return nullptr;
    }
    f->state = *std::move(state);
    f->memory_bytes_per_customer =
        w.remembered == 0
            ? 0
            : static_cast<double>(LiveHeapBytes() - before) / static_cast<double>(w.remembered);
  }
  if (f->state.remembered_customers() != w.remembered) {
    error = absl::StrCat("state remembers ", f->state.remembered_customers(), " customers, not ",
                         w.remembered);
    return nullptr;
  }
  f->event = MakeArrivalEvent();
  if (w.remembered > 0) {
    // SPEC §5.5: a repeat within the 72 h window goes to its owner as OWNER.
    const Trace::Arrival probe = ProbeRepeat(w.remembered);
    Rewrite(f->event, probe);
    absl::StatusOr<Decision> d = f->engine->Decide(f->event, f->state);
    const std::string& owner = f->plan.member[probe.customer % f->plan.member.size()].id;
    if (!d.ok() || d->assignments.size() != 1 ||
        d->assignments[0].reason != v1::Assignment::OWNER || d->assignments[0].employee != owner) {
      error =
          absl::StrCat("a repeat of a prefilled customer is not routed to its owner ", owner, ": ",
                       d.ok() ? f->engine->ToProto(*d).ShortDebugString() : d.status().ToString());
      return nullptr;
    }
  }
  f->trace = Trace(w.remembered);
  for (int i = 0; i < kWarmUpArrivals; ++i) {
    Rewrite(f->event, f->trace.Next());
    if (w.rules > 0) SetRuleFields(f->event, i);
    if (!AllotStep(*f->engine, f->event, f->state).ok) {
      error = "warm-up arrival failed";
      return nullptr;
    }
  }
  return f;
}

std::unique_ptr<BaselineFixture> BuildBaselineFixture(const Workload& w, std::string& error) {
  auto f = std::make_unique<BaselineFixture>();
  f->workload = w;
  f->plan = MakeGroupPlan(w.members, w.strategy);
  absl::StatusOr<Baseline> engine = Baseline::FromConfig(MakeConfig(f->plan, w.rules));
  if (!engine.ok()) {
    error = absl::StrCat("Baseline::FromConfig: ", engine.status().ToString());
    return nullptr;
  }
  f->engine.emplace(*std::move(engine));
  Baseline& b = *f->engine;
  for (int i = 0; i < w.members; ++i) {
    b.SetCounters(i, f->plan.member[i].today, f->plan.member[i].this_hour, TraceStartUs());
  }
  const int64_t before = LiveHeapBytes();
  b.ReserveCustomers(w.remembered);
  for (uint64_t c = 0; c < w.remembered; ++c) {
    b.Remember(CustomerKey(c), static_cast<int>(c % w.members),
               PrefillTimeUs(c, w.remembered, PrefillFirstUs(), PrefillLastUs()));
  }
  f->memory_bytes_per_customer = w.remembered == 0 ? 0
                                                   : static_cast<double>(LiveHeapBytes() - before) /
                                                         static_cast<double>(w.remembered);
  f->event = MakeArrivalEvent();
  if (w.remembered > 0) {
    const Trace::Arrival probe = ProbeRepeat(w.remembered);
    Rewrite(f->event, probe);
    const Baseline::Result r = b.Arrive(f->event);
    if (r.outcome != Baseline::Outcome::kOwner ||
        r.member != static_cast<int>(probe.customer % w.members)) {
      error = "baseline: a repeat of a prefilled customer is not routed to its owner";
      return nullptr;
    }
  }
  f->trace = Trace(w.remembered);
  for (int i = 0; i < kWarmUpArrivals; ++i) {
    Rewrite(f->event, f->trace.Next());
    if (w.rules > 0) SetRuleFields(f->event, i);
    b.Arrive(f->event);
  }
  return f;
}

AllotFixture* FreshAllotFixture(const Workload& w, std::string& error) {
  std::unique_ptr<AllotFixture>& cache = AllotCache();
  cache.reset();  // free the old one before building the new one
  cache = BuildAllotFixture(w, error);
  return cache.get();
}

BaselineFixture* FreshBaselineFixture(const Workload& w, std::string& error) {
  std::unique_ptr<BaselineFixture>& cache = BaselineCache();
  cache.reset();
  cache = BuildBaselineFixture(w, error);
  return cache.get();
}

void DropFixtures() {
  AllotCache().reset();
  BaselineCache().reset();
}

std::string CheckAgreement(Workload w) {
  w.remembered = 10'000;
  static std::map<std::tuple<int, int, int>, std::string> checked;
  const auto key = std::make_tuple(w.members, static_cast<int>(w.strategy), w.rules);
  if (auto it = checked.find(key); it != checked.end()) return it->second;
  std::string& verdict = checked[key];
  std::string error;
  // Fresh fixtures of their own: the cached ones keep their trace position.
  std::unique_ptr<AllotFixture> a = BuildAllotFixture(w, error);
  std::unique_ptr<BaselineFixture> b = a ? BuildBaselineFixture(w, error) : nullptr;
  if (b == nullptr) return verdict = "agreement check: " + error;
  std::vector<int64_t> allot_new(w.members, 0);
  uint64_t allot_owner = 0, base_owner = 0, allot_rejected = 0, base_rejected = 0;
  uint64_t allot_tags = 0, base_tags = 0;
  std::vector<uint64_t> base_start(w.members);
  for (int m = 0; m < w.members; ++m) base_start[m] = b->engine->charged(m);
  for (int i = 0; i < 10'000; ++i) {
    const Trace::Arrival x = a->trace.Next();
    const Trace::Arrival y = b->trace.Next();
    Rewrite(a->event, x);
    Rewrite(b->event, y);
    if (w.rules > 0) {
      SetRuleFields(a->event, i);
      SetRuleFields(b->event, i);
    }
    absl::StatusOr<Decision> d = a->engine->Step(a->event, a->state);
    if (!d.ok()) return verdict = "agreement check: allot: " + d.status().ToString();
    if (d->assignments.empty()) {
      ++allot_rejected;
    } else if (d->assignments[0].reason == v1::Assignment::OWNER) {
      ++allot_owner;
    } else {
      const std::string id(d->assignments[0].employee);
      ++allot_new[std::stoi(id.substr(1))];
    }
    allot_tags += d->tags_added.size();
    const Baseline::Result r = b->engine->Arrive(b->event);
    base_owner += r.outcome == Baseline::Outcome::kOwner;
    base_rejected += r.outcome == Baseline::Outcome::kRejected;
    base_tags += r.tags;
  }
  if (allot_owner != base_owner || allot_rejected != base_rejected || allot_rejected != 0) {
    return verdict = absl::StrCat("agreement check: owner-routed ", allot_owner, " vs ", base_owner,
                                  ", rejected ", allot_rejected, " vs ", base_rejected);
  }
  if (allot_tags != base_tags) {
    return verdict =
               absl::StrCat("agreement check: rule tags added ", allot_tags, " vs ", base_tags);
  }
  const double mean = 10'000.0 * kFreshShare / w.members;
  // Strategies other than WEIGHTED and ROUND_ROBIN pick by different rules on purpose
  // (RANDOM draws differently; SEQUENTIAL and LEAST_LOADED agree but are checked too).
  if (w.strategy == v1::RANDOM) return verdict;
  for (int m = 0; m < w.members; ++m) {
    const int64_t base_new = static_cast<int64_t>(b->engine->charged(m) - base_start[m]);
    if (std::abs(allot_new[m] - base_new) > std::max(3.0, 0.03 * mean)) {
      return verdict = absl::StrCat("agreement check: member ", m, " got ", allot_new[m],
                                    " new customers from allot, ", base_new, " from the baseline");
    }
  }
  return verdict;
}

void SetRuleFields(v1::Event& event, uint64_t i) {
  const RuleArrival& r = RuleArrivals()[i % RuleArrivals().size()];
  v1::Arrival* a = event.mutable_arrival();
  a->set_message(r.message);
  a->set_channel(r.channel);
  a->clear_tags();
  for (const std::string& t : r.tags) a->add_tags(t);
}

bool ReportArrivals(benchmark::State& bench, ArrivalTally& tally, const Trace& trace) {
  if (bench.error_occurred()) return false;
  if (trace.elapsed_us() > kMaxTraceUs) {
    bench.SkipWithError("the trace ran past the dedup window of the prefilled customers");
    return false;
  }
  if (tally.owners != tally.repeats || tally.rejected != 0) {
    bench.SkipWithError(absl::StrCat(tally.repeats, " repeat arrivals but ", tally.owners,
                                     " owner-routed and ", tally.rejected,
                                     " rejected: not the path meant to be measured")
                            .c_str());
    return false;
  }
  std::vector<int64_t>& samples = tally.samples;
  if (samples.empty()) return true;
  const double overhead = TimerOverheadNs();
  auto percentile = [&](double p) {
    const size_t k = std::min(samples.size() - 1, static_cast<size_t>(p * samples.size()));
    std::nth_element(samples.begin(), samples.begin() + k, samples.end());
    return std::max(0.0, static_cast<double>(samples[k]) - overhead);
  };
  double sum = 0;
  for (int64_t s : samples) sum += static_cast<double>(s);
  const double n = static_cast<double>(samples.size());
  bench.counters["p50_ns"] = percentile(0.50);
  bench.counters["p99_ns"] = percentile(0.99);
  bench.counters["mean_ns"] = std::max(0.0, sum / n - overhead);
  bench.counters["timer_ns"] = overhead;
  bench.counters["repeat_share"] = static_cast<double>(tally.repeats) / n;
  bench.counters["tags_per_arrival"] = static_cast<double>(tally.tags) / n;
  bench.counters["allocs_per_arrival"] = static_cast<double>(tally.allocations) / n;
  bench.SetItemsProcessed(static_cast<int64_t>(samples.size()));
  return true;
}

double InterquartileMean(absl::Span<const int64_t> samples) {
  std::vector<int64_t> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  const size_t from = sorted.size() / 4, to = sorted.size() - sorted.size() / 4;
  double sum = 0;
  for (size_t i = from; i < to; ++i) sum += static_cast<double>(sorted[i]);
  return to > from ? sum / static_cast<double>(to - from) : 0;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

void ReportPairedArrivals(benchmark::State& bench, ArrivalTally (&tally)[2],
                          const std::vector<double> (&block_cost)[2], const Trace& trace0,
                          const Trace& trace1) {
  // Side 0's checks and p50 first: ReportArrivals of side 1 then sets the counters kept.
  if (!ReportArrivals(bench, tally[0], trace0)) return;
  const double p50_without = bench.counters["p50_ns"];
  if (!ReportArrivals(bench, tally[1], trace1)) return;
  const size_t pairs = std::min(block_cost[0].size(), block_cost[1].size());
  if (pairs == 0) {
    bench.SkipWithError("fewer arrivals than one block of each side");
    return;
  }
  if (tally[0].tags != 0 || tally[1].tags == 0) {
    bench.SkipWithError("the side without rules added tags, or the side with rules none");
    return;
  }
  std::vector<double> added(pairs);
  for (size_t i = 0; i < pairs; ++i) added[i] = block_cost[1][i] - block_cost[0][i];
  bench.counters["added_ns"] = Median(std::move(added));
  bench.counters["p50_without_ns"] = p50_without;
  bench.counters["block_pairs"] = static_cast<double>(pairs);
  // Both sides' arrivals together, as Google Benchmark counted its iterations.
  bench.SetItemsProcessed(static_cast<int64_t>(tally[0].samples.size() + tally[1].samples.size()));
}

AllotFixture* TimeAllotArrivals(benchmark::State& bench, const Workload& w, bool with_rules) {
  if (const std::string disagree = CheckAgreement(w); !disagree.empty()) {
    bench.SkipWithError(disagree.c_str());
    return nullptr;
  }
  std::string error;
  AllotFixture* f = FreshAllotFixture(w, error);
  if (f == nullptr) {
    bench.SkipWithError(error.c_str());
    return nullptr;
  }
  TimeArrivals(bench, f->trace, f->event, with_rules,
               [&](const v1::Event& e) { return AllotStep(*f->engine, e, f->state); });
  return f;
}

BaselineFixture* TimeBaselineArrivals(benchmark::State& bench, const Workload& w, bool with_rules) {
  std::string error;
  BaselineFixture* f = FreshBaselineFixture(w, error);
  if (f == nullptr) {
    bench.SkipWithError(error.c_str());
    return nullptr;
  }
  TimeArrivals(bench, f->trace, f->event, with_rules,
               [&](const v1::Event& e) { return BaselineStep(*f->engine, e); });
  return f;
}

StepOutcome AllotStep(const Engine& engine, const v1::Event& event, State& state) {
  // The allocation-free form a host deciding in a loop uses: one Decision, reused.
  static Decision* const reused = new Decision;
  const absl::Status status = engine.Step(event, state, reused);
  const Decision* d = reused;
  StepOutcome out;
  if (!status.ok()) {
    static bool printed = false;
    if (!printed) std::fprintf(stderr, "allot: %s\n", status.ToString().c_str());
    printed = true;
    out.ok = false;
    return out;
  }
  out.rejected = d->assignments.empty();
  out.owner = !out.rejected && d->assignments[0].reason == v1::Assignment::OWNER;
  out.tags = static_cast<uint32_t>(d->tags_added.size());
  return out;
}

StepOutcome BaselineStep(Baseline& engine, const v1::Event& event) {
  const Baseline::Result r = engine.Arrive(event);
  StepOutcome out;
  out.rejected = r.outcome == Baseline::Outcome::kRejected;
  out.owner = r.outcome == Baseline::Outcome::kOwner;
  out.tags = r.tags;
  return out;
}

}  // namespace allot::bench
