// Why a child ended, as every exit record carries it (NCP_ChildExitInfo::cause, ncp-launch's
// stderr line and --json-status-fd). One owner for the names and the rules, shared by
// ncp-launch, the fork server and the application's registry. Header-only.
#pragma once

#include <signal.h>

#include <cstdint>

namespace ncp::core {

// The values are the public NCP_EXIT_CAUSE_* constants (native_child_process_ext.h).
enum class ExitCause : int32_t {
  kExited = 0,         // it exited by itself (or was killed before it could say otherwise)
  kSignal = 1,         // a signal ended it
  kSeccomp = 2,        // the seccomp filter killed it (only ever reported when it did)
  kTimeLimit = 3,      // its wall-clock limit ran out and the sandbox was killed
  kResourceLimit = 4,  // the kernel ended it for a limit it says it enforced: SIGXCPU, SIGXFSZ
};

inline const char* ExitCauseName(ExitCause cause) {
  switch (cause) {
    case ExitCause::kExited:
      return "exited";
    case ExitCause::kSignal:
      return "signal";
    case ExitCause::kSeccomp:
      return "seccomp";
    case ExitCause::kTimeLimit:
      return "time-limit";
    case ExitCause::kResourceLimit:
      return "resource-limit";
  }
  return "unknown";
}

inline bool IsExitCause(int32_t value) { return value >= 0 && value <= 4; }

// What the wait status alone tells: SIGXCPU and SIGXFSZ are the kernel's own words for "your
// CPU-time or file-size limit ran out" (a process can raise them too, as it can any signal).
inline ExitCause CauseFromWaitStatus(bool signaled, int value) {
  if (!signaled) return ExitCause::kExited;
  return value == SIGXCPU || value == SIGXFSZ ? ExitCause::kResourceLimit : ExitCause::kSignal;
}

}  // namespace ncp::core
