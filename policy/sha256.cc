#include "policy/sha256.h"

#include <nettle/sha2.h>

namespace ncp::policy::internal {

std::array<uint8_t, 32> Sha256(std::string_view data) {
  static_assert(SHA256_DIGEST_SIZE == 32);
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
  std::array<uint8_t, 32> out;
  sha256_digest(&ctx, out.size(), out.data());
  return out;
}

}  // namespace ncp::policy::internal
