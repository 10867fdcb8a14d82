// Where ncp-entry (entry_mode.h) is: beside ncp-launch in the build tree, in libexec/ncp under
// the same prefix once installed. Found from ncp-launch's own real path, never from the
// environment: the sandbox runs what is found here.
#pragma once

#include <string>

#include "base/status.h"

namespace ncp::launcher {

base::StatusOr<std::string> EntryRuntimePath();

}  // namespace ncp::launcher
