// The LIB.so:ENTRY form and request mode, on the host side: resolve the library, bind what
// the runtime needs, write the launch request into a sealed memfd, and arrange the fds:
//   3      the request (core::kRequestFd)
//   4..    the named fds, in name order (core::kFirstNamedFd)
//   N      the IPC socket, kIpc only, at the number the request names
//   after  the compiled seccomp filter (a memfd), read and closed before the library loads
//   after  --report-entry: the entry report pipe's write end (the runtime closes it)
// Inside, ncp-entry (bound read-only at its own path) runs the child runtime (entry_mode.h), so
// /proc/self/exe leads to a read-only mount, never to a writable host binary (CVE-2019-5736).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "core/protocol/wire.h"
#include "launcher/launch_spec.h"
#include "policy/plan.h"

namespace ncp::launcher {

// "LIB.so:ENTRY [--params STRING]" as split from the command line.
struct EntryCommand {
  std::string library;
  std::string symbol;
  std::string params;
};

// True when `command` looks like the entry form (its first word is LIB:ENTRY, not a program).
bool IsEntryCommand(const std::vector<std::string>& command);
base::StatusOr<EntryCommand> ParseEntryCommand(const std::vector<std::string>& command);

// Request mode's extra channels (control_channel.h): --report-entry and --warm.
struct EntryChannels {
  bool report_entry = false;  // an entry-report pipe into the sandbox
  bool warm = false;          // a forwarding socket; the request itself is not placed
};

// A start that is ready to Launch. The fds must stay open until the launch is over.
struct PreparedEntry {
  policy::Plan plan;  // the caller's plan plus the binds of the library and the runtime
  LaunchSpec spec;
  base::UniqueFd request_memfd;
  base::UniqueFd filter_memfd;
  // The request as it came, before the library was resolved (a warm request must match it).
  std::string requested_library;
  std::string resolved_library;  // the file loaded, on the host
  // Warm only: the caller's environment the library was looked up with, so that a warm
  // sandbox can look it up again when its request comes (a link re-pointed, a new file earlier
  // in NCP_LIBRARY_PATH).
  std::vector<std::string> library_search_environment;
  core::ChildKind kind = core::ChildKind::kArgs;
  // EntryChannels: each pipe's / socketpair's host end and the end placed in the sandbox.
  base::UniqueFd entry_report_read;
  base::UniqueFd entry_report_write;
  base::UniqueFd forward_host_end;
  base::UniqueFd forward_child_end;
};

// `request.environment` is the caller's environment: `request.library` is resolved with its
// search variables (NCP_LIBRARY_PATH, LD_LIBRARY_PATH) before the plan's env rules (clearenv
// in the shipped profiles) turn it into the sandbox's environment. `passed_fds` are
// the named fds (and the IPC fd) as {fd in this process, number in the sandbox}.
// In warm mode (`channels.warm`) the fixed numbers of warm_request.h are used instead: the
// forwarding socket, the filter and the entry report above every number a request can use.
// `original_request_fd`: request mode's own request, handed into the sandbox as it came (the
// runtime there takes the library path, environment and directory from ncp-launch, not from
// the request); -1 (the LIB.so:ENTRY form): `request` is encoded into a sealed memfd.
base::StatusOr<PreparedEntry> PrepareEntry(policy::Plan plan, core::WireRequest request,
                                           const std::vector<FdPlacement>& passed_fds, bool verbose,
                                           const EntryChannels& channels = {},
                                           int original_request_fd = -1);

}  // namespace ncp::launcher
