// Internal: SHA-256 (FIPS 180-4), for cache keys; the cache key must not collide by accident,
// and a cryptographic hash makes that a non-question. Computed by nettle (sha256.cc).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ncp::policy::internal {

std::array<uint8_t, 32> Sha256(std::string_view data);

}  // namespace ncp::policy::internal
