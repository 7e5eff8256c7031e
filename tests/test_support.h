// Helpers shared by allot's tests: engines from text configs and events from a few words.
#ifndef ALLOT_TESTS_TEST_SUPPORT_H_
#define ALLOT_TESTS_TEST_SUPPORT_H_

#include <catch2/catch.hpp>
#include <initializer_list>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "allot/engine.h"
#include "allot/io.h"

namespace allot::testing {

inline Engine MakeEngine(const std::string& text) {
  absl::StatusOr<v1::Config> config = ParseConfig(text, ConfigFormat::kText);
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  absl::StatusOr<Engine> engine = Engine::Create(*config);
  INFO(engine.status().ToString());
  REQUIRE(engine.ok());
  return *std::move(engine);
}

inline absl::Status CreateStatus(const std::string& text) {
  absl::StatusOr<v1::Config> config = ParseConfig(text, ConfigFormat::kText);
  if (!config.ok()) return config.status();
  return Engine::Create(*config).status();
}

// An absl::Time from RFC 3339 ("2026-11-24T09:00:00+08:00").
inline absl::Time T(const std::string& rfc3339) {
  absl::Time t;
  std::string err;
  REQUIRE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err));
  return t;
}

inline void SetTime(v1::Event& e, absl::Time t) {
  const int64_t us = absl::ToUnixMicros(t);
  e.mutable_at()->set_seconds(us / 1'000'000);
  e.mutable_at()->set_nanos(static_cast<int32_t>(us % 1'000'000) * 1000);
}

inline v1::Event Arrival(absl::Time at, const std::string& entry, const std::string& ref,
                         std::initializer_list<std::string> keys, bool explain = false) {
  v1::Event e;
  SetTime(e, at);
  v1::Arrival* a = e.mutable_arrival();
  a->set_entry(entry);
  a->mutable_customer()->set_ref(ref);
  for (const std::string& k : keys) a->mutable_customer()->add_keys(k);
  a->set_explain(explain);
  return e;
}

inline v1::Event Tick(absl::Time at) {
  v1::Event e;
  SetTime(e, at);
  e.mutable_tick();
  return e;
}

inline v1::Event StatusEvent(absl::Time at, const std::string& employee,
                             v1::EmployeeStatus::Status status) {
  v1::Event e;
  SetTime(e, at);
  e.mutable_employee_status()->set_employee(employee);
  e.mutable_employee_status()->set_status(status);
  return e;
}

// Steps and requires success.
inline Decision MustStep(const Engine& engine, const v1::Event& event, State& state) {
  absl::StatusOr<Decision> d = engine.Step(event, state);
  INFO(d.status().ToString());
  REQUIRE(d.ok());
  return *std::move(d);
}

// The one employee an arrival was assigned to, or "" when it was not.
inline std::string AssignedTo(const Decision& d) {
  return d.assignments.size() == 1 ? std::string(d.assignments[0].employee) : "";
}

}  // namespace allot::testing

#endif  // ALLOT_TESTS_TEST_SUPPORT_H_
