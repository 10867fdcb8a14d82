#include "launcher/sandbox_end.h"

#include <signal.h>

#include "policy/describe.h"
#include "policy/diagnostic.h"
#include "policy/syscall_names.h"

namespace ncp::launcher {

core::ExitCause CauseOf(const ChildEnd& end) {
  if (end.timed_out) return core::ExitCause::kTimeLimit;
  if (end.seccomp_call) return core::ExitCause::kSeccomp;
  return core::CauseFromWaitStatus(end.signaled, end.value);
}

std::optional<RefusedCall> RefusedCallOf(const ChildEnd& end, const policy::Plan& plan) {
  if (!end.seccomp_call) return std::nullopt;
  const policy::SeccompCall& call = *end.seccomp_call;
  RefusedCall out;
  out.nr = call.nr;
  out.name = policy::SyscallName(call.nr, call.arch);
  if (auto loc = policy::KillingRuleLocation(plan.seccomp.policy, call)) {
    out.profile_line = policy::LocText(*loc);
  }
  return out;
}

std::optional<std::string> EndLine(const ChildEnd& end, const policy::Plan& plan) {
  if (end.timed_out) {
    return "time limit of " + policy::SecondsText(plan.time_limit_ms.value_or(0)) +
           " reached: the sandbox was killed";
  }
  if (std::optional<RefusedCall> refused = RefusedCallOf(end, plan)) {
    return "the seccomp filter killed the program for " + refused->name + " (syscall " +
           std::to_string(refused->nr) + "), refused by " +
           (refused->profile_line.empty() ? std::string("the filter") : refused->profile_line);
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
