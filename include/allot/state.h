// allot::State — everything allot remembers between events: version, clock, per-employee
// counters, each group's turn, and the owner memory of customers (hashes only, SPEC §5.5).
// The host owns it and persists it with ToBytes/FromBytes; Engine::Apply is its only writer.
// A State has one writer at a time; const methods may run concurrently.
#ifndef ALLOT_STATE_H_
#define ALLOT_STATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "allot/v1/state.pb.h"

namespace allot {

namespace internal {
struct StateData;
}  // namespace internal

class State {
 public:
  // An empty state: version 0, nobody remembered.
  State();
  State(const State& other);
  State& operator=(const State& other);
  State(State&& other) noexcept;
  State& operator=(State&& other) noexcept;
  ~State();

  // Restores a state from its protobuf form. A malformed message gives INVALID_ARGUMENT
  // naming the field (e.g. "memory.owner[3]: ...").
  static absl::StatusOr<State> FromProto(const v1::State& proto);
  // Parses bytes written by ToBytes.
  static absl::StatusOr<State> FromBytes(std::string_view bytes);

  // The protobuf form: lossless, and identical for equal states (lists sorted by id or time).
  v1::State ToProto() const;
  // Deterministic binary serialization of ToProto().
  std::string ToBytes() const;

  // Number of applied decisions; a decision is valid only on the version it was made on.
  uint64_t version() const;
  // Time of the last applied event, unix microseconds (0 before the first).
  int64_t clock_us() const;
  // Customers in the owner memory, including ones past their time not yet forgotten.
  size_t remembered_customers() const;

 private:
  friend class Engine;
  std::unique_ptr<internal::StateData> data_;
};

}  // namespace allot

#endif  // ALLOT_STATE_H_
