// What a child the fork server forks does before it becomes the child: take the caller's
// credentials, tie its life to the server's, put its fds in place, then run the child runtime,
// exec ncp-launch or a program, or (a warm child) wait for the one request it will serve.
// Runs only in the forked child of a single-threaded server: no locks, no allocation the
// runtime would mind.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "core/protocol/credentials.h"

namespace ncp::core {

enum class ChildRole {
  kRuntime,   // run the child runtime on the request at fd 3
  kLauncher,  // exec ncp-launch (an isolated start) with the request at fd 3
  kProgram,   // exec the program a ProgramRequest names
};

// A launch request that came inside the start message (kStartInlineRequest). `bytes` is null
// when the request is the memfd first in the fds instead.
struct InlineRequest {
  const char* bytes = nullptr;
  size_t size = 0;
};

struct ChildSetup {
  ChildRole role = ChildRole::kRuntime;
  // The caller's credentials when they are not the server's: taken first, and the result (0 or
  // an errno) written to `adopt_report_fd`.
  const Credentials* adopt = nullptr;
  int adopt_report_fd = -1;
  // The request memfd, named fds and IPC socket: placed at 3, 4, ... in this order. Without
  // the memfd when the request is inline: the named fds still start at 4.
  std::vector<base::UniqueFd>* fds = nullptr;
  InlineRequest request;  // kRuntime
  // kLauncher: ncp-launch's control socket, placed right after `fds` (the argv names it).
  // kRuntime: where the runtime reports that it found the entry (-1: nobody waits for that).
  int side_fd = -1;
  const std::vector<std::string>* launcher_argv = nullptr;  // kLauncher
  int exec_report_fd = -1;                                  // kProgram
};

// The application's fds 0-2 that were closed when it started the server (bit N: fd N). The
// server holds /dev/null there (so nothing of its own lands on them); its children close them
// again before they run, so a child's fds 0-2 are the application's, as a spawn would give.
// ncp-launch keeps /dev/null there: its sandbox's stdio must be open.
void SetClosedStdio(unsigned mask);
unsigned ClosedStdio();

// In the child, right after fork(). Never returns.
[[noreturn]] void RunForkedChild(pid_t server, ChildSetup& setup);

}  // namespace ncp::core
