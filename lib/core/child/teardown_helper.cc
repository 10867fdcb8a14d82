#include "core/child/teardown_helper.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>

#include "base/monotonic_clock.h"
#include "base/pidfd.h"
#include "base/raw_syscall.h"
#include "base/shared_memory_clone.h"

namespace ncp::core {
namespace {

using base::RawSyscall;

#if defined(__x86_64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#else
#error "teardown_helper.cc: no audit arch for this architecture"
#endif

// Everything the helper may do once confined: wait for the child (ppoll), say it is confined
// (futex), and exit. Anything else, on another architecture or ABI (x32) too, kills it.
const sock_filter kConfinement[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ppoll, 4, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_futex, 3, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 2, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

const char kHelperName[16] = "ncp-teardown";

constexpr int64_t kConfineWithinUs = 200 * 1000;

// Below the exit record's processes (the fork server, the application's monitor thread), which
// then run first when they share a CPU with the freeing; not so low that, on a busy machine,
// the memory would stay for seconds.
constexpr int kHelperNice = 10;

// kGone is the kernel's: it clears the word when the helper exits (CLONE_CHILD_CLEARTID), so a
// helper that died before it said anything (a filter of the application's that kills its
// seccomp call) does not keep the child waiting.
enum State : int { kGone = 0, kStarting = 1, kConfined = 2, kFailed = 3 };

// Shared by the child and the helper (the same memory). The helper copies what it needs onto
// its own stack before the child runs anything of its user's.
struct Shared {
  int child_pidfd = -1;
  int state = kStarting;  // the helper's word; a futex (State)
};
Shared g_shared;

constexpr size_t kStackSize = 16 * 1024;
alignas(64) char g_helper_stack[kStackSize];

// Shared (not FUTEX_PRIVATE) futex operations on the word: the kernel's own wake when the
// helper exits (CLONE_CHILD_CLEARTID) is a shared one, which a private wait would not see.
NCP_UNSANITIZED void Announce(int state) {
  __atomic_store_n(&g_shared.state, state, __ATOMIC_RELEASE);
  RawSyscall(SYS_futex, reinterpret_cast<long>(&g_shared.state), FUTEX_WAKE, 1);
}

[[noreturn]] NCP_UNSANITIZED void GiveUp() {
  Announce(kFailed);
  for (;;) RawSyscall(SYS_exit_group, 0);
}

// The helper. Raw system calls only, on its own stack: it shares the child's memory, and the
// child goes on meanwhile.
NCP_UNSANITIZED int RunHelper(void*) {
  const int child_pidfd = g_shared.child_pidfd;
  uint64_t all = ~uint64_t{0};
  RawSyscall(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&all), 0, sizeof all);
  // Every step that takes something from it is checked: a helper that kept the child's fds,
  // could dump core or kept capabilities must not go on.
  if ((child_pidfd > 0 && RawSyscall(SYS_close_range, 0, child_pidfd - 1, 0) != 0) ||
      RawSyscall(SYS_close_range, child_pidfd + 1, UINT_MAX, 0) != 0) {
    GiveUp();
  }
  // A core dump is written with the helper's credentials, which the child may since have
  // dropped, from memory the child controls (and the dumpable flag is the memory's: the child
  // can set it). Limits are the process's own: none, for good.
  const rlimit no_core{0, 0};
  if (RawSyscall(SYS_prlimit64, 0, RLIMIT_CORE, reinterpret_cast<long>(&no_core), 0) != 0) {
    GiveUp();
  }
  __user_cap_header_struct cap_header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct no_caps[2] = {};
  if (RawSyscall(SYS_capset, reinterpret_cast<long>(&cap_header),
                 reinterpret_cast<long>(no_caps)) != 0) {
    GiveUp();
  }
  RawSyscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  RawSyscall(SYS_prctl, PR_SET_NAME, reinterpret_cast<long>(kHelperName), 0, 0, 0);
  RawSyscall(SYS_setpriority, PRIO_PROCESS, 0, kHelperNice);
  const sock_fprog program{
      static_cast<unsigned short>(sizeof kConfinement / sizeof kConfinement[0]),
      const_cast<sock_filter*>(kConfinement)};
  if (RawSyscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      RawSyscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, reinterpret_cast<long>(&program)) != 0) {
    GiveUp();
  }
  Announce(kConfined);
  // Readable once the child has ended: past its own release of the memory, so this is the
  // last user, and its exit frees it.
  // (Anything but a signal's interruption ends the wait: a helper that leaves early only means
  // the child frees its own memory.)
  pollfd ended{child_pidfd, POLLIN, 0};
  while (RawSyscall(SYS_ppoll, reinterpret_cast<long>(&ended), 1, 0, 0, 0) == -EINTR) {
  }
  for (;;) RawSyscall(SYS_exit_group, 0);
}

bool PinToThisCpu() {
  const int cpu = sched_getcpu();
  if (cpu < 0) return false;
  cpu_set_t here;
  CPU_ZERO(&here);
  CPU_SET(cpu, &here);
  return sched_setaffinity(0, sizeof here, &here) == 0;
}

// Returns whether the helper `helper_pidfd` names has confined itself. If not, it is killed,
// and this returns once it has ended; a helper that cannot be killed ends the child instead:
// it must not run unconfined next to the child's user code.
bool AwaitConfinement(int helper_pidfd) {
  const int64_t deadline = base::MonotonicMicros() + kConfineWithinUs;
  int state = __atomic_load_n(&g_shared.state, __ATOMIC_ACQUIRE);
  while (state == kStarting) {
    const int64_t left = deadline - base::MonotonicMicros();
    if (left <= 0) break;
    const timespec wait{static_cast<time_t>(left / 1000000),
                        static_cast<long>(left % 1000000) * 1000};
    syscall(SYS_futex, &g_shared.state, FUTEX_WAIT, kStarting, &wait, nullptr, 0);
    state = __atomic_load_n(&g_shared.state, __ATOMIC_ACQUIRE);
  }
  if (state == kConfined) return true;
  if (state != kGone) pidfd_send_signal(helper_pidfd, SIGKILL, nullptr, 0);
  pollfd ended{helper_pidfd, POLLIN, 0};
  if (poll(&ended, 1, static_cast<int>(kConfineWithinUs / 1000)) != 1) _exit(127);
  return false;
}

}  // namespace

