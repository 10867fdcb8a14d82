// The name a child shows in /proc/PID/cmdline and comm. A forked child cannot exec a new argv,
// so, like setproctitle(3), it rewrites the memory that holds its argv and environment strings
// (the environment is copied elsewhere first).
//
// Child side; the fork server remembers its argument area at start (server/fork_server.cc), so
// that the children it forks can rewrite it.

#pragma once

namespace ncp::core {

// Called once by the fork server with main()'s argv, before it changes its environment.
void RememberArgumentArea(char** argv);
// Writes `name` over the argument area (truncated to fit) and sets comm (15 bytes, as the
// kernel truncates). Only call after the environment no longer points into that area.
void SetProcessTitle(const char* name);

}  // namespace ncp::core
