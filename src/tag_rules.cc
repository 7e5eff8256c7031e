#include "tag_rules.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace allot::internal {

// What a condition is evaluated against: the arrival and the tags so far.
struct TagRules::Context {
  const v1::Arrival& arrival;
  uint32_t entry;
  uint32_t channel;  // channel id
  const LocalTime& local;
  const uint64_t* present;  // by tag id
  const uint64_t* found;    // by keyword id
};

uint32_t TagRules::Intern(const std::string& tag) {
  auto [it, inserted] = tag_ids_.try_emplace(tag, static_cast<uint32_t>(tags_.size()));
  if (inserted) {
    tags_.push_back(tag);
    exclusive_group_.push_back(-1);
  }
  return it->second;
}

uint32_t TagRules::InternChannel(const std::string& channel) {
  return channel_ids_.try_emplace(channel, static_cast<uint32_t>(channel_ids_.size()))
      .first->second;
}

uint32_t TagRules::AddString(const std::string& s) {
  strings_.push_back(s);
  return static_cast<uint32_t>(strings_.size() - 1);
}

TagRules::Parts TagRules::Gather(const v1::Condition& when, const std::string& path,
                                 const absl::flat_hash_map<std::string, uint32_t>& entry_index,
                                 std::vector<std::string>& problems) {
  Parts parts;
  std::vector<uint32_t>* const operands = parts.operands;
  for (int i = 0; i < when.entries_size(); ++i) {
    auto it = entry_index.find(when.entries(i));
    if (it == entry_index.end()) {
      problems.push_back(
          absl::StrCat(path, ".entries[", i, "]: unknown entry \"", when.entries(i), "\""));
    } else {
      operands[kEntries].push_back(it->second);
    }
  }
  for (const std::string& c : when.channels()) operands[kChannels].push_back(InternChannel(c));
  for (const std::string& m : when.exact_message()) operands[kExactMessage].push_back(AddString(m));
  for (const std::string& c : when.cities()) operands[kCities].push_back(AddString(c));
  for (const std::string& d : when.districts()) operands[kDistricts].push_back(AddString(d));
  for (const std::string& t : when.any_tags()) operands[kAnyTags].push_back(Intern(t));
  for (const std::string& t : when.all_tags()) operands[kAllTags].push_back(Intern(t));
  for (const std::string& t : when.none_tags()) operands[kNoneTags].push_back(Intern(t));
  for (int i = 0; i < when.keywords_size(); ++i) {
    const int32_t id = keywords_.Add(when.keywords(i));
    if (id < 0) {
      problems.push_back(absl::StrCat(path, ".keywords[", i, "]: must not be empty"));
    } else {
      operands[kKeywords].push_back(static_cast<uint32_t>(id));
    }
  }
  for (int i = 0; i < when.local_time_size(); ++i) {
    absl::StatusOr<TimeWindow> w =
        TimeWindow::Compile(when.local_time(i), absl::StrCat(path, ".local_time[", i, "]"));
    if (!w.ok()) continue;  // a bad window is reported by the config check
    operands[kLocalTime].push_back(static_cast<uint32_t>(windows_.size()));
    windows_.push_back(*w);
  }
  for (int d : when.weekdays()) {
    if (d >= v1::MON && d <= v1::SUN) parts.weekdays |= 1u << (d - v1::MON);
  }
  std::vector<std::pair<std::string, std::string>> attributes(when.attributes().begin(),
                                                              when.attributes().end());
  std::sort(attributes.begin(), attributes.end());  // map order is unspecified
  for (const auto& [key, value] : attributes) {
    operands[kAttributes].push_back(AddString(key));
    operands[kAttributes].push_back(AddString(value));
  }
  for (int i = 0; i < when.any_of_size(); ++i) {
    operands[kAnyOf].push_back(Emit(
        Gather(when.any_of(i), absl::StrCat(path, ".any_of[", i, "]"), entry_index, problems)));
  }
  if (when.has_not_()) {
    operands[kNot].push_back(Emit(Gather(when.not_(), path + ".not", entry_index, problems)));
  }
  return parts;
}

