/*
 * <ncp/native_child_process_ext.h> — Linux-only additions to <AbilityKit/native_child_process.h>.
 *
 * Everything here carries the NCP_ prefix; nothing is added to OpenHarmony's names.
 */
#ifndef NCP_NATIVE_CHILD_PROCESS_EXT_H
#define NCP_NATIVE_CHILD_PROCESS_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "AbilityKit/native_child_process.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Why a child ended (NCP_ChildExitInfo::cause). */
typedef enum {
    /** It exited by itself: exitCode says how. */
    NCP_EXIT_CAUSE_EXITED = 0,
    /** A signal ended it: signal says which. */
    NCP_EXIT_CAUSE_SIGNAL = 1,
    /** The sandbox's seccomp filter killed it (isolated mode); signal is SIGSYS, and syscallNumber,
     *  syscallName and profileLine name the call and the rule that refused it when known. Never
     *  reported for a child the filter did not kill. */
    NCP_EXIT_CAUSE_SECCOMP = 2,
    /** Its sandbox's time limit (time-limit in its profile) ran out and the whole sandbox was
     *  killed; signal is SIGKILL. */
    NCP_EXIT_CAUSE_TIME_LIMIT = 3,
    /** The kernel ended it for a resource limit it enforces by signal: SIGXCPU (rlimit cpu) or
     *  SIGXFSZ (rlimit fsize). */
    NCP_EXIT_CAUSE_RESOURCE_LIMIT = 4,
} NCP_ExitCause;

/** How a child ended: what waitid(2) and its rusage tell the parent, and why. */
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
    /** Why it ended: an NCP_ExitCause. (Fields from here on were added in 0.2; a caller built
     *  against 0.1 passes a smaller structSize and gets the fields above only.) */
    int32_t cause;
    /** NCP_EXIT_CAUSE_SECCOMP: the refused syscall's number, else -1. */
    int32_t syscallNumber;
    /** NCP_EXIT_CAUSE_SECCOMP: its name ("ptrace"), else "". */
    char syscallName[32];
    /** NCP_EXIT_CAUSE_SECCOMP: "file:line" of the profile rule that refused it, else "". */
    char profileLine[512];
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

/** Exit status of an isolated program (NCP_StartChildProgram) whose sandbox could not be
 *  built, as `ncp-launch` exits (one line naming the step or the profile's file:line goes to
 *  the child's stderr). Library children never end with it: their start fails instead. */
enum {
    /** The profile is broken, or a sandbox step failed: nothing of the child ran. */
    NCP_CHILD_EXIT_SANDBOX_FAILED = 125,
};

/** Names the security profile of isolated starts made with these configs: a profile name
 *  ("default", "network", "strict", "audit", or NAME.profile in $XDG_CONFIG_HOME/ncp/profiles)
 *  or a path to a profile or OCI seccomp JSON file. Without it, isolated starts use the profile
 *  named by the NCP_PROFILE environment variable, else "default". Ignored in normal mode.
 *  NULL configs, NULL or empty profile, or one longer than 4095 bytes → NCP_ERR_INVALID_PARAM.
 *  The profile is read when a child starts: a broken one, or a sandbox that cannot be built
 *  from it, makes that start fail with NCP_ERR_SERVICE_ERROR, its file:line or the failed step
 *  in NCP_GetLastErrorMessage(); nothing of the child runs and no exit callback fires.
 *  (NCP_StartChildProgram's isolated programs still report it as the exit status
 *  NCP_CHILD_EXIT_SANDBOX_FAILED.) */
Ability_NativeChildProcess_ErrCode NCP_ChildProcessConfigs_SetProfile(
    Ability_ChildProcessConfigs* configs, const char* profile);

/** With `wait` true, a start made with these configs (OH_Ability_StartNativeChildProcessWithConfigs,
 *  OH_Ability_CreateNativeChildProcessWithConfigs), in either mode, returns only once the child
 *  has loaded its library and found its entry (or NativeChildProcess_OnConnect and
 *  NativeChildProcess_MainProc): a library that cannot be loaded or an entry that is missing is
 *  then NCP_ERR_LIB_LOADING_FAILED with the loader's message in NCP_GetLastErrorMessage(), no
 *  child is left, and no exit callback fires. Without it (the default, OpenHarmony's rule) the
 *  start returns once the child exists (isolated: once its sandbox is built), and a library
 *  that cannot be loaded ends the child with NCP_CHILD_EXIT_LIBRARY_NOT_LOADED or
 *  NCP_CHILD_EXIT_SYMBOL_NOT_FOUND. NULL configs → NCP_ERR_INVALID_PARAM. */
Ability_NativeChildProcess_ErrCode NCP_ChildProcessConfigs_SetWaitForEntry(
    Ability_ChildProcessConfigs* configs, bool wait);

/* ---------------------------------------------------------------------------------------------
 * Warm starts: children and sandboxes prepared before they are asked for.
 * ------------------------------------------------------------------------------------------- */

