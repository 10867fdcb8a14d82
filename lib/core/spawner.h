// Spawner: starts a fresh process running a helper program with a given set of fds, without
// forking the (multi-threaded) application. It uses clone(CLONE_VM | CLONE_VFORK) + execve, as
// posix_spawn does, with two differences that matter here:
//  - CLONE_PIDFD: the pidfd is created atomically with the child, so no pid-reuse window;
//  - exit signal 0: the child sends no SIGCHLD, so an application that ignores SIGCHLD, has its
//    own SIGCHLD handler, or reaps with waitpid(-1) can neither lose nor steal its exit status.
//    Only a wait with __WALL/__WCLONE sees it; the registry waits on the pidfd with __WALL.
// The child gets PR_SET_PDEATHSIG(SIGKILL) before exec.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/status.h"
#include "base/syscalls.h"
#include "base/unique_fd.h"

namespace ncp::core {

struct SpawnSpec {
  std::string program;            // absolute path
  std::vector<std::string> argv;  // argv[0] is the process's cmdline name
  // fds[i] becomes fd 3 + i in the child; every other fd above 2 is closed.
  std::vector<int> fds;
};

struct SpawnedProcess {
  pid_t pid = -1;
  base::UniqueFd pidfd;
};

// Must be called on a thread that outlives the child (see LongLivedThread).
base::StatusOr<SpawnedProcess> Spawn(const SpawnSpec& spec);

}  // namespace ncp::core
