// Reading a whole file (a sealed memfd in practice) from offset 0, whatever its file offset:
// the launch request and the seccomp filter are handed over this way, and more than one
// process may read the same open file description.
#pragma once

#include <string>

#include "base/status.h"

namespace ncp::base {

// `what` names the file in errors ("the launch request"). A file that shrinks while it is
// read is kInvalidArgument.
StatusOr<std::string> ReadWholeFd(int fd, const std::string& what);

}  // namespace ncp::base
