// The launch-request decoder (lib/core/protocol/wire.cc): what `ncp-launch --request-fd` and the
// child runtime decode. Read both ways they are read, from bytes and through a memfd (ReadRequest),
// and a request that decodes must encode back to exactly the same bytes (one encoding per
// request, so nothing in the bytes is silently ignored).
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/unique_fd.h"
#include "core/protocol/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  ncp::base::StatusOr<ncp::core::WireRequest> decoded = ncp::core::DecodeRequest(bytes);
  if (decoded.ok() && ncp::core::EncodeRequest(*decoded) != bytes) std::abort();

  ncp::base::UniqueFd memfd(::memfd_create("fuzz-request", MFD_CLOEXEC));
  if (!memfd || ::write(memfd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(size)) {
    std::abort();
  }
  ncp::base::StatusOr<ncp::core::WireRequest> read = ncp::core::ReadRequest(memfd.get());
  if (read.ok() != decoded.ok()) std::abort();
  if (read.ok() && ncp::core::EncodeRequest(*read) != bytes) std::abort();
  return 0;
}
