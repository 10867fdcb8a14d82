// The new root, built the way bubblewrap does it: a tmpfs on /tmp becomes a staging root with
// the host's root under /oldroot (pivot_root moves the tmpfs away from /tmp, so even sources in
// the host's /tmp stay reachable); the sandbox root is a second tmpfs at /newroot, filled from
// /oldroot; then a pivot into /newroot detaches both.
//
// Every mount of the plan goes through file descriptors (mount_paths.h, mount_trees.h): its
// source is opened once as the host sees it, its destination resolved beneath the new root, and
// a detached tree is attached there with move_mount. No path is joined and walked twice, so a
// symlink planted in a writable bind cannot move a mount, or a mkdir, out of the new root.
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "launcher/mount_paths.h"
#include "launcher/mount_syscalls.h"
#include "launcher/mount_trees.h"
#include "launcher/proc_cover.h"
#include "launcher/steps.h"
#include "policy/source_identity.h"

namespace ncp::launcher {
namespace {

using base::ErrnoError;
using base::Status;
using base::UniqueFd;

constexpr char kStaging[] = "/tmp";
constexpr char kOldRoot[] = "/oldroot";
constexpr char kNewRoot[] = "/newroot";

int PivotRootSyscall(const char* new_root, const char* put_old) {
  // Raw: glibc has no pivot_root wrapper.
  return static_cast<int>(syscall(SYS_pivot_root, new_root, put_old));
}

// The staging tmpfs goes on the host's /tmp, the new root's on /newroot inside the staging one:
// fixed paths where a mount changes only our private namespace (even if the host's /tmp were a
// symlink), and nothing is created on the host but /tmp itself when it is missing.
Status MountFixedTmpfs(const char* path) {
  if (mkdir(path, 0755) != 0 && errno != EEXIST) return ErrnoError(std::string("mkdir ") + path);
  if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
    return ErrnoError(std::string("mount tmpfs on ") + path);
  }
  return Status::Ok();
}

base::StatusOr<UniqueFd> OpenFixedDirectory(const char* path) {
  UniqueFd fd(open(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return ErrnoError(std::string("open ") + path);
  return fd;
}

// What building the new root works with, all O_PATH fds.
struct RootfsContext {
  UniqueFd staging;    // the staging tmpfs
  UniqueFd host_root;  // the host's root, where sources are resolved
  UniqueFd new_root;   // the top of the new root, where destinations are resolved
  ProcMasks proc_masks;
};

// A mount on "/" itself covers the tmpfs new_root points into: later destinations must be
// resolved in what is on top.
Status ReopenNewRootAfter(const std::string& destination, RootfsContext* c) {
  if (destination.find_first_not_of('/') != std::string::npos) return Status::Ok();
  auto top = OpenFixedDirectory(kNewRoot);
  if (!top.ok()) return top.status();
  c->new_root = std::move(*top);
  return Status::Ok();
}

// A writable tmpfs of `size` bytes (policy::kUnboundedTmpfs: the kernel's default, half of the
// host's memory). Its inodes are bounded too, one per 4 KiB page and at least 1024: empty files
// cost no pages, but each costs the host memory for its inode.
Status MountTmpfsAt(RootfsContext* c, const std::string& destination, uint64_t size) {
  auto point = ResolveMountPoint(c->new_root.get(), destination, MountPointKind::kDirectory);
  if (!point.ok()) return point.status();
  const std::string bytes = std::to_string(size);
  const std::string inodes = std::to_string(std::max<uint64_t>(1024, size / 4096));
  auto tmpfs =
      size == policy::kUnboundedTmpfs
          ? NewFilesystem("tmpfs", {{"mode", "1777"}}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)
          : NewFilesystem(
                "tmpfs", {{"mode", "1777"}, {"size", bytes.c_str()}, {"nr_inodes", inodes.c_str()}},
                MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  if (!tmpfs.ok()) return tmpfs.status();
  NCP_RETURN_IF_ERROR(Attach(tmpfs->get(), point->get(), "tmpfs", destination));
  return ReopenNewRootAfter(destination, c);
}

// What is mounted must be what the parent checked (policy/source_identity.h): a sandbox running
// now could have swapped a symlink, or a folder, on the source's path since.
Status CheckSourceIdentity(const policy::Mount& m, const struct stat& opened) {
  if (m.identity && *m.identity == policy::IdentityOf(opened)) return Status::Ok();
  return base::Error(base::Code::kFailedPrecondition,
                     "bind " + m.source + ": is not what ncp-launch checked (it " +
                         (m.identity ? "was replaced" : "did not exist") +
                         " then; something is changing it, or a symlink on its path)");
}

// A pin or cover over policy state goes on its source's own place in an earlier bind: that
// place must already be there and be the source itself. Nothing is created for it, so a race
// that moved it cannot make the launcher create folders on the host inside the bind.
base::StatusOr<UniqueFd> InPlaceMountPoint(RootfsContext* c, const policy::Mount& m,
                                           const struct stat& source) {
  auto point = OpenExistingMountPoint(c->new_root.get(), m.destination);
  if (!point.ok()) {
    return base::Error(base::Code::kFailedPrecondition,
                       "policy state " + m.source + " cannot be kept read-only at " +
                           m.destination + ": " + point.status().ToString() +
                           " (it was moved, or a mount of the plan covers that place)");
  }
  struct stat at {};
  if (fstat(point->get(), &at) != 0) return ErrnoError("stat " + m.destination);
  if (policy::IdentityOf(at) != policy::IdentityOf(source)) {
    return base::Error(base::Code::kFailedPrecondition,
                       "policy state " + m.source + " is not at its place " + m.destination +
                           " in the sandbox (it was moved, or a mount covers that place)");
  }
  return point;
}

// Attaches `tree` (a detached tree with its attributes set) at `m.destination`, resolved
// inside the new root.
Status AttachBindTree(RootfsContext* c, const policy::Mount& m, int tree) {
  struct stat st {};
  if (fstat(tree, &st) != 0) return ErrnoError("stat " + m.source);
  // Before the mount point is made: a refused source creates nothing.
  NCP_RETURN_IF_ERROR(CheckSourceIdentity(m, st));
  auto point = m.in_place ? InPlaceMountPoint(c, m, st)
                          : ResolveMountPoint(c->new_root.get(), m.destination,
                                              S_ISDIR(st.st_mode) ? MountPointKind::kDirectory
                                                                  : MountPointKind::kFile);
  if (!point.ok()) return point.status();
  NCP_RETURN_IF_ERROR(Attach(tree, point->get(), m.source, m.destination));
  return ReopenNewRootAfter(m.destination, c);
}

// `parent_tree`: the tree root's parent opened for this bind (bind_trees.h), or -1.
// `early_source`: the source OpenBindSources opened before the child took its isolation ids,
// or -1: the source is then opened here, as the sandbox's ids.
Status ApplyPlanMount(RootfsContext* c, const policy::Mount& m, int parent_tree, int early_source) {
  if (m.kind == policy::MountKind::kTmpfs) return MountTmpfsAt(c, m.destination, m.size);
  // A *-try source that did not exist when it was checked is skipped, whatever is there now.
  if (m.optional && !m.identity) return Status::Ok();
  if (parent_tree >= 0) return AttachBindTree(c, m, parent_tree);
  if (early_source >= 0) {
    auto tree = DetachedBindTree(m, early_source);
    if (!tree.ok()) return tree.status();
    return AttachBindTree(c, m, tree->get());
  }
  // The source first: a failing source creates no mount point.
  auto source = OpenMountSource(c->host_root.get(), m.source);
  if (!source.ok()) {
    return m.optional && source.status().err() == ENOENT ? Status::Ok() : source.status();
  }
  auto tree = DetachedBindTree(m, source->get());
  if (!tree.ok()) return tree.status();
  return AttachBindTree(c, m, tree->get());
}

// A fresh proc needs a pid namespace of our own; without one, the host's is bound instead
// (mounting a new proc for a pid namespace we do not own is refused).
base::StatusOr<UniqueFd> NewProcTree(const RootfsContext& c, bool own_pid_namespace) {
  if (!own_pid_namespace) {
    auto host_proc = OpenMountSource(c.host_root.get(), "/proc");
    if (!host_proc.ok()) return host_proc.status();
    return DetachedTree(host_proc->get(), MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  }
  auto proc = NewFilesystem("proc", {}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  // A container that over-mounts parts of its /proc (Docker's masked paths) makes the kernel
  // refuse a fresh proc instance in a new user namespace.
  if (!proc.ok() && proc.status().err() == EPERM) {
    return ErrnoError(proc.status().message() +
                          " (a container that masks /proc paths refuses a new proc; Docker: "
                          "--security-opt systempaths=unconfined)",
                      EPERM);
  }
  return proc;
}

// Fresh or the host's, the sandbox's /proc is covered the same way.
Status MountProc(RootfsContext* c, bool own_pid_namespace) {
  auto point = ResolveMountPoint(c->new_root.get(), "/proc", MountPointKind::kDirectory);
  if (!point.ok()) return point.status();
  auto proc = NewProcTree(*c, own_pid_namespace);
  if (!proc.ok()) return proc.status();
  NCP_RETURN_IF_ERROR(Attach(proc->get(), point->get(), "proc", "/proc"));
  return CoverProc(proc->get(), c->proc_masks);
}

// Only the harmless character devices; no tty, no ptmx, no shm. Read-only once filled (the
// devices stay writable: they are binds of their own), and tiny, so /dev is no place to store
// anything.
Status MountMinimalDev(RootfsContext* c) {
  auto point = ResolveMountPoint(c->new_root.get(), "/dev", MountPointKind::kDirectory);
  if (!point.ok()) return point.status();
  auto dev = NewFilesystem("tmpfs", {{"mode", "0755"}, {"size", "16k"}, {"nr_inodes", "32"}},
                           MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  if (!dev.ok()) return dev.status();
  NCP_RETURN_IF_ERROR(Attach(dev->get(), point->get(), "tmpfs", "/dev"));
  // Inside the fresh tmpfs, through its own fd: nothing else can be reached from there.
  for (const char* node : {"null", "zero", "full", "random", "urandom"}) {
    const std::string name = std::string("/") + node;
    auto source = OpenMountSource(c->host_root.get(), "/dev" + name);
    if (!source.ok()) return source.status();
    auto tree = DetachedTree(source->get(), MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
    if (!tree.ok())
      return ErrnoError(tree.status().message() + " /dev" + name, tree.status().err());
    auto node_point = ResolveMountPoint(dev->get(), name, MountPointKind::kFile);
    if (!node_point.ok()) return node_point.status();
    NCP_RETURN_IF_ERROR(Attach(tree->get(), node_point->get(), "/dev" + name, "/dev" + name));
  }
  const char* const links[][2] = {{"/proc/self/fd", "fd"},
                                  {"/proc/self/fd/0", "stdin"},
                                  {"/proc/self/fd/1", "stdout"},
                                  {"/proc/self/fd/2", "stderr"}};
  for (const auto& link : links) {
    if (symlinkat(link[0], dev->get(), link[1]) != 0) {
      return ErrnoError(std::string("symlink /dev/") + link[1]);
    }
  }
  if (MountSetAttr(dev->get(), "", AT_EMPTY_PATH, MOUNT_ATTR_RDONLY) != 0) {
    return ErrnoError("mount_setattr /dev read-only");
  }
  return Status::Ok();
}

// The staging root with the host's root under /oldroot, the new root's tmpfs at /newroot.
base::StatusOr<RootfsContext> EnterStagingRoot() {
  NCP_RETURN_IF_ERROR(MountFixedTmpfs(kStaging));
  const std::string put_old = std::string(kStaging) + kOldRoot;
  if (mkdir(put_old.c_str(), 0755) != 0) return ErrnoError("mkdir " + put_old);
  if (PivotRootSyscall(kStaging, put_old.c_str()) != 0) {
    return ErrnoError("pivot_root into the staging tmpfs");
  }
  if (chdir("/") != 0) return ErrnoError("chdir /");
  NCP_RETURN_IF_ERROR(MountFixedTmpfs(kNewRoot));
  RootfsContext c;
  auto staging = OpenFixedDirectory("/");
  auto host_root = OpenFixedDirectory(kOldRoot);
  auto new_root = OpenFixedDirectory(kNewRoot);
  if (!staging.ok()) return staging.status();
  if (!host_root.ok()) return host_root.status();
  if (!new_root.ok()) return new_root.status();
  c.staging = std::move(*staging);
  c.host_root = std::move(*host_root);
  c.new_root = std::move(*new_root);
  auto masks = MakeProcMasks(c.staging.get());
  if (!masks.ok()) return masks.status();
  c.proc_masks = std::move(*masks);
  return c;
}

}  // namespace

Status MakeRootPrivate() {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return ErrnoError("make / private");
  }
  return Status::Ok();
}

Status OpenBindSources(const policy::Plan& plan, std::span<const int> bind_trees,
                       std::vector<UniqueFd>* sources) {
  sources->clear();
  sources->resize(plan.mounts.size());
  UniqueFd host_root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!host_root) return ErrnoError("open /");
  for (size_t i = 0; i < plan.mounts.size(); ++i) {
    const policy::Mount& m = plan.mounts[i];
    if (m.kind == policy::MountKind::kTmpfs) continue;
    if (i < bind_trees.size() && bind_trees[i] >= 0) continue;
    auto source = OpenMountSource(host_root.get(), m.source);
    if (source.ok()) (*sources)[i] = std::move(*source);
  }
  return Status::Ok();
}

Status BuildRootfs(const policy::Plan& plan, std::span<const int> bind_trees,
                   std::span<const int> sources) {
  auto context = EnterStagingRoot();
  if (!context.ok()) return context.status();
  RootfsContext& c = *context;
  bool has_tmp = false;
  for (size_t i = 0; i < plan.mounts.size(); ++i) {
    const policy::Mount& m = plan.mounts[i];
    NCP_RETURN_IF_ERROR(ApplyPlanMount(&c, m, i < bind_trees.size() ? bind_trees[i] : -1,
                                       i < sources.size() ? sources[i] : -1));
    has_tmp = has_tmp || m.destination == "/tmp";
  }
  if (!has_tmp) NCP_RETURN_IF_ERROR(MountTmpfsAt(&c, "/tmp", plan.tmpfs_size));
  NCP_RETURN_IF_ERROR(MountProc(&c, plan.namespaces.pid));
  return MountMinimalDev(&c);
}

Status PivotRoot() {
  if (chdir(kNewRoot) != 0) return ErrnoError("chdir " + std::string(kNewRoot));
  // pivot_root(".", ".") stacks the old root on top of the new one; unmounting "." then drops
  // the staging tmpfs and the host's root with it, without a directory to hold them.
  if (PivotRootSyscall(".", ".") != 0) return ErrnoError("pivot_root into the new root");
  if (umount2(".", MNT_DETACH) != 0) return ErrnoError("detach the old root");
  if (chdir("/") != 0) return ErrnoError("chdir /");
  // The root itself is read-only; only the plan's binds and tmpfs mounts are writable.
  if (MountSetAttr(AT_FDCWD, "/", 0, MOUNT_ATTR_RDONLY) != 0) {
    return ErrnoError("mount_setattr / read-only");
  }
  return Status::Ok();
}

}  // namespace ncp::launcher
