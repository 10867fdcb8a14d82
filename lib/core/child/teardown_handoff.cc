#include "core/child/teardown_handoff.h"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>

#include "base/pidfd.h"
#include "base/raw_syscall.h"
#include "base/shared_memory_clone.h"

namespace ncp::core {
namespace {

using base::RawSyscall;

// The holder runs in the child's memory, on a stack of its own there; it needs little.
constexpr size_t kHolderStackBytes = 16 * 1024;
alignas(64) char g_holder_stack[kHolderStackBytes];

struct HolderArgs {
  int child_pidfd;
  long fork_server;  // the holder's parent (CLONE_PARENT)
};
HolderArgs g_holder_args;

// Who registered the hand-over: a process the user's code forks inherits the registration,
// and its holder would be its parent's child, not the server's.
pid_t g_child = 0;
pid_t g_fork_server = 0;

// The holder: raw system calls only (it shares the child's thread-local errno and must not
// touch glibc's state); every signal is blocked already (the child blocked them before the
// clone), so no handler of the child's can run here.
NCP_UNSANITIZED int HoldUntilChildEnds(void* arg) {
  const auto* args = static_cast<const HolderArgs*>(arg);
  RawSyscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
  if (RawSyscall(SYS_getppid) != args->fork_server) RawSyscall(SYS_exit, 0);  // server gone
  // The teardown this exit does is the work taken off the child's report: it waits for a CPU
  // nothing else wants, so it never delays the server's record or the application's callback.
  const sched_param idle{};
  RawSyscall(SYS_sched_setscheduler, 0, SCHED_IDLE, reinterpret_cast<long>(&idle));
  pollfd ended{args->child_pidfd, POLLIN, 0};
  while (RawSyscall(SYS_poll, reinterpret_cast<long>(&ended), 1, -1) == -EINTR) {
  }
  RawSyscall(SYS_exit, 0);
  return 0;
}

void HandOffTeardown() {
  if (getpid() != g_child || getppid() != g_fork_server) return;
  // Under a filter (the application's, or one the entry installed) the clone might kill the
  // child instead of ending it with its status: no hand-over.
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0) return;
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  // What the exit would close next, closed now: the holder's copy of the fd table must not
  // keep a pipe's end open past the child's end.
  close_range(0, ~0U, 0);
  const int pidfd = pidfd_open(getpid(), 0);
  if (pidfd < 0) return;
  g_holder_args = {pidfd, static_cast<long>(g_fork_server)};
  // No exit signal of its own: with CLONE_PARENT the holder's is the child's (SIGCHLD).
  base::CloneSharingMemory(&HoldUntilChildEnds, g_holder_stack + sizeof g_holder_stack,
                           CLONE_VM | CLONE_PARENT | CLONE_UNTRACED, &g_holder_args);
}

}  // namespace

void HandOffTeardownAtQuickExit() {
  g_child = getpid();
  g_fork_server = getppid();
  at_quick_exit(&HandOffTeardown);
}

}  // namespace ncp::core
