// --json-status-fd and --info-fd, as bubblewrap has them: JSON objects, one per line, on fds
// the caller gave. The info fd gets one object once the program runs ({"child-pid": N} and the
// sandbox's namespace ids) and is then closed; the status fd gets that {"child-pid": N} line and,
// when the sandbox is done, {"exit-code": N, "cause": ..., "signal": N, ...}, or
// {"cause": "setup-failed", "step": ..., "message": ...} (no exit code: nothing ran). The one
// owner of this format (docs: launcher/README.md, "Status fds").
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "launcher/launch.h"
#include "policy/plan.h"

namespace ncp::launcher {

class StatusFds {
 public:
  StatusFds() = default;  // none: every call does nothing
  // Checks that each given fd is open in our caller and that the sandbox gets no copy of its
  // file (not as its stdin, stdout or stderr, nor among `passed_fds`); they are closed to the
  // sandbox (close-on-exec here, and the child closes every fd it is not given).
  static base::StatusOr<StatusFds> Take(std::optional<int> json_status, std::optional<int> info,
                                        const std::vector<int>& passed_fds);

  // Right after the clone: the namespace ids for the info fd, while they can be read.
  void Cloned(pid_t child_pid, const policy::Namespaces& namespaces);
  void Started(pid_t child_pid);
  void SetupFailed(const SetupError& error);
  void Ended(const ChildEnd& end, const policy::Plan& plan);

 private:
  int json_status_ = -1;
  int info_ = -1;
  std::vector<std::pair<std::string, uint64_t>> namespace_ids_;
};

}  // namespace ncp::launcher
