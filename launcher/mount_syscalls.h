// The fd-based mount and path-resolution system calls (Linux 5.2 mount API, 5.6 openat2, 5.12
// mount_setattr). glibc 2.36 wraps the mount API in <sys/mount.h> (open_tree, move_mount,
// fsopen, fsconfig, fsmount, mount_setattr; call those directly); Debian 12's glibc carries the
// fix that lets <sys/mount.h> and <linux/mount.h> be included together. What stays here:
// openat2, which glibc does not wrap, and a mount_setattr that takes only the attributes to set.
#pragma once

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace ncp::launcher {

inline int OpenAt2(int dirfd, const char* path, uint64_t flags, uint64_t resolve) {
  open_how how{};
  how.flags = flags;
  how.resolve = resolve;
  // Raw: glibc (2.36 and later) has no openat2 wrapper.
  return static_cast<int>(syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
}

inline int MountSetAttr(int dirfd, const char* path, unsigned int flags, uint64_t attr_set) {
  mount_attr attr{};
  attr.attr_set = attr_set;
  return mount_setattr(dirfd, path, flags, &attr, sizeof(attr));
}

}  // namespace ncp::launcher
