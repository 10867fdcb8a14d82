#include "launcher/mount_trees.h"

#include <cerrno>
#include <string>

#include "launcher/mount_syscalls.h"

namespace ncp::launcher {

using base::ErrnoError;
using base::StatusOr;
using base::UniqueFd;

StatusOr<UniqueFd> DetachedTree(int source, uint64_t attrs) {
  UniqueFd tree(
      open_tree(source, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH));
  if (!tree) return ErrnoError("open_tree");
  // On the detached copy, before anything can see it; AT_RECURSIVE reaches every submount, and
  // attributes the kernel locked on the originals (nosuid, ... of the host's) stay set.
  if (attrs != 0 && MountSetAttr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, attrs) != 0) {
    return ErrnoError("mount_setattr");
  }
  return tree;
}

StatusOr<UniqueFd> DetachedBindTree(const policy::Mount& mount, int source) {
  uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (mount.kind == policy::MountKind::kReadOnlyBind) attrs |= MOUNT_ATTR_RDONLY;
  auto tree = DetachedTree(source, attrs);
  if (!tree.ok()) {
    return ErrnoError(tree.status().message() + " " + mount.source, tree.status().err());
  }
  return tree;
}

StatusOr<UniqueFd> NewFilesystem(const char* fs_type, std::initializer_list<FsOption> options,
                                 uint64_t attrs) {
  const std::string type = fs_type;
  UniqueFd context(fsopen(fs_type, FSOPEN_CLOEXEC));
  if (!context) return ErrnoError("fsopen " + type);
  for (const FsOption& option : options) {
    if (fsconfig(context.get(), FSCONFIG_SET_STRING, option.key, option.value, 0) != 0) {
      return ErrnoError("fsconfig " + type + " " + option.key + "=" + option.value);
    }
  }
  if (fsconfig(context.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    return ErrnoError("create a " + type + " instance");
  }
  UniqueFd mount(fsmount(context.get(), FSMOUNT_CLOEXEC, static_cast<unsigned int>(attrs)));
  if (!mount) return ErrnoError("fsmount " + type);
  return mount;
}

base::Status Attach(int tree, int mount_point, const std::string& what, const std::string& where) {
  if (move_mount(tree, "", mount_point, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) !=
      0) {
    return ErrnoError("mount " + what + " on " + where);
  }
  return base::Status::Ok();
}

}  // namespace ncp::launcher
