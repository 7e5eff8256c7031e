// The tables of `allot replay --report` (SPEC §6): what each employee and each entry got.
#ifndef ALLOT_SRC_CLI_REPORT_H_
#define ALLOT_SRC_CLI_REPORT_H_

#include <iosfwd>
#include <map>
#include <string>

#include "allot/decision.h"
#include "allot/engine.h"

namespace allot::cli {

class Report {
 public:
  explicit Report(const Engine& engine);

  // Counts one applied decision.
  void Add(const Decision& decision, const v1::Event& event);
  void AddError() { ++errors_; }
  // Prints the tables; `seconds` is the replay's wall time, for throughput.
  void Print(std::ostream& out, double seconds) const;

 private:
  struct EmployeeRow {
    double weight = 1;
    uint32_t daily_cap = 0;
    uint64_t assigned = 0, owner = 0, reserve = 0, released = 0, transferred = 0, inherited = 0;
    uint64_t cap_days = 0;  // days on which the daily cap was reached
    std::map<int64_t, uint32_t> per_day;
  };
  struct EntryRow {
    uint64_t arrivals = 0, assigned = 0, owner = 0, returning = 0, held = 0, transferred = 0,
             rejected = 0;
    std::map<std::string, uint64_t> rejected_by_reason;
  };

  const Engine& engine_;
  std::map<std::string, EmployeeRow> employees_;
  std::map<std::string, EntryRow> entries_;
  std::map<std::string, uint64_t> alerts_;
  uint64_t events_ = 0, errors_ = 0;
  uint64_t held_ = 0, released_ = 0, expired_ = 0;
};

}  // namespace allot::cli

#endif  // ALLOT_SRC_CLI_REPORT_H_
