#include "launcher/idmapped_binds.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace ncp::launcher {
namespace {

using base::ErrnoError;
using base::Status;
using base::UniqueFd;

Status WriteMap(pid_t pid, const char* file, uint32_t inside, uint32_t outside) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  const std::string text = std::to_string(inside) + " " + std::to_string(outside) + " 1\n";
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return ErrnoError("open " + path);
  if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return ErrnoError("write " + path);
  }
  return Status::Ok();
}

}  // namespace

base::StatusOr<UniqueFd> IdmapUserNamespace(uid_t caller_uid, gid_t caller_gid,
                                            const base::IsolationIds& ids) {
  // A child in a new user namespace that only waits: it keeps the namespace alive until the
  // maps are written and an fd to it is open. It must not run anything of ours, so it waits
  // for EOF on a pipe whose write end only we hold, and is killed and reaped right after.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe2");
  UniqueFd wait_read(fds[0]), wait_write(fds[1]);
  clone_args args{};
  args.flags = CLONE_NEWUSER;
  args.exit_signal = SIGCHLD;
  // Raw: glibc has no clone3 wrapper, and its clone() needs a stack and a function.
  const long pid = syscall(SYS_clone3, &args, sizeof(args));
  if (pid < 0) return ErrnoError("clone3(CLONE_NEWUSER) for the idmapping");
  if (pid == 0) {
    wait_write.reset();
    char byte;
    while (read(wait_read.get(), &byte, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  const pid_t child = static_cast<pid_t>(pid);
  Status status = WriteMap(child, "uid_map", caller_uid, ids.host_uid);
  if (status.ok()) status = WriteMap(child, "gid_map", caller_gid, ids.host_gid);
  UniqueFd userns;
  if (status.ok()) {
    const std::string path = "/proc/" + std::to_string(child) + "/ns/user";
    userns.reset(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!userns) status = ErrnoError("open " + path);
  }
  kill(child, SIGKILL);
  while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (!status.ok()) return status;
  return userns;
}

Status IdmapTree(int tree, int userns_fd) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = static_cast<uint64_t>(userns_fd);
  if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) != 0) {
    return ErrnoError("mount_setattr MOUNT_ATTR_IDMAP");
  }
  return Status::Ok();
}

}  // namespace ncp::launcher
