// Where bare profile names are looked up: $XDG_CONFIG_HOME/ncp/profiles (else
// ~/.config/ncp/profiles), then the shipped profiles found relative to this executable:
// the source tree's profiles/ when it runs from its build directory, else
// <exe_dir>/../share/ncp/profiles (so a relocated install works), and last the directory the
// build was configured to install to.
#pragma once

#include "policy/profile_loader.h"

namespace ncp::launcher {

policy::ProfileSearchPath ProfileSearchPathForThisBinary();

}  // namespace ncp::launcher
