// The five group strategies of SPEC §5.2, as one pick over a group's members. Knows nothing
// of caps or states: the caller says which members are eligible and what their load is.
#ifndef ALLOT_SRC_STRATEGY_H_
#define ALLOT_SRC_STRATEGY_H_

#include <algorithm>
#include <cstdint>

#include "absl/types/span.h"
#include "allot/v1/config.pb.h"

namespace allot::internal {

// What a group's strategy needs to know about the group.
struct StrategyInput {
  v1::Strategy strategy = v1::ROUND_ROBIN;
  absl::Span<const double> weight;  // effective weight per member
  absl::Span<const double> start;   // WEIGHTED: virtual start per member
  double virtual_time = 0;          // WEIGHTED
  int32_t last_picked = -1;         // ROUND_ROBIN
  uint64_t random_seed = 0;         // RANDOM: from (config seed, customer key, state version)
};

struct StrategyPick {
  int32_t member = -1;      // -1: nobody eligible
  double start = 0;         // WEIGHTED: the picked member's new virtual start
  double virtual_time = 0;  // WEIGHTED: the group's new virtual time
};

inline uint64_t Mix64(uint64_t x) {  // splitmix64 finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Picks a member. `eligible(m)` is asked at most once per member, in member order except for
// ROUND_ROBIN, which asks from the member after the last pick around the circle. `load(m)`
// is the member's new customers today (LEAST_LOADED).
template <typename Eligible, typename Load>
StrategyPick PickMember(const StrategyInput& in, Eligible&& eligible, Load&& load) {
  const int32_t n = static_cast<int32_t>(in.weight.size());
  StrategyPick out;
  switch (in.strategy) {
    case v1::SEQUENTIAL:
      for (int32_t m = 0; m < n; ++m) {
        if (eligible(m)) return {m, 0, 0};
      }
      return out;
    case v1::ROUND_ROBIN:
      // Strict turns: the first eligible member after the last one picked.
      for (int32_t i = 1; i <= n; ++i) {
        const int32_t m = (in.last_picked + i) % n;
        if (eligible(m)) return {m, 0, 0};
      }
      return out;
    case v1::RANDOM: {
      // Each member draws a number from the seed; the highest eligible draw wins, which is
      // uniform over the eligible members and deterministic.
      uint64_t best = 0;
      for (int32_t m = 0; m < n; ++m) {
        if (!eligible(m)) continue;
        const uint64_t draw = Mix64(in.random_seed ^ Mix64(static_cast<uint64_t>(m)));
        if (out.member < 0 || draw > best) {
          best = draw;
          out.member = m;
        }
      }
      return out;
    }
    case v1::LEAST_LOADED: {
      double best = 0;
      for (int32_t m = 0; m < n; ++m) {
        if (!eligible(m)) continue;
        const double score = static_cast<double>(load(m)) / in.weight[m];
        if (out.member < 0 || score < best) {
          best = score;
          out.member = m;
        }
      }
      return out;
    }
    case v1::WEIGHTED: {
      // Worst-case fair weighted fair queueing (WF2Q) over the eligible members: a member
      // may be picked once its virtual start has come (start <= V); among those, the one
      // that finishes first (start + 1/w) wins; V advances by 1/sum of eligible weights.
      // Each member's lag is clamped to one turn, so a member returning from a cap gets no
      // burst. With a fixed eligible set, |count - N*w/W| < 1 at every prefix.
      double eligible_weight = 0;
      int32_t now_best = -1, min_best = -1;
      double now_best_finish = 0, min_start = 0, min_best_finish = 0;
      for (int32_t m = 0; m < n; ++m) {
        if (!eligible(m)) continue;
        const double w = in.weight[m];
        eligible_weight += w;
        const double start = std::max(in.start[m], in.virtual_time - 1.0 / w);
        const double finish = start + 1.0 / w;
        if (start <= in.virtual_time && (now_best < 0 || finish < now_best_finish)) {
          now_best = m;
          now_best_finish = finish;
        }
        if (min_best < 0 || start < min_start || (start == min_start && finish < min_best_finish)) {
          min_best = m;
          min_start = start;
          min_best_finish = finish;
        }
      }
      if (min_best < 0) return out;
      // When nobody's start has come, virtual time jumps to the earliest start.
      const bool jump = now_best < 0;
      out.member = jump ? min_best : now_best;
      out.start = jump ? min_best_finish : now_best_finish;
      out.virtual_time = (jump ? min_start : in.virtual_time) + 1.0 / eligible_weight;
      return out;
    }
    default:
      return out;
  }
}

}  // namespace allot::internal

#endif  // ALLOT_SRC_STRATEGY_H_
