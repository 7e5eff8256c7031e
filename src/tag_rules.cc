#include "tag_rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace allot::internal {

// What a condition is evaluated against: the arrival and the tags so far.
struct TagRules::Context {
  const v1::Arrival& arrival;
  uint32_t entry;
  absl::string_view channel;
  const LocalTime& local;
  const Bits& present;  // by tag id
  const Bits& found;    // by keyword id
};

uint32_t TagRules::Intern(const std::string& tag) {
  auto [it, inserted] = tag_ids_.try_emplace(tag, static_cast<uint32_t>(tags_.size()));
  if (inserted) {
    tags_.push_back(tag);
    exclusive_group_.push_back(-1);
  }
  return it->second;
}

TagRules::Condition TagRules::CompileCondition(
    const v1::Condition& when, const std::string& path,
    const absl::flat_hash_map<std::string, uint32_t>& entry_index,
    std::vector<std::string>& problems) {
  Condition c;
  for (int i = 0; i < when.entries_size(); ++i) {
    auto it = entry_index.find(when.entries(i));
    if (it == entry_index.end()) {
      problems.push_back(
          absl::StrCat(path, ".entries[", i, "]: unknown entry \"", when.entries(i), "\""));
    } else {
      c.entries.push_back(it->second);
    }
  }
  c.channels.assign(when.channels().begin(), when.channels().end());
  c.exact_message.assign(when.exact_message().begin(), when.exact_message().end());
  c.cities.assign(when.cities().begin(), when.cities().end());
  c.districts.assign(when.districts().begin(), when.districts().end());
  for (const std::string& t : when.any_tags()) c.any_tags.push_back(Intern(t));
  for (const std::string& t : when.all_tags()) c.all_tags.push_back(Intern(t));
  for (const std::string& t : when.none_tags()) c.none_tags.push_back(Intern(t));
  for (int i = 0; i < when.keywords_size(); ++i) {
    const int32_t id = keywords_.Add(when.keywords(i));
    if (id < 0) {
      problems.push_back(absl::StrCat(path, ".keywords[", i, "]: must not be empty"));
    } else {
      c.keywords.push_back(id);
    }
  }
  for (int i = 0; i < when.local_time_size(); ++i) {
    absl::StatusOr<TimeWindow> w =
        TimeWindow::Compile(when.local_time(i), absl::StrCat(path, ".local_time[", i, "]"));
    if (w.ok()) c.local_time.push_back(*w);  // a bad window is reported by the config check
  }
  for (int d : when.weekdays()) {
    if (d >= v1::MON && d <= v1::SUN) c.weekdays |= static_cast<uint8_t>(1u << (d - v1::MON));
  }
  std::vector<std::pair<std::string, std::string>> attributes(when.attributes().begin(),
                                                              when.attributes().end());
  std::sort(attributes.begin(), attributes.end());  // map order is unspecified
  c.attributes = std::move(attributes);
  for (int i = 0; i < when.any_of_size(); ++i) {
    c.any_of.push_back(CompileCondition(when.any_of(i), absl::StrCat(path, ".any_of[", i, "]"),
                                        entry_index, problems));
  }
  if (when.has_not_()) {
    c.negated = std::make_unique<Condition>(
        CompileCondition(when.not_(), path + ".not", entry_index, problems));
  }
  return c;
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
    Rule rule;
    rule.name = r.name().empty() ? path : r.name();
    rule.when = rules.CompileCondition(r.when(), path + ".when", entry_index, problems);
    for (const std::string& t : r.add_tags()) rule.add.push_back(rules.Intern(t));
    for (const std::string& t : r.remove_tags()) rule.remove.push_back(rules.Intern(t));
    if (auto g = group_index.find(r.route_to_group()); g != group_index.end()) {
      rule.route_group = g->second;
    }
    rule.stop = r.stop();
    rules.rules_.push_back(std::move(rule));
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
  rules.keywords_.Build();
  rules.BuildIndex(indexed, static_cast<uint32_t>(entry_index.size()));
  return rules;
}

