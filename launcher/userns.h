// Parent side of the user namespace: id maps for the child, and why a kernel refused one.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/status.h"
#include "policy/plan.h"

namespace ncp::launcher {

// Denies setgroups (required before an unprivileged gid_map) and maps the caller's euid/egid to
// the plan's uid/gid, or to themselves when the plan names none. One id each: nothing else
// inside the sandbox maps to a host id.
base::Status WriteIdMaps(pid_t child, const policy::Plan& plan);

// One line naming the likely reason clone(CLONE_NEWUSER) failed with `err`.
std::string UserNamespaceRefusedReason(int err);

}  // namespace ncp::launcher
