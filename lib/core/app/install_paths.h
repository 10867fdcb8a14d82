// Where the installed pieces are, found relative to libchild_process.so's own location so that
// a relocated install (or the build tree) works without configuration.
#pragma once

#include <string>

#include "base/status.h"

namespace ncp::core {

// The directory holding this library.
std::string LibraryDirectory();
// The child runtime program (ncp-child). kUnavailable when it cannot be found.
base::StatusOr<std::string> ChildHelperPath();
// ncp-launch, which starts isolated children. kUnavailable when it cannot be found.
base::StatusOr<std::string> LauncherPath();

}  // namespace ncp::core