void TagRules::BuildIndex(bool indexed, uint32_t entries) {
  words_ = (rules_.size() + 63) / 64;
  always_.assign(words_, 0);
  by_keyword_.assign(keywords_.keyword_count() * words_, 0);
  by_tag_.assign(tags_.size() * words_, 0);
  by_entry_.assign(size_t{entries} * words_, 0);
  by_hour_.assign(7 * 24 * words_, 0);
  auto file = [&](std::vector<uint64_t>& table, size_t row, size_t r) {
    table[row * words_ + (r >> 6)] |= uint64_t{1} << (r & 63);
  };
  for (size_t r = 0; r < rules_.size(); ++r) {
    const Condition& c = rules_[r].when;
    // One requirement of the condition, the most selective there is; a rule whose
    // condition requires none of these is evaluated for every arrival.
    if (!indexed) {
      file(always_, 0, r);
    } else if (!c.keywords.empty()) {
      for (int32_t k : c.keywords) file(by_keyword_, static_cast<size_t>(k), r);
    } else if (!c.all_tags.empty()) {
      file(by_tag_, c.all_tags[0], r);
    } else if (!c.any_tags.empty()) {
      for (uint32_t t : c.any_tags) file(by_tag_, t, r);
    } else if (!c.channels.empty()) {
      for (const std::string& channel : c.channels) {
        auto [it, inserted] =
            channel_row_.try_emplace(channel, static_cast<uint32_t>(channel_row_.size()));
        if (inserted) by_channel_.resize(channel_row_.size() * words_, 0);
        file(by_channel_, it->second, r);
      }
    } else if (!c.entries.empty()) {
      for (uint32_t e : c.entries) file(by_entry_, e, r);
    } else if (!c.local_time.empty() || c.weekdays != 0) {
      for (int day = 0; day < 7; ++day) {
        if (c.weekdays != 0 && !((c.weekdays >> day) & 1)) continue;
        for (int hour = 0; hour < 24; ++hour) {
          const bool touched =
              c.local_time.empty() ||
              std::any_of(c.local_time.begin(), c.local_time.end(),
                          [&](const TimeWindow& w) { return w.TouchesHour(day, hour); });
          if (touched) file(by_hour_, static_cast<size_t>(day * 24 + hour), r);
        }
      }
    } else {
      file(always_, 0, r);
    }
  }
}

void TagRules::Or(const std::vector<uint64_t>& table, size_t row, Bits& bits, size_t from) const {
  const uint64_t* words = table.data() + row * words_;
  for (size_t w = from; w < words_; ++w) bits[w] |= words[w];
}

bool TagRules::Holds(const Condition& c, const Context& x) const {
  auto any_equal = [](const std::vector<std::string>& list, absl::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
  };
  if (!c.entries.empty() &&
      std::find(c.entries.begin(), c.entries.end(), x.entry) == c.entries.end()) {
    return false;
  }
  if (!c.channels.empty() && !any_equal(c.channels, x.channel)) return false;
  if (!c.exact_message.empty() && !any_equal(c.exact_message, x.arrival.message())) return false;
  if (!c.cities.empty() && !any_equal(c.cities, x.arrival.city())) return false;
  if (!c.districts.empty() && !any_equal(c.districts, x.arrival.district())) return false;
  if (!c.any_tags.empty() && std::none_of(c.any_tags.begin(), c.any_tags.end(),
                                          [&](uint32_t t) { return Test(x.present, t); })) {
    return false;
  }
  for (uint32_t t : c.all_tags) {
    if (!Test(x.present, t)) return false;
  }
  for (uint32_t t : c.none_tags) {
    if (Test(x.present, t)) return false;
  }
  if (!c.keywords.empty() && std::none_of(c.keywords.begin(), c.keywords.end(), [&](int32_t k) {
        return Test(x.found, static_cast<size_t>(k));
      })) {
    return false;
  }
  if (!c.local_time.empty() &&
      std::none_of(c.local_time.begin(), c.local_time.end(),
                   [&](const TimeWindow& w) { return w.Contains(x.local); })) {
    return false;
  }
  if (c.weekdays != 0 && !((c.weekdays >> x.local.weekday) & 1)) return false;
  for (const auto& [key, value] : c.attributes) {
    auto it = x.arrival.attributes().find(key);
    if (it == x.arrival.attributes().end() || it->second != value) return false;
  }
  if (!c.any_of.empty() && std::none_of(c.any_of.begin(), c.any_of.end(),
                                        [&](const Condition& sub) { return Holds(sub, x); })) {
    return false;
  }
  if (c.negated && Holds(*c.negated, x)) return false;
  return true;
}

