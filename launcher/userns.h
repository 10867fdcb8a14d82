// Parent side of the user namespace: id maps for the child, and why a kernel refused one.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/isolation_uid.h"
#include "base/status.h"
#include "policy/plan.h"

namespace ncp::launcher {

// Maps `inside_uid`/`inside_gid` to one host id each: nothing else inside the sandbox maps to a
// host id. Without `isolation`: to the caller's euid/egid, after denying setgroups (required
// before an unprivileged gid_map). With it: to isolation->host_uid/host_gid, written directly
// (root) or by newuidmap/newgidmap (a user); setgroups stays allowed so that the child can drop
// the caller's supplementary groups.
base::Status WriteIdMaps(pid_t child, uint32_t inside_uid, uint32_t inside_gid,
                         const std::optional<base::IsolationIds>& isolation);

// Child side, without --isolation-uid: a process may map its own (outside) euid/egid in the
// user namespace it has just created, so no round trip to the parent is needed.
base::Status WriteOwnIdMaps(uint32_t inside_uid, uint32_t inside_gid, uint32_t outside_uid,
                            uint32_t outside_gid);

// One line naming the likely reason clone(CLONE_NEWUSER) failed with `err`.
std::string UserNamespaceRefusedReason(int err);

}  // namespace ncp::launcher
