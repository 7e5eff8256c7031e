// TagRules: the tag rules of SPEC §5.7, compiled once. Tags and channels are interned to
// dense ids, every keyword of every rule goes into one KeywordMatcher (one pass over the
// message per arrival), and conditions become short runs of words evaluated on ids.
// An index keeps the cost per arrival near the number of rules that can fire rather than the
// number of rules (SPEC §7: 500 rules): each rule is filed under one thing its condition
// requires (a keyword, a tag, a channel, an entry, the half hours its time windows touch),
// and an arrival evaluates, in rule order, only the rules filed under what it has, plus
// those filed under tags that earlier rules add; most of them need no evaluation at all
// (kSureRule). Knows nothing of groups or employees beyond their indices.
#ifndef ALLOT_SRC_TAG_RULES_H_
#define ALLOT_SRC_TAG_RULES_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "allot/v1/config.pb.h"
#include "allot/v1/event.pb.h"
#include "id_list.h"
#include "keyword_matcher.h"
#include "name_index.h"
#include "time_window.h"

namespace allot::internal {

class TagRules {
 public:
  // The id of a tag or channel no rule can test.
  static constexpr uint32_t kNone = NameIndex::kNone;

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
    IdList added;              // tag ids, in order
    IdList removed;            // tag ids, in order
    int64_t route_group = -1;  // the first fired rule's route_to_group, if any
    IdList fired;              // rule indices; only when asked for
  };

  // The id of `tag`, or kNone when neither a rule, a tag group nor an entry names it.
  uint32_t TagId(absl::string_view tag) const { return tag_index_.Find(tag); }
  // The id of `channel`, or kNone when no condition lists it.
  uint32_t ChannelId(absl::string_view channel) const { return channel_index_.Find(channel); }

