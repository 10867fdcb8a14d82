// What to start in a sandbox, besides the Plan: the program, its environment, its fds.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/isolation_uid.h"
#include "launcher/steps.h"

namespace ncp::launcher {

struct LaunchSpec {
  // PROGRAM ARGS..., looked up in the environment's PATH. For the LIB.so:ENTRY form this is
  // ncp-launch itself (bound read-only inside) in its internal entry mode (entry_mode.h).
  std::vector<std::string> command;
  // The program's whole environment (the plan's env rules already applied).
  std::vector<std::string> environment;
  // Fds the program gets, besides 0-2; every other fd is closed.
  std::vector<FdPlacement> fds;
  // The program installs the plan's filter itself (the entry form: after loading the library).
  bool seccomp_in_program = false;
  // --isolation-uid: the host ids the sandbox's ids map to.
  std::optional<base::IsolationIds> isolation;
  bool verbose = false;  // each step and its time on stderr
};

}  // namespace ncp::launcher
