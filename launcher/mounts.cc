// The new root, built the way bubblewrap does it: a tmpfs on /tmp becomes a staging root with
// the host's root under /oldroot (pivot_root moves the tmpfs away from /tmp, so even sources in
// the host's /tmp stay reachable); the sandbox root is a second tmpfs at /newroot, filled with
// binds from /oldroot; then a pivot into /newroot detaches both.
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "launcher/steps.h"

namespace ncp::launcher {
namespace {

using base::ErrnoError;
using base::Status;

constexpr char kStaging[] = "/tmp";
constexpr char kOldRoot[] = "/oldroot";
constexpr char kNewRoot[] = "/newroot";

int PivotRootSyscall(const char* new_root, const char* put_old) {
  return static_cast<int>(syscall(SYS_pivot_root, new_root, put_old));
}

// mount_setattr(2), Linux 5.12: applies to every submount too, unlike MS_REMOUNT|MS_BIND, and
// leaves the flags the kernel locked (nosuid, nodev... of the original mount) alone.
Status SetMountAttr(const std::string& path, uint64_t attrs, bool recursive) {
  mount_attr attr{};
  attr.attr_set = attrs;
  if (syscall(SYS_mount_setattr, AT_FDCWD, path.c_str(), recursive ? AT_RECURSIVE : 0, &attr,
              sizeof(attr)) != 0) {
    return ErrnoError("mount_setattr " + path);
  }
  return Status::Ok();
}

Status MakeDirs(const std::string& path, mode_t mode) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) return ErrnoError("mkdir " + prefix);
  }
  return Status::Ok();
}

// A bind needs a mount point of the same type as its source: a directory or a file.
Status MakeMountPoint(const std::string& path, bool directory) {
  if (directory) return MakeDirs(path, 0755);
  NCP_RETURN_IF_ERROR(MakeDirs(path.substr(0, path.rfind('/')), 0755));
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0) return ErrnoError("create mount point " + path);
  close(fd);
  return Status::Ok();
}

Status MountTmpfs(const std::string& path, const char* options) {
  NCP_RETURN_IF_ERROR(MakeDirs(path, 0755));
  if (mount("tmpfs", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options) != 0) {
    return ErrnoError("mount tmpfs on " + path);
  }
  return Status::Ok();
}

Status Bind(const std::string& source, const std::string& target, uint64_t attrs) {
  struct stat st {};
  if (stat(source.c_str(), &st) != 0) return ErrnoError("stat " + source);
  NCP_RETURN_IF_ERROR(MakeMountPoint(target, S_ISDIR(st.st_mode)));
  if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    return ErrnoError("bind " + source + " on " + target);
  }
  return attrs != 0 ? SetMountAttr(target, attrs, /*recursive=*/true) : Status::Ok();
}

