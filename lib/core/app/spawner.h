// Spawner: starts a fresh program with a given set of fds, without forking the (multi-threaded)
// application: posix_spawn, which glibc implements with clone(CLONE_VM | CLONE_VFORK) + exec.
// Used once per application, for the fork server.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/status.h"
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

// The child starts with default signal dispositions and an empty signal mask. The caller's
// thread is the child's parent thread: the child's parent-death signal follows that thread.
base::StatusOr<SpawnedProcess> Spawn(const SpawnSpec& spec);

}  // namespace ncp::core
