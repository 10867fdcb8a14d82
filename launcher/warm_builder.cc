#include "launcher/warm_builder.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "base/unique_fd.h"
#include "core/protocol/launch_report.h"
#include "core/protocol/unix_message.h"
#include "launcher/library_path.h"
#include "launcher/warm_request.h"

namespace ncp::launcher {
namespace {

void Reply(int builder_fd, uint64_t build_id, pid_t pid, int pidfd, int err) {
  core::WarmBuildReply reply{};
  reply.version = core::kLaunchReportVersion;
  reply.pid = pid;
  reply.build_id = build_id;
  reply.err = err;
  // A fork server that is gone takes this builder with it (parent-death signal).
  (void)core::SendMessage(builder_fd, &reply, sizeof reply, pidfd >= 0 ? &pidfd : nullptr,
                          pidfd >= 0 ? 1 : 0);
}

bool SameFile(const FileStamp& a, const FileStamp& b) {
  return a.exists && b.exists && a.dev == b.dev && a.ino == b.ino && a.size == b.size &&
         a.mtime_ns == b.mtime_ns && a.ctime_ns == b.ctime_ns;
}

// What the builder runs, and what its sandboxes will run, as they are now.
struct Pins {
  std::string own_path;  // ncp-launch's path, which an upgrade replaces
  std::vector<std::pair<std::string, FileStamp>> files;
};

bool StillTheSame(const Pins& pins) {
  // /proc/self/exe is the running file even once it was replaced or deleted.
  if (!SameFile(StampOf("/proc/self/exe"), StampOf(pins.own_path))) return false;
  for (const auto& [path, stamp] : pins.files) {
    if (!SameFile(stamp, StampOf(path))) return false;
  }
  return true;
}

}  // namespace

int ServeBuildRequests(int builder_fd, const std::vector<std::string>& pinned) {
  const pid_t server = getppid();
  Pins pins;
  if (auto own = OwnExecutablePath(); own.ok()) pins.own_path = *own;
  for (const std::string& path : pinned) pins.files.emplace_back(path, StampOf(path));
  // Told apart from the sandboxes' launchers, which share its command line.
  prctl(PR_SET_NAME, "ncp-builder", 0, 0, 0);
  for (;;) {
    core::WarmBuildRequest request{};
    std::vector<base::UniqueFd> fds;
    const ssize_t n = core::ReceiveMessage(builder_fd, &request, sizeof request, &fds, 1);
    if (n < 0 && errno == EINTR) continue;
    // EOF: the fork server let this shape go. Anything malformed comes from no fork server.
    if (n != static_cast<ssize_t>(sizeof request) ||
        request.version != core::kLaunchReportVersion || fds.size() != 1) {
      _exit(0);
    }
    if (!StillTheSame(pins)) _exit(0);
    // The raw call, not fork(): glibc's fork has no CLONE_PARENT. This process is
    // single-threaded and holds no lock here, which is all a fork needs of it. The pidfd
    // names the child whatever becomes of its pid, and goes to the server with the reply.
    int pidfd = -1;
    const long pid = syscall(SYS_clone, CLONE_PARENT | CLONE_PIDFD | SIGCHLD, nullptr, &pidfd,
                             nullptr, nullptr);
    if (pid == 0) {
      close(builder_fd);
      prctl(PR_SET_NAME, "ncp-launch", 0, 0, 0);
      // The fork server is our parent now; like every child it forks, we die with it.
      prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      if (getppid() != server) _exit(0);
      return fds[0].release();
    }
    if (pid < 0) {
      Reply(builder_fd, request.build_id, -1, -1, errno);
      continue;
    }
    Reply(builder_fd, request.build_id, static_cast<pid_t>(pid), pidfd, 0);
    close(pidfd);
  }
}

}  // namespace ncp::launcher
