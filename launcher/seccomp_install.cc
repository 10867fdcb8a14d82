// Installing the plan's filter (steps.h), and for a supervised filter handing its listener to
// ncp-launch (policy/seccomp_supervision.h).
//
// The listener is born in this process, and from the moment the filter is in, this process
// may have no system call to send it with: the filter can refuse sendmsg, or send it to the
// supervisor that does not have the listener yet. So a helper started before the install sends
// it: a process of its own that shares our memory and our fd table. Not a thread: the filter
// goes on every thread of ours (TSYNC: a library's constructor may have started some before the
// entry form installs it), and the helper must stay unfiltered. Meanwhile we wait by reading
// memory alone, and go on only once the helper has closed the listener and the socket in the
// table we share, so that nothing that runs under the filter ever holds either.
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/raw_syscall.h"
#include "base/shared_memory_clone.h"
#include "launcher/steps.h"

namespace ncp::launcher {
namespace {

using base::RawSyscall;

constexpr int kListenerNotYet = -1;
constexpr int kInstallFailed = -2;

// Shared with the helper through __atomic builtins, which code without sanitizers keeps as
// plain instructions (a std::atomic member call need not be inlined).
struct HandOff {
  int socket_fd = -1;
  int listener = kListenerNotYet;  // ours to write: the fd, or kInstallFailed
  long sent = 0;                   // the helper's: sendmsg's result
  // The helper's pid until the kernel zeroes it, as the helper leaves (CLONE_CHILD_CLEARTID).
  int helper_running = 0;
};

// Static: the helper may still run on them after a failed start has returned. One install per
// process, ever.
HandOff g_hand_off;
alignas(64) char g_helper_stack[16 * 1024];

// The helper, on its own stack: raw system calls only (no errno, no allocation, nothing a
// sanitizer would account to our thread).
NCP_UNSANITIZED int SendListener(void* arg) {
  HandOff& h = *static_cast<HandOff*>(arg);
  int listener;
  // Sleeping, not spinning: on a single CPU a spin would hold the CPU the install needs.
  while ((listener = __atomic_load_n(&h.listener, __ATOMIC_ACQUIRE)) == kListenerNotYet) {
    const timespec pause{0, 20'000};
    RawSyscall(SYS_nanosleep, reinterpret_cast<long>(&pause), 0);
  }
  long sent = -EBADF;
  if (listener >= 0) {
    char byte = 'L';
    iovec iov{&byte, 1};
    union {
      cmsghdr header;
      char bytes[CMSG_SPACE(sizeof(int))];
    } control;
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    control.header.cmsg_level = SOL_SOCKET;
    control.header.cmsg_type = SCM_RIGHTS;
    control.header.cmsg_len = CMSG_LEN(sizeof(int));
    *reinterpret_cast<int*>(CMSG_DATA(&control.header)) = listener;
    sent = RawSyscall(SYS_sendmsg, h.socket_fd, reinterpret_cast<long>(&msg), MSG_NOSIGNAL);
    RawSyscall(SYS_close, listener);
  }
  RawSyscall(SYS_close, h.socket_fd);
  __atomic_store_n(&h.sent, sent, __ATOMIC_RELEASE);
  return 0;
}

// Reads memory only: it may run under the filter.
void WaitForHelper(const HandOff& h) {
  while (__atomic_load_n(&h.helper_running, __ATOMIC_ACQUIRE) != 0) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
  }
}

long Seccomp(unsigned flags, sock_fprog* program) {
  // Raw: glibc has no seccomp wrapper.
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, program);
}

}  // namespace

base::Status InstallSeccomp(const std::vector<sock_filter>& program, int supervisor_fd) {
  if (program.empty() || program.size() > BPF_MAXINSNS) {
    return base::Error(base::Code::kInvalidArgument,
                       "the plan's seccomp program is empty or too long");
  }
  sock_fprog fprog{static_cast<unsigned short>(program.size()),
                   const_cast<sock_filter*>(program.data())};
  // ESRCH instead of a thread id when a thread cannot take the filter (it has another one).
  constexpr unsigned kEveryThread = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  if (supervisor_fd < 0) {
    if (Seccomp(kEveryThread, &fprog) != 0) return base::ErrnoError("seccomp");
    return base::Status::Ok();
  }
  HandOff& h = g_hand_off;
  h.socket_fd = supervisor_fd;
  h.listener = kListenerNotYet;
  h.sent = 0;
  h.helper_running = 1;
  // CLONE_PARENT: the sandbox's init reaps the helper, as it reaps every orphan.
  const int helper = base::CloneSharingMemory(
      SendListener, g_helper_stack + sizeof g_helper_stack,
      CLONE_VM | CLONE_FILES | CLONE_PARENT | CLONE_CHILD_CLEARTID | SIGCHLD, &h, nullptr,
      &h.helper_running);
  if (helper < 0) return base::ErrnoError("start the listener's helper");
  // Killable only, once ncp-launch has the notification: a signal can no longer turn the
  // refused call into EINTR while ncp-launch looks the caller up (Linux 5.19; older kernels
  // refuse the flag, and the call is then interruptible until answered).
  constexpr unsigned kSupervised = kEveryThread | SECCOMP_FILTER_FLAG_NEW_LISTENER;
  long listener = Seccomp(kSupervised | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &fprog);
  if (listener < 0 && errno == EINVAL) listener = Seccomp(kSupervised, &fprog);
  if (listener < 0) {
    const int err = errno;
    __atomic_store_n(&h.listener, kInstallFailed, __ATOMIC_RELEASE);
    WaitForHelper(h);
    if (err == EBUSY) {
      return base::ErrnoError(
          "seccomp: this process already runs under a filter that has a supervisor, and the "
          "kernel gives a process one: the profile's kills cannot be supervised here (run "
          "ncp-launch outside that sandbox, or give the profile no kill rules)",
          err);
    }
    return base::ErrnoError("seccomp", err);
  }
  // Under the filter from here on.
  __atomic_store_n(&h.listener, static_cast<int>(listener), __ATOMIC_RELEASE);
  WaitForHelper(h);
  const long sent = __atomic_load_n(&h.sent, __ATOMIC_ACQUIRE);
  if (sent != 1) {
    return base::Status(base::Code::kInternal, "send the filter's listener to ncp-launch",
                        sent < 0 ? static_cast<int>(-sent) : EIO);
  }
  return base::Status::Ok();
}

}  // namespace ncp::launcher
