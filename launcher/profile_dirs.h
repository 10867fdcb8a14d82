// Where bare profile names are looked up: the shipped profiles, whose names the user's
// $XDG_CONFIG_HOME/ncp/profiles (else ~/.config/ncp/profiles) may add to but never shadow.
// The shipped ones are found relative to this executable:
// the source tree's profiles/ when it runs from its build directory, else
// <exe_dir>/../share/ncp/profiles (so a relocated install works), and last the directory the
// build was configured to install to.
#pragma once

#include "policy/profile_loader.h"

namespace ncp::launcher {

policy::ProfileSearchPath ProfileSearchPathForThisBinary();

}  // namespace ncp::launcher
