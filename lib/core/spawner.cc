#include "core/spawner.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

extern char** environ;

namespace ncp::core {
namespace {

constexpr size_t kChildStackSize = 64 * 1024;

// Everything the child needs, prepared by the parent: the child shares the parent's memory
// until it execs, so it must not allocate, lock, or call anything that is not a raw syscall.
struct ChildPlan {
  const char* program;
  char* const* argv;
  char* const* envp;
  const int* fds;
  int nfds;
  pid_t parent;
  int exec_errno;  // written by the child when it fails, read by the parent after the vfork
};

// Raw syscalls only: sanitizer interceptors and libc wrappers may touch state shared with the
// suspended parent thread.
__attribute__((no_sanitize("address", "thread", "undefined"))) int ChildMain(void* arg) {
  auto* plan = static_cast<ChildPlan*>(arg);
  const int first_free = 3 + plan->nfds;
  // Lift every source above the target range first, so moving one fd into place can never
  // overwrite another source that happens to sit at that number.
  int lifted[32];
  for (int i = 0; i < plan->nfds; ++i) {
    lifted[i] = static_cast<int>(syscall(SYS_fcntl, plan->fds[i], F_DUPFD, first_free));
    if (lifted[i] < 0) goto fail;
  }
  for (int i = 0; i < plan->nfds; ++i) {
    if (syscall(SYS_dup2, lifted[i], 3 + i) < 0) goto fail;
  }
  if (syscall(SYS_close_range, first_free, ~0U, 0) < 0) goto fail;
  if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) goto fail;
  // The parent may have died between clone and prctl; then nobody would kill us.
  if (syscall(SYS_getppid) != plan->parent) syscall(SYS_exit_group, 127);
  syscall(SYS_execve, plan->program, plan->argv, plan->envp);
fail:
  plan->exec_errno = errno != 0 ? errno : EINVAL;
  syscall(SYS_exit_group, 127);
  return 127;
}

class ChildStack {
 public:
  ChildStack() {
    void* p = mmap(nullptr, kChildStackSize, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    base_ = p == MAP_FAILED ? nullptr : static_cast<char*>(p);
  }
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;
  ~ChildStack() {
    if (base_ != nullptr) munmap(base_, kChildStackSize);
  }
  char* top() const { return base_ == nullptr ? nullptr : base_ + kChildStackSize; }

 private:
  char* base_;
};

}  // namespace

base::StatusOr<SpawnedProcess> Spawn(const SpawnSpec& spec) {
  if (spec.fds.size() > 30) return base::Error(base::Code::kInvalidArgument, "too many fds");
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  // Spawns are serialised on one thread, so one stack per thread is enough; it is reused.
  thread_local ChildStack stack;
  if (stack.top() == nullptr) return base::ErrnoError("mmap child stack", ENOMEM);

  ChildPlan plan{spec.program.c_str(), argv.data(), environ, spec.fds.data(),
                 static_cast<int>(spec.fds.size()), getpid(), 0};
  int pidfd = -1;
  // Low byte 0: no exit signal (see spawner.h).
  pid_t pid = clone(ChildMain, stack.top(), CLONE_VM | CLONE_VFORK | CLONE_PIDFD, &plan, &pidfd);
  if (pid < 0) return base::ErrnoError("clone");
  SpawnedProcess child{pid, base::UniqueFd(pidfd)};
  if (plan.exec_errno != 0) {
    // The child has exited; reap it so it does not linger as a zombie.
    siginfo_t info;
    syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED | __WALL, nullptr);
    return base::ErrnoError("exec " + spec.program, plan.exec_errno);
  }
  return child;
}

}  // namespace ncp::core
