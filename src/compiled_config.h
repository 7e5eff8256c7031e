// The config compiled for the hot path: ids interned to dense indices, durations and time
// windows parsed, cascades flattened. Built once by Engine::Create, then immutable.
#ifndef ALLOT_SRC_COMPILED_CONFIG_H_
#define ALLOT_SRC_COMPILED_CONFIG_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "allot/v1/config.pb.h"
#include "name_index.h"
#include "tag_rules.h"
#include "time_window.h"

namespace allot::internal {

inline constexpr uint32_t kNoCap = std::numeric_limits<uint32_t>::max();
inline constexpr uint32_t kNoIndex = std::numeric_limits<uint32_t>::max();

// A per-hour cap inside a daily time slot (阶梯式限流, SPEC §5.4).
struct HourlyCap {
  TimeWindow slot;
  uint32_t per_hour = 0;
};

// A group an employee is a member of, and the employee's position in its member list.
struct Membership {
  uint32_t group = 0;
  uint32_t position = 0;
};

// The lists an arrival reads of the employee it picks hold their usual few items in place
// (InlinedVector, the same 24 bytes as a std::vector): in a group of 2000 that employee's
// lines are cold, and a list on the heap was one more line to wait for (SPEC §7).
struct CompiledEmployee {
  std::string id;
  double weight = 1.0;
  // SPEC §5.4. Caps before the level factor, surges and reserve are applied.
  uint32_t daily_cap = kNoCap;
  absl::InlinedVector<HourlyCap, 1> hourly;  // first slot containing the local time applies
  uint32_t pressure_max = 0;                 // 0: no pressure limit
  int64_t pressure_window_us = 0;
  double level_factor = 1.0;
  std::vector<TimeWindow> schedule;  // empty: always on duty
  // The groups this employee is a member of (for group surges and re-filing), in order.
  absl::InlinedVector<Membership, 2> memberships;
};

struct CompiledGroup {
  std::string id;
  v1::Strategy strategy = v1::ROUND_ROBIN;
  std::vector<uint32_t> members;      // employee indices, in member order
  std::vector<double> member_weight;  // effective weight per member (SPEC §5.2)
  std::vector<int64_t> member_units;  // the same in WeightUnits, for WEIGHTED
  // Minutes of the day (sorted, 0 first) where a member's eligibility may change with the
  // clock alone: every hour, and where a schedule or an hourly-cap slot opens or closes.
  std::vector<int> boundaries;
  std::vector<uint32_t> cascade;  // this group, then backups depth-first, each once
  uint32_t region = kNoIndex;     // SPEC §5.8
};

// SPEC §5.8: regions by city, stores by distance, districts by owner.
struct CompiledRegion {
  std::string id;
  uint32_t group = kNoIndex;
  double weight_factor = 1.0;
  bool protect = false;
};

struct CompiledStore {
  double lat = 0, lng = 0, radius_m = 5000;
  uint32_t group = 0;
};

struct EntrySlot {
  TimeWindow window;
  uint32_t group = 0;
};

struct CompiledEntry {
  std::string id;
  std::string channel;
  uint32_t group = kNoIndex;
  uint64_t key_seed = 0;  // SPEC §5.5: tenant seed, or the entry's own for ENTRY scope
  std::vector<std::string> tags;
  // Daily capacity of the entry's cascade (employees counted once, level factors applied);
  // 0 when some member has no daily cap. For the capacity_ratio alert (SPEC §5.4).
  uint64_t daily_capacity = 0;
  std::vector<EntrySlot> slots;   // 分时段接待: the first slot holding the local time wins
  std::vector<TimeWindow> hours;  // empty: always open (SPEC §5.1 step 6)
  v1::OffHours off_hours = v1::ASSIGN_ANYWAY;
  uint32_t off_hours_group = kNoIndex;
  // The channel and tags as tag-rule ids (TagRules::ChannelId, TagId), interned once so
  // that an arrival's rules look up only the arrival's own. Last: the fields above are read
  // on every arrival, and an entry's first lines should hold them.
  uint32_t rule_channel = TagRules::kNone;
  std::vector<uint32_t> rule_tags;

  bool IsOpen(const LocalTime& t) const {
    if (hours.empty()) return true;
    for (const TimeWindow& w : hours) {
      if (w.Contains(t)) return true;
    }
    return false;
  }
};

// Aligned to a cache line, the fields every arrival reads first and `source`, which none
// reads, last: an arrival touches the same few lines of it whatever the allocator returns
// (SPEC §7). Before, the entry index sat behind the 1.7 KB of tag rules.
struct alignas(64) CompiledConfig {
  uint64_t fingerprint = 0;  // identifies the config (Engine::Create sets it)
  absl::TimeZone time_zone;
  uint64_t seed = 0;
  int64_t dedup_window_us = 0;
  int64_t remember_us = 0;
  double reserve_fraction = 0;  // SPEC §5.4
  double capacity_ratio = 0.7;
  uint32_t roster_headroom = 1;
  uint32_t roster_max_members = 100;
  uint32_t hold_capacity = 0;
  int64_t max_hold_us = 0;
  // Acceptance tracking (SPEC §5.4): off when accept_timeout_us is 0.
  int64_t accept_timeout_us = 0;
  uint32_t max_transfers = 3;
  // Throttle tiers: caps × factor of the first tier whose `below` exceeds the employee's
  // acceptance rate over its last `throttle_last` outcomes.
  uint32_t throttle_last = 0;
  std::vector<std::pair<double, double>> throttle_tiers;  // (below, factor)
  v1::Dedup::OnDuplicate on_duplicate = v1::Dedup::ROUTE_TO_OWNER;
  v1::Dedup::OwnerUnavailable on_owner_unavailable = v1::Dedup::REASSIGN;
  std::string returning_tag;

  std::vector<CompiledEmployee> employees;
  std::vector<CompiledGroup> groups;
  std::vector<CompiledEntry> entries;
  NameIndex entry_names;  // the same ids as entry_index, for the arrival's entry on every Decide
  std::vector<CompiledRegion> regions;
  absl::flat_hash_map<std::string, uint32_t> region_of_city;
  std::vector<CompiledStore> stores;
  absl::flat_hash_map<std::string, uint32_t> district_owner;  // district → employee
  bool prefer_previous_owner = false;
  TagRules tag_rules;  // SPEC §5.7
  absl::flat_hash_map<std::string, uint32_t> employee_index;
  absl::flat_hash_map<std::string, uint32_t> group_index;
  absl::flat_hash_map<std::string, uint32_t> entry_index;
  v1::Config source;
};

// Validates `config` and compiles it. On failure returns INVALID_ARGUMENT whose message lists
// every problem found, one per line, each starting with its field path.
absl::StatusOr<CompiledConfig> CompileConfig(const v1::Config& config);

}  // namespace allot::internal

#endif  // ALLOT_SRC_COMPILED_CONFIG_H_
