// SPEC §5.7: tag rules — every condition, rule order, exclusive groups, stop, routing, and
// the config errors.
#include "tag_rules.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "test_support.h"

namespace allot {
namespace {

using testing::MustStep;
using testing::T;

constexpr char kConfig[] = R"pb(
  employees { id: "a" }
  employees { id: "b" }
  employees { id: "li" }
  groups {
    id: "sales"
    members { employee: "a" }
  }
  groups {
    id: "standby"
    members { employee: "b" }
  }
  entries { id: "qr" channel: "offline" group: "sales" tags: "门店" }
  entries { id: "live" channel: "video" group: "sales" }
  districts { id: "xujiahui" employee: "li" }
  tag_rules {
    name: "night-owl"
    when {
      local_time { start: "23:00" end: "02:00" }
      attributes { key: "coupon_used" value: "false" }
    }
    add_tags: "夜猫子"
  }
  tag_rules {
    name: "phone-intent"
    when { keywords: [ "想买手机", "换手机" ] }
    add_tags: "手机意向"
    route_to_group: "standby"
  }
  tag_rules {
    name: "human"
    when { exact_message: "人工" entries: "live" }
    add_tags: "转人工"
  }
  tag_rules {
    name: "weekend-video"
    when {
      weekdays: [ SAT, SUN ]
      channels: "video"
    }
    add_tags: "周末"
  }
  tag_rules {
    name: "oily"
    when { any_tags: "手机意向" none_tags: "敏感肌" }
    add_tags: "油性肌"
  }
  tag_rules {
    name: "store-or-beijing"
    when {
      any_of { entries: "qr" }
      any_of { cities: "北京" }
    }
    add_tags: "线下"
  }
  tag_rules {
    name: "not-store"
    when { not { all_tags: [ "门店" ] } }
    add_tags: "线上"
    stop: true
  }
  tag_rules {
    name: "never-after-stop"
    when {}
    add_tags: "不应出现"
  }
  tag_groups {
    name: "skin"
    exclusive: true
    tags: [ "敏感肌", "油性肌" ]
  }
)pb";

struct Arrival {
  const char* at = "2026-11-24T10:00:00+08:00";  // a Tuesday
  const char* entry = "qr";
  std::string message, city, district;
  std::vector<std::string> tags;
  bool coupon_unused = false;
};

Decision Run(const Engine& engine, const Arrival& a, int n) {
  State state;
  v1::Event e = testing::Arrival(T(a.at), a.entry, "c", {absl::StrCat("phone:", n)}, true);
  e.mutable_arrival()->set_message(a.message);
  e.mutable_arrival()->set_city(a.city);
  e.mutable_arrival()->set_district(a.district);
  for (const std::string& t : a.tags) e.mutable_arrival()->add_tags(t);
  if (a.coupon_unused) (*e.mutable_arrival()->mutable_attributes())["coupon_used"] = "false";
  return MustStep(engine, e, state);
}

std::vector<std::string> Added(const Decision& d) {
  return {d.tags_added.begin(), d.tags_added.end()};
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST_CASE("Each condition of a tag rule") {
  const Engine engine = testing::MakeEngine(kConfig);
  int n = 0;
  // local_time across midnight, with attributes: both must hold.
  Arrival night;
  night.at = "2026-11-25T01:30:00+08:00";
  night.coupon_unused = true;
  CHECK(Has(Added(Run(engine, night, ++n)), "夜猫子"));
  night.coupon_unused = false;
  CHECK_FALSE(Has(Added(Run(engine, night, ++n)), "夜猫子"));
  Arrival noon;
  noon.coupon_unused = true;
  CHECK_FALSE(Has(Added(Run(engine, noon, ++n)), "夜猫子"));
  // Keywords: any of them, as a substring.
  Arrival phone;
  phone.message = "你好，我想换手机了";
  const Decision d = Run(engine, phone, ++n);
  CHECK(Has(Added(d), "手机意向"));
  CHECK(d.explanation->route_source() == v1::Explanation::RULE);
  CHECK(testing::AssignedTo(d) == "b");
  // exact_message, and only on its entry.
  Arrival human;
  human.entry = "live";
  human.message = "人工";
  CHECK(Has(Added(Run(engine, human, ++n)), "转人工"));
  human.message = "转人工";
  CHECK_FALSE(Has(Added(Run(engine, human, ++n)), "转人工"));
  human.message = "人工";
  human.entry = "qr";
  CHECK_FALSE(Has(Added(Run(engine, human, ++n)), "转人工"));
  // weekdays and channels (the entry's channel when the arrival names none).
  Arrival weekend;
  weekend.entry = "live";
  weekend.at = "2026-11-28T10:00:00+08:00";
  CHECK(Has(Added(Run(engine, weekend, ++n)), "周末"));
  weekend.entry = "qr";
  CHECK_FALSE(Has(Added(Run(engine, weekend, ++n)), "周末"));
  // any_of, not, stop.
  Arrival beijing;
  beijing.entry = "live";
  beijing.city = "北京";
  const std::vector<std::string> online = Added(Run(engine, beijing, ++n));
  CHECK(Has(online, "线下"));
  CHECK(Has(online, "线上"));            // the live entry has no 门店 tag
  CHECK_FALSE(Has(online, "不应出现"));  // stopped
  const std::vector<std::string> store = Added(Run(engine, Arrival{}, ++n));
  CHECK(Has(store, "线下"));
  CHECK_FALSE(Has(store, "线上"));
  CHECK(Has(store, "不应出现"));  // "not-store" did not fire, so no stop
}

TEST_CASE("Rules see the tags of earlier rules; exclusive tags replace each other") {
  const Engine engine = testing::MakeEngine(kConfig);
  Arrival phone;
  phone.message = "想买手机";
  phone.tags = {"敏感肌"};
  // 手机意向 is added, but 敏感肌 blocks "oily".
  Decision d = Run(engine, phone, 1);
  CHECK(Has(Added(d), "手机意向"));
  CHECK_FALSE(Has(Added(d), "油性肌"));
  REQUIRE(d.explanation != nullptr);
  CHECK(d.explanation->rules_fired(0) == "phone-intent");
  // Without it, "oily" fires, seeing 手机意向 from the earlier rule.
  phone.tags = {};
  d = Run(engine, phone, 2);
  CHECK(Has(Added(d), "油性肌"));
  // An exclusive group: adding 油性肌 to a customer tagged 敏感肌 removes it.
  const Engine swap = testing::MakeEngine(absl::StrCat(kConfig, R"pb(
    tag_rules {
      name: "force-oily"
      when { keywords: "油" }
      add_tags: "油性肌"
    })pb"));
  Arrival oily;
  oily.message = "油";
  oily.tags = {"敏感肌"};
  d = Run(swap, oily, 3);
  CHECK(Has(Added(d), "油性肌"));
  CHECK(std::vector<std::string>(d.tags_removed.begin(), d.tags_removed.end()) ==
        std::vector<std::string>{"敏感肌"});
}

TEST_CASE("A rule's group comes before the district's owner") {
  const Engine engine = testing::MakeEngine(kConfig);
  Arrival both;
  both.message = "想买手机";
  both.district = "xujiahui";
  CHECK(testing::AssignedTo(Run(engine, both, 1)) == "b");
  both.message = "";
  CHECK(testing::AssignedTo(Run(engine, both, 2)) == "li");
}

TEST_CASE("Tag names equal but for case, and unknown references, are config errors") {
  const absl::Status status = testing::CreateStatus(absl::StrCat(kConfig, R"pb(
    tag_rules {
      name: "x"
      when { any_tags: "VIP" entries: "nope" }
      add_tags: "vip"
      route_to_group: "ghost"
    })pb"));
  const std::string message(status.message());
  INFO(message);
  CHECK_THAT(message, Catch::Contains("differ only by case"));
  CHECK_THAT(message, Catch::Contains("tag_rules[8].when.entries[0]: unknown entry \"nope\""));
  CHECK_THAT(message, Catch::Contains("tag_rules[8].route_to_group: unknown group \"ghost\""));
}

}  // namespace
}  // namespace allot

namespace allot::internal {
namespace {

const char* const kTags[] = {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"};
// Multibyte and overlapping: "买手" spans "买" and "手机", "机优" spans "手机" and "优惠".
const char* const kWords[] = {"买", "手机", "优惠", "价格", "ab", "b", "买手", "机优"};
const char* const kChannels[] = {"offline", "video", "web"};
const char* const kPlaces[] = {"北京", "上海", ""};
const char* const kEntries[] = {"qr", "live"};

template <typename T, size_t N>
const T& Pick(std::mt19937_64& rng, const T (&from)[N]) {
  return from[rng() % N];
}

// Random rules over a few tags, keywords, channels and places, so that rules overlap and
// fire often; conditions nest through any_of and not. Half the configs take tags away (t6
// and t7 exclusive, some rules removing tags), half never do, which the index relies on.
v1::Config RandomConfig(std::mt19937_64& rng) {
  v1::Config config;
  const bool tags_go = rng() % 2;
  if (tags_go) {
    v1::TagGroup* group = config.add_tag_groups();
    group->set_name("x");
    group->set_exclusive(true);
    group->add_tags("t6");
    group->add_tags("t7");
  }
  auto random_condition = [&](v1::Condition* when, int depth, auto&& self) -> void {
    const int kinds = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < kinds; ++k) {
      switch (rng() % 14) {
        case 0:
          when->add_keywords(Pick(rng, kWords));
          break;
        case 1:
          when->add_any_tags(Pick(rng, kTags));
          break;
        case 2:
          when->add_all_tags(Pick(rng, kTags));
          break;
        case 3:
          when->add_none_tags(Pick(rng, kTags));
          break;
        case 4:
          when->add_channels(Pick(rng, kChannels));
          break;
        case 5:
          when->add_entries(Pick(rng, kEntries));
          break;
        case 6: {
          v1::TimeWindow* w = when->add_local_time();
          // On the half hour mostly, as windows are; now and then not.
          const int step = rng() % 4 ? 30 : 10;
          const int start = static_cast<int>(rng() % (1440 / step)) * step;
          w->set_start(absl::StrFormat("%02d:%02d", start / 60, start % 60));
          const int end = static_cast<int>(rng() % (1440 / step)) * step;
          w->set_end(absl::StrFormat("%02d:%02d", end / 60, end % 60));
          if (rng() % 2) w->add_days(static_cast<v1::Weekday>(v1::MON + rng() % 7));
          break;
        }
        case 7:
          when->add_weekdays(static_cast<v1::Weekday>(v1::MON + rng() % 7));
          break;
        case 8:
          (*when->mutable_attributes())[rng() % 2 ? "k" : "j"] = rng() % 2 ? "1" : "2";
          break;
        case 9:
          when->add_exact_message(Pick(rng, kWords));
          break;
        case 10:
          when->add_cities(Pick(rng, kPlaces));
          break;
        case 11:
          when->add_districts(Pick(rng, kPlaces));
          break;
        case 12:
          if (depth < 2) self(when->add_any_of(), depth + 1, self);
          break;
        default:
          if (depth < 2) self(when->mutable_not_(), depth + 1, self);
          break;
      }
    }
  };
  const int n = 1 + static_cast<int>(rng() % 150);
  for (int r = 0; r < n; ++r) {
    v1::TagRule* rule = config.add_tag_rules();
    if (rng() % 2) rule->set_name(absl::StrCat("rule ", r));
    random_condition(rule->mutable_when(), 0, random_condition);
    for (int t = 0; t < 1 + static_cast<int>(rng() % 2); ++t) rule->add_add_tags(Pick(rng, kTags));
    if (tags_go && rng() % 5 == 0) rule->add_remove_tags(Pick(rng, kTags));
    if (rng() % 7 == 0) rule->set_route_to_group(rng() % 2 ? "g" : "h");
    rule->set_stop(rng() % 40 == 0);
  }
  return config;
}

struct RandomArrival {
  v1::Arrival arrival;
  std::string channel;
  uint32_t entry = 0;
  std::vector<std::string> entry_tags;
  LocalTime local;
};

RandomArrival MakeRandomArrival(std::mt19937_64& rng) {
  RandomArrival a;
  std::string message;
  for (int w = 0; w < static_cast<int>(rng() % 4); ++w) message += Pick(rng, kWords);
  a.arrival.set_message(message);
  a.arrival.set_city(Pick(rng, kPlaces));
  a.arrival.set_district(Pick(rng, kPlaces));
  for (int t = 0; t < static_cast<int>(rng() % 3); ++t) a.arrival.add_tags(Pick(rng, kTags));
  if (rng() % 2) (*a.arrival.mutable_attributes())["k"] = rng() % 2 ? "1" : "2";
  if (rng() % 2) (*a.arrival.mutable_attributes())["j"] = rng() % 2 ? "1" : "2";
  a.channel = Pick(rng, kChannels);
  a.entry = static_cast<uint32_t>(rng() % 2);
  if (rng() % 2) a.entry_tags.push_back(Pick(rng, kTags));
  a.local.weekday = static_cast<int>(rng() % 7);
  a.local.minute = static_cast<int>(rng() % 1440);
  return a;
}

const absl::flat_hash_map<std::string, uint32_t> kEntryIndex{{"qr", 0}, {"live", 1}};
const absl::flat_hash_map<std::string, uint32_t> kGroupIndex{{"g", 0}, {"h", 1}};

// SPEC §5.7 read straight off the config, with strings and substring search: what the
// compiled rules must reproduce, whatever form they are compiled to.
class Reference {
 public:
  struct Result {
    std::vector<std::string> added, removed;
    int64_t route_group = -1;
    std::vector<uint32_t> fired;
  };

  Reference(const v1::Config& config, const RandomArrival& a) : config_(config), a_(a) {}

  Result Evaluate() {
    present_.clear();
    for (const std::string& t : a_.arrival.tags()) present_.insert(t);
    for (const std::string& t : a_.entry_tags) present_.insert(t);
    Result result;
    auto remove = [&](const std::string& t) {
      if (present_.erase(t) == 0) return;
      result.removed.push_back(t);
      result.added.erase(std::remove(result.added.begin(), result.added.end(), t),
                         result.added.end());
    };
    for (int r = 0; r < config_.tag_rules_size(); ++r) {
      const v1::TagRule& rule = config_.tag_rules(r);
      if (!Holds(rule.when())) continue;
      result.fired.push_back(static_cast<uint32_t>(r));
      for (const std::string& t : rule.add_tags()) {
        if (present_.count(t) > 0) continue;
        for (const v1::TagGroup& group : config_.tag_groups()) {
          if (!group.exclusive() || !Has(group.tags(), t)) continue;
          for (const std::string& other : group.tags()) {
            if (other != t) remove(other);
          }
        }
        present_.insert(t);
        result.added.push_back(t);
      }
      for (const std::string& t : rule.remove_tags()) remove(t);
      if (auto g = kGroupIndex.find(rule.route_to_group());
          result.route_group < 0 && g != kGroupIndex.end()) {
        result.route_group = g->second;
      }
      if (rule.stop()) break;
    }
    return result;
  }

 private:
  template <typename List, typename X>
  static bool Has(const List& list, const X& x) {
    return std::find(list.begin(), list.end(), x) != list.end();
  }

  bool Holds(const v1::Condition& c) const {
    const v1::Arrival& x = a_.arrival;
    if (c.entries_size() > 0 && !Has(c.entries(), kEntries[a_.entry])) return false;
    if (c.channels_size() > 0 && !Has(c.channels(), a_.channel)) return false;
    if (c.exact_message_size() > 0 && !Has(c.exact_message(), x.message())) return false;
    if (c.cities_size() > 0 && !Has(c.cities(), x.city())) return false;
    if (c.districts_size() > 0 && !Has(c.districts(), x.district())) return false;
    auto present = [&](const std::string& t) { return present_.count(t) > 0; };
    if (c.any_tags_size() > 0 && std::none_of(c.any_tags().begin(), c.any_tags().end(), present))
      return false;
    if (!std::all_of(c.all_tags().begin(), c.all_tags().end(), present)) return false;
    if (std::any_of(c.none_tags().begin(), c.none_tags().end(), present)) return false;
    if (c.keywords_size() > 0 &&
        std::none_of(c.keywords().begin(), c.keywords().end(), [&](const std::string& k) {
          return x.message().find(k) != std::string::npos;
        })) {
      return false;
    }
    if (c.local_time_size() > 0) {
      bool contained = false;
      for (const v1::TimeWindow& w : c.local_time()) {
        absl::StatusOr<TimeWindow> window = TimeWindow::Compile(w, "w");
        REQUIRE(window.ok());
        contained = contained || window->Contains(a_.local);
      }
      if (!contained) return false;
    }
    if (c.weekdays_size() > 0 && !Has(c.weekdays(), static_cast<int>(v1::MON) + a_.local.weekday))
      return false;
    for (const auto& [key, value] : c.attributes()) {
      auto it = x.attributes().find(key);
      if (it == x.attributes().end() || it->second != value) return false;
    }
    if (c.any_of_size() > 0 && std::none_of(c.any_of().begin(), c.any_of().end(),
                                            [&](const v1::Condition& sub) { return Holds(sub); })) {
      return false;
    }
    if (c.has_not_() && Holds(c.not_())) return false;
    return true;
  }

  const v1::Config& config_;
  const RandomArrival& a_;
  std::set<std::string> present_;
};

void EvaluateRandom(const TagRules& rules, const RandomArrival& a, TagRules::Result& result,
                    bool list_fired = true) {
  std::vector<uint32_t> entry_tags;
  for (const std::string& t : a.entry_tags) entry_tags.push_back(rules.TagId(t));
  rules.Evaluate(a.arrival, a.entry, rules.ChannelId(a.channel), entry_tags, a.local, list_fired,
                 result);
}

std::vector<std::string> Names(const TagRules& rules, absl::Span<const uint32_t> ids) {
  std::vector<std::string> names;
  for (uint32_t id : ids) names.push_back(rules.tag(id));
  return names;
}

// An arrival's tags and channel are looked up by their bytes (NameIndex): every name the
// rules know is found, and no other.
TEST_CASE("Tag and channel ids are found for exactly the names the rules know") {
  std::mt19937_64 rng(31);
  const char* const pieces[] = {"a", "b", "敏", "感", "-"};
  auto random_name = [&] {
    std::string name;
    for (int i = 0, n = static_cast<int>(rng() % 16); i < n; ++i) name += Pick(rng, pieces);
    return name;
  };
  v1::Config config;
  std::set<std::string> tags, channels;
  for (int r = 0; r < 300; ++r) {
    v1::TagRule* rule = config.add_tag_rules();
    const std::string tag = random_name(), channel = random_name();
    if (!tag.empty()) {
      rule->add_add_tags(tag);
      tags.insert(tag);
    }
    rule->mutable_when()->add_channels(channel);
    channels.insert(channel);
  }
  std::vector<std::string> problems;
  const TagRules rules = TagRules::Compile(config, kEntryIndex, kGroupIndex, problems);
  REQUIRE(problems.empty());
  std::set<uint32_t> channel_ids;
  for (const std::string& t : tags) CHECK(rules.tag(rules.TagId(t)) == t);
  for (const std::string& c : channels) channel_ids.insert(rules.ChannelId(c));
  CHECK(channel_ids.size() == channels.size());
  CHECK(channel_ids.count(TagRules::kNone) == 0);
  auto check = [&](const std::string& name) {
    INFO(name);
    CHECK((rules.TagId(name) != TagRules::kNone) == (tags.count(name) > 0));
    CHECK((rules.ChannelId(name) != TagRules::kNone) == (channels.count(name) > 0));
  };
  for (int i = 0; i < 2000; ++i) check(random_name());
  // Near misses of the names themselves are name_index_test's.
}

// Requires `rules`, compiled from `config`, to fire on `arrival` as reading the config
// directly does (Reference), and returns what they gave.
TagRules::Result RequireAsConfigReads(const v1::Config& config, const TagRules& rules,
                                      const RandomArrival& arrival) {
  TagRules::Result got;
  EvaluateRandom(rules, arrival, got);
  const Reference::Result want = Reference(config, arrival).Evaluate();
  REQUIRE(std::vector<uint32_t>(got.fired.begin(), got.fired.end()) == want.fired);
  REQUIRE(Names(rules, got.added) == want.added);
  REQUIRE(Names(rules, got.removed) == want.removed);
  REQUIRE(got.route_group == want.route_group);
  return got;
}

// The compiled rules give what reading the config directly gives: every condition, nesting,
// rule order, tags of earlier rules, exclusive groups, removals, routing and stop.
TEST_CASE("Compiled rules fire as the config reads") {
  std::mt19937_64 rng(29);
  for (int trial = 0; trial < 80; ++trial) {
    const v1::Config config = RandomConfig(rng);
    std::vector<std::string> problems;
    const TagRules rules = TagRules::Compile(config, kEntryIndex, kGroupIndex, problems);
    REQUIRE(problems.empty());
    for (int a = 0; a < 200; ++a) {
      const RandomArrival arrival = MakeRandomArrival(rng);
      INFO("trial " << trial << " arrival " << a);
      const TagRules::Result got = RequireAsConfigReads(config, rules, arrival);
      // Unasked, the fired rules are not listed, and nothing else differs.
      TagRules::Result unlisted;
      EvaluateRandom(rules, arrival, unlisted, /*list_fired=*/false);
      REQUIRE(unlisted.fired.empty());
      REQUIRE(unlisted.added == got.added);
      REQUIRE(unlisted.removed == got.removed);
      REQUIRE(unlisted.route_group == got.route_group);
    }
  }
}

// Thousands of rules: more candidates than the list holds on the stack (sorted by std::sort,
// not the network), and tags added early make rules thousands later candidates, filed into
// their place. Random rules repeated (without stop, which would end most arrivals early).
TEST_CASE("Thousands of rules fire as the config reads") {
  std::mt19937_64 rng(37);
  for (int trial = 0; trial < 4; ++trial) {
    v1::Config config = RandomConfig(rng);
    const int n = config.tag_rules_size();
    for (int r = n; config.tag_rules_size() < 9000; ++r) {
      *config.add_tag_rules() = config.tag_rules(r % n);
    }
    for (v1::TagRule& rule : *config.mutable_tag_rules()) rule.set_stop(false);
    config.mutable_tag_rules(8999)->set_stop(rng() % 2 == 0);
    std::vector<std::string> problems;
    const TagRules rules = TagRules::Compile(config, kEntryIndex, kGroupIndex, problems);
    REQUIRE(problems.empty());
    for (int a = 0; a < 40; ++a) {
      INFO("trial " << trial << " arrival " << a);
      RequireAsConfigReads(config, rules, MakeRandomArrival(rng));
    }
  }
}

// Thousands of tags: the bitsets of tags present and keywords found outgrow the stack and
// go on the heap; chains of rules, each adding the tag the next one needs, fire in order.
TEST_CASE("Rules over thousands of tags fire as the config reads") {
  std::mt19937_64 rng(47);
  v1::Config config;
  constexpr int kTags = 5000;
  for (int i = 0; i < kTags; ++i) {
    v1::TagRule* rule = config.add_tag_rules();
    rule->mutable_when()->add_any_tags(absl::StrCat("t", i));
    rule->add_add_tags(absl::StrCat("t", i + 1 + static_cast<int>(rng() % 3)));
  }
  std::vector<std::string> problems;
  const TagRules rules = TagRules::Compile(config, kEntryIndex, kGroupIndex, problems);
  REQUIRE(problems.empty());
  for (int a = 0; a < 40; ++a) {
    RandomArrival arrival = MakeRandomArrival(rng);
    for (int k = 0; k < 3; ++k) arrival.arrival.add_tags(absl::StrCat("t", rng() % kTags));
    INFO("arrival " << a);
    RequireAsConfigReads(config, rules, arrival);
  }
}

// A message with more distinct keywords than Evaluate lists while matching (it then reads
// the bitset of keywords found): every rule under a keyword found fires, in rule order.
TEST_CASE("Rules fire for every keyword of a message with dozens of them") {
  std::mt19937_64 rng(43);
  for (int trial = 0; trial < 20; ++trial) {
    v1::Config config;
    for (int k = 0; k < 90; ++k) {
      v1::TagRule* rule = config.add_tag_rules();
      rule->mutable_when()->add_keywords(absl::StrCat("词", k % 45, "#"));
      if (rng() % 3 == 0) rule->mutable_when()->add_any_tags(Pick(rng, kTags));
      rule->add_add_tags(absl::StrCat("k", rng() % 60));
      if (rng() % 4 == 0) rule->add_add_tags(Pick(rng, kTags));
    }
    std::vector<std::string> problems;
    const TagRules rules = TagRules::Compile(config, kEntryIndex, kGroupIndex, problems);
    REQUIRE(problems.empty());
    for (int a = 0; a < 20; ++a) {
      RandomArrival arrival = MakeRandomArrival(rng);
      std::string message;
      const int words = static_cast<int>(rng() % 60);
      for (int w = 0; w < words; ++w) absl::StrAppend(&message, "词", rng() % 50, "#，");
      arrival.arrival.set_message(message);
      TagRules::Result got;
      EvaluateRandom(rules, arrival, got);
      const Reference::Result want = Reference(config, arrival).Evaluate();
      INFO("trial " << trial << " message " << message);
      REQUIRE(std::vector<uint32_t>(got.fired.begin(), got.fired.end()) == want.fired);
      REQUIRE(Names(rules, got.added) == want.added);
      REQUIRE(Names(rules, got.removed) == want.removed);
    }
  }
}

// The index must change nothing: over random rules and arrivals, the rules it evaluates give
// exactly what evaluating every rule in order gives.
TEST_CASE("Indexed rules fire exactly as every rule in order would") {
  std::mt19937_64 rng(23);
  for (int trial = 0; trial < 60; ++trial) {
    const v1::Config config = RandomConfig(rng);
    std::vector<std::string> problems;
    const TagRules indexed = TagRules::Compile(config, kEntryIndex, kGroupIndex, problems);
    const TagRules every = TagRules::Compile(config, kEntryIndex, kGroupIndex, problems, false);
    REQUIRE(problems.empty());
    for (int a = 0; a < 200; ++a) {
      const RandomArrival arrival = MakeRandomArrival(rng);
      TagRules::Result x, y;
      EvaluateRandom(indexed, arrival, x);
      EvaluateRandom(every, arrival, y);
      INFO("trial " << trial << " arrival " << a);
      REQUIRE(x.fired == y.fired);
      REQUIRE(x.added == y.added);
      REQUIRE(x.removed == y.removed);
      REQUIRE(x.route_group == y.route_group);
    }
  }
}

}  // namespace
}  // namespace allot::internal
