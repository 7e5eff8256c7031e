// The `allot` command (SPEC §6).
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>

#include "cli/replay.h"

namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  allot validate CONFIG\n"
    "  allot replay --config CONFIG --events EVENTS.jsonl [--state-in S.pb] [--state-out S.pb]\n"
    "               [--decisions-out D.jsonl] [--report] [--keep-going]\n"
    "  allot roster --config CONFIG --state S.pb --entry ENTRY --at TIMESTAMP\n";

int Usage(const std::string& problem) {
  if (!problem.empty()) std::cerr << "allot: " << problem << "\n";
  std::cerr << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage("");
  const std::string command = argv[1];
  if (command == "validate") {
    if (argc != 3) return Usage("validate takes one CONFIG");
    return allot::cli::RunValidate(argv[2], std::cout, std::cerr);
  }
  if (command == "replay") {
    allot::cli::ReplayOptions options;
    for (int i = 2; i < argc; ++i) {
      const std::string flag = argv[i];
      auto value = [&](std::string& into) {
        if (i + 1 >= argc) return false;
        into = argv[++i];
        return true;
      };
      bool ok = true;
      if (flag == "--config")
        ok = value(options.config);
      else if (flag == "--events")
        ok = value(options.events);
      else if (flag == "--state-in")
        ok = value(options.state_in);
      else if (flag == "--state-out")
        ok = value(options.state_out);
      else if (flag == "--decisions-out")
        ok = value(options.decisions_out);
      else if (flag == "--report")
        options.report = true;
      else if (flag == "--keep-going")
        options.keep_going = true;
      else
        return Usage("unknown flag " + flag);
      if (!ok) return Usage(flag + " needs a value");
    }
    if (options.config.empty() || options.events.empty()) {
      return Usage("replay needs --config and --events");
    }
    options.progress = isatty(STDERR_FILENO) != 0;
    return allot::cli::RunReplay(options, std::cout, std::cerr);
  }
  if (command == "roster") {
    std::string config, state, entry, at;
    for (int i = 2; i < argc; ++i) {
      const std::string flag = argv[i];
      std::string* into = flag == "--config"  ? &config
                          : flag == "--state" ? &state
                          : flag == "--entry" ? &entry
                          : flag == "--at"    ? &at
                                              : nullptr;
      if (into == nullptr) return Usage("unknown flag " + flag);
      if (i + 1 >= argc) return Usage(flag + " needs a value");
      *into = argv[++i];
    }
    if (config.empty() || entry.empty() || at.empty()) {
      return Usage("roster needs --config, --entry and --at");
    }
    return allot::cli::RunRoster(config, state, entry, at, std::cout, std::cerr);
  }
  if (command == "--help" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  return Usage("unknown command " + command);
}