uint32_t TagRules::Emit(const Parts& parts) {
  const uint32_t at = static_cast<uint32_t>(code_.size());
  uint32_t head = parts.weekdays << kWeekdayShift;
  if (parts.weekdays != 0) head |= 1u << kWeekdays;
  for (uint32_t check = 0; check <= kNot; ++check) {
    if (!parts.operands[check].empty()) head |= 1u << check;
  }
  code_.push_back(head);
  for (uint32_t check = 0; check <= kNot; ++check) {
    const std::vector<uint32_t>& operands = parts.operands[check];
    if (operands.empty()) continue;
    if (check != kNot) code_.push_back(static_cast<uint32_t>(operands.size()));
    code_.insert(code_.end(), operands.begin(), operands.end());
  }
  return at;
}

absl::Span<const uint32_t> TagRules::Operands(uint32_t at, Check check) const {
  const uint32_t* p = code_.data() + at;
  const uint32_t head = *p++;
  for (uint32_t checks = head & ((1u << kWeekdayShift) - 1); checks != 0; checks &= checks - 1) {
    const auto k = static_cast<Check>(__builtin_ctz(checks));
    if (k == kWeekdays) continue;
    if (k == kNot) return k == check ? absl::MakeConstSpan(p, 1) : absl::Span<const uint32_t>();
    if (k == check) return absl::MakeConstSpan(p + 1, *p);
    p += 1 + *p;
  }
  return {};
}

TagRules TagRules::Compile(const v1::Config& config,
                           const absl::flat_hash_map<std::string, uint32_t>& entry_index,
                           const absl::flat_hash_map<std::string, uint32_t>& group_index,
                           std::vector<std::string>& problems, bool indexed) {
  TagRules rules;
  for (int g = 0; g < config.tag_groups_size(); ++g) {
    const v1::TagGroup& group = config.tag_groups(g);
    std::vector<uint32_t> ids;
    for (int t = 0; t < group.tags_size(); ++t) {
      const uint32_t id = rules.Intern(group.tags(t));
      if (group.exclusive() && rules.exclusive_group_[id] >= 0) {
        problems.push_back(absl::StrCat("tag_groups[", g, "].tags[", t, "]: tag \"", group.tags(t),
                                        "\" is already in another exclusive group"));
        continue;
      }
      ids.push_back(id);
    }
    if (!group.exclusive()) continue;
    for (uint32_t id : ids)
      rules.exclusive_group_[id] = static_cast<int32_t>(rules.exclusive_.size());
    rules.exclusive_.push_back(std::move(ids));
  }
  for (int i = 0; i < config.tag_rules_size(); ++i) {
    const v1::TagRule& r = config.tag_rules(i);
    const std::string path = absl::StrCat("tag_rules[", i, "]");
    rules.names_.push_back(r.name().empty() ? path : r.name());
    const Parts when = rules.Gather(r.when(), path + ".when", entry_index, problems);
    Rule rule;
    rule.flags = r.stop() ? uint32_t{kStop} : 0;
    if (auto g = group_index.find(r.route_to_group()); g != group_index.end()) {
      rule.route_group = static_cast<int32_t>(g->second);
    }
    if (r.add_tags_size() == 1 && r.remove_tags_size() == 0) {
      rule.flags |= kOneAdd;
      rule.actions = rules.Intern(r.add_tags(0));
    } else {
      rule.actions = static_cast<uint32_t>(rules.code_.size());
      for (const auto* tags : {&r.add_tags(), &r.remove_tags()}) {
        rules.code_.push_back(static_cast<uint32_t>(tags->size()));
        for (const std::string& t : *tags) rules.code_.push_back(rules.Intern(t));
      }
    }
    rule.when = rules.Emit(when);
    rules.rules_.push_back(rule);
  }
  // Tag names equal but for case are one tag to an operator and two to a computer.
  for (const v1::Entry& e : config.entries()) {
    for (const std::string& t : e.tags()) rules.Intern(t);
  }
  if (!config.dedup().returning_tag().empty()) rules.Intern(config.dedup().returning_tag());
  absl::flat_hash_map<std::string, uint32_t> lowered;
  for (uint32_t id = 0; id < rules.tags_.size(); ++id) {
    auto [it, inserted] = lowered.try_emplace(absl::AsciiStrToLower(rules.tags_[id]), id);
    if (!inserted) {
      problems.push_back(absl::StrCat("tags: \"", rules.tags_[id], "\" and \"",
                                      rules.tags_[it->second], "\" differ only by case"));
    }
  }
  rules.tag_index_ = NameIndex(rules.tags_);
  std::vector<std::string> channels(rules.channel_ids_.size());
  for (const auto& [channel, id] : rules.channel_ids_) channels[id] = channel;
  rules.channel_index_ = NameIndex(std::move(channels));
  // Without rules there is nothing to match or index: Evaluate returns at once (empty()).
  if (rules.rules_.empty()) return rules;
  rules.keywords_.Build();
  rules.BuildIndex(indexed, static_cast<uint32_t>(entry_index.size()));
  return rules;
}

