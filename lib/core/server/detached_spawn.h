// DetachedSpawn: starts a program from the fork server without waiting for its exec.
//
// posix_spawn (and fork) stop the server until the new process has exec'd: about a
// millisecond on a machine where page-table work is slow, during which a start or a child's
// exit record waits. Prepared processes (the warm pools) are made while the server is idle,
// but a child may end or a request arrive in that millisecond. A detached spawn shares the
// server's memory (CLONE_VM, no page tables copied) yet not its waiting (no CLONE_VFORK): the
// new process runs on a stack of its own, from memory this object keeps until the exec is done.
//
// The new process gets `fds[i]` at fd 3 + i, every other fd closed, an empty signal mask, and
// runs `binary` (an fd; execveat) with `argv` and the server's environment. It is the server's
// child (SIGCHLD, reaped by the server like every other), named by a pidfd made with it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "base/unique_fd.h"

namespace ncp::core {

class DetachedSpawn {
 public:
  // pid > 0 on success; -errno when the process could not be made.
  static std::unique_ptr<DetachedSpawn> Start(int binary, const std::vector<int>& fds,
                                              const std::vector<std::string>& argv);
  ~DetachedSpawn();
  DetachedSpawn(const DetachedSpawn&) = delete;
  DetachedSpawn& operator=(const DetachedSpawn&) = delete;

  pid_t pid() const { return pid_; }
  base::UniqueFd TakePidfd() { return std::move(pidfd_); }
  // Readable (EOF) once the process has exec'd or ended: then this object may be destroyed.
  int exec_watch_fd() const { return exec_watch_.get(); }
  bool ExecDone() const;

  struct Memory;  // what the new process runs from until its exec (detached_spawn.cc)

 private:
  DetachedSpawn() = default;
  pid_t pid_ = -1;
  base::UniqueFd pidfd_;
  base::UniqueFd exec_watch_;
  std::unique_ptr<Memory> memory_;
};

}  // namespace ncp::core
