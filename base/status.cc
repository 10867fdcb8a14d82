#include "base/status.h"

#include <cstring>

namespace ncp::base {

std::string Status::ToString() const {
  if (errno_ == 0) return message_;
  return message_ + ": " + std::strerror(errno_);
}

Status ErrnoError(std::string message, int err) {
  return Status(Code::kInternal, std::move(message), err);
}

Status Error(Code code, std::string message) { return Status(code, std::move(message)); }

}  // namespace ncp::base
