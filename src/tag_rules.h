// TagRules: the tag rules of SPEC §5.7, compiled once. Tags are interned to dense ids, every
// keyword of every rule goes into one KeywordMatcher (one pass over the message per arrival),
// and conditions become a small tree evaluated on ids.
// An index keeps the cost per arrival near the number of rules that can fire rather than the
// number of rules (SPEC §7: 500 rules): each rule is filed under one thing its condition
// requires (a keyword, a tag, a channel, an entry, the hours its time windows touch), and
// an arrival evaluates, in rule order, only the rules filed under what it has, plus those
// filed under tags that earlier rules add. Knows nothing of groups or employees beyond their
// indices.
#ifndef ALLOT_SRC_TAG_RULES_H_
#define ALLOT_SRC_TAG_RULES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "allot/v1/config.pb.h"
#include "allot/v1/event.pb.h"
#include "keyword_matcher.h"
#include "time_window.h"

namespace allot::internal {

class TagRules {
 public:
  // Compiles `config.tag_rules` and `config.tag_groups`. Problems (tag names equal but for
  // case, unknown entries or groups, bad windows) are appended to `problems` with their
  // field paths.
  // With `indexed` false every rule is evaluated on every arrival: the reference the index
  // is tested against.
  static TagRules Compile(const v1::Config& config,
                          const absl::flat_hash_map<std::string, uint32_t>& entry_index,
                          const absl::flat_hash_map<std::string, uint32_t>& group_index,
                          std::vector<std::string>& problems, bool indexed = true);

  struct Result {
    absl::InlinedVector<uint32_t, 8> added;    // tag ids, in order
    absl::InlinedVector<uint32_t, 4> removed;  // tag ids, in order
    int64_t route_group = -1;                  // the first fired rule's route_to_group, if any
    absl::InlinedVector<uint32_t, 8> fired;    // rule indices
  };

  // Evaluates the rules in order for one arrival at entry `entry`, whose tags so far are the
  // arrival's own plus `entry_tags`.
  void Evaluate(const v1::Arrival& arrival, uint32_t entry, absl::string_view channel,
                absl::Span<const std::string> entry_tags, const LocalTime& local,
                Result& result) const;

  bool empty() const { return rules_.empty(); }
  const std::string& tag(uint32_t id) const { return tags_[id]; }
  const std::string& rule_name(uint32_t rule) const { return rules_[rule].name; }

 private:
  struct Condition {
    std::vector<uint32_t> entries;
    std::vector<std::string> channels, exact_message, cities, districts;
    std::vector<uint32_t> any_tags, all_tags, none_tags;
    std::vector<int32_t> keywords;  // KeywordMatcher ids
    std::vector<TimeWindow> local_time;
    uint8_t weekdays = 0;  // 0: any day
    std::vector<std::pair<std::string, std::string>> attributes;
    std::vector<Condition> any_of;
    std::unique_ptr<Condition> negated;
  };
  struct Rule {
    std::string name;
    Condition when;
    std::vector<uint32_t> add, remove;
    int64_t route_group = -1;
    bool stop = false;
  };
  struct Context;
  // One bit per rule, per tag or per keyword; a few words inline.
  using Bits = absl::InlinedVector<uint64_t, 16>;
  static bool Test(const Bits& bits, size_t i) { return (bits[i >> 6] >> (i & 63)) & 1; }

  uint32_t Intern(const std::string& tag);
  void BuildIndex(bool indexed, uint32_t entries);
  // ORs row `row` of `table` (rows of words_ words) into `bits`, from word `from` on.
  void Or(const std::vector<uint64_t>& table, size_t row, Bits& bits, size_t from = 0) const;
  Condition CompileCondition(const v1::Condition& when, const std::string& path,
                             const absl::flat_hash_map<std::string, uint32_t>& entry_index,
                             std::vector<std::string>& problems);
  bool Holds(const Condition& c, const Context& context) const;

  std::vector<std::string> tags_;
  absl::flat_hash_map<std::string, uint32_t> tag_ids_;
  std::vector<int32_t> exclusive_group_;  // by tag id: index into exclusive_, or -1
  std::vector<std::vector<uint32_t>> exclusive_;
  KeywordMatcher keywords_;
  std::vector<Rule> rules_;

  // The index: rule bitsets (words_ words each) by what a rule's condition requires.
  size_t words_ = 0;
  std::vector<uint64_t> always_;      // rules filed under nothing: always evaluated
  std::vector<uint64_t> by_keyword_;  // by keyword id
  std::vector<uint64_t> by_tag_;      // by tag id
  std::vector<uint64_t> by_entry_;    // by entry index
  std::vector<uint64_t> by_hour_;     // by hour of the week, weekday * 24 + hour
  absl::flat_hash_map<std::string, uint32_t> channel_row_;
  std::vector<uint64_t> by_channel_;  // by channel_row_
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_TAG_RULES_H_
