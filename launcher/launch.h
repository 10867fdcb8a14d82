// Parent side of one sandboxed start: clone the child into its namespaces, write its id maps,
// let it go, relay a setup failure, wait for it and say how it ended.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "launcher/launch_spec.h"
#include "launcher/setup_error.h"
#include "policy/plan.h"
#include "policy/seccomp_supervision.h"

namespace ncp::launcher {

struct ChildEnd {
  // Set when a setup step (or the exec) failed; the exit fields then say 125/126/127.
  std::optional<SetupError> setup_error;
  bool signaled = false;
  int value = 0;  // exit status, or the signal number when `signaled`
  // The plan's time limit ran out: the sandbox was killed (signaled, SIGKILL).
  bool timed_out = false;
  int64_t setup_us = 0;  // from the clone to the program's exec (or the setup's failure)
  int64_t run_us = 0;    // from the program's exec to its end
  // A supervised filter refused this call of the program, which was killed for it (signaled,
  // SIGSYS, as the kernel's kill would have left it).
  std::optional<policy::SeccompCall> seccomp_call;
};

// Runs `spec.command` in the sandbox `plan` describes and waits for it. An error Status means
// nothing was started (or the start was abandoned and the child reaped).
base::StatusOr<ChildEnd> Launch(const policy::Plan& plan, const LaunchSpec& spec);

}  // namespace ncp::launcher
