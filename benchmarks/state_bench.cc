// The owner memory's life cycle (SPEC §5.5, §7): forgetting on tick, serializing and parsing
// the State, and its size in memory and on disk.
//
//   BM_Tick/expiry                          a tick that forgets ~1000 customers past
//                                           `remember` out of 1M; counter ns_per_forgotten.
//                                           allot expires in amortized O(1) per customer,
//                                           the baseline scans its whole map per tick.
//   BM_StateSerialize/remembered:1000000    State::ToBytes, ms per op; bytes per customer
//   BM_StateParse/remembered:1000000        State::FromBytes, ms per op
//   BM_Memory/remembered:<1M|10M>           live heap of a State built from its proto, per
//                                           customer (heap_counter.h), and serialized bytes
//                                           per customer; the time is State::FromProto.
// Each with a BM_Baseline_ twin. States are prefilled as in BM_DecideApply (2000 members,
// customers over the last 24 h) except BM_Tick's (20 members, see there).
#include <benchmark/benchmark.h>

#include <chrono>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "harness.h"
#include "heap_counter.h"

namespace allot::bench {
namespace {

constexpr int kStateMembers = 2000;
constexpr uint64_t kTickRemembered = 1'000'000;
constexpr int64_t kTicks = 200;

double PerCustomer(int64_t bytes, uint64_t customers) {
  return customers == 0 ? 0 : static_cast<double>(bytes) / static_cast<double>(customers);
}

// BM_Tick: dedup window and memory of 1 h; 1M customers assigned 1000 per second over the
// 1000 s ending 2600 s before the trace start, so tick k (at start + k s) forgets the
// ~1000 customers of one second. The window is short only so the trace stays short; the
// cost per forgotten customer does not depend on it.
struct TickSetup {
  GroupPlan plan = MakeGroupPlan(20);
  v1::Config config = MakeConfig(plan, 0, "1h", "1h");
  int64_t first_us = TraceStartUs() - 3599 * kSecondUs;
  int64_t last_us = first_us + 1000 * kSecondUs;
};

void ReportTicks(benchmark::State& bench, size_t forgotten, int64_t elapsed_ns) {
  if (forgotten == 0) {
    bench.SkipWithError("the ticks forgot nobody: not the path meant to be measured");
    return;
  }
  bench.counters["forgotten_per_tick"] =
      static_cast<double>(forgotten) / static_cast<double>(bench.iterations());
  bench.counters["ns_per_forgotten"] =
      static_cast<double>(elapsed_ns) / static_cast<double>(forgotten);
}

void BM_Tick(benchmark::State& bench) {
  DropFixtures();
  const TickSetup setup;
  absl::StatusOr<Engine> engine = Engine::Create(setup.config);
  if (!engine.ok()) {
    bench.SkipWithError(engine.status().ToString().c_str());
    return;
  }
  absl::StatusOr<State> state = State::FromProto(
      MakeStateProto(setup.plan, KeyHashes(*engine, kTickRemembered), kTickRemembered,
                     setup.first_us, setup.last_us, TraceStartUs()));
  if (!state.ok()) {
    bench.SkipWithError(state.status().ToString().c_str());
    return;
  }
  v1::Event tick;
  tick.mutable_tick();
  const size_t before = state->remembered_customers();
  int64_t at = TraceStartUs(), elapsed_ns = 0;
  for (auto _ : bench) {
    at += kSecondUs;
    SetTime(tick, at);
    const auto t0 = std::chrono::steady_clock::now();
    absl::StatusOr<Decision> d = engine->Step(tick, *state);
    elapsed_ns +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    if (!d.ok()) {
      bench.SkipWithError(d.status().ToString().c_str());
      return;
    }
  }
  ReportTicks(bench, before - state->remembered_customers(), elapsed_ns);
}

void BM_Baseline_Tick(benchmark::State& bench) {
  DropFixtures();
  const TickSetup setup;
  absl::StatusOr<Baseline> baseline = Baseline::FromConfig(setup.config);
  if (!baseline.ok()) {
    bench.SkipWithError(baseline.status().ToString().c_str());
    return;
  }
  baseline->ReserveCustomers(kTickRemembered);
  for (uint64_t c = 0; c < kTickRemembered; ++c) {
    baseline->Remember(CustomerKey(c), static_cast<int>(c % 20),
                       PrefillTimeUs(c, kTickRemembered, setup.first_us, setup.last_us));
  }
  size_t forgotten = 0;
  int64_t at = TraceStartUs(), elapsed_ns = 0;
  for (auto _ : bench) {
    at += kSecondUs;
    const auto t0 = std::chrono::steady_clock::now();
    forgotten += baseline->Tick(at);
    elapsed_ns +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
  }
  ReportTicks(bench, forgotten, elapsed_ns);
}

// allot's State of `remembered` customers as BM_DecideApply prefills it, and its live heap
// per customer.
struct BuiltState {
  std::optional<Engine> engine;
  std::optional<State> state;
  double memory_bytes_per_customer = 0;
  std::string error;
};

BuiltState BuildState(uint64_t remembered, benchmark::State* timed) {
  BuiltState out;
  const GroupPlan plan = MakeGroupPlan(kStateMembers);
  absl::StatusOr<Engine> engine = Engine::Create(MakeConfig(plan));
  if (!engine.ok()) {
    out.error = engine.status().ToString();
    return out;
  }
  out.engine.emplace(*std::move(engine));
  const v1::State proto =
      MakeStateProto(plan, KeyHashes(*out.engine, remembered), remembered,
                     TraceStartUs() - 24 * kHourUs, TraceStartUs(), TraceStartUs());
  const int64_t before = LiveHeapBytes();
  if (timed != nullptr) timed->ResumeTiming();
  absl::StatusOr<State> state = State::FromProto(proto);
  if (timed != nullptr) timed->PauseTiming();
  if (!state.ok()) {
    out.error = state.status().ToString();
    return out;
  }
  out.state.emplace(*std::move(state));
  out.memory_bytes_per_customer = PerCustomer(LiveHeapBytes() - before, remembered);
  return out;
}

// The baseline's map of `remembered` customers, prefilled alike.
struct BuiltBaseline {
  std::optional<Baseline> baseline;
  double memory_bytes_per_customer = 0;
  std::string error;
};

BuiltBaseline BuildBaselineState(uint64_t remembered, benchmark::State* timed) {
  BuiltBaseline out;
  const GroupPlan plan = MakeGroupPlan(kStateMembers);
  absl::StatusOr<Baseline> baseline = Baseline::FromConfig(MakeConfig(plan));
  if (!baseline.ok()) {
    out.error = baseline.status().ToString();
    return out;
  }
  out.baseline.emplace(*std::move(baseline));
  const int64_t before = LiveHeapBytes();
  if (timed != nullptr) timed->ResumeTiming();
  out.baseline->ReserveCustomers(remembered);
  for (uint64_t c = 0; c < remembered; ++c) {
    out.baseline->Remember(
        CustomerKey(c), static_cast<int>(c % kStateMembers),
        PrefillTimeUs(c, remembered, TraceStartUs() - 24 * kHourUs, TraceStartUs()));
  }
  if (timed != nullptr) timed->PauseTiming();
  out.memory_bytes_per_customer = PerCustomer(LiveHeapBytes() - before, remembered);
  return out;
}

void BM_StateSerialize(benchmark::State& bench) {
  DropFixtures();
  const uint64_t remembered = static_cast<uint64_t>(bench.range(0));
  BuiltState built = BuildState(remembered, nullptr);
  if (!built.error.empty()) {
    bench.SkipWithError(built.error.c_str());
    return;
  }
  size_t size = 0;
  for (auto _ : bench) {
    std::string bytes = built.state->ToBytes();
    size = bytes.size();
    benchmark::DoNotOptimize(bytes.data());
    bench.PauseTiming();  // freeing the bytes is not serializing
    bytes = std::string();
    bench.ResumeTiming();
  }
  bench.counters["serialized_B_per_customer"] = PerCustomer(static_cast<int64_t>(size), remembered);
  bench.counters["memory_B_per_customer"] = built.memory_bytes_per_customer;
}

void BM_Baseline_StateSerialize(benchmark::State& bench) {
  DropFixtures();
  const uint64_t remembered = static_cast<uint64_t>(bench.range(0));
  BuiltBaseline built = BuildBaselineState(remembered, nullptr);
  if (!built.error.empty()) {
    bench.SkipWithError(built.error.c_str());
    return;
  }
  size_t size = 0;
  for (auto _ : bench) {
    std::string bytes = built.baseline->Serialize();
    size = bytes.size();
    benchmark::DoNotOptimize(bytes.data());
    bench.PauseTiming();
    bytes = std::string();
    bench.ResumeTiming();
  }
  bench.counters["serialized_B_per_customer"] = PerCustomer(static_cast<int64_t>(size), remembered);
  bench.counters["memory_B_per_customer"] = built.memory_bytes_per_customer;
}

void BM_StateParse(benchmark::State& bench) {
  DropFixtures();
  const uint64_t remembered = static_cast<uint64_t>(bench.range(0));
  std::string bytes;
  {
    BuiltState built = BuildState(remembered, nullptr);
    if (!built.error.empty()) {
      bench.SkipWithError(built.error.c_str());
      return;
    }
    bytes = built.state->ToBytes();
  }
  std::optional<State> parsed;
  for (auto _ : bench) {
    absl::StatusOr<State> state = State::FromBytes(bytes);
    if (!state.ok()) {
      bench.SkipWithError(state.status().ToString().c_str());
      return;
    }
    parsed.emplace(*std::move(state));
    bench.PauseTiming();  // freeing the parsed state is not parsing
    if (parsed->remembered_customers() != remembered) {
      bench.SkipWithError("the parsed state lost customers");
      return;
    }
    parsed.reset();
    bench.ResumeTiming();
  }
}

void BM_Baseline_StateParse(benchmark::State& bench) {
  DropFixtures();
  const uint64_t remembered = static_cast<uint64_t>(bench.range(0));
  std::string bytes;
  std::optional<Baseline> empty;
  {
    BuiltBaseline built = BuildBaselineState(remembered, nullptr);
    if (!built.error.empty()) {
      bench.SkipWithError(built.error.c_str());
      return;
    }
    bytes = built.baseline->Serialize();
    empty.emplace(*Baseline::FromConfig(MakeConfig(MakeGroupPlan(kStateMembers))));
  }
  for (auto _ : bench) {
    bench.PauseTiming();
    std::optional<Baseline> parsed(*empty);
    bench.ResumeTiming();
    const absl::Status status = parsed->Parse(bytes);
    bench.PauseTiming();
    if (!status.ok() || parsed->remembered() != remembered) {
      bench.SkipWithError("the baseline failed to parse its bytes");
      return;
    }
    parsed.reset();
    bench.ResumeTiming();
  }
}

void BM_Memory(benchmark::State& bench) {
  DropFixtures();
  const uint64_t remembered = static_cast<uint64_t>(bench.range(0));
  BuiltState built;
  for (auto _ : bench) {
    bench.PauseTiming();
    built = BuildState(remembered, &bench);  // times State::FromProto only
    bench.ResumeTiming();
  }
  if (!built.error.empty()) {
    bench.SkipWithError(built.error.c_str());
    return;
  }
  bench.counters["memory_B_per_customer"] = built.memory_bytes_per_customer;
  bench.counters["serialized_B_per_customer"] =
      PerCustomer(static_cast<int64_t>(built.state->ToBytes().size()), remembered);
}

void BM_Baseline_Memory(benchmark::State& bench) {
  DropFixtures();
  const uint64_t remembered = static_cast<uint64_t>(bench.range(0));
  BuiltBaseline built;
  for (auto _ : bench) {
    bench.PauseTiming();
    built = BuildBaselineState(remembered, &bench);  // times filling the map only
    bench.ResumeTiming();
  }
  if (!built.error.empty()) {
    bench.SkipWithError(built.error.c_str());
    return;
  }
  bench.counters["memory_B_per_customer"] = built.memory_bytes_per_customer;
  bench.counters["serialized_B_per_customer"] =
      PerCustomer(static_cast<int64_t>(built.baseline->Serialize().size()), remembered);
}

}  // namespace

void RegisterStateBenchmarks() {
  for (auto [name, fn] : {std::pair{"BM_Tick/expiry", &BM_Tick},
                          std::pair{"BM_Baseline_Tick/expiry", &BM_Baseline_Tick}}) {
    benchmark::RegisterBenchmark(name, fn)->Iterations(kTicks)->Unit(benchmark::kMicrosecond);
  }
  for (auto [name, fn] : {std::pair{"BM_StateSerialize", &BM_StateSerialize},
                          std::pair{"BM_Baseline_StateSerialize", &BM_Baseline_StateSerialize},
                          std::pair{"BM_StateParse", &BM_StateParse},
                          std::pair{"BM_Baseline_StateParse", &BM_Baseline_StateParse}}) {
    benchmark::RegisterBenchmark(name, fn)
        ->ArgName("remembered")
        ->Arg(1'000'000)
        ->Iterations(5)
        ->Unit(benchmark::kMillisecond);
  }
  for (auto [name, fn] :
       {std::pair{"BM_Memory", &BM_Memory}, std::pair{"BM_Baseline_Memory", &BM_Baseline_Memory}}) {
    benchmark::RegisterBenchmark(name, fn)
        ->ArgName("remembered")
        ->Args({1'000'000})
        ->Args({10'000'000})
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace allot::bench
