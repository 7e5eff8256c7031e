// The README's C++ example: compile a config, decide one arrival, commit it.
#include <iostream>

#include "allot/engine.h"
#include "allot/io.h"

int main() {
  absl::StatusOr<allot::v1::Config> config =
      allot::ParseConfig(R"pb(
                           tenant: "acme"
                           employees { id: "wang" weight: 1.5 }
                           employees { id: "li" }
                           groups {
                             id: "sales"
                             strategy: WEIGHTED
                             members { employee: "wang" }
                             members { employee: "li" }
                           }
                           entries { id: "store-qr" group: "sales" }
                         )pb",
                         allot::ConfigFormat::kText);
  absl::StatusOr<allot::Engine> engine = allot::Engine::Create(*config);
  if (!engine.ok()) {
    std::cerr << engine.status() << "\n";
    return 1;
  }

  allot::State state;  // the host persists state.ToBytes() wherever it likes
  absl::StatusOr<allot::v1::Event> event =
      allot::ParseEventJson(R"({"at":"2026-11-24T09:00:05+08:00","arrival":{"entry":"store-qr",)"
                            R"("customer":{"ref":"c1","keys":["phone:13800138000"]}}})");
  absl::StatusOr<allot::Decision> decision = engine->Decide(*event, state);  // pure
  if (!decision.ok()) {
    std::cerr << decision.status() << "\n";
    return 1;
  }
  if (absl::Status applied = engine->Apply(*decision, state); !applied.ok()) return 1;
  for (const allot::Assignment& a : decision->assignments) {
    std::cout << "assigned " << a.customer << " to " << a.employee << "\n";
  }
  return 0;
}
