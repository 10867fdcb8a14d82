// Warm mode (`ncp-launch --request-fd=3 --control-fd=N --warm`): the sandbox is built from a
// template request, then the one real request arrives on the control socket (a
// core::WarmRequestHeader with SCM_RIGHTS [request memfd, named fds..., IPC socket]). The host
// side checks it and forwards the fds over a socketpair into the waiting entry-mode process,
// which puts them where a cold start would have: the request at 3, the named fds at 4.. in name
// order, the IPC socket at the request's number.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "core/protocol/launch_report.h"
#include "core/protocol/wire.h"

namespace ncp::launcher {

// Fixed numbers in a warm sandbox, above every number a request can use (3..20): the entry's
// end of the forwarding socket, the seccomp filter, the entry report pipe and a supervised
// filter's socket (launcher/seccomp_supervisor.h).
inline constexpr int kWarmForwardFd = core::kHighestRequestFd + 1;
inline constexpr int kWarmFilterFd = core::kHighestRequestFd + 2;
inline constexpr int kWarmEntryReportFd = core::kHighestRequestFd + 3;
inline constexpr int kWarmSupervisorFd = core::kHighestRequestFd + 4;
inline constexpr int kHighestWarmFd = kWarmSupervisorFd;

// What a file was when the sandbox was built from it: a replaced or rewritten file (a new
// inode, size, modification or change time) no longer is that file. A folder is told apart by
// its identity only: entries come and go in a folder a bind shows as it is.
struct FileStamp {
  std::string path;
  bool exists = false;
  bool identity_only = false;  // a folder
  uint64_t dev = 0, ino = 0;
  int64_t size = 0, mtime_ns = 0, ctime_ns = 0;
};
FileStamp StampOf(const std::string& path);

// What the template fixed: a real request must match it.
struct WarmTemplate {
  std::string library;  // as the request spelled it, before resolving
  core::ChildKind kind = core::ChildKind::kArgs;
  // Every file the sandbox was built from: its profiles and OCI files, and the library as it
  // was resolved (the sandbox binds its folder, which pins that folder's inode).
  std::vector<FileStamp> built_from;
  // The library as it was resolved, and what it was resolved with: resolved again per request,
  // since a cold start would resolve it then (links and search paths are not in the stamps).
  std::string resolved_library;
  std::vector<std::string> library_search_environment;
};

// ESTALE naming the first file that changed since the sandbox was built, or the library when
// it now resolves to another file, else Ok.
base::Status CheckBuiltFrom(const WarmTemplate& expected);

// A checked real request: fds[i] goes to targets[i] in the sandbox.
struct WarmStart {
  std::vector<base::UniqueFd> fds;
  std::vector<int> targets;
  int64_t arrived_us = 0;  // CLOCK_MONOTONIC, when the datagram was taken
};

// Host side. Blocks until the real request arrives on `control_fd`, or the control socket
// reaches EOF / fails (nullopt), or the sandbox's end of `forward_fd` hangs up (nullopt with
// *sandbox_ended). An error says why the request was refused (one line).
base::StatusOr<std::optional<WarmStart>> ReceiveWarmRequest(int control_fd, int forward_fd,
                                                            const WarmTemplate& expected,
                                                            bool* sandbox_ended);

}  // namespace ncp::launcher
