// Bind sources opened by root's launcher. Root's sandbox does its mounts as its leased host id
// (host_ids.h), which cannot search a directory that only root can (/root, a 0700 build or
// install tree): binding a source below one would fail. So, for root's leased ids, the parent
// opens every bind source itself as a detached tree before clone, and the child attaches the
// trees in place of binds (AttachTree, mounts.cc); with --idmap-binds the writable ones are
// idmapped (idmapped_binds.h). The sandbox then reads what the files' own modes allow.
#pragma once

#include <string>
#include <vector>

#include "base/isolation_uid.h"
#include "base/status.h"
#include "base/unique_fd.h"
#include "policy/plan.h"

namespace ncp::launcher {

// One entry per plan.mounts: the tree of each bind whose source exists, an empty fd for tmpfs
// and missing sources (the child skips or reports those, as for any bind). Where the kernel or a
// seccomp profile refuses open_tree, no tree: the child binds the path itself. An idmap that
// is refused (a file system without idmapped mounts) leaves a plain tree and a line in `notes`.
base::StatusOr<std::vector<base::UniqueFd>> OpenBindTrees(const policy::Plan& plan,
                                                          const base::IsolationIds& ids,
                                                          bool idmap_writable,
                                                          std::vector<std::string>* notes);

}  // namespace ncp::launcher
