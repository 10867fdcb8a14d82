#include "launcher/entry_runtime_path.h"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>

#include "launcher/library_path.h"

namespace ncp::launcher {

base::StatusOr<std::string> EntryRuntimePath() {
  namespace fs = std::filesystem;
  auto self = OwnExecutablePath();
  if (!self.ok()) return self.status();
  const fs::path dir = fs::path(*self).parent_path();
  std::error_code ec;
  const fs::path path = fs::equivalent(dir, NCP_BUILD_TREE_EXE_DIR, ec)
                            ? dir / "ncp-entry"
                            : dir.parent_path() / NCP_LIBEXEC_SUBDIR / "ncp-entry";
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return base::ErrnoError("find ncp-entry, the program entry sandboxes run, at " +
                            path.string());
  }
  return path.string();
}

}  // namespace ncp::launcher
