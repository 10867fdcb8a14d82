#include "launcher/seccomp_supervisor.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/pidfd.h"

namespace ncp::launcher {
namespace {

using base::UniqueFd;

// pidfd_open(2)'s PIDFD_THREAD (Linux 6.9), which Debian 12's headers do not have.
constexpr unsigned kPidfdThread = O_EXCL;

// A "Name:\t1\t2" line of /proc/PID/status, as its numbers; empty when unreadable.
std::vector<long> StatusNumbers(pid_t pid, const char* name) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return {};
  char text[4096];
  const ssize_t n = read(fd.get(), text, sizeof text - 1);
  if (n <= 0) return {};
  text[n] = '\0';
  const std::string key = std::string("\n") + name + ":";
  const char* at = std::strstr(text, key.c_str());
  if (at == nullptr) return {};
  std::vector<long> numbers;
  char* p = const_cast<char*>(at + key.size());
  for (;;) {
    char* end = nullptr;
    const long value = std::strtol(p, &end, 10);
    if (end == p) break;
    numbers.push_back(value);
    p = end;
    if (*p == '\n') break;
  }
  return numbers;
}

policy::SeccompCall CallOf(const seccomp_notif& notification) {
  policy::SeccompCall call;
  call.nr = notification.data.nr;
  call.arch = notification.data.arch;
  for (int i = 0; i < 6; ++i) call.args[i] = notification.data.args[i];
  return call;
}

}  // namespace

void SeccompSupervisor::AddPollFds(std::vector<pollfd>* fds) const {
  fds->push_back({socket_ ? socket_.get() : -1, POLLIN, 0});
  fds->push_back({listener_ ? listener_.get() : -1, POLLIN, 0});
}

void SeccompSupervisor::Serve(const pollfd* fds, size_t count) {
  if (count < 2) return;
  if (fds[0].revents != 0) ReceiveListener();
  if ((fds[1].revents & POLLIN) != 0) {
    AnswerNotification();
  } else if (fds[1].revents != 0) {
    // Hung up: every process under the filter is gone.
    listener_.reset();
  }
}

void SeccompSupervisor::ReceiveListener() {
  char byte = 0;
  iovec iov{&byte, 1};
  union {
    cmsghdr header;
    char bytes[CMSG_SPACE(sizeof(int))];
  } control{};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.bytes;
  msg.msg_controllen = sizeof control.bytes;
  const ssize_t n = recvmsg(socket_.get(), &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  // One message, ever: the socket's job is done (or the sandbox closed its end without one, as
  // it does when it fails before its filter; a program that never installs it runs unfiltered
  // by nothing of ours to supervise).
  socket_.reset();
  const cmsghdr* c = n == 1 ? CMSG_FIRSTHDR(&msg) : nullptr;
  if (c == nullptr || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
      c->cmsg_len != CMSG_LEN(sizeof(int)) || (msg.msg_flags & MSG_CTRUNC) != 0) {
    return;
  }
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  listener_.reset(fd);
}

void SeccompSupervisor::AnswerNotification() {
  seccomp_notif notification;
  std::memset(&notification, 0, sizeof notification);  // the kernel insists
  if (ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_RECV, &notification) != 0) {
    // ENOENT: the caller was killed meanwhile (by us for an earlier call, or otherwise).
    if (errno != EINTR && errno != ENOENT) listener_.reset();
    return;
  }
  if (learn_ != nullptr && AnswerAsTheBase(notification)) return;
  const pid_t tid = static_cast<pid_t>(notification.pid);
  const std::vector<long> tgid = StatusNumbers(tid, "Tgid");
  const pid_t group = tgid.size() == 1 ? static_cast<pid_t>(tgid[0]) : tid;
  // As this process sees the sandbox: the program is pid 2 in the sandbox's pid namespace, the
  // only one below ours (init is 1; a nested namespace would add a level).
  const std::vector<long> nspid = StatusNumbers(group, "NSpid");
  const bool program = nspid.size() == 2 && nspid[1] == 2;
  UniqueFd pidfd(pidfd_open(group, 0));
  // Without /proc: the thread itself (kernels from 6.9); SIGKILL ends its whole group.
  if (!pidfd) pidfd.reset(pidfd_open(tid, kPidfdThread));
  // Still blocked in this call, so `tid`, and with it `group`, still name the caller: checked
  // after the status file and the pidfd, this proves both were about it.
  if (ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &notification.id) != 0) return;
  // Left blocked, the call would fail with ENOSYS once we are gone: if the caller cannot be
  // killed alone, the whole sandbox ends instead (ESRCH: it is dead already).
  if (!pidfd || (pidfd_send_signal(pidfd.get(), SIGKILL, nullptr, 0) != 0 && errno != ESRCH)) {
    kill(sandbox_, SIGKILL);
  }
  if (program && !program_call_) program_call_ = CallOf(notification);
}

bool SeccompSupervisor::AnswerAsTheBase(const seccomp_notif& notification) {
  const policy::SeccompCall call = CallOf(notification);
  const policy::CallDecision decision = policy::DecideCall(learn_->base, call);
  const policy::SeccompActionKind kind = decision.action.kind;
  const bool allowed =
      kind == policy::SeccompActionKind::kAllow || kind == policy::SeccompActionKind::kLog;
  if (allowed || learn_->also.count(call.nr) != 0) {
    policy::LearnedCalls::Allowed& use = learn_->calls.allowed[call.nr];
    ++use.count;
    if (allowed) {
      use.rules.insert(decision.rule);
    } else {
      use.asked = true;
    }
    Respond(notification.id, 0, /*run_on=*/true);
    return true;
  }
  policy::LearnedCalls::Refused& refused = learn_->calls.refused[call.nr];
  if (refused.count++ == 0) refused.decision = decision;
  if (kind == policy::SeccompActionKind::kErrno) {
    Respond(notification.id, decision.action.errno_value, false);
    return true;
  }
  if (kind == policy::SeccompActionKind::kTrap) {
    // The trap's SIGSYS, to the calling thread: the program's handler runs, or it dies of it,
    // as under the base (only the signal's details, si_code and si_syscall, differ).
    SignalThread(notification, SIGSYS);
    Respond(notification.id, ENOSYS, false);
    return true;
  }
  return false;  // a kill: as for a supervised filter
}

void SeccompSupervisor::SignalThread(const seccomp_notif& notification, int signal) {
  const pid_t tid = static_cast<pid_t>(notification.pid);
  UniqueFd thread(pidfd_open(tid, kPidfdThread));
  if (ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &notification.id) != 0) return;
  if (thread) {
    pidfd_send_signal(thread.get(), signal, nullptr, 0);
    return;
  }
  // Kernels before 6.9: the thread is blocked in the call we have not answered, so its id
  // still names it.
  const std::vector<long> tgid = StatusNumbers(tid, "Tgid");
  if (tgid.size() == 1) tgkill(static_cast<pid_t>(tgid[0]), tid, signal);
}

void SeccompSupervisor::Respond(uint64_t id, int error, bool run_on) {
  seccomp_notif_resp response;
  std::memset(&response, 0, sizeof response);
  response.id = id;
  if (run_on) {
    response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else {
    response.error = -error;
  }
  // ENOENT: the caller is gone meanwhile; nothing to answer.
  (void)ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_SEND, &response);
}

}  // namespace ncp::launcher