void StartTeardownHelper() {
  rlimit processes{};
  if (getrlimit(RLIMIT_NPROC, &processes) != 0 ||
      (processes.rlim_cur != RLIM_INFINITY && processes.rlim_cur < kMinProcessLimit)) {
    return;
  }
  const int child_pidfd = pidfd_open(getpid(), 0);
  if (child_pidfd < 0) return;
  g_shared.child_pidfd = child_pidfd;
  g_shared.state = kStarting;
  // The helper runs on this CPU only: were it to run on another while the child runs here, the
  // memory they share would be live on two CPUs, and every later unmapping and protection
  // change of the child (its library's loading) would send the other a TLB flush (an IPI; on
  // a virtual machine, some microseconds each). It inherits the pinning while it sets up; the
  // child drops its own at once, and the helper's once it is confined.
  cpu_set_t allowed;
  const bool pinned = sched_getaffinity(0, sizeof allowed, &allowed) == 0 && PinToThisCpu();
  int helper_pidfd = -1;
  // CLONE_PARENT: the fork server's child, so that it is reaped (and not seen by a wait of the
  // child's own code). No CLONE_FILES or CLONE_SIGHAND: its fds and signal handlers are its own.
  const int pid =
      base::CloneSharingMemory(RunHelper, g_helper_stack + kStackSize,
                               CLONE_VM | CLONE_PARENT | CLONE_PIDFD | CLONE_CHILD_CLEARTID,
                               nullptr, &helper_pidfd, &g_shared.state);
  if (pinned) sched_setaffinity(0, sizeof allowed, &allowed);
  close(child_pidfd);
  if (pid < 0) return;
  // Confined and asleep, it may wake (at the child's end) on any CPU the child may use: pinned,
  // it would wait for that one CPU, and the child's memory with it.
  if (AwaitConfinement(helper_pidfd) && pinned) sched_setaffinity(pid, sizeof allowed, &allowed);
  close(helper_pidfd);
}

}  // namespace ncp::core
