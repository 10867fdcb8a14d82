// The three ways ncp-launch is asked to start something, each turned into a LaunchSpec:
//   ncp-launch [OPTIONS] -- PROGRAM [ARGS...]          (program form)
//   ncp-launch [OPTIONS] LIB.so:ENTRY [--params S]      (entry form)
//   ncp-launch --request-fd=N [--profile P]... [--isolation-uid]   (request mode, the library's)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "launcher/entry_form.h"
#include "launcher/launch_spec.h"
#include "policy/option_table.h"
#include "policy/plan.h"

namespace ncp::launcher {

// The program form's rule for seccomp: when the profiles and options configure a filter at
// all, the exec set (execve, execveat, arch_prctl: what exec and the dynamic loader need) is
// allowed *before* them, so `--profile default -- /bin/true` runs, while a profile that resets
// the rules (strict) or refuses execve later still wins. Prepends to `events`.
void AllowExecForPrograms(std::vector<policy::OptionEvent>* events);

// The program form: the plan's environment from ours, --fd fds at their own numbers.
LaunchSpec ProgramSpec(const policy::Plan& plan, const std::vector<std::string>& command,
                       bool verbose);

// The entry form from the command line: --fd fds at 4.. in name order.
base::StatusOr<PreparedEntry> CommandLineEntry(policy::Plan plan,
                                               const std::vector<std::string>& command,
                                               bool verbose);

// Request mode: `request`, decoded from `request_fd` (which the sandbox gets as it is: the
// runtime reads it there), its named fds already at 4.. in name order, a kIpc request's
// socket at its ipc_fd. The environment is the plan's env rules applied to the request's.
// Warm (`channels.warm`): the request is a template without fds (warm_request.h).
base::StatusOr<PreparedEntry> RequestEntry(policy::Plan plan, core::WireRequest request,
                                           int request_fd, bool verbose,
                                           const EntryChannels& channels = {});

// Request mode: the caller's environment, working directory (or "/" when it is gone) and umask,
// from its request, become this process's.
void AdoptCallerContext(const core::WireRequest& request);

}  // namespace ncp::launcher
