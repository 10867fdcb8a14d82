// ncp-launch is designed to run without any privilege it did not get from its caller. A setuid
// or file-capability install would turn every profile mistake into a host escalation, so it
// refuses to start in that state.
#pragma once

#include "base/status.h"

namespace ncp::launcher {

// Fails when the binary (/proc/self/exe) is setuid/setgid or carries file capabilities, or
// when real and effective ids differ.
base::Status RefuseIfPrivilegedBinary();

}  // namespace ncp::launcher
