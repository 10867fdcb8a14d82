#include "launcher/bind_trees.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <unistd.h>

#include <cerrno>

#include "launcher/idmapped_binds.h"
#include "launcher/mount_paths.h"
#include "launcher/mount_trees.h"

namespace ncp::launcher {

using base::UniqueFd;

base::StatusOr<std::vector<UniqueFd>> OpenBindTrees(const policy::Plan& plan,
                                                    const base::IsolationIds& ids,
                                                    bool idmap_writable,
                                                    std::vector<std::string>* notes) {
  std::vector<UniqueFd> trees(plan.mounts.size());
  // Sources are resolved as the child would resolve them (mount_paths.h: host semantics, no
  // magic links), only with root's right to search every directory.
  UniqueFd host_root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!host_root) return base::ErrnoError("open /");
  UniqueFd userns;
  for (size_t i = 0; i < plan.mounts.size(); ++i) {
    const policy::Mount& m = plan.mounts[i];
    if (m.kind == policy::MountKind::kTmpfs) continue;
    // A missing or refused source gets no tree: the child opens it and reports (or skips) it
    // exactly as for any bind.
    auto source = OpenMountSource(host_root.get(), m.source);
    if (!source.ok()) continue;
    auto tree = DetachedBindTree(m, source->get());
    // Where the kernel or a seccomp profile refuses open_tree, the child binds the path itself.
    if (!tree.ok()) continue;
    if (idmap_writable && m.kind == policy::MountKind::kBind) {
      if (!userns) {
        auto made = IdmapUserNamespace(geteuid(), getegid(), ids);
        if (!made.ok()) return made.status();
        userns = std::move(*made);
      }
      // Not every file system can be idmapped (EINVAL), nor every kernel (ENOSYS), and a
      // container's seccomp profile may refuse the call (EPERM): a plain tree gives the sandbox
      // less, never more.
      if (base::Status s = IdmapTree(tree->get(), userns.get()); !s.ok()) {
        notes->push_back("bind " + m.source + ": not idmapped (" + s.ToString() +
                         "); files written there belong to the sandbox's host id");
        auto plain = DetachedBindTree(m, source->get());
        if (!plain.ok()) continue;
        tree = std::move(plain);
      }
    }
    trees[i] = std::move(*tree);
  }
  return trees;
}

}  // namespace ncp::launcher
