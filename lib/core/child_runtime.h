// The child runtime: the code that runs in every child, normal or isolated. ncp-child's main()
// and ncp-launch (after building the sandbox) call it. It reads the launch request, restores
// the named fds, marks the process as a child, loads the library, calls the entry and exits.
//
// It lives in libchild_process.so so that the child's library, which links the same
// libchild_process.so, shares its state (OH_Ability_GetCurrentChildProcessArgs, the
// already-in-child flag). Exported under the NCP_PRIVATE symbol version: not a public API.
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

// The fork server's loop (see fork_server.cc), serving the application on `socket`. `argv` is
// main()'s: its memory is reused to show each forked child's name in /proc/PID/cmdline.
__attribute__((visibility("default"), noreturn)) void ncp_internal_fork_server_main(int socket,
                                                                                    char** argv);

#ifdef __cplusplus
}
#endif
