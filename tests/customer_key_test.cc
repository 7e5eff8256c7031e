#include "customer_key.h"

#include <catch2/catch.hpp>

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

}  // namespace
}  // namespace allot
