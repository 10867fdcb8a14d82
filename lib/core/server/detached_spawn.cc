#include "core/server/detached_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include "base/raw_syscall.h"
#include "base/shared_memory_clone.h"

extern char** environ;

namespace ncp::core {

// What the new process reads: plain values, so that its code touches nothing but this struct,
// its own stack and the argv strings (no container code, which a sanitizer would instrument
// and account to the server's thread, whose memory the new process shares).
struct DetachedPlan {
  static constexpr int kMaxFds = 16;
  int binary = -1;
  int exec_watch = -1;  // the pipe's write end: close-on-exec, so it closes at the exec
  int count = 0;
  int fds[kMaxFds] = {};
  char** argv = nullptr;
  char** envp = nullptr;
};

struct DetachedSpawn::Memory {
  void* stack = MAP_FAILED;
  size_t stack_size = 0;
  DetachedPlan plan;
  std::vector<std::string> argv_storage;
  std::vector<char*> argv;
  ~Memory() {
    if (stack != MAP_FAILED) munmap(stack, stack_size);
  }
};

namespace {

using base::RawSyscall;

constexpr size_t kStackSize = 64 * 1024;

[[noreturn]] NCP_UNSANITIZED void Die() {
  for (;;) RawSyscall(SYS_exit_group, 127);
}

// Runs in the new process, on its own stack. Only raw system calls: no allocation, no errno,
// no sanitizer bookkeeping, nothing that touches what the server may be changing meanwhile.
NCP_UNSANITIZED int RunDetached(void* arg) {
  const auto* plan = static_cast<const DetachedPlan*>(arg);
  const int count = plan->count;
  const int first_free = 3 + count;
  // Everything lifted above the places first, so that placing one never overwrites another;
  // the exec watch too, which must stay open (and close-on-exec) until the exec.
  int lifted[DetachedPlan::kMaxFds];
  for (int i = 0; i < count; ++i) {
    lifted[i] = static_cast<int>(RawSyscall(SYS_fcntl, plan->fds[i], F_DUPFD, first_free));
    if (lifted[i] < 0) Die();
  }
  const long watch = RawSyscall(SYS_fcntl, plan->exec_watch, F_DUPFD_CLOEXEC, first_free);
  const long binary = RawSyscall(SYS_fcntl, plan->binary, F_DUPFD_CLOEXEC, first_free);
  if (watch < 0 || binary < 0) Die();
  for (int i = 0; i < count; ++i) {
    if (RawSyscall(SYS_dup3, lifted[i], 3 + i, 0) < 0) Die();
  }
  // Every other fd goes: what is left above the places but the watch and the binary.
  const long low = watch < binary ? watch : binary;
  const long high = watch < binary ? binary : watch;
  if (low > first_free) RawSyscall(SYS_close_range, first_free, low - 1, 0);
  if (high > low + 1) RawSyscall(SYS_close_range, low + 1, high - 1, 0);
  RawSyscall(SYS_close_range, high + 1, UINT_MAX, 0);
  // The server blocks SIGCHLD (its signalfd); the program starts with nothing blocked. Its
  // dispositions are all default already (the server reset them), and exec keeps them so.
  uint64_t none = 0;
  RawSyscall(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&none), 0, sizeof none);
  RawSyscall(SYS_execveat, binary, reinterpret_cast<long>(""), reinterpret_cast<long>(plan->argv),
             reinterpret_cast<long>(plan->envp), AT_EMPTY_PATH);
  Die();
}

}  // namespace

std::unique_ptr<DetachedSpawn> DetachedSpawn::Start(int binary, const std::vector<int>& fds,
                                                    const std::vector<std::string>& argv) {
  std::unique_ptr<DetachedSpawn> spawn(new DetachedSpawn());
  auto memory = std::make_unique<Memory>();
  memory->stack_size = kStackSize;
  memory->stack = mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (memory->stack == MAP_FAILED) {
    spawn->pid_ = -errno;
    return spawn;
  }
  int watch[2];
  if (pipe2(watch, O_CLOEXEC) != 0) {
    spawn->pid_ = -errno;
    return spawn;
  }
  base::UniqueFd watch_read(watch[0]), watch_write(watch[1]);
  if (fds.size() > DetachedPlan::kMaxFds) {
    spawn->pid_ = -EINVAL;
    return spawn;
  }
  memory->argv_storage = argv;
  for (std::string& word : memory->argv_storage) memory->argv.push_back(word.data());
  memory->argv.push_back(nullptr);
  DetachedPlan& plan = memory->plan;
  plan.binary = binary;
  plan.exec_watch = watch_write.get();
  plan.count = static_cast<int>(fds.size());
  std::copy(fds.begin(), fds.end(), plan.fds);
  plan.argv = memory->argv.data();
  plan.envp = environ;
  int pidfd = -1;
  char* stack_top = static_cast<char*>(memory->stack) + kStackSize;
  const pid_t pid =
      base::CloneSharingMemory(RunDetached, stack_top, CLONE_VM | CLONE_PIDFD | SIGCHLD,
                               &memory->plan, &pidfd);
  if (pid < 0) {
    spawn->pid_ = -errno;
    return spawn;
  }
  spawn->pid_ = pid;
  spawn->pidfd_.reset(pidfd);
  spawn->exec_watch_ = std::move(watch_read);
  spawn->memory_ = std::move(memory);
  return spawn;  // watch_write closes here: the new process holds the only write end
}

bool DetachedSpawn::ExecDone() const {
  if (!memory_) return true;
  pollfd p{exec_watch_.get(), POLLIN, 0};
  return poll(&p, 1, 0) == 1;
}

DetachedSpawn::~DetachedSpawn() {
  // Never unmap a stack a process may still run on: kept (leaked) if its exec is not done.
  if (memory_ && !ExecDone()) (void)memory_.release();
}

}  // namespace ncp::core
