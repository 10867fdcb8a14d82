/*
 * <ncp/native_child_process_ext.h> — Linux-only additions to <AbilityKit/native_child_process.h>.
 *
 * Everything here carries the NCP_ prefix; nothing is added to OpenHarmony's names.
 */
#ifndef NCP_NATIVE_CHILD_PROCESS_EXT_H
#define NCP_NATIVE_CHILD_PROCESS_EXT_H

#include <stdbool.h>
#include <stdint.h>

#include "AbilityKit/native_child_process.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How a child ended: what waitid(2) and its rusage tell the parent. */
typedef struct NCP_ChildExitInfo {
    /** sizeof(NCP_ChildExitInfo) as the library was built; lets the struct grow compatibly. */
    uint32_t structSize;
    /** The child's pid, as returned by OH_Ability_StartNativeChildProcess. */
    int32_t pid;
    /** The exit status when the child exited by itself (WEXITSTATUS), else -1. */
    int32_t exitCode;
    /** The signal that ended the child, or 0 when it exited by itself. */
    int32_t signal;
    /** Whether the kernel wrote a core dump. */
    bool coreDumped;
    /** CPU time the child spent in user and in kernel mode, in microseconds. */
    int64_t userTimeUs;
    int64_t systemTimeUs;
    /** Peak resident set size of the child, in KiB. */
    int64_t maxRssKiB;
} NCP_ChildExitInfo;

/** Called on the library's monitor thread once for every end of an args-type child. */
typedef void (*NCP_OnChildExit)(const NCP_ChildExitInfo* info, void* userData);

/** Registers (callback, userData); registering the same pair twice is one entry.
 *  NULL callback → NCP_ERR_INVALID_PARAM; in a child → NCP_ERR_INTERNAL (as the OH_ one). */
Ability_NativeChildProcess_ErrCode NCP_RegisterChildExitCallback(NCP_OnChildExit callback,
                                                                 void* userData);

/** Unregisters (callback, userData). Once it returns, the callback is not running and will not
 *  run (unless called from that callback itself). Unknown pair → NCP_ERR_CALLBACK_NOT_EXIST. */
Ability_NativeChildProcess_ErrCode NCP_UnregisterChildExitCallback(NCP_OnChildExit callback,
                                                                   void* userData);

/** Exit statuses of a child whose runtime could not run the entry (OpenHarmony reports nothing
 *  to the parent; on Linux the exit status tells, and one line goes to the child's stderr). */
enum {
    /** The library could not be loaded (not found, or dlopen failed). */
    NCP_CHILD_EXIT_LIBRARY_NOT_LOADED = 120,
    /** The entry symbol (or OnConnect/MainProc) is not in the library. */
    NCP_CHILD_EXIT_SYMBOL_NOT_FOUND = 121,
    /** The launch request from the parent was malformed (a bug, or not started by ncp). */
    NCP_CHILD_EXIT_BAD_REQUEST = 122,
    /** IPC-type child: NativeChildProcess_OnConnect returned NULL (the parent's started-callback
     *  got NCP_ERR_CONNECTION_FAILED), or the IPC socket could not be adopted. */
    NCP_CHILD_EXIT_CONNECTION_FAILED = 123,
};

/** Exit statuses of an isolated child whose sandbox could not be built, as `ncp-launch` exits
 *  (one line naming the step or the profile's file:line goes to the child's stderr). */
enum {
    /** The profile is broken, or a sandbox step failed: nothing of the child ran. */
    NCP_CHILD_EXIT_SANDBOX_FAILED = 125,
};

/** Names the security profile of isolated starts made with these configs: a profile name
 *  ("default", "network", "strict", "audit", or NAME.profile in $XDG_CONFIG_HOME/ncp/profiles)
 *  or a path to a profile or OCI seccomp JSON file. Without it, isolated starts use the profile
 *  named by the NCP_PROFILE environment variable, else "default". Ignored in normal mode.
 *  NULL configs, NULL or empty profile, or one longer than 4095 bytes → NCP_ERR_INVALID_PARAM.
 *  The profile is read when a child starts: a broken one makes that child exit with
 *  NCP_CHILD_EXIT_SANDBOX_FAILED before anything of it runs. */
Ability_NativeChildProcess_ErrCode NCP_ChildProcessConfigs_SetProfile(
    Ability_ChildProcessConfigs* configs, const char* profile);

/** A description of the last error an OH_Ability_* or NCP_* call returned on this thread,
 *  or "" when the last call succeeded. Valid until the next call on the same thread. */
const char* NCP_GetLastErrorMessage(void);

#ifdef __cplusplus
}
#endif
#endif /* NCP_NATIVE_CHILD_PROCESS_EXT_H */
