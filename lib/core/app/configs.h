// The opaque Ability_ChildProcessConfigs of the public header.
#pragma once

#include <string>

#include "AbilityKit/native_child_process.h"

struct Ability_ChildProcessConfigs {
  std::string processName;  // "" = the default name
  NativeChildProcess_IsolationMode isolationMode = NCP_ISOLATION_MODE_NORMAL;
  bool isIsolationUid = false;
  std::string profile;      // NCP_ extension: isolated-mode profile ("" = default)
  std::string workingDirectory;  // NCP_ extension: programs only ("" = the caller's)
  bool waitForEntry = false;     // NCP_ extension: Start* returns once the entry was found
};

namespace ncp::core {
// 1-64 characters of [A-Za-z0-9_].
bool IsValidProcessName(const char* name);
}  // namespace ncp::core
