// The straightforward baseline: an allocation engine written the way SCRM back ends usually
// write one, with the same semantics as allot for the benchmarks' config shape (trace.h), so
// that every figure in docs/PERFORMANCE.md is also a ratio against it, measured in one run
// on the same trace. Deliberately plain, not deliberately slow:
//   - picks scan every member: smooth weighted round-robin (nginx style) for WEIGHTED, and
//     linear scans for the other strategies, checking caps member by member;
//   - the pressure limit keeps a std::deque of recent assignment times per member;
//   - owner memory is std::unordered_map<std::string, Owner> keyed by the normalized key;
//     a repeat inside the dedup window goes to its owner without charging caps;
//   - expiry happens on tick, by a full scan of the map;
//   - tag rules are a vector of rules whose conditions are string compares per arrival
//     (keywords with std::string::find);
//   - serialization writes the map entry by entry, length-prefixed.
// Supported: one group per entry (no backups, regions, holds, statuses, transfers); caps
// daily / hourly slots / pressure; rule conditions entries, channels, any_tags, keywords and
// local_time; add_tags, remove_tags, stop. Everything else in a config is ignored.
#ifndef ALLOT_BENCHMARKS_BASELINE_H_
#define ALLOT_BENCHMARKS_BASELINE_H_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "allot/v1/config.pb.h"
#include "allot/v1/event.pb.h"

namespace allot::bench {

class Baseline {
 public:
  enum class Outcome : uint8_t { kNew, kReturning, kOwner, kRejected };
  struct Result {
    Outcome outcome = Outcome::kRejected;
    int32_t member = -1;  // employee index
    uint32_t tags = 0;    // tags added by rules
  };

  // Copies what the engine needs out of `config`; fails on an unknown employee or group, a
  // bad duration or time zone.
  static absl::StatusOr<Baseline> FromConfig(const v1::Config& config);

  // Sets an employee's counters as they stand at `at_us` (a prefilled day).
  void SetCounters(int employee, uint32_t today, uint32_t this_hour, int64_t at_us);
  void ReserveCustomers(size_t n) { owners_.reserve(n); }
  // Remembers `key` (already normalized) as owned by `employee` since `at_us`.
  void Remember(std::string key, int employee, int64_t at_us);

  // Decides and applies one arrival.
  Result Arrive(const v1::Event& event);
  // Time passed: forgets every customer assigned at least `remember` ago, by a full scan.
  // Returns how many were forgotten.
  size_t Tick(int64_t at_us);

  std::string Serialize() const;
  absl::Status Parse(std::string_view bytes);

  size_t remembered() const { return owners_.size(); }
  int employees() const { return static_cast<int>(employees_.size()); }
  // New customers charged to `employee` since the baseline was built.
  uint64_t charged(int employee) const { return employees_[employee].charged; }
  // Members skipped, by the first cap that stopped them, since the baseline was built.
  uint64_t daily_skips() const { return daily_skips_; }
  uint64_t hourly_skips() const { return hourly_skips_; }
  uint64_t pressure_skips() const { return pressure_skips_; }

 private:
  struct HourlySlot {
    int start_minute = 0;
    int end_minute = 0;
    uint32_t per_hour = 0;
  };
  struct Employee {
    std::string id;
    double weight = 1;
    uint32_t daily = UINT32_MAX;
    std::vector<HourlySlot> hourly;
    uint32_t pressure_max = 0;  // 0: no pressure limit
    int64_t pressure_window_us = 0;
    int64_t day = -1;
    uint32_t today = 0;
    int64_t hour = -1;
    uint32_t this_hour = 0;
    std::deque<int64_t> recent;  // assignment times inside the pressure window
    uint64_t charged = 0;
  };
  struct Group {
    std::string id;
    v1::Strategy strategy = v1::WEIGHTED;
    std::vector<int> members;     // employee indices
    std::vector<double> current;  // WEIGHTED: smooth round-robin current weights
    int last = -1;                // ROUND_ROBIN: position picked last
  };
  struct Entry {
    std::string channel;
    int group = 0;
    std::vector<std::string> tags;
  };
  struct Rule {
    std::vector<std::string> entries, channels, any_tags, keywords;
    std::vector<std::pair<int, int>> local_time;  // [start, end) minutes of the day
    std::vector<std::string> add_tags, remove_tags;
    bool stop = false;
  };
  struct Owner {
    int32_t employee = 0;
    int64_t assigned_at_us = 0;
  };
  struct Local {
    int64_t day = 0;
    int64_t hour = 0;  // day * 24 + hour
    int minute = 0;    // of the day
  };

  Local LocalAt(int64_t at_us) const;
  bool Eligible(Employee& e, const Local& local, int64_t at_us);
  int Pick(Group& g, const Local& local, int64_t at_us);
  void Charge(Employee& e, const Local& local, int64_t at_us);
  uint32_t ApplyRules(const v1::Arrival& arrival, const std::string& entry_id, const Entry& entry,
                      const Local& local);

  std::vector<Employee> employees_;
  std::vector<Group> groups_;
  std::unordered_map<std::string, Entry> entries_;
  std::vector<Rule> rules_;
  std::unordered_map<std::string, Owner> owners_;
  absl::TimeZone zone_;
  int64_t window_us_ = 0;
  int64_t remember_us_ = 0;
  uint64_t seed_ = 0;
  uint64_t draws_ = 0;  // RANDOM: picks made, mixed with the seed
  std::vector<int> scratch_;
  uint64_t daily_skips_ = 0, hourly_skips_ = 0, pressure_skips_ = 0;
};

}  // namespace allot::bench

#endif  // ALLOT_BENCHMARKS_BASELINE_H_
