#include "customer_key.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

namespace allot {
namespace {

TEST_CASE("Keys are normalized: type lower-cased, phone digits only, +86 dropped") {
  CHECK(*NormalizeKey("Phone:138 0013 8000") == "phone:13800138000");
  CHECK(*NormalizeKey("phone:+86 138-0013-8000") == "phone:13800138000");
  CHECK(*NormalizeKey("phone:8613800138000") == "phone:13800138000");
  // Only 13-digit numbers lose a leading 86: an 11-digit number starting 86 is kept.
  CHECK(*NormalizeKey("phone:86123456789") == "phone:86123456789");
  CHECK(*NormalizeKey("UnionID:o6_BMJ") == "unionid:o6_BMJ");  // values keep their case
}

TEST_CASE("Malformed keys are errors") {
  CHECK_FALSE(NormalizeKey("13800138000").ok());
  CHECK_FALSE(NormalizeKey(":abc").ok());
  CHECK_FALSE(NormalizeKey("  :abc").ok());  // a blank type is no type
  CHECK_FALSE(NormalizeKey("unionid:").ok());
  CHECK_FALSE(NormalizeKey("phone:--").ok());
}

TEST_CASE("Hashes agree for equal normalized keys and differ by tenant and scope") {
  const uint64_t acme = TenantSeed("acme");
  CHECK(*HashKey("phone:138 0013 8000", acme) == *HashKey("PHONE:+8613800138000", acme));
  CHECK(*HashKey("phone:13800138000", acme) != *HashKey("phone:13800138000", TenantSeed("other")));
  CHECK(*HashKey("phone:13800138000", acme) !=
        *HashKey("phone:13800138000", EntryScopeSeed(acme, "store-qr")));
  CHECK(*HashKey("unionid:a", acme) != *HashKey("external_userid:a", acme));
}

TEST_CASE("Long keys hash like their normalized form") {
  const std::string value(300, 'x');
  const uint64_t seed = TenantSeed("t");
  CHECK(*HashKey("UNIONID:" + value, seed) == *HashKey("unionid:" + value, seed));
}

// A key hashes like its normal form, whichever way it is written (HashKey takes keys already
// normal as they are, and normalizes the rest), and fails exactly when it has no normal form.
TEST_CASE("Random keys hash like their normal form, and fail where normalizing fails") {
  std::mt19937_64 rng(5);
  const std::vector<std::string> types = {"unionid", "UnionID", "phone", "Phone", "PHONE", "openid",
                                          "a", "phon", "phones", "ext_ID", "", " ", "x y", "手机",
                                          // Read eight bytes at a time: upper case and the
                                          // colon in either word, and bytes of 0x80 and up
                                          // whose low seven bits are ':' or 'A'..'Z'.
                                          "external_userid", "External_userid", "external_useriD",
                                          "external_useri", "ab_ºcd_X", "ŁÉÅ_type_long",
                                          "a_long_type_Name"};
  const std::vector<std::string> values = {
      "o6_bmj", "O6_BMJ", "138 0013 8000", "+8613800138000", "--", "", " ", "a:b", "8", "值",
      "12\t34", "0"};
  const std::vector<std::string> pads = {"", "", "", " ", "\t", "  "};
  auto pick = [&](const std::vector<std::string>& from) { return from[rng() % from.size()]; };
  const uint64_t seed = TenantSeed("t");
  for (int i = 0; i < 20000; ++i) {
    const std::string key = pick(pads) + pick(types) + pick(pads) + (rng() % 8 == 0 ? "" : ":") +
                            pick(pads) + pick(values) + pick(pads);
    INFO("key \"" << key << "\"");
    const absl::StatusOr<std::string> normal = NormalizeKey(key);
    const absl::StatusOr<uint64_t> hash = HashKey(key, seed);
    REQUIRE(hash.ok() == normal.ok());
    if (!normal.ok()) continue;
    REQUIRE(*NormalizeKey(*normal) == *normal);
    REQUIRE(*hash == *HashKey(*normal, seed));
  }
}

}  // namespace
}  // namespace allot
