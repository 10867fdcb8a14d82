#include "policy/policy_state.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <optional>

namespace ncp::policy {
namespace {

std::optional<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (path.empty() || ::realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

// "" when `inner` is `outer`; the rest after "outer/" when inside it; nullopt otherwise.
std::optional<std::string> RelativeInside(const std::string& outer, const std::string& inner) {
  if (inner == outer) return std::string();
  if (outer == "/") return inner.substr(1);
  if (inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
      inner[outer.size()] == '/') {
    return inner.substr(outer.size() + 1);
  }
  return std::nullopt;
}

std::string Join(const std::string& dir, const std::string& rest) {
  if (rest.empty()) return dir;
  return dir == "/" ? "/" + rest : dir + "/" + rest;
}

}  // namespace

base::StatusOr<std::vector<std::string>> ProtectPolicyState(
    Plan* plan, const std::vector<std::string>& protected_dirs) {
  std::vector<std::string> folders;
  for (const std::string& dir : protected_dirs) {
    if (auto real = RealPath(dir)) folders.push_back(*real);
  }
  std::vector<Mount> covers;
  std::vector<std::string> notes;
  for (const Mount& mount : plan->mounts) {
    if (mount.kind != MountKind::kBind) continue;
    const std::optional<std::string> source = RealPath(mount.source);
    if (!source) continue;  // a missing source fails (or, for bind-try, is skipped) later
    for (const std::string& folder : folders) {
      if (auto rest = RelativeInside(*source, folder)) {
        Mount cover{MountKind::kReadOnlyBind, folder, Join(mount.destination, *rest), false};
        if (std::find(covers.begin(), covers.end(), cover) != covers.end()) continue;
        notes.push_back("policy state " + folder + " is read-only at " + cover.destination +
                        " (inside the writable bind of " + mount.source + ")");
        covers.push_back(std::move(cover));
      } else if (RelativeInside(folder, *source)) {
        return base::Error(base::Code::kFailedPrecondition,
                           "bind: " + mount.source + " lies inside " + folder +
                               ", which holds ncp's policy state: a sandbox may not write it");
      }
    }
  }
  plan->mounts.insert(plan->mounts.end(), covers.begin(), covers.end());
  return notes;
}

}  // namespace ncp::policy