TagRules::Filed::Filed(const std::vector<std::vector<uint32_t>>& by_key,
                       const std::vector<uint32_t>& plain_tags) {
  for (const std::vector<uint32_t>& rules : by_key) {
    Key& key = keys_.emplace_back();
    key.count = static_cast<uint32_t>(rules.size());
    key.at = static_cast<uint32_t>(rules_.size());
    for (uint32_t filed : rules) {
      const uint64_t filing = Filing(filed, plain_tags[filed >> 1]);
      if (rules.size() == 1) {
        key.one = filing;
      } else {
        rules_.push_back(filing);
      }
    }
  }
}

void TagRules::BuildIndex(bool indexed, uint32_t entries) {
  tag_words_ = (tags_.size() + 63) / 64;
  bit_words_ = tag_words_ + (keywords_.keyword_count() + 63) / 64;
  std::vector<std::vector<uint32_t>> always(1), by_keyword(keywords_.keyword_count()),
      by_tag(tags_.size()), by_entry(entries), by_slot(7 * 48), by_channel(channel_ids_.size());
  // Whether some rule may take a tag away (removing it, or adding another of its exclusive
  // group); if none can, a tag once present stays for the rules after.
  bool tags_go = std::any_of(exclusive_.begin(), exclusive_.end(),
                             [](const std::vector<uint32_t>& group) { return group.size() > 1; });
  for (const Rule& rule : rules_) {
    if (rule.flags & kOneAdd) continue;
    tags_go = tags_go || code_[rule.actions + 1 + code_[rule.actions]] > 0;
  }
  for (uint32_t r = 0; r < rules_.size(); ++r) {
    const uint32_t at = rules_[r].when;
    const uint32_t unsure = r << 1, sure = unsure | kSureRule;  // filed, see kSureRule
    const uint32_t checks = code_[at] & ((1u << kWeekdayShift) - 1);
    const absl::Span<const uint32_t> keywords = Operands(at, kKeywords);
    const absl::Span<const uint32_t> all_tags = Operands(at, kAllTags);
    const absl::Span<const uint32_t> any_tags = Operands(at, kAnyTags);
    const absl::Span<const uint32_t> channels = Operands(at, kChannels);
    const absl::Span<const uint32_t> entry_list = Operands(at, kEntries);
    const absl::Span<const uint32_t> windows = Operands(at, kLocalTime);
    const uint32_t weekdays = (code_[at] >> kWeekdayShift) & 0x7f;
    // Filed with kSureRule when the condition is only what it is filed under.
    auto filed = [&](uint32_t only) { return checks == only ? sure : unsure; };
    // One requirement of the condition, the most selective there is; a rule whose
    // condition requires none of these is evaluated for every arrival. Rules are filed in
    // order, so every list is sorted (a key listed twice files a rule twice: harmless).
    if (!indexed) {
      always[0].push_back(unsure);
    } else if (!keywords.empty()) {
      for (uint32_t k : keywords) by_keyword[k].push_back(filed(1u << kKeywords));
    } else if (!all_tags.empty()) {
      // Sure only if the one tag cannot go before the rule's turn.
      by_tag[all_tags[0]].push_back(all_tags.size() == 1 && !tags_go ? filed(1u << kAllTags)
                                                                     : unsure);
    } else if (!any_tags.empty()) {
      for (uint32_t t : any_tags) by_tag[t].push_back(tags_go ? unsure : filed(1u << kAnyTags));
    } else if (!channels.empty()) {
      for (uint32_t c : channels) by_channel[c].push_back(filed(1u << kChannels));
    } else if (!entry_list.empty()) {
      for (uint32_t e : entry_list) by_entry[e].push_back(filed(1u << kEntries));
    } else if (!windows.empty() || weekdays != 0) {
      // Filed under every half hour where the windows and days hold at some minute; sure
      // where they hold at every minute and the condition is only them. Within a day they
      // change only where a window opens or closes, so probing a half hour's first minute
      // and those inside it decides.
      const bool only_time = (checks & ~((1u << kLocalTime) | (1u << kWeekdays))) == 0;
      std::vector<int> changes;
      for (uint32_t w : windows) {
        changes.push_back(windows_[w].start_minute());
        changes.push_back(windows_[w].end_minute());
      }
      for (int day = 0; day < 7; ++day) {
        for (int slot = 0; slot < 48; ++slot) {
          bool some = false, all = true;
          auto probe = [&](int minute) {
            const LocalTime t{0, day, minute};
            const bool held =
                (weekdays == 0 || ((weekdays >> day) & 1)) &&
                (windows.empty() || std::any_of(windows.begin(), windows.end(), [&](uint32_t w) {
                   return windows_[w].Contains(t);
                 }));
            some = some || held;
            all = all && held;
          };
          probe(slot * 30);
          for (int minute : changes) {
            if (minute > slot * 30 && minute < slot * 30 + 30) probe(minute);
          }
          if (!some) continue;
          by_slot[day * 48 + slot].push_back(all && only_time ? sure : unsure);
        }
      }
    } else {
      always[0].push_back(unsure);
    }
  }
  // What adding each tag entails, now that the index is known.
  auto entail = [&](uint32_t& add) {
    const uint32_t t = add;
    if (!by_tag[t].empty()) add |= kFiledTag;
    if (exclusive_group_[t] >= 0) add |= kExclusiveTag;
  };
  std::vector<uint32_t> plain_tags(rules_.size(), kNone);  // see Filing
  for (size_t r = 0; r < rules_.size(); ++r) {
    Rule& rule = rules_[r];
    if (rule.flags & kOneAdd) {
      entail(rule.actions);
      if (rule.flags == kOneAdd && rule.actions <= kTagIdMask && rule.route_group < 0) {
        plain_tags[r] = rule.actions;
      }
      continue;
    }
    uint32_t* const adds = code_.data() + rule.actions;
    for (uint32_t* add = adds + 1; add != adds + 1 + *adds; ++add) entail(*add);
  }
  always_ = Filed(always, plain_tags);
  by_keyword_ = Filed(by_keyword, plain_tags);
  by_tag_ = Filed(by_tag, plain_tags);
  by_entry_ = Filed(by_entry, plain_tags);
  by_slot_ = Filed(by_slot, plain_tags);
  by_channel_ = Filed(by_channel, plain_tags);
}

