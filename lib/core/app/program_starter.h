// Starts a program (NCP_StartChildProgram) through the same fork server, registry, limits and
// exit callbacks as library children; isolated programs run in ncp-launch's program form.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace ncp::core {

struct ProgramStart {
  std::string path;  // absolute
  std::vector<std::string> argv;
  std::optional<std::vector<std::string>> environment;  // none: the caller's at the call
  std::string working_directory;                        // "": the caller's at the call
  std::vector<std::pair<int, int>> fds;                 // (caller fd, number in the program)
  bool isolated = false;
  bool isolation_uid = false;
  std::string profile;  // "": $NCP_PROFILE, else "default"
};

// The arguments are checked by the caller (api.cc). kInvalidArgument: an fd that is not open,
// a program that cannot be executed or a directory that cannot be entered (with the errno);
// otherwise as StartChild. An isolated program's working directory is the sandbox's
// (ncp-launch --chdir).
base::StatusOr<pid_t> StartProgram(const ProgramStart& start);

}  // namespace ncp::core