/** How many prepared children the library keeps waiting, and for how long.
 *  - Normal mode: `size` children forked in advance by the fork server, fds closed and signals
 *    reset, each waiting for one request (0: every start forks).
 *  - Isolated mode: up to `size` fully built sandboxes per shape (profile, library, the caller's
 *    credentials, environment, working directory and umask), for the most recently used
 *    shapes; the first start of a shape is cold and fills its pool, refills happen in the
 *    background. A prepared child or sandbox serves exactly one start and is never reused.
 *  - An unused one is ended after `idleTimeoutMs` (0: never, while the application lives).
 *  Prepared processes do not count toward the limit of 512 children and end with the
 *  application. Defaults: 2 normal children and 4 sandboxes per shape (a sandbox takes far
 *  longer to build, so a run of starts empties its pool sooner), idleTimeoutMs 30000. A size
 *  set here, or by the environment variable NCP_WARM_POOL="SIZE[,IDLE_MS]" before the first
 *  start, applies to both modes; NCP_WARM_POOL_DEFAULT_SIZE goes back to the defaults.
 *  size outside [0, 8] (and not NCP_WARM_POOL_DEFAULT_SIZE) or idleTimeoutMs < 0 →
 *  NCP_ERR_INVALID_PARAM; in a child →
 *  NCP_ERR_INTERNAL. Applies to the next start; already prepared processes beyond the new size
 *  are ended. */
Ability_NativeChildProcess_ErrCode NCP_SetWarmPool(int32_t size, int32_t idleTimeoutMs);

/** NCP_SetWarmPool's size for "each mode's default" (2 normal children, 4 sandboxes a shape). */
#define NCP_WARM_POOL_DEFAULT_SIZE (-1)

/* ---------------------------------------------------------------------------------------------
 * Starting a program (not a library entry) as a child.
 * ------------------------------------------------------------------------------------------- */

/** One descriptor for NCP_StartChildProgram: the caller's `fd` appears in the program as
 *  `childFd` (without close-on-exec). The caller keeps its own `fd`. */
typedef struct NCP_ChildFdPlacement {
    int32_t fd;
    int32_t childFd;
} NCP_ChildFdPlacement;

/** At most this many placements per NCP_StartChildProgram. */
#define NCP_MAX_PROGRAM_FDS 16
/** childFd must be below this number: the fds are lifted above the highest childFd before they
 *  are placed, which must stay within the usual limit of 1024 open fds. */
#define NCP_PROGRAM_FD_LIMIT 1000

/** The working directory of programs started with these configs (NCP_StartChildProgram only;
 *  library children keep the caller's). Without it a program starts in the caller's working
 *  directory at the call. An absolute path of at most 4095 bytes, else NCP_ERR_INVALID_PARAM;
 *  NULL configs → NCP_ERR_INVALID_PARAM. A directory that cannot be entered when the program
 *  starts makes NCP_StartChildProgram fail with NCP_ERR_INVALID_PARAM.
 *  Isolated mode: the path is one inside the sandbox (ncp-launch --chdir); without it the
 *  program starts in the sandbox's "/"; one that cannot be entered there makes the sandbox fail
 *  (exit status NCP_CHILD_EXIT_SANDBOX_FAILED). */
Ability_NativeChildProcess_ErrCode NCP_ChildProcessConfigs_SetWorkingDirectory(
    Ability_ChildProcessConfigs* configs, const char* directory);

/** Starts the executable `path` (absolute) as a child of this process, with `argv` (NULL-ended;
 *  NULL means { path, NULL }) and `envp` (NULL-ended; NULL means this process's environment at
 *  the call). `fds[0..fdCount)` are placed at the numbers the caller chose; fds 0, 1 and 2 that
 *  no placement names are this process's stdin, stdout and stderr; every other descriptor is
 *  closed in the program. `configs` may be NULL (normal mode); its isolation mode, isolation
 *  uid, profile (NCP_ChildProcessConfigs_SetProfile) and working directory apply, its process
 *  name does not (a program names itself).
 *
 *  The child is one of this process's children like any other: it counts toward the limit of
 *  512 (NCP_ERR_MAX_CHILD_PROCESSES_REACHED), OH_Ability_KillChildProcess ends it, both kinds
 *  of exit callback report its end, and NCP_WaitForChildExit / NCP_OpenChildPidfd work on it.
 *
 *  Normal mode: returns once the program has been exec'd: a program that cannot be run (no
 *  such file, not executable, bad format) or a working directory that cannot be entered is
 *  NCP_ERR_INVALID_PARAM with the reason in NCP_GetLastErrorMessage(), and no child exists.
 *  Isolated mode: the program runs inside ncp-launch's sandbox (its program form, with the
 *  configs' profile); `path` must name an executable regular file on the host (checked at the
 *  call, NCP_ERR_INVALID_PARAM otherwise) and is looked up inside the sandbox, where argv[0] is
 *  `path`; `envp` is the program's whole environment (the profile's environment rules apply
 *  only when it is NULL, to this process's environment; ncp-launch itself always runs with this
 *  process's environment, so nothing in envp changes how the sandbox is built). A program that cannot run
 *  inside the sandbox ends with exit status 127 (not found) or 126 (cannot run), a sandbox that
 *  cannot be built with NCP_CHILD_EXIT_SANDBOX_FAILED; the pid is ncp-launch's.
 *
 *  NULL or relative path, NULL pid, fdCount > NCP_MAX_PROGRAM_FDS, fds NULL with fdCount > 0,
 *  a childFd outside [0, NCP_PROGRAM_FD_LIMIT) or named twice, or an fd that is not open →
 *  NCP_ERR_INVALID_PARAM. Inside a child → NCP_ERR_ALREADY_IN_CHILD. Fds that cannot be placed
 *  (a childFd too close to a lowered RLIMIT_NOFILE) → NCP_ERR_SERVICE_ERROR. */
