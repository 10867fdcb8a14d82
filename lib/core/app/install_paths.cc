#include "core/app/install_paths.h"

#include <dlfcn.h>
#include <unistd.h>

namespace ncp::core {
namespace {

bool IsExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

}  // namespace

std::string LibraryDirectory() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&LibraryDirectory), &info) == 0 || info.dli_fname == nullptr) {
    return ".";
  }
  std::string path = info.dli_fname;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

base::StatusOr<std::string> ChildHelperPath() {
  static const std::string found = [] {
    const std::string dir = LibraryDirectory();
    // Installed layout first (NCP_LIBEXEC_FROM_LIBDIR is set by CMake), then the build tree,
    // where the helper sits beside the library.
    for (const std::string& candidate :
         {dir + "/" NCP_LIBEXEC_FROM_LIBDIR "/ncp-child", dir + "/ncp-child"}) {
      if (IsExecutable(candidate)) return candidate;
    }
    return std::string();
  }();
  if (found.empty()) {
    return base::Error(base::Code::kUnavailable,
                       "the child runtime ncp-child was not found near " + LibraryDirectory());
  }
  return found;
}

base::StatusOr<std::string> LauncherPath() {
  static const std::string found = [] {
    const std::string dir = LibraryDirectory();
    // Installed: <bindir>/ncp-launch. Build tree: launcher/ncp-launch beside lib/core. Both are
    // relative to this library, never the PATH: the PATH is the application's to change, and
    // the sandbox must not be whatever binary of that name comes first in it.
    for (const std::string& candidate : {dir + "/" NCP_BIN_FROM_LIBDIR "/ncp-launch",
                                         dir + "/" NCP_BUILD_LAUNCHER_FROM_LIBDIR "/ncp-launch"}) {
      if (IsExecutable(candidate)) return candidate;
    }
    return std::string();
  }();
  if (found.empty()) {
    return base::Error(base::Code::kUnavailable,
                       "isolated mode needs ncp-launch, which was not found near " +
                           LibraryDirectory());
  }
  return found;
}

}  // namespace ncp::core