bool TagRules::Holds(const uint32_t* p, const Context& x) const {
  const uint32_t head = *p++;
  for (uint32_t checks = head & ((1u << kWeekdayShift) - 1); checks != 0; checks &= checks - 1) {
    const auto check = static_cast<Check>(__builtin_ctz(checks));
    if (check == kWeekdays) {
      if (!((head >> (kWeekdayShift + x.local.weekday)) & 1)) return false;
      continue;
    }
    if (check == kNot) return !Holds(code_.data() + *p, x);  // the last check there is
    const uint32_t* const ops = p + 1;
    const uint32_t* const end = ops + *p;
    p = end;
    auto any = [&](auto&& pred) { return std::any_of(ops, end, pred); };
    auto present = [&](uint32_t t) { return Test(x.present, t); };
    auto string_is = [&](const std::string& value) {
      return any([&](uint32_t s) { return strings_[s] == value; });
    };
    bool holds = true;
    switch (check) {
      case kKeywords:
        holds = any([&](uint32_t k) { return Test(x.found, k); });
        break;
      case kAnyTags:
        holds = any(present);
        break;
      case kAllTags:
        holds = std::all_of(ops, end, present);
        break;
      case kNoneTags:
        holds = !any(present);
        break;
      case kChannels:
        holds = any([&](uint32_t c) { return c == x.channel; });
        break;
      case kEntries:
        holds = any([&](uint32_t e) { return e == x.entry; });
        break;
      case kLocalTime:
        holds = any([&](uint32_t w) { return windows_[w].Contains(x.local); });
        break;
      case kExactMessage:
        holds = string_is(x.arrival.message());
        break;
      case kCities:
        holds = string_is(x.arrival.city());
        break;
      case kDistricts:
        holds = string_is(x.arrival.district());
        break;
      case kAttributes:
        for (const uint32_t* q = ops; q < end && holds; q += 2) {
          auto it = x.arrival.attributes().find(strings_[q[0]]);
          holds = it != x.arrival.attributes().end() && it->second == strings_[q[1]];
        }
        break;
      case kAnyOf:
        holds = any([&](uint32_t sub) { return Holds(code_.data() + sub, x); });
        break;
      case kWeekdays:
      case kNot:
        break;  // handled above
    }
    if (!holds) return false;
  }
  return true;
}

