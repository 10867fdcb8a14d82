// Where the entry form's shared objects are on the host: the child's library (resolved before
// the sandbox exists, so that its directory can be bound in) and the runtime's own libraries.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace ncp::launcher {

// A name containing '/' is a path (made absolute against the current directory). A bare name
// is looked up in NCP_LIBRARY_PATH, then LD_LIBRARY_PATH (both taken from `env`), then
// /lib, /usr/lib, /lib64, /usr/lib64 and the multiarch directories. The result is canonical
// (symlinks resolved) and names a regular file; kNotFound otherwise.
base::StatusOr<std::string> ResolveLibraryOnHost(const std::string& name,
                                                 const std::vector<std::string>& env);

// Directories the entry form binds read-only so the runtime can run inside: those of
// libchild_process.so and libipc_capi.so (when it can be found), canonical, without duplicates.
// Looked up on the first call only.
const std::vector<std::string>& RuntimeLibraryDirs();

// This executable's canonical path.
base::StatusOr<std::string> OwnExecutablePath();

}  // namespace ncp::launcher
