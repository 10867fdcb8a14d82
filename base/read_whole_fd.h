// Reading a whole file (a sealed memfd in practice) from offset 0, whatever its file offset:
// the launch request and the seccomp filter are handed over this way, and more than one
// process may read the same open file description.
#pragma once

#include <cstddef>
#include <string>

#include "base/status.h"

namespace ncp::base {

// `what` names the file in errors ("the launch request"). Only a regular file (a memfd is
// one) of at most `max_bytes` is read: anything else (a FIFO that would block forever, a
// directory, a huge sparse file whose size we would allocate) is kInvalidArgument before a
// byte is read or allocated. A file that shrinks while it is read is kInvalidArgument too.
StatusOr<std::string> ReadWholeFd(int fd, const std::string& what, size_t max_bytes);

}  // namespace ncp::base
