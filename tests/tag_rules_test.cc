// SPEC §5.7: tag rules — every condition, rule order, exclusive groups, stop, routing, and
// the config errors.
#include "tag_rules.h"

#include <catch2/catch.hpp>

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
