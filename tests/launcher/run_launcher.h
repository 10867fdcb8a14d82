// Runs ncp-launch (or a copy of it) as a subprocess and collects what it did.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace ncp::testing {

struct LauncherRun {
  int wait_status = -1;  // as from waitpid
  std::string out;
  std::string err;

  bool exited() const;
  int exit_code() const;  // -1 unless exited()
  bool signaled() const;
  int signal() const;  // 0 unless signaled()
};

struct RunOptions {
  std::string binary = NCP_LAUNCH_PATH;
  // Drop to uid/gid 65534 before exec (only when the test runs as root).
  bool as_nobody = false;
  // Make clone(CLONE_NEWUSER) fail with EPERM (and clone3 with ENOSYS), as a container's
  // seccomp profile does, before exec.
  bool deny_user_namespaces = false;
  // When not 0: once stdout contains `ready_marker`, send this signal to ncp-launch.
  int signal_when_ready = 0;
  std::string ready_marker = "ready";
  // When set: once stdout contains `ready_marker`, called with ncp-launch's pid (instead of
  // sending signal_when_ready). Reading then goes on to EOF.
  std::function<void(pid_t)> when_ready;
  // Run in the forked child right before exec (fd layout for request mode, environment).
  std::function<void()> before_exec;
};

// A pidfd for `pid` (-1 if it is already gone).
int OpenPidfd(pid_t pid);
// Waits for the process behind `pidfd` to end (readable pidfd); false if it still runs after a
// hang guard of 10 s. Closes `pidfd`.
bool WaitForEnd(int pidfd);

LauncherRun RunLauncher(const std::vector<std::string>& args, const RunOptions& options = {});

// Options a shipped profile needs to run one of the tests' own programs as a command: in a
// sanitizer build that program maps terabytes of shadow memory as it starts, which no data
// limit allows (profiles/default.profile), so the limit is lifted; in other builds none.
inline std::vector<std::string> SanitizedProgramOptions() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return {"--rlimit", "data=unlimited"};
#else
  return {};
#endif
}

}  // namespace ncp::testing
