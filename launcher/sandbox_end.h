// How a sandbox ended, in ncp-launch's words: the cause every exit record carries
// (core/protocol/exit_cause.h), the one stderr line for an end that ncp caused or the kernel
// explains, and ncp-launch's exit status for it.
#pragma once

#include <optional>
#include <string>

#include "core/protocol/exit_cause.h"
#include "launcher/launch.h"
#include "policy/plan.h"

namespace ncp::launcher {

// ncp-launch's exit status after a time limit, as timeout(1)'s.
inline constexpr int kTimeLimitExit = 124;

core::ExitCause CauseOf(const ChildEnd& end);

// The call a supervised filter killed the program for, in words.
struct RefusedCall {
  int nr = -1;
  std::string name;          // "ptrace", or "#NR" for a number the architecture does not name
  std::string profile_line;  // "FILE:LINE" of the rule (or default) that refused it; or ""
};
std::optional<RefusedCall> RefusedCallOf(const ChildEnd& end, const policy::Plan& plan);

// "time limit of 2 s reached: the sandbox was killed", a seccomp kill's or a resource limit's
// line; nullopt for a plain exit or signal, about which ncp-launch says nothing (its status
// says it).
std::optional<std::string> EndLine(const ChildEnd& end, const policy::Plan& plan);

// The status a command-line run of ncp-launch ends with: the program's own, 128+N for a signal
// (ncp-launch dies of the same signal; this is what a shell shows), 124 for a time limit.
int CommandExitCode(const ChildEnd& end);

}  // namespace ncp::launcher
