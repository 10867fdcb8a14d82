// The caller's context a request carries (environment, working directory, umask), taken over
// by the process that runs the request: the child runtime (a child forked or prepared by the
// fork server), and ncp-launch's request mode before it builds the sandbox.
#pragma once

#include "core/protocol/wire.h"

namespace ncp::core {

// Makes the request's environment this process's `environ` (kept until the process ends), sets
// its umask, and enters its working directory. Returns false (errno set) when the directory
// could not be entered; the caller decides what that means. An empty directory is no change.
bool AdoptCallerContext(const WireRequest& request);

}  // namespace ncp::core
