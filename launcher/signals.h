// Passing termination signals on. ncp-launch's parent and the pid namespace's init both stand
// between a sender and the program; init in particular ignores SIGTERM and friends by default
// (the kernel shields a namespace's init from every signal it has no handler for, except
// SIGKILL/SIGSTOP from an ancestor). So both catch them and send them to the program's side.
//
// A signal sent during setup must not fall into that gap: the parent blocks the forwarded
// signals before clone, so the child starts with them blocked, and a blocked signal is kept
// pending even by a namespace's init (the kernel never drops a blocked signal as ignored).
// Init unblocks them once its handlers are in place; the program gets the caller's mask back
// right before exec, and whatever is still pending then takes its default action there.
#pragma once

#include <sys/types.h>

namespace ncp::launcher {

// SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1 and SIGUSR2 received by this process are sent to
// `pid`. Handlers are async-signal-safe (one kill(2)). Call in a process that will not fork a
// program afterwards, or reset them in the fork.
void ForwardSignalsTo(pid_t pid);

// Blocks the forwarded signals in this thread and remembers the mask it had before (the
// caller's, when called once before clone). A process cloned after this inherits both.
void BlockForwardedSignals();
// Unblocks only the forwarded signals (init, once ForwardSignalsTo is in place).
void UnblockForwardedSignals();
// Back to the mask remembered by BlockForwardedSignals (the parent after clone, the program
// right before exec); a pending forwarded signal is delivered here.
void RestoreCallerSignalMask();

}  // namespace ncp::launcher