bool TagRules::Fire(uint32_t r, size_t at, Candidates& candidates, uint64_t* present,
                    Result& result) const {
  const Rule& rule = rules_[r];
  auto remove = [&](uint32_t t) {
    if (!Test(present, t)) return;
    present[t >> 6] &= ~(uint64_t{1} << (t & 63));
    result.removed.push_back(t);
    result.added.Remove(t);
  };
  auto add = [&](uint32_t word) {
    const uint32_t t = word & kTagIdMask;
    if (Test(present, t)) return;
    if (word & kExclusiveTag) {  // one tag of an exclusive group at a time
      for (uint32_t other : exclusive_[exclusive_group_[t]]) {
        if (other != t) remove(other);
      }
    }
    Set(present, t);
    result.added.push_back(t);
    if (!(word & kFiledTag)) return;
    // Later rules only, into their place among the candidates after `at`: those at or
    // before r have had their turn.
    for (uint64_t later : by_tag_[t]) {
      if (RuleOf(later) <= r) continue;
      candidates.push_back(later);
      uint64_t* const c = candidates.begin();
      size_t i = candidates.size() - 1;
      for (; i > at + 1 && c[i - 1] > later; --i) c[i] = c[i - 1];
      c[i] = later;
    }
  };
  if (rule.flags & kOneAdd) {
    add(rule.actions);
  } else {
    const uint32_t* const adds = code_.data() + rule.actions;
    const uint32_t* const removes = adds + 1 + *adds;
    for (const uint32_t* it = adds + 1; it != removes; ++it) add(*it);
    for (const uint32_t* it = removes + 1; it != removes + 1 + *removes; ++it) remove(*it);
  }
  if (result.route_group < 0) result.route_group = rule.route_group;
  return rule.flags & kStop;
}

