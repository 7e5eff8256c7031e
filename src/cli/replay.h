// `allot validate` and `allot replay` (SPEC §6), as functions over streams so that tests can
// run them without a process.
#ifndef ALLOT_SRC_CLI_REPLAY_H_
#define ALLOT_SRC_CLI_REPLAY_H_

#include <iosfwd>
#include <string>

namespace allot::cli {

struct ReplayOptions {
  std::string config;
  std::string events;
  std::string state_in;
  std::string state_out;
  std::string decisions_out;
  bool report = false;
  bool keep_going = false;
  bool progress = false;  // show progress on stderr (a terminal)
};

// Prints "ok …" or every problem of the config. Returns the process exit status.
int RunValidate(const std::string& config_path, std::ostream& out, std::ostream& err);

// Replays events through the engine, one decision per line to `decisions_out`, or to `out`
// when there is neither that nor a report. A bad line (an empty one too) is reported on
// `err` with its line number; the state is left as before that line; without keep_going the
// replay stops there with status 1. Returns the process exit status.
int RunReplay(const ReplayOptions& options, std::ostream& out, std::ostream& err);

// `allot roster` (SPEC §5.11): prints {"entry": …, "group": …, "employees": […]} for the
// state in `state_path` (a fresh state when empty) at the RFC 3339 time `at`.
int RunRoster(const std::string& config_path, const std::string& state_path,
              const std::string& entry, const std::string& at, std::ostream& out,
              std::ostream& err);

}  // namespace allot::cli

#endif  // ALLOT_SRC_CLI_REPLAY_H_