// Attaches a detached tree (bind_trees.h) at `target`, as Bind does a path. Its source was
// resolved by the parent, on the host.
Status AttachTree(int tree, const std::string& target, uint64_t attrs) {
  struct stat st {};
  if (fstat(tree, &st) != 0) return ErrnoError("stat the tree for " + target);
  NCP_RETURN_IF_ERROR(MakeMountPoint(target, S_ISDIR(st.st_mode)));
  if (syscall(SYS_move_mount, tree, "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    return ErrnoError("attach the tree of the bind on " + target);
  }
  return SetMountAttr(target, attrs, /*recursive=*/true);
}

Status ApplyPlanMount(const policy::Mount& m, int tree) {
  const std::string target = kNewRoot + m.destination;
  if (m.kind == policy::MountKind::kTmpfs) return MountTmpfs(target, "mode=1777");
  uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (m.kind == policy::MountKind::kReadOnlyBind) attrs |= MOUNT_ATTR_RDONLY;
  if (tree >= 0) {
    Status attached = AttachTree(tree, target, attrs);
    // A seccomp profile (Docker's) may refuse move_mount: the plain bind below, if it can.
    if (attached.ok() || (attached.err() != EPERM && attached.err() != ENOSYS)) return attached;
  }
  const std::string source = kOldRoot + m.source;
  if (m.optional && access(source.c_str(), F_OK) != 0 && errno == ENOENT) return Status::Ok();
  return Bind(source, target, attrs);
}

// A fresh proc needs a pid namespace of our own; without one, the host's is bound instead
// (mounting a new proc for a pid namespace we do not own is refused).
Status MountProc(bool own_pid_namespace) {
  const std::string target = std::string(kNewRoot) + "/proc";
  if (!own_pid_namespace) {
    return Bind(std::string(kOldRoot) + "/proc", target, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  }
  NCP_RETURN_IF_ERROR(MakeDirs(target, 0555));
  if (mount("proc", target.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    // A container that over-mounts parts of its /proc (Docker's masked paths) makes the
    // kernel refuse a fresh proc instance in a new user namespace.
    const int err = errno;
    return ErrnoError("mount proc on " + target +
                          (err == EPERM ? " (a container that masks /proc paths refuses a new "
                                          "proc; Docker: --security-opt systempaths=unconfined)"
                                        : ""),
                      err);
  }
  return Status::Ok();
}

// Only the harmless character devices; no tty, no ptmx, no shm.
Status MountMinimalDev() {
  const std::string dev = std::string(kNewRoot) + "/dev";
  NCP_RETURN_IF_ERROR(MountTmpfs(dev, "mode=0755"));
  for (const char* node : {"null", "zero", "full", "random", "urandom"}) {
    NCP_RETURN_IF_ERROR(Bind(std::string(kOldRoot) + "/dev/" + node, dev + "/" + node,
                             MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC));
  }
  const char* const links[][2] = {{"/proc/self/fd", "fd"},
                                  {"/proc/self/fd/0", "stdin"},
                                  {"/proc/self/fd/1", "stdout"},
                                  {"/proc/self/fd/2", "stderr"}};
  for (const auto& link : links) {
    if (symlink(link[0], (dev + "/" + link[1]).c_str()) != 0) {
      return ErrnoError("symlink " + dev + "/" + link[1]);
    }
  }
  return Status::Ok();
}

}  // namespace

Status MakeRootPrivate() {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return ErrnoError("make / private");
  }
  return Status::Ok();
}

Status BuildRootfs(const policy::Plan& plan, std::span<const int> bind_trees) {
  NCP_RETURN_IF_ERROR(MountTmpfs(kStaging, "mode=0755"));
  NCP_RETURN_IF_ERROR(MakeDirs(std::string(kStaging) + kOldRoot, 0755));
  if (PivotRootSyscall(kStaging, (std::string(kStaging) + kOldRoot).c_str()) != 0) {
    return ErrnoError("pivot_root into the staging tmpfs");
  }
  if (chdir("/") != 0) return ErrnoError("chdir /");
  NCP_RETURN_IF_ERROR(MountTmpfs(kNewRoot, "mode=0755"));
  bool has_tmp = false;
  for (size_t i = 0; i < plan.mounts.size(); ++i) {
    const policy::Mount& m = plan.mounts[i];
    NCP_RETURN_IF_ERROR(ApplyPlanMount(m, i < bind_trees.size() ? bind_trees[i] : -1));
    has_tmp = has_tmp || m.destination == "/tmp";
  }
  if (!has_tmp) NCP_RETURN_IF_ERROR(MountTmpfs(std::string(kNewRoot) + "/tmp", "mode=1777"));
  NCP_RETURN_IF_ERROR(MountProc(plan.namespaces.pid));
  return MountMinimalDev();
}

Status PivotRoot() {
  if (chdir(kNewRoot) != 0) return ErrnoError("chdir " + std::string(kNewRoot));
  // pivot_root(".", ".") stacks the old root on top of the new one; unmounting "." then drops
  // the staging tmpfs and the host's root with it, without a directory to hold them.
  if (PivotRootSyscall(".", ".") != 0) return ErrnoError("pivot_root into the new root");
  if (umount2(".", MNT_DETACH) != 0) return ErrnoError("detach the old root");
  if (chdir("/") != 0) return ErrnoError("chdir /");
  // The root itself is read-only; only the plan's binds and tmpfs mounts are writable.
  return SetMountAttr("/", MOUNT_ATTR_RDONLY, /*recursive=*/false);
}

}  // namespace ncp::launcher
