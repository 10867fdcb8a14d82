#include "launcher/policy_sources.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "policy/owned_folder.h"
#include "policy/policy_state.h"
#include "policy/seccomp_cache.h"

namespace ncp::launcher {

namespace {

// Absolute, as the file was opened: relative paths were opened from the current directory.
std::string Absolute(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

// A policy folder (the user's profiles, the filter cache), made (0700) before a sandbox that
// could write where it belongs runs: a folder that exists can be kept read-only; one the
// sandbox could create, it could fill. At most the last three components (.config/ncp/profiles)
// are created, below a folder only the caller (or root) may write.
void CreateExposedFolder(const policy::Plan& plan, const std::string& folder) {
  if (folder.empty() || folder[0] != '/' || !policy::InsideWritableBind(plan, folder)) return;
  std::string probe = folder;
  int missing = 0;
  struct stat st;
  while (::stat(probe.c_str(), &st) != 0 && missing < 3) {
    probe.resize(std::max<size_t>(probe.rfind('/'), 1));
    ++missing;
  }
  if (missing > 0) policy::OpenOwnedFolder(folder, ::geteuid(), missing, /*create=*/true);
}

}  // namespace

base::StatusOr<std::vector<std::string>> CoverPolicyState(policy::Plan* plan,
                                                          const policy::ProfileSearchPath& path,
                                                          const policy::ParsedCli& cli,
                                                          const policy::ResolveResult& resolved) {
  policy::PolicyStatePaths state;
  policy::SeccompCache& cache = policy::ProcessSeccompCache();
  // A folder that does not exist yet could be created, with planted filters, by the sandbox;
  // made now where it can be, it can be covered.
  CreateExposedFolder(*plan, cache.disk_dir());
  cache.PrepareDiskDir();
  if (!cache.disk_dir().empty()) state.folders.push_back(cache.disk_dir());
  for (const std::string& dir : path.dirs) {
    CreateExposedFolder(*plan, dir);
    state.folders.push_back(dir);
  }
  // Not searched now, but a sandbox that could fix what is wrong with them could fill them.
  state.folders.insert(state.folders.end(), path.refused_dirs.begin(), path.refused_dirs.end());
  state.folders.insert(state.folders.end(), path.shipped_dirs.begin(), path.shipped_dirs.end());
  for (const policy::ProfileFile& file : cli.profile_files) {
    state.files.push_back(Absolute(file.path));
  }
  for (const std::string& file : resolved.oci_files) state.files.push_back(Absolute(file));
  return policy::ProtectPolicyState(plan, state, ::geteuid());
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
