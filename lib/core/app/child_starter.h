// Starts a child for a validated request: reserves a slot, writes the launch request, spawns
// the child runtime and hands the child to the registry.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "core/app/child_request.h"
#include "core/app/exit_record.h"

namespace ncp::core {

// The name a child gets: "parent:custom", or "parent:Native_<libstem><N>" where N counts this
// process's Start/Create requests from 0.
std::string ChildProcessName(const std::string& custom, const std::string& library);

// Shared with program starts (program_starter.cc):
// The caller's working directory ("" when it cannot be read) at the call.
std::string CurrentDirectory();
// ncp-launch's path, `first_option` when not empty, "--profile=P" (the request's profile, else
// $NCP_PROFILE, else "default") and "--isolation-uid" when the request asks for it;
// kUnavailable when the launcher is missing or isolationUid cannot be had without setuid.
base::StatusOr<std::vector<std::string>> LauncherCommandPrefix(const ChildRequest& request,
                                                               const std::string& first_option);

// kFailedPrecondition inside a child, kResourceExhausted at the limit, kUnavailable when
// ncp-launch is missing or isolationUid cannot be had without setuid (isolated starts), and
// kUnavailable / kInternal when the system refuses. An isolated start's fork-server child
// execs ncp-launch in request mode; the pid returned is the launcher's.
base::StatusOr<pid_t> StartChild(const ChildRequest& request,
                                 std::function<void(const ExitRecord&)> on_exit = {});

}  // namespace ncp::core
