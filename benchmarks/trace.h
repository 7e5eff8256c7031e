// The workload every benchmark shares: the group and its caps, the config, the prefilled owner
// memory, and the deterministic trace of arrivals. allot and the baseline read the same plan
// and the same trace, so their figures are comparable (docs/PERFORMANCE.md).
//
// Clock: arrivals come every kStepUs (50 per second, a large tenant at a campaign peak),
// starting at 2026-11-24 10:30 in Asia/Shanghai. The step does not depend on the group size,
// so every run covers the same hours of the day; caps are scaled to the group size instead
// (see MakeGroupPlan), so they bind at the same rate for 20 or 2000 members.
#ifndef ALLOT_BENCHMARKS_TRACE_H_
#define ALLOT_BENCHMARKS_TRACE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "allot/engine.h"
#include "allot/v1/config.pb.h"
#include "allot/v1/event.pb.h"
#include "allot/v1/state.pb.h"

namespace allot::bench {

inline constexpr int64_t kSecondUs = 1'000'000;
inline constexpr int64_t kMinuteUs = 60 * kSecondUs;
inline constexpr int64_t kHourUs = 60 * kMinuteUs;
inline constexpr int64_t kStepUs = 20'000;  // 50 arrivals per second
inline constexpr int64_t kPressureWindowUs = 10 * kMinuteUs;
inline constexpr double kFreshShare = 0.8;  // 80% fresh, 20% repeats
// A trace must end before the oldest prefilled customer leaves the 72 h dedup window, or
// repeats would silently turn into returning customers: prefilled customers span the 24 h
// before the start, so 40 h of trace leaves a margin.
inline constexpr int64_t kMaxTraceUs = 40 * kHourUs;

// 2026-11-24 10:30:00 +08:00 (a Tuesday), unix microseconds.
int64_t TraceStartUs();

// splitmix64: a fixed-seed generator, so every run replays the same trace.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); the bias of the modulo is below 2^-40 for the n used here.
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

// One member of the benchmark group: its weight, its caps, and the counters it has at the
// start of the trace (as if the day had run at the trace's rate since midnight).
struct MemberPlan {
  std::string id;  // "e0000": zero-padded so that sorting by id is sorting by index
  double weight = 1;
  uint32_t daily = 0;
  uint32_t per_hour = 0;      // one all-day slot, 00:00–24:00
  uint32_t pressure_max = 0;  // in kPressureWindowUs
  uint32_t today = 0;
  uint32_t this_hour = 0;
};

struct GroupPlan {
  int members = 0;
  v1::Strategy strategy = v1::WEIGHTED;
  std::vector<MemberPlan> member;
};

// Caps on every member, checked on every decision. Against E, the member's expected charged
// arrivals (80% of the trace, shared by weight):
//   - most members: daily 1.25 E/day, hourly 1.25 E/h, pressure 1.5 E/10 min + 1: never bind;
//   - every 10th member (i % 10 == 3): hourly 0.8 E/h; the trace starts at half past with
//     0.5 E/h used, so they are capped from :48 to the hour, 20% of each hour;
//   - every 10th member (i % 10 == 7): pressure 0.8 E/10 min, paused about 20% of the time;
//   - every 50th member (i % 50 == 5): a daily cap 0.25 E/h above what they have, reached
//     about 15 minutes into the trace; they stay out for the rest of the day.
// So at any time a few percent of the group is ineligible and the set changes often — the
// realistic case the engine's pick structure must handle — while nobody is ever rejected.
GroupPlan MakeGroupPlan(int members, v1::Strategy strategy = v1::WEIGHTED);

// The allot config of a plan: tenant "bench", one group "g", one entry "qr" (channel "web"),
// per-employee caps, and `rules` tag rules (see AddTagRules). Dedup window and memory are the
// defaults (72 h, 30 days) unless given.
v1::Config MakeConfig(const GroupPlan& plan, int rules = 0, const std::string& dedup_window = "",
                      const std::string& remember = "");

// `rules` rules of mixed kinds, a quarter each: keywords (two "【k<i>】"-style keywords),
// any_tags ("t<i>", "t<i+1>"), channels ("ch<i>") and local_time (a 30-minute window
// somewhere in the day). Each adds tag "r<i>". On a trace arrival (see RuleArrivals) a few
// rules of each kind fire.
void AddTagRules(v1::Config& config, int rules);

// Message, tags and channel for arrival `i` of the tag-rules benchmark: a pool of 16 so the
// rewrite is cheap, each firing a handful of the rules of AddTagRules(500).
struct RuleArrival {
  std::string message;
  std::vector<std::string> tags;
  std::string channel;
};
const std::vector<RuleArrival>& RuleArrivals();

// The key of customer `c`: "external_userid:" and 12 digits. Already normalized.
std::string CustomerKey(uint64_t c);

// Hashes of customers [0, n) exactly as allot stores them (through Engine::KeyToken, the
// public way to learn them), computed once per process and extended on demand. Any engine
// with tenant "bench" and TENANT dedup scope gives the same hashes.
const std::vector<uint64_t>& KeyHashes(const Engine& engine, uint64_t n);

// Where prefilled customer c of n was assigned: owner c % members, at a time spread evenly
// over [first_us, last_us].
inline int64_t PrefillTimeUs(uint64_t c, uint64_t n, int64_t first_us, int64_t last_us) {
  if (n <= 1) return last_us;
  return first_us + static_cast<int64_t>(static_cast<__int128>(last_us - first_us) * c / (n - 1));
}

// allot's state at the start of the trace, built column by column instead of through
// millions of Engine::Step calls: the members' counters of MakeGroupPlan, and `remembered`
// customers (keys from KeyHashes) assigned over [first_us, last_us]; clock at clock_us.
v1::State MakeStateProto(const GroupPlan& plan, const std::vector<uint64_t>& hashes,
                         uint64_t remembered, int64_t first_us, int64_t last_us, int64_t clock_us);

// The arrivals of the trace: every kStepUs one arrival; with probability kFreshShare a new
// customer (ids from `remembered` on), else a repeat of a customer seen so far (prefilled or
// fresh), uniformly.
class Trace {
 public:
  struct Arrival {
    uint64_t customer = 0;
    int64_t at_us = 0;
    bool repeat = false;
  };
  explicit Trace(uint64_t remembered, uint64_t seed = 0x5eed);
  Arrival Next();
  // Trace time elapsed since TraceStartUs().
  int64_t elapsed_us() const { return at_us_ - TraceStartUs(); }

 private:
  Rng rng_;
  uint64_t next_fresh_;
  int64_t at_us_;
};

// An arrival event at entry "qr" whose time and key are rewritten in place per arrival:
// building events is the host's cost, not the engine's.
v1::Event MakeArrivalEvent();
void Rewrite(v1::Event& event, const Trace::Arrival& arrival);
void SetTime(v1::Event& event, int64_t at_us);

// Nanoseconds one steady_clock::now() pair costs on this machine (median of many), to
// subtract from per-call samples.
double TimerOverheadNs();

}  // namespace allot::bench

#endif  // ALLOT_BENCHMARKS_TRACE_H_
