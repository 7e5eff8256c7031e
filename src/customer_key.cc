#include "customer_key.h"

#include <array>
#include <bit>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#define XXH_INLINE_ALL
#include "xxhash.h"

namespace allot {
namespace {

// NormalizeInto's answers other than a length.
constexpr size_t kNotTypeValue = ~size_t{0};
constexpr size_t kEmptyValue = ~size_t{0} - 1;

absl::Status KeyError(absl::string_view key, size_t why) {
  return absl::InvalidArgumentError(
      why == kEmptyValue
          ? absl::StrCat("key \"", key, "\" has an empty value")
          : absl::StrCat("key \"", key, "\" is not \"type:value\" (e.g. \"unionid:o6_bmj\")"));
}

// Writes the normalized key into `out` (capacity `cap`) and returns its length; or returns
// the length it needs when larger than `cap` (writing nothing), or kNotTypeValue /
// kEmptyValue. On every arrival: no Status, no per-byte bounds check.
size_t NormalizeInto(absl::string_view key, char* out, size_t cap) {
  const size_t colon = key.find(':');
  if (colon == absl::string_view::npos || colon == 0) return kNotTypeValue;
  const absl::string_view type = absl::StripAsciiWhitespace(key.substr(0, colon));
  if (type.empty()) return kNotTypeValue;  // "  :x" has no type either
  const absl::string_view value = absl::StripAsciiWhitespace(key.substr(colon + 1));
  const bool phone = type.size() == 5 && absl::EqualsIgnoreCase(type, "phone");
  if (!phone) {
    if (value.empty()) return kEmptyValue;
    const size_t n = type.size() + 1 + value.size();
    if (n > cap) return n;
    for (size_t i = 0; i < type.size(); ++i) {
      out[i] = absl::ascii_tolower(static_cast<unsigned char>(type[i]));
    }
    out[type.size()] = ':';
    std::memcpy(out + type.size() + 1, value.data(), value.size());
    return n;
  }
  // Digits only; a 13-digit number starting with the country code 86 is a mainland mobile
  // number, written without it.
  size_t digits = 0;
  std::array<char, 2> first{};
  for (char c : value) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) continue;
    if (digits < 2) first[digits] = c;
    ++digits;
  }
  size_t skip = digits == 13 && first[0] == '8' && first[1] == '6' ? 2 : 0;
  if (digits == skip) return kEmptyValue;
  const size_t n = sizeof("phone:") - 1 + digits - skip;
  if (n > cap) return n;
  std::memcpy(out, "phone:", 6);
  size_t at = 6;
  for (char c : value) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) continue;
    if (skip > 0) {
      --skip;
      continue;
    }
    out[at++] = c;
  }
  return n;
}

// Whether `key` is its own normal form, as keys written by machines mostly are ("unionid:…",
// "external_userid:…"): a lower-case type, neither type nor value with surrounding
// whitespace, and not a phone key. Such a key hashes as it is, with no copy (SPEC §7).
static_assert(std::endian::native == std::endian::little, "IsNormal reads words little-endian");
bool IsNormal(absl::string_view key) {
  // One pass over the type, eight bytes at a time: find the colon, and no upper case before
  // it. The masks are exact per byte (no carry crosses a byte), so the first colon found is
  // the first colon.
  constexpr uint64_t kOnes = 0x0101010101010101, kHigh = 0x8080808080808080;
  const char* const p = key.data();
  size_t colon = 0;
  bool found = false;
  for (; colon + 8 <= key.size(); colon += 8) {
    uint64_t w;
    std::memcpy(&w, p + colon, 8);
    const uint64_t low = w & ~kHigh;  // each byte's low seven bits
    // High bit of each ASCII byte that is ':' / in 'A'..'Z'.
    const uint64_t colons = ~((low ^ (kOnes * ':')) + ~kHigh) & ~w & kHigh;
    const uint64_t upper =
        (low + kOnes * (0x80 - 'A')) & ~(low + kOnes * (0x80 - 'Z' - 1)) & ~w & kHigh;
    if (colons != 0) {
      const int at = __builtin_ctzll(colons);  // 8 × byte + 7, little-endian
      if ((upper & ((uint64_t{1} << at) - 1)) != 0) return false;
      colon += static_cast<size_t>(at / 8);
      found = true;
      break;
    }
    if (upper != 0) return false;
  }
  if (!found) {  // the last few bytes, one at a time
    while (colon < key.size() && key[colon] != ':') {
      if (absl::ascii_isupper(static_cast<unsigned char>(key[colon]))) return false;
      ++colon;
    }
  }
  if (colon == key.size() || colon == 0 || colon + 1 == key.size()) return false;
  auto space = [&](size_t i) { return absl::ascii_isspace(static_cast<unsigned char>(key[i])); };
  if (space(0) || space(colon - 1) || space(colon + 1) || space(key.size() - 1)) return false;
  return key.substr(0, colon) != "phone";
}

}  // namespace

uint64_t TenantSeed(absl::string_view tenant) {
  return XXH3_64bits_withSeed(tenant.data(), tenant.size(), 0x616c6c6f74ULL);  // "allot"
}

uint64_t EntryScopeSeed(uint64_t tenant_seed, absl::string_view entry_id) {
  return XXH3_64bits_withSeed(entry_id.data(), entry_id.size(), tenant_seed);
}

absl::StatusOr<std::string> NormalizeKey(absl::string_view key) {
  const size_t n = NormalizeInto(key, nullptr, 0);
  if (n == kNotTypeValue || n == kEmptyValue) return KeyError(key, n);
  std::string out(n, '\0');
  (void)NormalizeInto(key, out.data(), out.size());
  return out;
}

absl::StatusOr<uint64_t> HashKey(absl::string_view key, uint64_t seed) {
  if (IsNormal(key)) return XXH3_64bits_withSeed(key.data(), key.size(), seed);
  std::array<char, 128> buffer;
  const size_t n = NormalizeInto(key, buffer.data(), buffer.size());
  if (n == kNotTypeValue || n == kEmptyValue) return KeyError(key, n);
  if (n <= buffer.size()) return XXH3_64bits_withSeed(buffer.data(), n, seed);
  absl::StatusOr<std::string> long_key = NormalizeKey(key);
  return XXH3_64bits_withSeed(long_key->data(), long_key->size(), seed);
}

}  // namespace allot
