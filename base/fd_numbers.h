// Where the project's own fds sit in a process's fd table.
#pragma once

#include "base/status.h"
#include "base/unique_fd.h"

namespace ncp::base {

// `fd` at `floor` or above: as it is when it is there already, else a close-on-exec copy there
// (the original closed). An error when no number at or above `floor` is free.
StatusOr<UniqueFd> MoveAbove(UniqueFd fd, int floor);

// An fd the library keeps in an application for longer than a call, moved off 0-2. The kernel
// gives the lowest free number, so in a process that closed its stdin, stdout or stderr a
// library fd would take that number, and the process's own next open (or a dup2 onto it,
// which the library's fd would not survive) would not get what it expects. Best effort: left
// where it is when no higher number is free.
UniqueFd KeepOffStandardFds(UniqueFd fd);

}  // namespace ncp::base