Ability_NativeChildProcess_ErrCode NCP_StartChildProgram(const char* path, char* const argv[],
                                                         char* const envp[],
                                                         Ability_ChildProcessConfigs* configs,
                                                         const NCP_ChildFdPlacement* fds,
                                                         size_t fdCount, int32_t* pid);

/* ---------------------------------------------------------------------------------------------
 * Waiting for a child. The children are the fork server's, not this process's: waitpid(2)
 * cannot see them; these can, for every child started through this library.
 * ------------------------------------------------------------------------------------------- */

/** Waits until child `pid` has ended and fills `*info` with its exit record (the one the exit
 *  callbacks get). `timeoutMs` < 0 waits without limit, 0 only looks. Set info->structSize to
 *  sizeof(NCP_ChildExitInfo) first: at most that many bytes are written, so a program built
 *  against 0.1's smaller struct gets the fields it knows (a value smaller than 0.1's struct →
 *  NCP_ERR_INVALID_PARAM); `info` may be NULL to wait only.
 *
 *  - Any number of threads may wait for the same child; each gets the same record.
 *  - A child that has already ended: its record is kept, and returned at once, until 1024 later
 *    ends of this process's children have pushed it out, or a new child gets the same pid.
 *  - Not this process's child, or its record is no longer kept → NCP_ERR_INVALID_PID.
 *  - Still running when the timeout passes → NCP_ERR_TIMEOUT.
 *  - From inside an exit callback (the thread that delivers exits), waiting for a child that
 *    is still running could never end → NCP_ERR_BUSY at once (timeoutMs 0 works normally).
 *  The record is known right after the fork server reaped the child: a pidfd that just became
 *  readable means the record is at most that trip away, not that it is already here. Exit
 *  callbacks and waiters are told independently, in no fixed order. */
Ability_NativeChildProcess_ErrCode NCP_WaitForChildExit(int32_t pid, int32_t timeoutMs,
                                                        NCP_ChildExitInfo* info);

/** A new pidfd (close-on-exec, owned by the caller) for the running child `pid`, for poll(2) or
 *  epoll: it becomes readable when the child ends (then NCP_WaitForChildExit gives its record),
 *  and pidfd_send_signal(2) works on it. waitid(P_PIDFD) on it fails with ECHILD: the child is
 *  not this process's. A child that has already ended, or is not this process's →
 *  NCP_ERR_INVALID_PID (NCP_WaitForChildExit tells which); NULL pidfd → NCP_ERR_INVALID_PARAM;
 *  no free fd → NCP_ERR_SERVICE_ERROR. */
Ability_NativeChildProcess_ErrCode NCP_OpenChildPidfd(int32_t pid, int* pidfd);

/* ---------------------------------------------------------------------------------------------
 * Where the library's messages go.
 * ------------------------------------------------------------------------------------------- */

/** How serious a library message is (syslog's numbers). */
typedef enum NCP_LogLevel {
    NCP_LOG_ERROR = 3,
    NCP_LOG_WARNING = 4,
    NCP_LOG_INFO = 6,
} NCP_LogLevel;

/** One message: a single line without a trailing newline or the "ncp: " prefix, terminal
 *  controls escaped. Called on whichever thread logs (a monitor thread, a starting thread). */
typedef void (*NCP_LogCallback)(NCP_LogLevel level, const char* message, void* userData);

/** Sends the messages libchild_process logs in this process to `callback` instead of stderr
 *  (one "ncp: ..." line per message, the default); NULL restores stderr. Once it returns, the
 *  previous callback is not running (unless this is called from inside it) and is not called
 *  again. With a callback set, a library child (not a program) that ended with one of the
 *  NCP_CHILD_EXIT_* statuses is also reported to it (the child's own line about why went to the
 *  child's stderr, which is this process's unless the entry changed it).
 *  Messages written inside children (the child runtime, ncp-launch) and by libipc_capi.so are
 *  not routed: they stay on their stderr. */
Ability_NativeChildProcess_ErrCode NCP_SetLogCallback(NCP_LogCallback callback, void* userData);

/** A description of the last error an OH_Ability_* or NCP_* call returned on this thread,
 *  or "" when the last call succeeded. Valid until the next call on the same thread. */
const char* NCP_GetLastErrorMessage(void);

#ifdef __cplusplus
}
#endif
#endif /* NCP_NATIVE_CHILD_PROCESS_EXT_H */
