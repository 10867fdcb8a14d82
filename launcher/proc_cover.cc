#include "launcher/proc_cover.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "launcher/mount_syscalls.h"
#include "launcher/mount_trees.h"

namespace ncp::launcher {
namespace {

using base::ErrnoError;
using base::Status;
using base::UniqueFd;

constexpr uint64_t kReadOnly =
    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;

// Read-only, as Docker's readonlyPaths (runc) and nspawn: kernel tunables (sys), the magic
// SysRq key, IRQ affinity, bus and filesystem settings. apm as nspawn (x86-32 only).
constexpr const char* kReadOnlyEntries[] = {"sys", "sysrq-trigger", "irq", "bus", "fs", "apm"};

// Covered, as Docker's maskedPaths (moby, containerd) and nspawn's inaccessible ones: physical
// memory (kcore), the kernel log (kmsg), kernel addresses (kallsyms), other users' keys (keys),
// timer, scheduler and latency internals that leak what the host runs, the interrupt counts that
// carry a thermal side channel (interrupts, moby 2025), and hardware trees (acpi, asound, scsi).
constexpr const char* kMaskedEntries[] = {
    "kcore",         "kmsg",        "kallsyms",   "keys", "timer_list", "timer_stats",
    "latency_stats", "sched_debug", "interrupts", "acpi", "asound",     "scsi"};

Status MakeReadOnly(int proc_root, const char* name) {
  // One name in proc's root, symlinks not followed: nothing there can lead elsewhere.
  UniqueFd tree(open_tree(
      proc_root, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW));
  if (!tree) {
    return errno == ENOENT ? Status::Ok() : ErrnoError(std::string("open_tree /proc/") + name);
  }
  if (MountSetAttr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, kReadOnly) != 0) {
    return ErrnoError(std::string("mount_setattr /proc/") + name);
  }
  if (move_mount(tree.get(), "", proc_root, name, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    return ErrnoError(std::string("make /proc/") + name + " read-only");
  }
  return Status::Ok();
}

Status Mask(int proc_root, const char* name, const ProcMasks& masks) {
  struct stat st {};
  if (fstatat(proc_root, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno == ENOENT ? Status::Ok() : ErrnoError(std::string("stat /proc/") + name);
  }
  const int source = S_ISDIR(st.st_mode) ? masks.directory.get() : masks.file.get();
  UniqueFd cover(open_tree(source, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
  if (!cover) return ErrnoError(std::string("open_tree the mask for /proc/") + name);
  if (move_mount(cover.get(), "", proc_root, name, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    return ErrnoError(std::string("mask /proc/") + name);
  }
  return Status::Ok();
}

}  // namespace

base::StatusOr<ProcMasks> MakeProcMasks(int staging_root) {
  constexpr char kDir[] = "proc-masks";
  if (mkdirat(staging_root, kDir, 0755) != 0) return ErrnoError("mkdir the /proc masks");
  UniqueFd dir(openat(staging_root, kDir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) return ErrnoError("open the /proc masks");
  UniqueFd file(openat(dir.get(), "file", O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
  // Exact modes, whatever the caller's umask: readable (empty) for everyone, writable by none.
  if (!file || fchmod(file.get(), 0444) != 0) return ErrnoError("create the /proc file mask");
  file.reset();
  if (mkdirat(dir.get(), "dir", 0555) != 0 || fchmodat(dir.get(), "dir", 0555, 0) != 0) {
    return ErrnoError("create the /proc directory mask");
  }
  // A read-only bind of the masks on themselves: every copy made from it is read-only too.
  auto tree = DetachedTree(dir.get(), kReadOnly);
  if (!tree.ok())
    return ErrnoError(tree.status().message() + " the /proc masks", tree.status().err());
  NCP_RETURN_IF_ERROR(Attach(tree->get(), dir.get(), "the /proc masks", "themselves"));
  ProcMasks masks;
  masks.file.reset(openat(tree->get(), "file", O_PATH | O_NOFOLLOW | O_CLOEXEC));
  masks.directory.reset(openat(tree->get(), "dir", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!masks.file || !masks.directory) return ErrnoError("open the /proc masks");
  return masks;
}

Status CoverProc(int proc_root, const ProcMasks& masks) {
  for (const char* name : kReadOnlyEntries) NCP_RETURN_IF_ERROR(MakeReadOnly(proc_root, name));
  for (const char* name : kMaskedEntries) NCP_RETURN_IF_ERROR(Mask(proc_root, name, masks));
  return Status::Ok();
}

}  // namespace ncp::launcher
