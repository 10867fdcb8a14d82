// The child runtime: the code that runs in every child, normal or isolated. ncp-child's main()
// and ncp-launch (after building the sandbox) call it. It reads the launch request, restores
// the named fds, marks the process as a child, loads the library, calls the entry and exits.
//
// It lives in libchild_process.so so that the child's library, which links the same
// libchild_process.so, shares its state (OH_Ability_GetCurrentChildProcessArgs, the
// already-in-child flag). Exported under the NCP_PRIVATE symbol version: not a public API.
//
// Child side. Also used by the fork server (ResetSignals, and its forked children enter the
// runtime) and by ncp-launch.

#pragma once

#ifdef __cplusplus
namespace ncp::core {
// Default dispositions for every ignored signal and an empty blocked mask, as a fresh process.
void ResetSignals();
}  // namespace ncp::core

extern "C" {
#endif

// Never returns. `request_fd` holds the launch request; the named fds follow at fixed numbers.
__attribute__((visibility("default"), noreturn)) void ncp_internal_child_main(int request_fd);

// How ncp-launch runs the same runtime inside a sandbox it has built.
struct ncp_child_hooks {
  // Called once the library is loaded and its symbols found, right before the first user code
  // (the entry, or NativeChildProcess_OnConnect) runs: ncp-launch installs seccomp here, so
  // that loading needs no openat/mmap(PROT_EXEC) in the filter. Non-zero: the child exits with
  // that status without running user code. NULL: no hook.
  int (*before_user_code)(void* context);
  void* context;
  // Non-NULL: load this path instead of resolving the request's library name (ncp-launch
  // resolves it on the host, where it also decides what to bind into the sandbox).
  const char* library_path;
  // Non-zero: keep this process's environment and working directory instead of adopting the
  // caller's from the request (ncp-launch has already applied the profile's environment; a
  // warm child has adopted the caller's before the caller's word came).
  int keep_own_context;
  // Non-zero: tell whoever started the child, on entry_report_fd, whether the entry was found:
  // one core::LaunchReport (core/protocol/launch_report.h), kEntryFound right after the library is
  // loaded and its symbol(s) found (before before_user_code and any user code), or
  // kEntryMissing with the exit status (120/121) and the loader's message right before the
  // child exits with it. The fd is closed once written, so user code never sees it. A flag of
  // its own because 0 is a valid fd and a zero-initialised struct must mean "no report".
  int report_entry;
  int entry_report_fd;
  // Non-zero: every signal disposition is already the default and the mask is empty (a
  // prepared child did it before its request came; the fork server never installs a
  // handler), so the runtime skips its own reset: one sigaction per signal, ~64 system calls.
  int signals_reset;
};

// ncp_internal_child_main with hooks; `hooks` may be NULL. Never returns.
__attribute__((visibility("default"), noreturn)) void ncp_internal_child_main_with_hooks(
    int request_fd, const struct ncp_child_hooks* hooks);

// A prepared normal-mode child (`ncp-child --warm-child SERVER_PID`, spawned by the fork server
// with its end of a socket at `socket`): dies with the server, waits for the one request it
// serves, then runs the child runtime on it. A fresh image, not a fork of the server: no page
// table is copied, and it owns every page it touches. Never returns.
__attribute__((visibility("default"), noreturn)) void ncp_internal_warm_child_main(int socket,
                                                                                   char** argv);

// The fork server's loop (see fork_server.cc), serving the application on `socket`. `argv` is
// main()'s: its memory is reused to show each forked child's name in /proc/PID/cmdline.
__attribute__((visibility("default"), noreturn)) void ncp_internal_fork_server_main(int socket,
                                                                                    char** argv);

#ifdef __cplusplus
}

#include <cstddef>

#include "base/status.h"
#include "core/protocol/wire.h"

namespace ncp::core {
// The runtime once the request is decoded (or could not be): what the ways in share. They
// reset the signals and mark the process a child before they decode. Never returns.
[[noreturn]] void RunChildRuntime(base::StatusOr<WireRequest> decoded,
                                  const ncp_child_hooks& hooks);
// The one line a child says when it could not enter the caller's directory (it runs on in its
// own): errno `err`.
void SayCannotEnterDirectory(const WireRequest& request, int err);
// The runtime on a request that came inside the start message (kStartInlineRequest), not at
// fd 3: the named fds are at their numbers from kFirstNamedFd. Never returns.
[[noreturn]] void RunChildRuntimeOnInlineRequest(const char* request, size_t size,
                                                 const ncp_child_hooks& hooks);
}  // namespace ncp::core
#endif