void TagRules::Evaluate(const v1::Arrival& arrival, uint32_t entry, uint32_t channel,
                        absl::Span<const uint32_t> entry_tags, const LocalTime& local,
                        bool list_fired, Result& result) const {
  if (rules_.empty()) return;
  // The tags present and the keywords found: bitsets in one zeroed block, on the stack but
  // for configs with thousands of tags and keywords.
  constexpr size_t kStackWords = 64;
  uint64_t stack_bits[kStackWords];
  std::unique_ptr<uint64_t[]> heap_bits;
  uint64_t* const present = bit_words_ <= kStackWords
                                ? stack_bits
                                : (heap_bits = std::make_unique<uint64_t[]>(bit_words_)).get();
  std::memset(present, 0, bit_words_ * sizeof(uint64_t));
  uint64_t* const found = present + tag_words_;

  Candidates candidates;
  File(always_[0], candidates);
  auto mark = [&](uint32_t t) {
    Set(present, t);
    File(by_tag_[t], candidates);
  };
  for (const std::string& tag : arrival.tags()) {
    if (const uint32_t t = TagId(tag); t != kNone) mark(t);
  }
  for (uint32_t t : entry_tags) {
    if (t != kNone) mark(t);
  }
  // The keywords found, each once, listed while the matcher runs and filed after it, so
  // that its loop does little else. Past kListed of them, the bitset of those found is read.
  constexpr size_t kListed = 16;
  uint32_t listed[kListed];
  size_t distinct = 0;
  keywords_.Match(arrival.message(), [&](int32_t id) {
    const auto k = static_cast<uint32_t>(id);
    if (Test(found, k)) return;
    Set(found, k);
    if (distinct < kListed) listed[distinct] = k;
    ++distinct;
  });
  if (distinct <= kListed) {
    for (size_t i = 0; i < distinct; ++i) File(by_keyword_[listed[i]], candidates);
  } else {
    for (size_t w = 0; w < bit_words_ - tag_words_; ++w) {
      for (uint64_t bits = found[w]; bits != 0; bits &= bits - 1) {
        File(by_keyword_[w * 64 + static_cast<size_t>(__builtin_ctzll(bits))], candidates);
      }
    }
  }
  if (channel != kNone) File(by_channel_[channel], candidates);
  if (entry < by_entry_.keys()) File(by_entry_[entry], candidates);
  File(by_slot_[static_cast<size_t>(local.weekday * 48 + local.minute / 30)], candidates);

  // Into rule order: a filing holds its rule's index in its high bits, so sorting filings
  // orders them by rule.
  candidates.Sort();

  // The candidates in rule order, each rule once; a tag added by a rule makes the later
  // rules filed under it candidates too, in their place (Fire).
  const Context context{arrival, entry, channel, local, present, found};
  uint32_t last = kNone;  // the rule seen last: one filed twice comes twice in a row
  // Only Fire adds candidates: the count is read again after it, not on every turn.
  for (size_t i = 0, n = candidates.size(); i < n; ++i) {
    const uint64_t filing = candidates[i];
    const uint32_t r = RuleOf(filing);
    if (r == last) continue;
    last = r;
    if (!((filing >> kFiledShift) & kSureRule) && !Holds(code_.data() + rules_[r].when, context)) {
      continue;
    }
    if (list_fired) result.fired.push_back(r);
    if (const auto t = static_cast<uint32_t>(filing); t != kNone) {  // a plain rule
      if (!Test(present, t)) {
        Set(present, t);
        result.added.push_back(t);
      }
      continue;
    }
    if (Fire(r, i, candidates, present, result)) return;
    n = candidates.size();
  }
}

}  // namespace allot::internal
