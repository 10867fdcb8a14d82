// What to start in a sandbox, besides the Plan: the program, its environment, its fds.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/isolation_uid.h"
#include "base/status.h"
#include "launcher/steps.h"

namespace ncp::launcher {

struct LearnSession;  // seccomp_supervisor.h

struct LaunchSpec {
  // PROGRAM ARGS..., looked up in the environment's PATH. For the LIB.so:ENTRY form this is
  // ncp-launch itself (bound read-only inside) in its internal entry mode (entry_mode.h).
  std::vector<std::string> command;
  // The program's whole environment (the plan's env rules already applied).
  std::vector<std::string> environment;
  // Fds the program gets, besides 0-2; every other fd is closed.
  std::vector<FdPlacement> fds;
  // The program installs the plan's filter itself (the entry form: after loading the library).
  bool seccomp_in_program = false;
  // The program applies the plan's memory limits itself (the entry form: once it has started).
  bool memory_limits_in_program = false;
  // With seccomp_in_program and a supervised filter (policy/seccomp_supervision.h): the number
  // at which the program gets the socket for the filter's listener (entry_mode.h).
  int supervisor_target = -1;
  // --learn: the supervised filter answers every call as this session's base would.
  LearnSession* learn = nullptr;
  // The host ids the sandbox's ids map to (root's leased id, --isolation-uid); none: the
  // caller's own (or host root with --host-root).
  std::optional<base::IsolationIds> isolation;
  // The lease's lock (host_ids.h), or -1: not owned here; the sandbox's init keeps a copy so
  // that the id stays taken until the namespace is gone, even after ncp-launch returns.
  int host_id_lock_fd = -1;
  // --idmap-binds: with root's leased id, writable binds are idmapped to the caller's ids
  // (idmapped_binds.h).
  bool idmap_writable_binds = false;
  bool verbose = false;  // each step and its time on stderr
  // Called once the setup pipe reached EOF without a record (the sandbox is built and its
  // program exec'd), before waiting for the program's end. Not ok: the sandbox is killed and
  // Launch returns that status.
  std::function<base::Status()> on_sandbox_ready;
  // Called right after, with the pid of the sandbox's first process (init, with a pid
  // namespace) as this process sees it.
  std::function<void(pid_t)> on_started;
  // Called right after the clone, with the same pid: the child is still a plain copy of us
  // (dumpable, our ids), so its /proc entries are readable to us, as they stop being once it
  // has taken other ids or made itself non-dumpable.
  std::function<void(pid_t)> on_cloned;
};

}  // namespace ncp::launcher
