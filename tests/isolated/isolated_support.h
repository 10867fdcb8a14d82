// Starting test entries in isolated mode and reading what the Probe entry saw.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "core/child_test_support.h"
#include "testing/testing.h"

namespace ncp::testing {

// A shipped profile by path, from the source tree.
std::string ShippedProfile(const std::string& name);

// Writes `text` to DIR/NAME and returns the path.
std::string WriteProfile(const TempDir& dir, const std::string& name, const std::string& text);

struct IsolatedRun {
  int start_code = -1;         // what OH_Ability_StartNativeChildProcessWithConfigs returned
  pid_t pid = 0;               // the launcher's pid
  std::string out;             // everything the child wrote to its "out" fd
  NCP_ChildExitInfo exit{};    // how it ended
};

// Starts libncp_test_entries.so:ENTRY isolated under `profile` (a name or path; "" leaves the
// configs without one), with "out" (a pipe) plus `extra` named fds, and waits for the end.
IsolatedRun RunIsolated(const std::string& entry, const std::string& params,
                        const std::string& profile, FdList* extra = nullptr);

// Parses the Probe entry's "key=value" lines.
std::map<std::string, std::string> ParseProbe(const std::string& out);

}  // namespace ncp::testing
