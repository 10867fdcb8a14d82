#include "launcher/profile_dirs.h"

#include <filesystem>
#include <system_error>

#include "launcher/library_path.h"

namespace ncp::launcher {
namespace {

namespace fs = std::filesystem;

bool SameDirectory(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec);
}

std::string ShippedProfilesDir() {
  auto self = OwnExecutablePath();
  if (!self.ok()) return NCP_INSTALLED_PROFILES_DIR;
  const fs::path exe_dir = fs::path(*self).parent_path();
  if (SameDirectory(exe_dir, NCP_BUILD_TREE_EXE_DIR)) return NCP_SOURCE_PROFILES_DIR;
  return (exe_dir.parent_path() / "share" / "ncp" / "profiles").string();
}

}  // namespace

policy::ProfileSearchPath ProfileSearchPathForThisBinary() {
  const std::string shipped = ShippedProfilesDir();
  policy::ProfileSearchPath path = policy::DefaultProfileSearchPath(shipped);
  if (shipped != NCP_INSTALLED_PROFILES_DIR) {
    path.shipped_dirs.push_back(NCP_INSTALLED_PROFILES_DIR);
  }
  return path;
}

}  // namespace ncp::launcher
