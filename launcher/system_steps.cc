// The small steps that each wrap one or two system calls.
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/unique_fd.h"
#include "launcher/steps.h"

namespace ncp::launcher {

using base::ErrnoError;
using base::Status;

Status WaitForParentIdMaps(int sync_fd) {
  char byte = 0;
  ssize_t n;
  do {
    n = read(sync_fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoError("read the go-ahead from the parent");
  // EOF: the parent could not write the maps (it reports why) or died.
  if (n == 0) return base::Error(base::Code::kFailedPrecondition, "the parent gave up");
  return Status::Ok();
}

Status SwitchToIsolationIds(uint32_t uid, uint32_t gid) {
  // The caller's supplementary groups (root's group 0, say) must not come along.
  if (setgroups(0, nullptr) != 0) return ErrnoError("setgroups(0)");
  if (setresgid(gid, gid, gid) != 0) return ErrnoError("setresgid " + std::to_string(gid));
  if (setresuid(uid, uid, uid) != 0) return ErrnoError("setresuid " + std::to_string(uid));
  return Status::Ok();
}

Status LeaveTerminal() {
  // Our own process group: kill(0, ...) inside reaches only the sandbox, never the caller's job
  // (the kernel walks a process group across pid namespaces).
  if (setpgid(0, 0) != 0) return ErrnoError("setpgid");
  // Give up the controlling terminal, if there is one: TIOCSTI then fails with EPERM on any
  // terminal fd the sandbox holds, and reading one raises no SIGTTIN. Not setsid(): with
  // scheduler autogroups a new session is a new scheduling group, which costs a start several
  // milliseconds on a busy machine (bubblewrap's --new-session shows the same), and a new
  // process group without a terminal gives the sandbox the same protection.
  const int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty < 0) return Status::Ok();  // ENXIO: no controlling terminal
  const int rc = ioctl(tty, TIOCNOTTY);
  const int err = errno;
  close(tty);
  if (rc != 0) return ErrnoError("TIOCNOTTY", err);
  return Status::Ok();
}

Status SetHostname(const policy::Plan& plan) {
  if (sethostname(plan.hostname->data(), plan.hostname->size()) != 0) {
    return ErrnoError("sethostname " + *plan.hostname);
  }
  return Status::Ok();
}

Status ChangeDirectory(const policy::Plan& plan) {
  if (chdir(plan.chdir->c_str()) != 0) return ErrnoError("chdir " + *plan.chdir);
  return Status::Ok();
}

// A new network namespace starts with `lo` down; programs expect 127.0.0.1 to work.
Status BringUpLoopback() {
  base::UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) return ErrnoError("socket for SIOCSIFFLAGS");
  ifreq req{};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(sock.get(), SIOCGIFFLAGS, &req) != 0) return ErrnoError("SIOCGIFFLAGS lo");
  req.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(sock.get(), SIOCSIFFLAGS, &req) != 0) return ErrnoError("SIOCSIFFLAGS lo up");
  return Status::Ok();
}

bool IsMemoryLimit(int resource) { return resource == RLIMIT_AS || resource == RLIMIT_DATA; }

Status ApplyRlimits(const policy::Plan& plan, RlimitSet which) {
  for (const policy::Rlimit& limit : plan.rlimits) {
    if (IsMemoryLimit(limit.resource) != (which == RlimitSet::kMemory)) continue;
    const rlimit value{static_cast<rlim_t>(limit.soft), static_cast<rlim_t>(limit.hard)};
    if (setrlimit(static_cast<__rlimit_resource>(limit.resource), &value) != 0) {
      return ErrnoError("setrlimit " + limit.name);
    }
  }
  return Status::Ok();
}

Status SetParentDeathSignal(int sync_fd) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return ErrnoError("PR_SET_PDEATHSIG");
  // The parent may have died before the line above. It holds the sync pipe's write end until it
  // has reaped us, so a hang-up on our read end means it is gone (getppid() is 0 in a new pid
  // namespace, so it cannot tell us).
  pollfd pfd{sync_fd, POLLIN, 0};
  if (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLHUP) != 0) {
    return base::Error(base::Code::kFailedPrecondition, "the parent died during setup");
  }
  return Status::Ok();
}

}  // namespace ncp::launcher