  // Evaluates the rules in order for one arrival at entry `entry` on channel `channel` (a
  // ChannelId), whose tags so far are the arrival's own plus `entry_tags` (TagIds, interned
  // once per entry so that only the arrival's own are looked up here). The rules that fired
  // are listed only with `list_fired` (an explanation asks for them).
  void Evaluate(const v1::Arrival& arrival, uint32_t entry, uint32_t channel,
                absl::Span<const uint32_t> entry_tags, const LocalTime& local, bool list_fired,
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
  // A condition is a run of code_: a head word (bit k set when check k is present; the
  // weekday mask in bits 16–22), then for each check present, in the order above, its
  // operand count and operands. Holds reads one short run, and only the checks a rule has.
  static constexpr int kWeekdayShift = 16;
  struct Parts {  // a condition's operands by check, while it is compiled
    std::vector<uint32_t> operands[kNot + 1];
    uint32_t weekdays = 0;
  };
  // A rule: 16 bytes, in rule order. When it adds one tag and removes none (most rules do),
  // `actions` holds that tag; otherwise its tag lists are in code_ at `actions`: the add
  // count and words, the remove count and ids.
  enum RuleFlag : uint32_t { kStop = 1, kOneAdd = 2 };
  struct Rule {
    uint32_t flags = 0;  // RuleFlag
    int32_t route_group = -1;
    uint32_t when = 0;     // its condition in code_
    uint32_t actions = 0;  // with kOneAdd, the word of the tag it adds; else its lists
  };
  // A tag a rule adds is its id and what adding it entails, known when compiled: rules
  // filed under it become candidates; the others of its exclusive group go.
  static constexpr uint32_t kFiledTag = 1u << 31;
  static constexpr uint32_t kExclusiveTag = 1u << 30;
  static constexpr uint32_t kTagIdMask = kExclusiveTag - 1;  // tag ids stay below 2^30
  // A filed rule: its index shifted left by one, the low bit kSureRule (see Filed), in the
  // high half of 64 bits whose low half is the tag the rule adds when it is plain, else
  // kNone. A plain rule adds one tag that entails nothing (no rule filed under it, no
  // exclusive group), removes none, routes nowhere and does not stop: Evaluate carries it
  // out with what the filing holds, reading nothing of the rule (most rules are plain: the
  // cache lines an arrival touches, SPEC §7). Sorting filings sorts them by rule.
  static constexpr uint32_t kSureRule = 1;
  static constexpr int kFiledShift = 32;
  static uint64_t Filing(uint32_t filed, uint32_t plain_tag) {
    return uint64_t{filed} << kFiledShift | plain_tag;
  }
  static uint32_t RuleOf(uint64_t filing) {
    return static_cast<uint32_t>(filing >> (kFiledShift + 1));
  }
  struct Context;
  // The candidate rules of one arrival, as filings: gathered unordered from what the
  // arrival has, then sorted; a rule may be filed twice. Room for the usual handful (and
  // more) on the stack.
  using Candidates = BasicIdList<64, uint64_t>;
  // One bit per tag or per keyword.
  static bool Test(const uint64_t* bits, size_t i) { return (bits[i >> 6] >> (i & 63)) & 1; }
  static void Set(uint64_t* bits, size_t i) { bits[i >> 6] |= uint64_t{1} << (i & 63); }
  // Appends the filed rules to the candidates.
  static void File(absl::Span<const uint64_t> filed, Candidates& candidates) {
    for (uint64_t f : filed) candidates.push_back(f);
  }

  // Rules filed under each key of one kind (a keyword, a tag, ...), in rule order. Lists,
  // not bitsets: a key has a rule or two, and bitsets of 500 rules by tag would fill the
  // caches the rest of an arrival needs. A key with one rule holds it inline.
  // A rule filed with kSureRule holds whenever it is a candidate through that key: its
  // condition is only what it is filed under (keywords, channels, entries; tags, when no
  // rule can take a tag away; windows and days, in a half hour they cover at every minute).
  // It fires without Holds.
  class Filed {
   public:
    // Builds from the filed rules of each key (keys dense from 0) and the tag each rule
    // adds when it is plain (kNone if not), by rule.
    explicit Filed(const std::vector<std::vector<uint32_t>>& by_key = {},
                   const std::vector<uint32_t>& plain_tags = {});
    absl::Span<const uint64_t> operator[](size_t key) const {
      const Key& k = keys_[key];
      return absl::MakeConstSpan(k.count == 1 ? &k.one : rules_.data() + k.at, k.count);
    }
    size_t keys() const { return keys_.size(); }

   private:
    struct Key {
      uint64_t one = 0;  // the filing, when there is one
      uint32_t at = 0;   // else where the filings start in rules_
      uint32_t count = 0;
    };
    std::vector<Key> keys_;
    std::vector<uint64_t> rules_;
  };

  uint32_t Intern(const std::string& tag);
  uint32_t InternChannel(const std::string& channel);
  uint32_t AddString(const std::string& s);
  // Interns what `when` names and compiles its sub-conditions into code_.
  Parts Gather(const v1::Condition& when, const std::string& path,
               const absl::flat_hash_map<std::string, uint32_t>& entry_index,
               std::vector<std::string>& problems);
  // Appends a condition's run to code_ and returns its offset.
  uint32_t Emit(const Parts& parts);
  // The operands of `check` in the condition at `at`; empty when it has none.
  absl::Span<const uint32_t> Operands(uint32_t at, Check check) const;
  void BuildIndex(bool indexed, uint32_t entries);
  bool Holds(const uint32_t* condition, const Context& context) const;
  // Carries out rule `r`, which holds and is candidates[at]: its adds (with their exclusive
  // groups, and filing the later rules filed under a tag added among the candidates after
  // `at`, in order), removes and route. Returns whether it stops.
  // Out of line: Evaluate carries out the common rule (plain, see Filing) itself.
  [[gnu::noinline]] bool Fire(uint32_t r, size_t at, Candidates& candidates, uint64_t* present,
                              Result& result) const;

  std::vector<std::string> tags_;
  absl::flat_hash_map<std::string, uint32_t> tag_ids_;      // to compile
  absl::flat_hash_map<std::string, uint32_t> channel_ids_;  // to compile
  NameIndex tag_index_, channel_index_;                     // the same, to evaluate
  std::vector<int32_t> exclusive_group_;  // by tag id: index into exclusive_, or -1
  std::vector<std::vector<uint32_t>> exclusive_;
  KeywordMatcher keywords_;
  std::vector<std::string> names_;  // by rule
  std::vector<Rule> rules_;
  std::vector<uint32_t> code_;  // conditions, and tag lists of rules with more than one
  std::vector<TimeWindow> windows_;
  std::vector<std::string> strings_;

  // Words of the bitsets Evaluate keeps: of the tags present, and with the keywords found.
  uint32_t tag_words_ = 0;
  uint32_t bit_words_ = 0;
  // The index: rules by what their condition requires.
  Filed always_;      // one key: rules filed under nothing, always evaluated
  Filed by_keyword_;  // by keyword id
  Filed by_tag_;      // by tag id
  Filed by_entry_;    // by entry index
  Filed by_slot_;     // by half hour of the week, weekday * 48 + minute / 30
  Filed by_channel_;  // by channel id
};

}  // namespace allot::internal

#endif  // ALLOT_SRC_TAG_RULES_H_
