// The fd-based mount and path-resolution system calls (Linux 5.2 mount API, 5.6 openat2, 5.12
// mount_setattr), called through syscall(2): glibc 2.36 declares some of them, but its
// <sys/mount.h> and <linux/mount.h> clash on older releases, and openat2 has no wrapper at all.
#pragma once

#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace ncp::launcher {

inline int OpenAt2(int dirfd, const char* path, uint64_t flags, uint64_t resolve) {
  open_how how{};
  how.flags = flags;
  how.resolve = resolve;
  return static_cast<int>(syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
}

inline int OpenTree(int dirfd, const char* path, unsigned int flags) {
  return static_cast<int>(syscall(SYS_open_tree, dirfd, path, flags));
}

inline int MoveMount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path,
                     unsigned int flags) {
  return static_cast<int>(syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags));
}

inline int FsOpen(const char* fs_name, unsigned int flags) {
  return static_cast<int>(syscall(SYS_fsopen, fs_name, flags));
}

inline int FsConfig(int fs_fd, unsigned int cmd, const char* key, const void* value, int aux) {
  return static_cast<int>(syscall(SYS_fsconfig, fs_fd, cmd, key, value, aux));
}

inline int FsMount(int fs_fd, unsigned int flags, unsigned int attr_flags) {
  return static_cast<int>(syscall(SYS_fsmount, fs_fd, flags, attr_flags));
}

inline int MountSetAttr(int dirfd, const char* path, unsigned int flags, uint64_t attr_set) {
  mount_attr attr{};
  attr.attr_set = attr_set;
  return static_cast<int>(syscall(SYS_mount_setattr, dirfd, path, flags, &attr, sizeof(attr)));
}

}  // namespace ncp::launcher
