// SPEC §5.1 step 5 and §5.8: time slots, regions by city (with protection and weight
// factors), the nearest store within its radius, district owners, previous owners — and
// their precedence.
#include <catch2/catch.hpp>
#include <map>

#include "absl/strings/str_replace.h"
#include "test_support.h"

namespace allot {
namespace {

using testing::AssignedTo;
using testing::MustStep;
using testing::T;

constexpr char kConfig[] = R"pb(
  employees { id: "w1" }
  employees { id: "w2" }
  employees { id: "s1" }
  employees {
    id: "n1"
    caps { daily: 1 }
  }
  employees { id: "li" }
  employees { id: "zhang" }
  groups {
    id: "sales"
    strategy: SEQUENTIAL
    members { employee: "w1" }
    members { employee: "w2" }
    backups: "standby"
  }
  groups {
    id: "standby"
    members { employee: "s1" }
  }
  groups {
    id: "north-team"
    members { employee: "n1" }
    region: "north"
    backups: "sales"
  }
  entries {
    id: "qr"
    group: "sales"
    slots {
      days: [ SAT, SUN ]
      start: "19:00"
      end: "23:00"
      group: "standby"
    }
  }
  regions {
    id: "north"
    cities: [ "北京", "天津" ]
    group: "north-team"
    protect: true
  }
  stores {
    id: "jingan"
    geo { lat: 31.2286 lng: 121.4452 }
    radius_m: 5000
    group: "standby"
  }
  districts { id: "xujiahui" employee: "li" }
  dedup { prefer_previous_owner: true }
)pb";

struct Where {
  std::string city, district;
  bool geo = false;
  double lat = 0, lng = 0;
};

Decision Arrive(const Engine& engine, State& state, const char* at, const std::string& key,
                const Where& where) {
  v1::Event e = testing::Arrival(T(at), "qr", key, {key}, /*explain=*/true);
  e.mutable_arrival()->set_city(where.city);
  e.mutable_arrival()->set_district(where.district);
  if (where.geo) {
    e.mutable_arrival()->mutable_geo()->set_lat(where.lat);
    e.mutable_arrival()->mutable_geo()->set_lng(where.lng);
  }
  return MustStep(engine, e, state);
}

// A Tuesday and a Saturday evening.
constexpr char kWeekday[] = "2026-11-24T20:00:00+08:00";
constexpr char kSaturday[] = "2026-11-28T20:00:00+08:00";

TEST_CASE("Each routing source, and the precedence among them") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  const Where none{}, near_store{"", "", true, 31.23, 121.45}, far{"", "", true, 31.0, 120.0};
  struct Case {
    const char* at;
    Where where;
    const char* employee;
    v1::Explanation::RouteSource source;
  };
  const Case cases[] = {
      {kWeekday, none, "w1", v1::Explanation::ENTRY_DEFAULT},
      {kSaturday, none, "s1", v1::Explanation::SLOT},
      {kWeekday, {"北京"}, "n1", v1::Explanation::REGION},
      {kWeekday, near_store, "s1", v1::Explanation::STORE},
      {kWeekday, far, "w1", v1::Explanation::ENTRY_DEFAULT},
      // A store beats the region of the city; a region beats the slot; a district beats all.
      {kSaturday, {"天津", "", true, 31.23, 121.45}, "s1", v1::Explanation::STORE},
      {kSaturday, {"上海"}, "s1", v1::Explanation::SLOT},
      {kSaturday, {"北京", "xujiahui", true, 31.23, 121.45}, "li", v1::Explanation::DISTRICT},
  };
  int n = 0;
  for (const Case& c : cases) {
    state = State();  // each case on its own
    const Decision d = Arrive(engine, state, c.at, absl::StrCat("phone:", ++n), c.where);
    INFO("case " << n);
    CHECK(AssignedTo(d) == c.employee);
    CHECK(d.explanation->route_source() == c.source);
  }
}

