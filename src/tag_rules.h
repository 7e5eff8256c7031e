// TagRules: the tag rules of SPEC §5.7, compiled once. Tags and channels are interned to
// dense ids, every keyword of every rule goes into one KeywordMatcher (one pass over the
// message per arrival), and conditions become short runs of words evaluated on ids.
// An index keeps the cost per arrival near the number of rules that can fire rather than the
// number of rules (SPEC §7: 500 rules): each rule is filed under one thing its condition
// requires (a keyword, a tag, a channel, an entry, the hours its time windows touch), and
// an arrival evaluates, in rule order, only the rules filed under what it has, plus those
// filed under tags that earlier rules add. Knows nothing of groups or employees beyond their
// indices.
#ifndef ALLOT_SRC_TAG_RULES_H_
#define ALLOT_SRC_TAG_RULES_H_

#include <cstdint>
#include <limits>
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
  // The id of a tag or channel no rule can test.
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  // Compiles `config.tag_rules` and `config.tag_groups`; the tags of `config.entries` are
  // interned too. Problems (tag names equal but for case, unknown entries or groups, bad
  // windows) are appended to `problems` with their field paths.
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

  // The id of `tag`, or kNone when neither a rule, a tag group nor an entry names it.
  uint32_t TagId(absl::string_view tag) const;
  // The id of `channel`, or kNone when no condition lists it.
  uint32_t ChannelId(absl::string_view channel) const;

  // Evaluates the rules in order for one arrival at entry `entry` on channel `channel` (a
  // ChannelId), whose tags so far are the arrival's own plus `entry_tags` (TagIds, interned
  // once per entry so that only the arrival's own are looked up here).
  void Evaluate(const v1::Arrival& arrival, uint32_t entry, uint32_t channel,
                absl::Span<const uint32_t> entry_tags, const LocalTime& local,
                Result& result) const;

  bool empty() const { return rules_.empty(); }
  const std::string& tag(uint32_t id) const { return tags_[id]; }
  const std::string& rule_name(uint32_t rule) const { return names_[rule]; }

 private:
  // The checks a condition may hold, in the order they are evaluated: cheap and selective
  // ones first (the order changes no outcome, conditions having no side effects).
  enum Check : uint32_t {
    kKeywords,      // operands: keyword ids; any found
    kAnyTags,       // tag ids; any present
    kAllTags,       // tag ids; all present
    kNoneTags,      // tag ids; none present
    kChannels,      // channel ids; any equal
    kEntries,       // entry indices; any equal
    kWeekdays,      // no operands: the days are in the head word
    kLocalTime,     // indices into windows_; any contains the local time
    kExactMessage,  // indices into strings_; any equals the message
    kCities,        // indices into strings_
    kDistricts,     // indices into strings_
    kAttributes,    // pairs of indices into strings_ (key, value); all equal
    kAnyOf,         // condition offsets; any holds
    kNot,           // one condition offset, no count; must not hold
  };
  // A condition is a run of code_ starting at its offset: a head word (bit k set when check
  // k is present; the weekday mask in bits 16–22), then for each check present, in the
  // order above, its operand count and operands. Holds reads one short run, and only the
  // checks a rule has.
  static constexpr int kWeekdayShift = 16;
  struct Rule {
    uint32_t when = 0;     // condition offset in code_
    uint32_t actions = 0;  // in actions_: add count, adds, remove count, removes (tag ids)
    int32_t route_group = -1;
    bool stop = false;
    // The condition holds whenever the index makes the rule a candidate: it requires only
    // keywords, only channels or only entries, and is filed under them (none of which
    // changes while rules run, unlike tags).
    bool sure = false;
  };
  struct TagInfo {
    int32_t exclusive = -1;  // index into exclusive_, or -1
    bool filed = false;      // some rule is filed under the tag (its by_tag_ row is not 0)
  };
  struct Context;
  // One bit per rule, per tag or per keyword.
  static bool Test(const uint64_t* bits, size_t i) { return (bits[i >> 6] >> (i & 63)) & 1; }
  static void Set(uint64_t* bits, size_t i) { bits[i >> 6] |= uint64_t{1} << (i & 63); }

  uint32_t Intern(const std::string& tag);
  uint32_t InternChannel(const std::string& channel);
  uint32_t AddString(const std::string& s);
  void BuildIndex(bool indexed, uint32_t entries);
  // ORs row `row` of `table` (rows of words_ words) into `bits`.
  void Or(const std::vector<uint64_t>& table, size_t row, uint64_t* bits) const {
    const uint64_t* words = table.data() + row * words_;
    for (size_t w = 0; w < words_; ++w) bits[w] |= words[w];
  }
  // Appends the condition (its sub-conditions first) to code_ and returns its offset.
  uint32_t CompileCondition(const v1::Condition& when, const std::string& path,
                            const absl::flat_hash_map<std::string, uint32_t>& entry_index,
                            std::vector<std::string>& problems);
  // The operands of `check` in the condition at `at`; empty when it has none.
  absl::Span<const uint32_t> Operands(uint32_t at, Check check) const;
  bool Holds(uint32_t at, const Context& context) const;

  std::vector<std::string> tags_;
  absl::flat_hash_map<std::string, uint32_t> tag_ids_;
  absl::flat_hash_map<std::string, uint32_t> channel_ids_;
  std::vector<TagInfo> tag_info_;  // by tag id
  std::vector<std::vector<uint32_t>> exclusive_;
  KeywordMatcher keywords_;
  std::vector<Rule> rules_;
  std::vector<std::string> names_;  // by rule
  std::vector<uint32_t> code_;      // the conditions
  std::vector<uint32_t> actions_;
  std::vector<TimeWindow> windows_;
  std::vector<std::string> strings_;

  // The index: rule bitsets (words_ words each) by what a rule's condition requires.
  size_t words_ = 0;
  std::vector<uint64_t> always_;      // rules filed under nothing: always evaluated
  std::vector<uint64_t> by_keyword_;  // by keyword id
  std::vector<uint64_t> by_tag_;      // by tag id
  std::vector<uint64_t> by_entry_;    // by entry index
  std::vector<uint64_t> by_hour_;     // by hour of the week, weekday * 24 + hour
  std::vector<uint64_t> by_channel_;  // by channel id
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_TAG_RULES_H_
