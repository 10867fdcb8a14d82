// Handing bytes to another process in a memfd (the launch request, a seccomp program): the writer
// never blocks on a reader that has not started yet, there is no SIGPIPE to provoke, and a
// megabyte costs one write.
#pragma once

#include <string_view>

#include "base/status.h"
#include "base/unique_fd.h"

namespace ncp::base {

enum class MemfdSeal {
  kNone,    // the holder may still change it
  kSealed,  // sealed against writes, growing and shrinking: a reader can trust what it reads
};

// A close-on-exec memfd named `name` holding `bytes`, its offset at the end (readers use
// pread or base/read_whole_fd.h).
StatusOr<UniqueFd> MemfdWithContents(const char* name, std::string_view bytes, MemfdSeal seal);

}  // namespace ncp::base
