// Starting test entries in isolated mode; what the Probe entry saw is read with ParseProbe.
#pragma once

#include <sys/types.h>

#include <string>

#include "core/child_test_support.h"
#include "testing/probe_output.h"
#include "testing/profiles.h"
#include "testing/testing.h"

namespace ncp::testing {

struct IsolatedRun {
  int start_code = -1;       // what OH_Ability_StartNativeChildProcessWithConfigs returned
  pid_t pid = 0;             // the launcher's pid
  std::string out;           // everything the child wrote to its "out" fd
  NCP_ChildExitInfo exit{};  // how it ended
};

// Starts libncp_test_entries.so:ENTRY isolated under `profile` (a name or path; "" leaves the
// configs without one), with "out" (a pipe) plus `extra` named fds, and waits for the end.
IsolatedRun RunIsolated(const std::string& entry, const std::string& params,
                        const std::string& profile, FdList* extra = nullptr);

// OpenHarmony's exit callback, registered for as long as this lives (one at a time).
class OhExitCallback {
 public:
  OhExitCallback();
  ~OhExitCallback();
  OhExitCallback(const OhExitCallback&) = delete;
  OhExitCallback& operator=(const OhExitCallback&) = delete;
  // The signal the callback reported for `pid`, waiting up to 2 s for it; -1 if it never came.
  int SignalFor(pid_t pid);
};

}  // namespace ncp::testing