void TagRules::Evaluate(const v1::Arrival& arrival, uint32_t entry, absl::string_view channel,
                        absl::Span<const std::string> entry_tags, const LocalTime& local,
                        Result& result) const {
  if (rules_.empty()) return;
  Bits candidates(words_, 0);
  Or(always_, 0, candidates);
  Bits present((tags_.size() + 63) / 64, 0);
  auto mark = [&](const std::string& tag) {
    auto it = tag_ids_.find(tag);
    if (it == tag_ids_.end()) return;
    present[it->second >> 6] |= uint64_t{1} << (it->second & 63);
    Or(by_tag_, it->second, candidates);
  };
  for (const std::string& t : arrival.tags()) mark(t);
  for (const std::string& t : entry_tags) mark(t);
  Bits found((keywords_.keyword_count() + 63) / 64, 0);
  keywords_.Match(arrival.message(), [&](int32_t k) {
    if (Test(found, static_cast<size_t>(k))) return;
    found[k >> 6] |= uint64_t{1} << (k & 63);
    Or(by_keyword_, static_cast<size_t>(k), candidates);
  });
  if (auto it = channel_row_.find(channel); it != channel_row_.end()) {
    Or(by_channel_, it->second, candidates);
  }
  if (entry * words_ < by_entry_.size()) Or(by_entry_, entry, candidates);
  Or(by_hour_, static_cast<size_t>(local.weekday * 24 + local.minute / 60), candidates);

  const Context context{arrival, entry, channel, local, present, found};
  auto set = [&](uint32_t t, bool on) {
    if (on) {
      present[t >> 6] |= uint64_t{1} << (t & 63);
    } else {
      present[t >> 6] &= ~(uint64_t{1} << (t & 63));
    }
  };
  auto remove = [&](uint32_t t) {
    if (!Test(present, t)) return;
    set(t, false);
    result.removed.push_back(t);
    result.added.erase(std::remove(result.added.begin(), result.added.end(), t),
                       result.added.end());
  };
  // The candidates in rule order; a tag added by a rule makes the later rules filed under
  // it candidates too.
  for (size_t w = 0; w < words_; ++w) {
    while (candidates[w] != 0) {
      const int bit = __builtin_ctzll(candidates[w]);
      candidates[w] &= candidates[w] - 1;
      const uint32_t r = static_cast<uint32_t>(w * 64 + static_cast<size_t>(bit));
      const Rule& rule = rules_[r];
      if (!Holds(rule.when, context)) continue;
      result.fired.push_back(r);
      for (uint32_t t : rule.add) {
        if (Test(present, t)) continue;
        if (exclusive_group_[t] >= 0) {  // one tag of an exclusive group at a time
          for (uint32_t other : exclusive_[exclusive_group_[t]]) {
            if (other != t) remove(other);
          }
        }
        set(t, true);
        result.added.push_back(t);
        // Later rules only: those at or before r have had their turn.
        const uint64_t* row = by_tag_.data() + size_t{t} * words_;
        candidates[w] |= row[w] & (bit == 63 ? 0 : ~uint64_t{0} << (bit + 1));
        for (size_t v = w + 1; v < words_; ++v) candidates[v] |= row[v];
      }
      for (uint32_t t : rule.remove) remove(t);
      if (result.route_group < 0) result.route_group = rule.route_group;
      if (rule.stop) return;
    }
  }
}

}  // namespace allot::internal
