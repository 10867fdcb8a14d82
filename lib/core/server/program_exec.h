// The fork server's child of a program start: it becomes the program the ProgramRequest names
// (or ncp-launch with the program after "--", for an isolated start).
#pragma once

#include <cstdint>
#include <vector>

#include "base/unique_fd.h"

namespace ncp::core {

// What the child writes on the exec report pipe when it cannot become the program; nothing
// (the pipe closes on exec) when it did.
struct ProgramFailureReport {
  uint32_t stage;  // ProgramStage
  int32_t err;     // errno
};

// `fds[0]` is the request memfd, `fds[1..]` the fds to place at the request's child_fds.
// `report_fd` is the close-on-exec write end of the exec report pipe. Never returns: execs, or
// reports the failure and _exits with 127.
[[noreturn]] void ExecProgramInChild(std::vector<base::UniqueFd>& fds, int report_fd);

}  // namespace ncp::core
