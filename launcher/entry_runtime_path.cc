#include "launcher/entry_runtime_path.h"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>

#include "launcher/library_path.h"

namespace ncp::launcher {
namespace {

bool IsRegularFile(const std::filesystem::path& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

base::StatusOr<std::string> EntryRuntimePath() {
  namespace fs = std::filesystem;
  auto self = OwnExecutablePath();
  if (!self.ok()) return self.status();
  const fs::path dir = fs::path(*self).parent_path();
  // The installed place first: the build tree's folder, compiled in, may be gone and made
  // again by anyone where it was (a /tmp build), and must not decide what an installed
  // ncp-launch runs.
  const fs::path installed = dir.parent_path() / NCP_LIBEXEC_SUBDIR / "ncp-entry";
  if (IsRegularFile(installed)) return installed.string();
  std::error_code ec;
  const fs::path built = dir / "ncp-entry";
  if (fs::equivalent(dir, NCP_BUILD_TREE_EXE_DIR, ec) && IsRegularFile(built)) {
    return built.string();
  }
  return base::Error(base::Code::kNotFound,
                     "ncp-entry, the program entry sandboxes run, is not at " + installed.string());
}

}  // namespace ncp::launcher
