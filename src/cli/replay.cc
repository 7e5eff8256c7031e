#include "cli/replay.h"

#include <chrono>
#include <fstream>
#include <istream>
#include <memory>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "allot/engine.h"
#include "allot/io.h"
#include "cli/report.h"

namespace allot::cli {
namespace {

absl::StatusOr<Engine> LoadEngine(const std::string& path) {
  absl::StatusOr<v1::Config> config = LoadConfigFile(path);
  if (!config.ok()) return config.status();
  return Engine::Create(*config);
}

}  // namespace

int RunValidate(const std::string& config_path, std::ostream& out, std::ostream& err) {
  absl::StatusOr<Engine> engine = LoadEngine(config_path);
  if (!engine.ok()) {
    err << config_path << ": invalid config\n" << engine.status().message() << "\n";
    return 1;
  }
  const v1::Config& c = engine->config();
  out << "ok: " << c.employees_size() << " employees, " << c.groups_size() << " groups, "
      << c.entries_size() << " entries\n";
  return 0;
}

int RunRoster(const std::string& config_path, const std::string& state_path,
              const std::string& entry, const std::string& at, std::ostream& out,
              std::ostream& err) {
  absl::StatusOr<Engine> engine = LoadEngine(config_path);
  if (!engine.ok()) {
    err << config_path << ": invalid config\n" << engine.status().message() << "\n";
    return 1;
  }
  absl::Time time;
  std::string problem;
  if (!absl::ParseTime(absl::RFC3339_full, at, &time, &problem)) {
    err << "--at: \"" << at << "\" is not an RFC 3339 time (" << problem << ")\n";
    return 1;
  }
  State state;
  if (!state_path.empty()) {
    absl::StatusOr<std::string> bytes = ReadFile(state_path);
    absl::StatusOr<State> loaded =
        bytes.ok() ? State::FromBytes(*bytes) : absl::StatusOr<State>(bytes.status());
    if (!loaded.ok()) {
      err << state_path << ": " << loaded.status().message() << "\n";
      return 1;
    }
    state = *std::move(loaded);
  }
  absl::StatusOr<v1::RosterList> roster = engine->Roster(entry, state, time);
  if (!roster.ok()) {
    err << roster.status().message() << "\n";
    return 1;
  }
  out << ToJsonLine(*roster) << "\n";
  return 0;
}

int RunReplay(const ReplayOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<Engine> engine = LoadEngine(options.config);
  if (!engine.ok()) {
    err << options.config << ": invalid config\n" << engine.status().message() << "\n";
    return 1;
  }
  State state;
  if (!options.state_in.empty()) {
    absl::StatusOr<std::string> bytes = ReadFile(options.state_in);
    if (!bytes.ok()) {
      err << bytes.status().message() << "\n";
      return 1;
    }
    absl::StatusOr<State> loaded = State::FromBytes(*bytes);
    if (!loaded.ok()) {
      err << options.state_in << ": " << loaded.status().message() << "\n";
      return 1;
    }
    state = *std::move(loaded);
  }
  std::ifstream events(options.events);
  if (!events) {
    err << options.events << ": cannot open\n";
    return 1;
  }
  // Decisions go to --decisions-out, or to stdout when the report does not use it.
  std::unique_ptr<std::ofstream> decisions_file;
  std::ostream* decisions = nullptr;
  if (!options.decisions_out.empty()) {
    decisions_file = std::make_unique<std::ofstream>(options.decisions_out, std::ios::binary);
    if (!*decisions_file) {
      err << options.decisions_out << ": cannot write\n";
      return 1;
    }
    decisions = decisions_file.get();
  } else if (!options.report) {
    decisions = &out;
  }
  Report report(*engine);
  const auto started = std::chrono::steady_clock::now();
  auto last_progress = started;
  int status = 0;
  std::string line;
  for (uint64_t number = 1; std::getline(events, line); ++number) {
    absl::StatusOr<Decision> decision;
    absl::StatusOr<v1::Event> event =
        absl::StripAsciiWhitespace(line).empty()
            ? absl::InvalidArgumentError("empty line: expected one event in JSON")
            : ParseEventJson(line);
    if (event.ok()) {
      decision = engine->Step(*event, state);
    } else {
      decision = event.status();
    }
    if (!decision.ok()) {
      err << options.events << ":" << number << ": " << decision.status().message() << "\n";
      report.AddError();
      if (decisions) {
        v1::Decision empty;
        *decisions << ToJsonLine(empty) << "\n";
      }
      if (!options.keep_going) {
        status = 1;
        break;
      }
      continue;
    }
    if (decisions) *decisions << ToJsonLine(engine->ToProto(*decision)) << "\n";
    if (options.report) report.Add(*decision, *event);
    if (options.progress && (number & 1023) == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_progress > std::chrono::seconds(1)) {
        last_progress = now;
        err << "\r" << number << " events…" << std::flush;
      }
    }
  }
  if (options.progress && last_progress != started) err << "\r\n";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!options.state_out.empty()) {
    std::ofstream state_out(options.state_out, std::ios::binary);
    state_out << state.ToBytes();
    if (!state_out) {
      err << options.state_out << ": cannot write\n";
      return 1;
    }
  }
  if (options.report) report.Print(out, seconds);
  return status;
}

}  // namespace allot::cli
