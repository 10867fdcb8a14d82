#include "launcher/policy_sources.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "base/host_id_lease.h"
#include "policy/owned_folder.h"
#include "policy/policy_state.h"
#include "policy/seccomp_cache.h"
#include "policy/source_identity.h"

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
// sandbox could create, it could fill. Only the components below its base (.config/ncp/profiles)
// are created (never the base: a $HOME or $XDG_* folder), below a folder only the caller (or
// root) may write.
void CreateExposedFolder(const policy::Plan& plan, const policy::PolicyFolder& folder) {
  const std::string& path = folder.path;
  if (path.empty() || path[0] != '/' || !policy::InsideWritableBind(plan, path)) return;
  std::string probe = path;
  int missing = 0;
  struct stat st;
  while (::stat(probe.c_str(), &st) != 0 && missing < folder.base_depth) {
    probe.resize(std::max<size_t>(probe.rfind('/'), 1));
    ++missing;
  }
  if (missing > 0) policy::OpenOwnedFolder(path, ::geteuid(), missing, /*create=*/true);
}

}  // namespace

base::StatusOr<std::vector<std::string>> CoverPolicyState(policy::Plan* plan,
                                                          const policy::ProfileSearchPath& path,
                                                          const policy::ParsedCli& cli,
                                                          const policy::ResolveResult& resolved) {
  // First: every check below, and the child's mounts, are then about these files and no others
  // (a sandbox running now may be swapping a symlink on a bind's path).
  policy::RecordSourceIdentities(plan);
  policy::PolicyStatePaths state;
  policy::SeccompCache& cache = policy::ProcessSeccompCache();
  state.folders.push_back({cache.disk_dir(), cache.create_depth()});
  state.folders.push_back(
      policy::UserProfileDirFor(std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME")));
  // Also where a start with another environment (no $XDG_CONFIG_HOME, the passwd entry's home)
  // keeps its profiles: this sandbox must not be able to rewrite those either.
  const struct passwd* entry = ::getpwuid(::geteuid());
  for (const char* home : {std::getenv("HOME"), entry != nullptr ? entry->pw_dir : nullptr}) {
    state.folders.push_back(policy::UserProfileDirFor(nullptr, home));
  }
  // A folder that does not exist yet could be created, with planted filters or profiles, by the
  // sandbox; made now where it can be, it can be kept read-only.
  for (const policy::PolicyFolder& folder : state.folders) CreateExposedFolder(*plan, folder);
  cache.PrepareDiskDir();
  for (const std::string& dir : path.shipped_dirs) state.folders.push_back({dir, 0});
  // Which host ids are free: a sandbox that could delete a lease could share its ids.
  if (::geteuid() == 0) state.folders.push_back({base::kHostIdLockDir, 0});
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
