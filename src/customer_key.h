// Customer identity keys (SPEC §5.5): "type:value" strings normalized and hashed with
// XXH3-64 under a per-tenant seed. Only hashes are ever stored.
#ifndef ALLOT_SRC_CUSTOMER_KEY_H_
#define ALLOT_SRC_CUSTOMER_KEY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace allot {

// The seed every key of `tenant` is hashed with.
uint64_t TenantSeed(absl::string_view tenant);

// Seed of a memory scope: the tenant seed for TENANT scope, mixed with the entry id for
// ENTRY scope, so that an entry-scoped memory never matches another entry's customers.
uint64_t EntryScopeSeed(uint64_t tenant_seed, absl::string_view entry_id);

// "Phone: +86 138-0013-8000" → "phone:13800138000". Fails (naming no path; the caller
// adds it) when the key has no "type:" prefix or no value.
absl::StatusOr<std::string> NormalizeKey(absl::string_view key);

// Normalizes and hashes `key` without allocating for keys under 128 bytes.
absl::StatusOr<uint64_t> HashKey(absl::string_view key, uint64_t seed);

}  // namespace allot

#endif  // ALLOT_SRC_CUSTOMER_KEY_H_
