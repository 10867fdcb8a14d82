#include "launcher/policy_sources.h"

#include "policy/policy_state.h"
#include "policy/seccomp_cache.h"

namespace ncp::launcher {

base::StatusOr<std::vector<std::string>> CoverPolicyState(policy::Plan* plan,
                                                          const policy::ProfileSearchPath& path) {
  std::vector<std::string> dirs;
  policy::SeccompCache& cache = policy::ProcessSeccompCache();
  // A folder that does not exist yet could be created, with planted filters, by the sandbox.
  if (cache.PrepareDiskDir()) dirs.push_back(cache.disk_dir());
  dirs.insert(dirs.end(), path.dirs.begin(), path.dirs.end());
  dirs.insert(dirs.end(), path.shipped_dirs.begin(), path.shipped_dirs.end());
  return policy::ProtectPolicyState(plan, dirs);
}

std::vector<std::string> DescribeSources(const policy::ParsedCli& cli,
                                         const policy::ResolveResult& resolved,
                                         const policy::Plan& plan,
                                         const std::vector<std::string>& covers) {
  std::vector<std::string> lines;
  for (const policy::ProfileFile& file : cli.profile_files) {
    lines.push_back("profile: " + std::string(2 * file.depth, ' ') + file.path +
                    (file.shipped ? " (shipped)" : " (not shipped)"));
  }
  if (plan.seccomp.enabled) {
    lines.push_back("seccomp filter: " + resolved.filter_origin.ToString());
  }
  lines.insert(lines.end(), covers.begin(), covers.end());
  if (!plan.namespaces.mount) {
    lines.push_back(
        "warning: no mount namespace: the sandbox can write every file the caller can, ncp's "
        "filter cache and profiles included");
  }
  return lines;
}

}  // namespace ncp::launcher
