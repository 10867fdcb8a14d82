#include "core/app/caller_snapshot.h"

#include <errno.h>
#include <unistd.h>

#include <optional>
#include <string_view>

#include "base/own_status_file.h"
#include "base/process_generation.h"
#include "base/process_umask.h"

namespace ncp::core {

base::Status CaptureCaller(CallerSnapshot* out) {
  char buffer[base::kOwnStatusBufferBytes];
  const std::optional<std::string_view> status = base::ReadOwnStatus(buffer);
  out->umask = base::UmaskFromOwnStatus(status);
  // Only where no copy of the process can take the file for its own (process_generation.h).
  if (status && gettid() == getpid() && base::CopiesAreToldApart() &&
      CredentialsInStatus(*status, &out->credentials)) {
    return base::Status::Ok();
  }
  if (!CaptureThreadCredentials(&out->credentials)) {
    const int err = errno;
    return base::ErrnoError("read the caller's credentials", err);
  }
  return base::Status::Ok();
}

}  // namespace ncp::core
