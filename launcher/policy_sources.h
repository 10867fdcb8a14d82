// Where this run's policy came from, and keeping it out of the sandbox's reach: the profile
// files read, the origin of the seccomp filter, and read-only covers over policy state.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "policy/command_line.h"
#include "policy/plan.h"
#include "policy/profile_loader.h"
#include "policy/resolve.h"

namespace ncp::launcher {

// The compiled-filter cache folder, the profile folders (user and shipped) and every profile
// and OCI file this plan was read from, kept read-only and in place wherever a writable bind
// of the plan would expose them (policy/policy_state.h); the cache and user profile folders
// are created first where a sandbox could otherwise create them. Returns the notes for
// --check / --verbose.
base::StatusOr<std::vector<std::string>> CoverPolicyState(policy::Plan* plan,
                                                          const policy::ProfileSearchPath& path,
                                                          const policy::ParsedCli& cli,
                                                          const policy::ResolveResult& resolved);

// "profile: FILE (shipped)" per profile file read, "seccomp filter: ORIGIN", the covers, and a
// warning when the sandbox shares the host's mounts. One line each, no trailing newline.
std::vector<std::string> DescribeSources(const policy::ParsedCli& cli,
                                         const policy::ResolveResult& resolved,
                                         const policy::Plan& plan,
                                         const std::vector<std::string>& covers);

}  // namespace ncp::launcher
