// Passing termination signals on. ncp-launch's parent and the pid namespace's init both stand
// between a sender and the program; init in particular ignores SIGTERM and friends by default
// (the kernel shields a namespace's init from every signal it has no handler for, except
// SIGKILL/SIGSTOP from an ancestor). So both catch them and send them to the program's side.
#pragma once

#include <sys/types.h>

namespace ncp::launcher {

// SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1 and SIGUSR2 received by this process are sent to
// `pid`. Handlers are async-signal-safe (one kill(2)). Call in a process that will not fork a
// program afterwards, or reset them in the fork.
void ForwardSignalsTo(pid_t pid);

}  // namespace ncp::launcher
