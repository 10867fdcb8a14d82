#include "launcher/bind_trees.h"

#include <unistd.h>

#include <cerrno>

#include "launcher/idmapped_binds.h"

namespace ncp::launcher {

using base::UniqueFd;

base::StatusOr<std::vector<UniqueFd>> OpenBindTrees(const policy::Plan& plan,
                                                    const base::IsolationIds& ids,
                                                    bool idmap_writable,
                                                    std::vector<std::string>* notes) {
  std::vector<UniqueFd> trees(plan.mounts.size());
  UniqueFd userns;
  for (size_t i = 0; i < plan.mounts.size(); ++i) {
    const policy::Mount& m = plan.mounts[i];
    if (m.kind == policy::MountKind::kTmpfs) continue;
    if (access(m.source.c_str(), F_OK) != 0) continue;
    if (idmap_writable && m.kind == policy::MountKind::kBind) {
      if (!userns) {
        auto made = IdmapUserNamespace(geteuid(), getegid(), ids);
        if (!made.ok()) return made.status();
        userns = std::move(*made);
      }
      auto tree = OpenIdmappedTree(m.source, userns.get());
      if (tree.ok()) {
        trees[i] = std::move(*tree);
        continue;
      }
      // Not every file system can be idmapped (EINVAL), nor every kernel (ENOSYS), and a
      // container's seccomp profile may refuse the calls (EPERM): a plain tree gives the sandbox
      // less, never more.
      notes->push_back("bind " + m.source + ": not idmapped (" + tree.status().ToString() +
                       "); files written there belong to the sandbox's host id");
    }
    auto tree = OpenTree(m.source);
    if (tree.ok()) trees[i] = std::move(*tree);
  }
  return trees;
}

}  // namespace ncp::launcher
