// allot::Engine — the compiled config and the pure decision function (SPEC §2).
//
//   absl::StatusOr<allot::Engine> engine = allot::Engine::Create(config);
//   allot::State state;
//   absl::StatusOr<allot::Decision> d = engine->Decide(event, state);  // pure
//   absl::Status ok = engine->Apply(*d, state);                        // commit
//
// An Engine is immutable, cheap to copy (copies share the compiled config) and safe to use
// from many threads at once. Nothing here reads a clock, a random device or a global.
#ifndef ALLOT_ENGINE_H_
#define ALLOT_ENGINE_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "allot/decision.h"
#include "allot/state.h"
#include "allot/v1/config.pb.h"
#include "allot/v1/decision.pb.h"
#include "allot/v1/event.pb.h"

namespace allot {

namespace internal {
struct CompiledConfig;
}  // namespace internal

class Engine {
 public:
  // Validates and compiles `config`. On any problem returns INVALID_ARGUMENT whose message
  // lists every problem found, one per line, each starting with its field path
  // (e.g. `groups[2].members[0].employee: unknown employee "e9"`).
  static absl::StatusOr<Engine> Create(const v1::Config& config);

  // Decides `event` against `state` without modifying it. Same inputs give the same
  // decision, byte for byte. A malformed event, or one earlier than the state's clock,
  // gives INVALID_ARGUMENT naming the field.
  absl::StatusOr<Decision> Decide(const v1::Event& event, const State& state) const;

  // Commits the decision's delta. FAILED_PRECONDITION, changing nothing, when `state` is not
  // at the version the decision was made on; INVALID_ARGUMENT when another engine made it.
  absl::Status Apply(const Decision& decision, State& state) const;

  // Decide, then Apply.
  absl::StatusOr<Decision> Step(const v1::Event& event, State& state) const;

  // The same, into `*decision`, reusing its storage: the form for loops over many events
  // (replays, hosts deciding in bulk), which does not allocate on the common path. On error
  // `*decision` is left empty and `state` unchanged.
  absl::Status Decide(const v1::Event& event, const State& state, Decision* decision) const;
  absl::Status Step(const v1::Event& event, State& state, Decision* decision) const;

  // Steps through `events` in order, exactly as Step one at a time, calling `on_decision`
  // after each is applied. While events are decided, the customers of the next few dozen
  // are fetched from memory, sixteen events at a time, so that a replay over millions of
  // remembered customers does not wait on each lookup in turn (SPEC §7). Stops at the
  // first event Step would refuse and returns its error prefixed with "events[i]: ";
  // `state` then holds every event before it.
  absl::Status StepBatch(absl::Span<const v1::Event> events, State& state,
                         absl::FunctionRef<void(const Decision&)> on_decision) const;

  // SPEC §5.11: whom to publish now on the native multi-person 「联系我」 code of `entry`:
  // the eligible members of the first group of its cascade that has any, leaving out those
  // whose remaining capacity is not above roster.headroom, in the order the group's
  // strategy would pick them, at most roster.max_members. Reads `state` and changes nothing.
  // INVALID_ARGUMENT for an unknown entry.
  absl::StatusOr<v1::RosterList> Roster(std::string_view entry, const State& state,
                                        absl::Time at) const;

  // The token naming a customer by one key, as an INHERITED assignment names customers
  // (SPEC §5.9): allot keeps only key hashes, so such an assignment's `customer` is the
  // space-separated tokens of the keys it remembers ("#" + 16 hex digits each). `entry`
  // gives the dedup scope. INVALID_ARGUMENT for a malformed key or an unknown entry.
  absl::StatusOr<std::string> KeyToken(std::string_view entry, std::string_view key) const;

  // The decision as a message, for JSON or storage; with `with_delta`, also its delta when
  // this engine made the decision.
  v1::Decision ToProto(const Decision& decision, bool with_delta = false) const;

  const v1::Config& config() const;

 private:
  // Decide, with what the caller has found about the arrival already: its entry's index
  // (or kUnknownEntry) and its hashed keys (non-empty only with the entry).
  static constexpr uint32_t kUnknownEntry = ~uint32_t{0};
  absl::Status DecideWith(const v1::Event& event, const State& state, uint32_t arrival_entry,
                          absl::Span<const uint64_t> arrival_keys, Decision* out) const;

  explicit Engine(std::shared_ptr<const internal::CompiledConfig> compiled, uint64_t fingerprint)
      : compiled_(std::move(compiled)), fingerprint_(fingerprint) {}

  std::shared_ptr<const internal::CompiledConfig> compiled_;
  uint64_t fingerprint_ = 0;  // identifies the config; a state bound to it skips re-binding
};

}  // namespace allot

#endif  // ALLOT_ENGINE_H_