TEST_CASE("Region protection never leaks, even when the region is full") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  CHECK(AssignedTo(Arrive(engine, state, kWeekday, "phone:1", {"北京"})) == "n1");
  // n1 is full (daily 1); north-team backs up to sales, but protection keeps the customer in.
  const Decision full = Arrive(engine, state, kWeekday, "phone:2", {"北京"});
  CHECK(full.assignments.empty());
  REQUIRE(full.rejections.size() == 1);
  CHECK(full.rejections[0].reason == v1::Rejection::NO_CAPACITY);
  // Without protection the same customer spills to the backup.
  const Engine open = testing::MakeEngine(absl::StrReplaceAll(kConfig, {{"protect: true", ""}}));
  State state2;
  Arrive(open, state2, kWeekday, "phone:1", {"北京"});
  CHECK(AssignedTo(Arrive(open, state2, kWeekday, "phone:2", {"北京"})) == "w1");
}

TEST_CASE("A district's owner gets its customers if eligible, else the cascade takes them") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  CHECK(AssignedTo(Arrive(engine, state, kWeekday, "phone:1", {"", "xujiahui"})) == "li");
  v1::Event pause =
      testing::StatusEvent(T(kWeekday) + absl::Minutes(1), "li", v1::EmployeeStatus::PAUSED);
  MustStep(engine, pause, state);
  CHECK(AssignedTo(Arrive(engine, state, "2026-11-24T20:02:00+08:00", "phone:2",
                          {"", "xujiahui"})) == "w1");
  // A new config with another owner sends new arrivals to them; earlier customers stay li's.
  const Engine moved = testing::MakeEngine(
      absl::StrReplaceAll(kConfig, {{R"(employee: "li" })", R"(employee: "zhang" })"}}));
  CHECK(AssignedTo(Arrive(moved, state, "2026-11-24T20:03:00+08:00", "phone:3",
                          {"", "xujiahui"})) == "zhang");
  const Decision repeat =
      Arrive(moved, state, "2026-11-24T20:04:00+08:00", "phone:1", {"", "xujiahui"});
  CHECK(repeat.assignments[0].reason == v1::Assignment::OWNER);
  CHECK(AssignedTo(repeat) == "li");
}

TEST_CASE("prefer_previous_owner offers a lost customer back to the previous owner") {
  const Engine engine = testing::MakeEngine(kConfig);
  State state;
  CHECK(AssignedTo(Arrive(engine, state, kWeekday, "phone:1", {"", "", true, 31.23, 121.45})) ==
        "s1");
  v1::Event lost;
  testing::SetTime(lost, T(kWeekday) + absl::Minutes(1));
  lost.mutable_lost()->mutable_customer()->add_keys("phone:1");
  lost.mutable_lost()->set_employee("s1");
  MustStep(engine, lost, state);
  // Without a store now, the route would be sales (w1); the previous owner comes first.
  const Decision back = Arrive(engine, state, "2026-11-24T20:05:00+08:00", "phone:1", {});
  CHECK(back.returning);
  CHECK(AssignedTo(back) == "s1");
  CHECK(back.assignments[0].reason == v1::Assignment::RETURNING);
  CHECK(back.explanation->route_source() == v1::Explanation::PREVIOUS_OWNER);
}

TEST_CASE("A region's weight factor scales its members' weights") {
  const Engine engine = testing::MakeEngine(R"pb(
    employees { id: "old" }
    employees { id: "new" regions: "fresh" }
    groups {
      id: "g"
      strategy: WEIGHTED
      members { employee: "old" }
      members { employee: "new" }
    }
    entries { id: "qr" group: "g" }
    regions { id: "fresh" cities: "成都" weight_factor: 0.5 }
  )pb");
  State state;
  std::map<std::string, int> count;
  for (int i = 0; i < 300; ++i) {
    ++count[AssignedTo(MustStep(
        engine,
        testing::Arrival(T(kWeekday) + absl::Seconds(i), "qr", "c", {absl::StrCat("phone:", i)}),
        state))];
  }
  CHECK(count["old"] == 200);
  CHECK(count["new"] == 100);
}

}  // namespace
}  // namespace allot
