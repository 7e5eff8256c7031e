// SPEC §5.7: tag rules — every condition, rule order, exclusive groups, stop, routing, and
// the config errors.
#include "tag_rules.h"

#include <catch2/catch.hpp>
#include <random>

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

// The index must change nothing: over random rules and arrivals, the rules it evaluates give
// exactly what evaluating every rule in order gives.
TEST_CASE("Indexed rules fire exactly as every rule in order would") {
  std::mt19937_64 rng(23);
  const char* tags[] = {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"};
  const char* words[] = {"买", "手机", "优惠", "价格", "ab", "b"};
  const char* channels[] = {"offline", "video", "web"};
  for (int trial = 0; trial < 60; ++trial) {
    v1::Config config;
    absl::flat_hash_map<std::string, uint32_t> entry_index{{"qr", 0}, {"live", 1}};
    absl::flat_hash_map<std::string, uint32_t> group_index{{"g", 0}, {"h", 1}};
    v1::TagGroup* group = config.add_tag_groups();
    group->set_name("x");
    group->set_exclusive(true);
    group->add_tags("t6");
    group->add_tags("t7");
    auto random_condition = [&](v1::Condition* when, int depth, auto&& self) -> void {
      const int kinds = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < kinds; ++k) {
        switch (rng() % 11) {
          case 0:
            when->add_keywords(words[rng() % 6]);
            break;
          case 1:
            when->add_any_tags(tags[rng() % 8]);
            break;
          case 2:
            when->add_all_tags(tags[rng() % 8]);
            break;
          case 3:
            when->add_none_tags(tags[rng() % 8]);
            break;
          case 4:
            when->add_channels(channels[rng() % 3]);
            break;
          case 5:
            when->add_entries(rng() % 2 ? "qr" : "live");
            break;
          case 6: {
            v1::TimeWindow* w = when->add_local_time();
            const int start = static_cast<int>(rng() % 48) * 30;
            w->set_start(absl::StrFormat("%02d:%02d", start / 60, start % 60));
            const int end = static_cast<int>(rng() % 48) * 30;
            w->set_end(absl::StrFormat("%02d:%02d", end / 60, end % 60));
            if (rng() % 2) w->add_days(static_cast<v1::Weekday>(v1::MON + rng() % 7));
            break;
          }
          case 7:
            when->add_weekdays(static_cast<v1::Weekday>(v1::MON + rng() % 7));
            break;
          case 8:
            (*when->mutable_attributes())["k"] = rng() % 2 ? "1" : "2";
            break;
          case 9:
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
      random_condition(rule->mutable_when(), 0, random_condition);
      rule->add_add_tags(tags[rng() % 8]);
      if (rng() % 5 == 0) rule->add_remove_tags(tags[rng() % 8]);
      if (rng() % 7 == 0) rule->set_route_to_group(rng() % 2 ? "g" : "h");
      rule->set_stop(rng() % 40 == 0);
    }
    std::vector<std::string> problems;
    const TagRules indexed = TagRules::Compile(config, entry_index, group_index, problems);
    const TagRules every = TagRules::Compile(config, entry_index, group_index, problems, false);
    REQUIRE(problems.empty());
    for (int a = 0; a < 200; ++a) {
      v1::Arrival arrival;
      std::string message;
      for (int w = 0; w < static_cast<int>(rng() % 4); ++w) message += words[rng() % 6];
      arrival.set_message(message);
      for (int t = 0; t < static_cast<int>(rng() % 3); ++t) arrival.add_tags(tags[rng() % 8]);
      if (rng() % 2) (*arrival.mutable_attributes())["k"] = rng() % 2 ? "1" : "2";
      const std::string channel = channels[rng() % 3];
      const uint32_t entry = static_cast<uint32_t>(rng() % 2);
      const std::vector<std::string> entry_tags = {tags[rng() % 8]};
      LocalTime local;
      local.weekday = static_cast<int>(rng() % 7);
      local.minute = static_cast<int>(rng() % 1440);
      TagRules::Result x, y;
      indexed.Evaluate(arrival, entry, channel, entry_tags, local, x);
      every.Evaluate(arrival, entry, channel, entry_tags, local, y);
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
