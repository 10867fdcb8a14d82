#include "launcher/sandbox_end.h"

#include <signal.h>

#include "policy/describe.h"

namespace ncp::launcher {

core::ExitCause CauseOf(const ChildEnd& end) {
  if (end.timed_out) return core::ExitCause::kTimeLimit;
  return core::CauseFromWaitStatus(end.signaled, end.value);
}

std::optional<std::string> EndLine(const ChildEnd& end, const policy::Plan& plan) {
  if (end.timed_out) {
    return "time limit of " + policy::SecondsText(plan.time_limit_ms.value_or(0)) +
           " reached: the sandbox was killed";
  }
  if (end.signaled && end.value == SIGXCPU) {
    return "the program was killed by SIGXCPU: its CPU time limit (rlimit cpu) ran out";
  }
  if (end.signaled && end.value == SIGXFSZ) {
    return "the program was killed by SIGXFSZ: it wrote past its file size limit (rlimit fsize)";
  }
  return std::nullopt;
}

int CommandExitCode(const ChildEnd& end) {
  if (end.timed_out) return kTimeLimitExit;
  return end.signaled ? 128 + end.value : end.value;
}

}  // namespace ncp::launcher
