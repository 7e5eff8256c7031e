// The five group strategies of SPEC §5.2, as one pick over a group's members. Knows nothing
// of caps or states: the caller says which members are eligible and what their load is.
#ifndef ALLOT_SRC_STRATEGY_H_
#define ALLOT_SRC_STRATEGY_H_

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "allot/v1/config.pb.h"

namespace allot::internal {

// WEIGHTED weights are kept in units of 2^-20 (SPEC §5.2): a sum of them is an exact
// integer, the same in whatever order it is taken, so FairQueue's running sum and a scan's
// agree to the bit. Effective weights are clamped to [2^-20, 2^20].
inline constexpr double kWeightUnit = 1 << 20;

inline int64_t WeightUnits(double weight) {
  const double units = std::round(weight * kWeightUnit);
  return static_cast<int64_t>(std::clamp(units, 1.0, kWeightUnit * kWeightUnit));
}

// A member's virtual turn, 1 / weight.
inline double TurnOf(int64_t units) { return kWeightUnit / static_cast<double>(units); }

// What a group's strategy needs to know about the group.
struct StrategyInput {
  v1::Strategy strategy = v1::ROUND_ROBIN;
  absl::Span<const double> weight;  // effective weight per member
  absl::Span<const int64_t> units;  // WEIGHTED: effective weight per member, in units
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

// The WEIGHTED pick of member `m` whose virtual start and finish are `start`, `finish`:
// a member lagging behind V restarts at V, so it gets no burst; `jump` when nobody was ready.
inline StrategyPick WeightedPick(int32_t m, double start, double finish, bool jump,
                                 double virtual_time, int64_t eligible_units) {
  return {m, jump ? finish : std::max(finish, virtual_time),
          (jump ? start : virtual_time) + TurnOf(eligible_units)};
}

inline uint64_t Mix64(uint64_t x) {  // splitmix64 finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// LEAST_LOADED's order: new customers today per unit of weight.
inline double LoadScore(uint32_t load, double weight) { return static_cast<double>(load) / weight; }

// SEQUENTIAL, ROUND_ROBIN and RANDOM over a bit set of eligible member positions (bits past
// the group's size clear): the first, the first from `turn` round the circle, or the
// (seed mod count)-th. -1 when no bit is set.
inline int32_t PickFromBits(v1::Strategy strategy, absl::Span<const uint64_t> bits, int32_t turn,
                            uint64_t seed) {
  const int32_t words = static_cast<int32_t>(bits.size());
  auto first_from = [&](int32_t from) -> int32_t {  // the first set bit at or after `from`
    for (int32_t w = from >> 6; w < words; ++w) {
      uint64_t word = bits[w];
      if (w == from >> 6) word &= ~uint64_t{0} << (from & 63);
      if (word != 0) return w * 64 + __builtin_ctzll(word);
    }
    return -1;
  };
  switch (strategy) {
    case v1::SEQUENTIAL:
      return first_from(0);
    case v1::ROUND_ROBIN: {
      const int32_t next = turn < words * 64 ? first_from(turn) : -1;
      return next >= 0 ? next : first_from(0);
    }
    case v1::RANDOM: {
      uint64_t count = 0;
      for (uint64_t word : bits) count += static_cast<uint64_t>(__builtin_popcountll(word));
      if (count == 0) return -1;
      uint64_t k = seed % count;
      for (int32_t w = 0; w < words; ++w) {
        uint64_t word = bits[w];
        const uint64_t here = static_cast<uint64_t>(__builtin_popcountll(word));
        if (k >= here) {
          k -= here;
          continue;
        }
        for (; k > 0; --k) word &= word - 1;  // drop the k lowest set bits
        return w * 64 + __builtin_ctzll(word);
      }
      return -1;
    }
    default:
      return -1;
  }
}

// Whose turn it is in ROUND_ROBIN: the member after the last one picked, round the circle.
inline int32_t TurnAfter(int32_t last_picked, int32_t members) {
  return members == 0 ? 0 : static_cast<int32_t>((int64_t{last_picked} + 1) % members);
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
      // The k-th eligible member in member order, k drawn from the seed: uniform over the
      // eligible, deterministic, and the same as PickFromBits on the filed members.
      absl::InlinedVector<uint64_t, 32> bits((n + 63) / 64, 0);
      for (int32_t m = 0; m < n; ++m) {
        if (eligible(m)) bits[m >> 6] |= uint64_t{1} << (m & 63);
      }
      out.member = PickFromBits(v1::RANDOM, bits, 0, in.random_seed);
      return out;
    }
    case v1::LEAST_LOADED: {
      double best = 0;
      for (int32_t m = 0; m < n; ++m) {
        if (!eligible(m)) continue;
        const double score = LoadScore(load(m), in.weight[m]);
        if (out.member < 0 || score < best) {
          best = score;
          out.member = m;
        }
      }
      return out;
    }
    case v1::WEIGHTED: {
      // Worst-case fair weighted fair queueing (WF2Q) over the eligible members: a member
      // is ready once its virtual start has come (start <= V); the ready member that
      // finishes first (start + 1/w; ties by member order) wins; when nobody is ready, the
      // earliest start does and V jumps there. V then advances by 1/(sum of eligible
      // weights). FairQueue keeps the same order in winner trees; this scan is its reference.
      int64_t eligible_units = 0;
      int32_t ready = -1, waiting = -1;
      double ready_start = 0, ready_finish = 0, waiting_start = 0, waiting_finish = 0;
      for (int32_t m = 0; m < n; ++m) {
        if (!eligible(m)) continue;
        eligible_units += in.units[m];
        const double start = in.start[m];
        const double finish = start + TurnOf(in.units[m]);
        if (start <= in.virtual_time) {
          if (ready < 0 || finish < ready_finish) {
            ready = m;
            ready_start = start;
            ready_finish = finish;
          }
        } else if (waiting < 0 || start < waiting_start ||
                   (start == waiting_start && finish < waiting_finish)) {
          waiting = m;
          waiting_start = start;
          waiting_finish = finish;
        }
      }
      if (ready >= 0) {
        return WeightedPick(ready, ready_start, ready_finish, false, in.virtual_time,
                            eligible_units);
      }
      if (waiting >= 0) {
        return WeightedPick(waiting, waiting_start, waiting_finish, true, in.virtual_time,
                            eligible_units);
      }
      return out;
    }
    default:
      return out;
  }
}

}  // namespace allot::internal

#endif  // ALLOT_SRC_STRATEGY_H_
