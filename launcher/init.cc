// The pid namespace's init: reaps every orphan and reports how the program ended.
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <functional>
#include <utility>

#include "base/exit_status.h"
#include "base/monotonic_clock.h"
#include "base/shared_memory_clone.h"
#include "launcher/init_status.h"
#include "launcher/setup_error.h"
#include "launcher/signals.h"
#include "launcher/steps.h"

namespace ncp::launcher {

using base::ErrnoError;
using base::Status;

namespace {

// Closes every fd but `a` and `b` (-1: none).
void CloseAllBut(int a, int b) {
  if (a > b) std::swap(a, b);
  unsigned first = 0;
  for (int keep : {a, b}) {
    if (keep < 0) continue;
    if (static_cast<unsigned>(keep) > first) {
      close_range(first, static_cast<unsigned>(keep) - 1, 0);
    }
    first = static_cast<unsigned>(keep) + 1;
  }
  close_range(first, ~0U, 0);
}

// The launcher returns on the report and exits at once. Init ends after it, not before: init's
// exit tears the namespaces down (unmounting the root waits for an RCU grace period), and done
// first it would hold the CPU the launcher was just woken on, so every exit report would wait
// for it. The launcher's exit kills init (its parent-death signal). Should that signal be gone,
// the report pipe tells too: only the launcher holds its read end (init closed its copy, the
// program never had one), and a write end with no reader left polls as POLLERR. Bounded, so
// nothing can keep the namespace alive for long.
void WaitForTheLauncherToLeave(int status_fd) {
  constexpr int64_t kLongestWaitUs = 2'000'000;
  // A deadline, not a timeout per poll: signals sent to init in a stream must not extend it.
  const int64_t deadline = base::MonotonicMicros() + kLongestWaitUs;
  pollfd gone{status_fd, 0, 0};
  for (;;) {
    const int64_t left_us = deadline - base::MonotonicMicros();
    if (left_us <= 0) return;
    const int ready = poll(&gone, 1, static_cast<int>((left_us + 999) / 1000));
    if (ready >= 0 || errno != EINTR) return;
  }
}

[[noreturn]] void ReapUntilProgramEnds(pid_t program, int status_fd, int lease_fd) {
  ForwardSignalsTo(program);
  // Blocked since clone, so nothing sent during setup was dropped; now they go to the program.
  UnblockForwardedSignals();
  // Hold no copy of the program's fds (a pipe's reader must see EOF when the program exits).
  // The host id's lease stays with init, which outlives everything in the namespace.
  CloseAllBut(status_fd, lease_fd);
  for (;;) {
    int wstatus = 0;
    const pid_t pid = waitpid(-1, &wstatus, 0);
    if (pid < 0 && errno == EINTR) continue;
    // Init cannot wait for the program (should not happen): to the caller, the sandbox failed.
    if (pid < 0) _exit(base::kSandboxFailedExit);
    if (pid != program) continue;
    InitStatus report{};
    if (WIFSIGNALED(wstatus)) {
      report.signaled = 1;
      report.value = WTERMSIG(wstatus);
    } else {
      report.value = WEXITSTATUS(wstatus);
    }
    if (write(status_fd, &report, sizeof(report)) == static_cast<ssize_t>(sizeof(report))) {
      WaitForTheLauncherToLeave(status_fd);
    }
    // Leaving kills whatever the program left behind: init's death ends the namespace.
    _exit(report.signaled ? 128 + report.value : report.value);
  }
}

struct ProgramStart {
  int status_fd;
  int error_fd;
  int lease_fd;
  const std::function<void()>* steps;
  base::StackSwitch stack_switch;  // the program writes init's stack bounds here (shared memory)
};

// The program's stack while it shares init's memory: used once per process, by the one program
// init starts; static, so nothing has to be unmapped under a process that may still run on it.
alignas(64) char g_program_stack[512 * 1024];

// The program's process, from the clone to its exec. Init is stopped until then, so the
// memory they share is the program's alone; what it allocates stays unused in init.
int RunProgram(void* arg) {
  ProgramStart& start = *static_cast<ProgramStart*>(arg);
  base::ArriveOnNewStack(&start.stack_switch);
  // Only init may write the report: the program must hold no copy of the write end.
  close(start.status_fd);
  if (start.lease_fd >= 0) close(start.lease_fd);  // only init holds the lease inside
  // Init is our parent now; if it goes, so do we (it is also the namespace's reaper).
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    ReportSetupError(start.error_fd, Step::kStartInit, ErrnoError("PR_SET_PDEATHSIG"));
    _exit(base::kSandboxFailedExit);
  }
  (*start.steps)();
  _exit(base::kSandboxFailedExit);  // the steps end in an exec or an exit of their own
}

}  // namespace

Status StartInit(int status_fd, int error_fd, int lease_fd,
                 const std::function<void()>& program_steps) {
  // Before the clone, so there is no moment when the program runs and init is still dumpable:
  // nothing inside may ptrace the one unfiltered process or open its fds through /proc/1/fd
  // (the status pipe's write end is there). The program's exec makes it dumpable again.
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return ErrnoError("PR_SET_DUMPABLE");
  ProgramStart start{status_fd, error_fd, lease_fd, &program_steps, {}};
  base::BeginStackSwitch(&start.stack_switch, g_program_stack, sizeof g_program_stack);
  // The program shares init's memory until its exec (CLONE_VM), with init stopped meanwhile
  // (CLONE_VFORK), as posix_spawn does: no page table of the launcher is copied, which a fork
  // here spent most of its time on. The program runs on a stack of its own (below).
  const pid_t program =
      base::CloneSharingMemory(RunProgram, g_program_stack + sizeof g_program_stack,
                               CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
  // (Not started: init ends with the error, never having left its stack.)
  if (program < 0) return ErrnoError("start the program from init");
  base::ReturnToCallerStack(start.stack_switch);
  // Only the program may report setup errors; its copy closes at exec, which is the parent's EOF.
  close(error_fd);
  ReapUntilProgramEnds(program, status_fd, lease_fd);
}

}  // namespace ncp::launcher
