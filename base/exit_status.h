// The exit status ncp's own processes (ncp-launch, its sandboxed child and init, the entry form's
// runtime, ncp-child) use when they fail before anything of the child ran. The public header
// names it NCP_CHILD_EXIT_SANDBOX_FAILED; internal code uses this one name.
//
// The other statuses are not this one and keep their own names: 120–123 are the child runtime's
// (the library, the symbol, the request, the IPC connection: NCP_CHILD_EXIT_* in the public
// header), 126/127 are an exec that failed (the shell's convention, launcher/child_setup.h).
#pragma once

#include "ncp/native_child_process_ext.h"

namespace ncp::base {

inline constexpr int kSandboxFailedExit = 125;
static_assert(kSandboxFailedExit == NCP_CHILD_EXIT_SANDBOX_FAILED);

}  // namespace ncp::base
