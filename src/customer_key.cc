#include "customer_key.h"

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#define XXH_INLINE_ALL
#include "xxhash.h"

namespace allot {
namespace {

// Writes the normalized key into `out` (capacity `cap`); returns its length, or the length
// it needs when larger than `cap`, or an error.
absl::StatusOr<size_t> NormalizeInto(absl::string_view key, char* out, size_t cap) {
  const size_t colon = key.find(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("key \"", key, "\" is not \"type:value\" (e.g. \"unionid:o6_bmj\")"));
  }
  const absl::string_view type = absl::StripAsciiWhitespace(key.substr(0, colon));
  const absl::string_view value = absl::StripAsciiWhitespace(key.substr(colon + 1));
  size_t n = 0;
  auto put = [&](char c) {
    if (n < cap) out[n] = c;
    ++n;
  };
  for (char c : type) put(absl::ascii_tolower(static_cast<unsigned char>(c)));
  put(':');
  const size_t value_start = n;
  if (type.size() == 5 && absl::EqualsIgnoreCase(type, "phone")) {
    size_t digits = 0;
    for (char c : value) digits += absl::ascii_isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
    // A 13-digit number starting with the country code 86 is a mainland mobile number.
    size_t skip = 0;
    if (digits == 13) {
      std::array<char, 2> first{};
      size_t seen = 0;
      for (char c : value) {
        if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) continue;
        if (seen < 2) first[seen] = c;
        ++seen;
      }
      if (first[0] == '8' && first[1] == '6') skip = 2;
    }
    for (char c : value) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) continue;
      if (skip > 0) {
        --skip;
        continue;
      }
      put(c);
    }
  } else {
    for (char c : value) put(c);
  }
  if (n == value_start) {
    return absl::InvalidArgumentError(absl::StrCat("key \"", key, "\" has an empty value"));
  }
  return n;
}

}  // namespace

uint64_t TenantSeed(absl::string_view tenant) {
  return XXH3_64bits_withSeed(tenant.data(), tenant.size(), 0x616c6c6f74ULL);  // "allot"
}

uint64_t EntryScopeSeed(uint64_t tenant_seed, absl::string_view entry_id) {
  return XXH3_64bits_withSeed(entry_id.data(), entry_id.size(), tenant_seed);
}

absl::StatusOr<std::string> NormalizeKey(absl::string_view key) {
  absl::StatusOr<size_t> n = NormalizeInto(key, nullptr, 0);
  if (!n.ok()) return n.status();
  std::string out(*n, '\0');
  (void)NormalizeInto(key, out.data(), out.size());
  return out;
}

absl::StatusOr<uint64_t> HashKey(absl::string_view key, uint64_t seed) {
  std::array<char, 128> buffer;
  absl::StatusOr<size_t> n = NormalizeInto(key, buffer.data(), buffer.size());
  if (!n.ok()) return n.status();
  if (*n <= buffer.size()) return XXH3_64bits_withSeed(buffer.data(), *n, seed);
  absl::StatusOr<std::string> long_key = NormalizeKey(key);
  return XXH3_64bits_withSeed(long_key->data(), long_key->size(), seed);
}

}  // namespace allot
