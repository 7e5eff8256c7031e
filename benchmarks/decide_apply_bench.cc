// Decide+Apply of one arrival (SPEC §7), in a WEIGHTED group with daily caps on every member,
// with `remembered` customers already in the owner memory and fresh and repeat customers
// mixed 80/20. Run: build/release/benchmarks/allot_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "allot/engine.h"

namespace {

allot::Engine MakeEngine(int members) {
  allot::v1::Config config;
  config.set_tenant("bench");
  config.mutable_default_caps()->set_daily(1u << 30);
  allot::v1::Group* group = config.add_groups();
  group->set_id("g");
  group->set_strategy(allot::v1::WEIGHTED);
  for (int i = 0; i < members; ++i) {
    allot::v1::Employee* e = config.add_employees();
    e->set_id(absl::StrCat("e", i));
    e->set_weight(1.0 + (i % 3) * 0.5);
    group->add_members()->set_employee(e->id());
  }
  allot::v1::Entry* entry = config.add_entries();
  entry->set_id("qr");
  entry->set_group("g");
  return *allot::Engine::Create(config);
}

allot::v1::Event Arrival(int64_t at_us, int64_t customer) {
  allot::v1::Event e;
  e.mutable_at()->set_seconds(at_us / 1'000'000);
  e.mutable_at()->set_nanos(static_cast<int32_t>(at_us % 1'000'000) * 1000);
  allot::v1::Arrival* a = e.mutable_arrival();
  a->set_entry("qr");
  a->mutable_customer()->set_ref("c");
  a->mutable_customer()->add_keys(
      absl::StrCat("external_userid:", absl::Dec(customer, absl::kZeroPad12)));
  return e;
}

// Rewrites the 12 digits of the event's key in place: cheaper than building a new event.
void SetCustomer(allot::v1::Event& e, int64_t customer) {
  std::string& key = *e.mutable_arrival()->mutable_customer()->mutable_keys(0);
  for (size_t i = key.size(); i-- > key.size() - 12;) {
    key[i] = static_cast<char>('0' + customer % 10);
    customer /= 10;
  }
}

void BM_DecideApply(benchmark::State& bench) {
  const int members = static_cast<int>(bench.range(0));
  const int64_t remembered = bench.range(1);
  const allot::Engine engine = MakeEngine(members);
  allot::State state;
  int64_t at_us = 1'795'000'000'000'000;  // 2026-11-18
  for (int64_t c = 0; c < remembered; ++c) {
    (void)engine.Step(Arrival(at_us, c), state);
    at_us += 1000;
  }
  // One pre-built event whose time and key are rewritten in place: building events is the
  // host's cost, not allot's. Every fifth customer is a repeat of a remembered one.
  allot::v1::Event e = Arrival(at_us, 0);
  int64_t fresh = remembered;
  uint64_t i = 0;
  allot::Decision d;
  for (auto _ : bench) {
    ++i;
    SetCustomer(e, i % 5 == 0 ? static_cast<int64_t>((i * 7919) % std::max<uint64_t>(remembered, 1))
                              : fresh++);
    at_us += 1000;  // time moves forward, as events must
    e.mutable_at()->set_seconds(at_us / 1'000'000);
    e.mutable_at()->set_nanos(static_cast<int32_t>(at_us % 1'000'000) * 1000);
    const absl::Status status = engine.Step(e, state, &d);
    if (!status.ok()) bench.SkipWithError(std::string(status.message()).c_str());
    benchmark::DoNotOptimize(d);
  }
  bench.SetItemsProcessed(bench.iterations());
}
BENCHMARK(BM_DecideApply)
    ->ArgNames({"members", "remembered"})
    ->ArgsProduct({{20, 200, 2000}, {10000}});

}  // namespace

BENCHMARK_MAIN();
