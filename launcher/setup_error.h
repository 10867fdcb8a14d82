// The record a sandboxed child sends to ncp-launch when a setup step fails: {step, errno,
// message}. It travels over a CLOEXEC pipe, so the parent reading EOF without a record means the
// child reached exec (or its entry) and every step succeeded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"

namespace ncp::launcher {

// Every step of the child pipeline (child_setup.cc), in order. Values are part of the pipe
// format between the two halves of one ncp-launch binary, so they only need to be stable
// within one build.
enum class Step : uint32_t {
  kWriteOwnIdMaps = 1,
  kWaitForParentIdMaps,
  kOpenBindSources,
  kSwitchToIsolationIds,
  kLeaveTerminal,
  kMakeRootPrivate,
  kBuildRootfs,
  kPivotRoot,
  kSetHostname,
  kChangeDirectory,
  kBringUpLoopback,
  kMoveAndCloseFds,
  kApplyRlimits,
  kSetNoNewPrivs,
  kDropCapabilities,
  kSetParentDeathSignal,
  kStartInit,
  kLandlock,
  kApplyMemoryLimits,
  kInstallSeccomp,
  kExec,
};

const char* StepName(Step step);

struct SetupError {
  Step step = Step::kExec;
  int err = 0;  // errno at the failing call, 0 when none
  std::string message;

  // "step-name: message: strerror(err)".
  std::string ToString() const;
};

// Child side: one write(2) of a fixed-size record; never allocates, so it is safe in any state
// of the child. Errors are ignored: the parent still sees the child's exit status.
void ReportSetupError(int fd, Step step, const base::Status& status);

// Parent side: reads until EOF. nullopt = EOF without a record (setup succeeded).
std::optional<SetupError> ReadSetupError(int fd);

}  // namespace ncp::launcher
