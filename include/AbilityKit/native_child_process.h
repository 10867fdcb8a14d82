/*
 * <AbilityKit/native_child_process.h> — OpenHarmony's native child process C API, as
 * implemented on Linux by ncp (libchild_process.so).
 *
 * Names, values and struct layouts are OpenHarmony's (API 12 through API 26). Where ncp behaves
 * differently on Linux, the comment on the declaration says so; Linux-only additions live in
 * <ncp/native_child_process_ext.h>, never here.
 */
#ifndef OHOS_ABILITY_RUNTIME_C_NATIVE_CHILD_PROCESS_H
#define OHOS_ABILITY_RUNTIME_C_NATIVE_CHILD_PROCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "IPCKit/ipc_cparcel.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Error codes of the native child process API (API 12). */
typedef enum Ability_NativeChildProcess_ErrCode {
    /** Success. */
    NCP_NO_ERROR = 0,
    /** An argument is invalid. */
    NCP_ERR_INVALID_PARAM = 401,
    /** Native child processes are not supported on this device (OpenHarmony only; ncp does
        not return it). */
    NCP_ERR_NOT_SUPPORTED = 801,
    /** Internal error. */
    NCP_ERR_INTERNAL = 16000050,
    /** Another IPC-type child is starting. Deprecated since API 15; never returned. */
    NCP_ERR_BUSY = 16010001,
    /** Starting the child timed out. Never returned. */
    NCP_ERR_TIMEOUT = 16010002,
    /** The spawner failed (on Linux: a system call needed to start the child failed). */
    NCP_ERR_SERVICE_ERROR = 16010003,
    /** Multi-process mode is off. */
    NCP_ERR_MULTI_PROCESS_DISABLED = 16010004,
    /** The caller is itself a child process and may not start children. */
    NCP_ERR_ALREADY_IN_CHILD = 16010005,
    /** The limit of live child processes was reached. */
    NCP_ERR_MAX_CHILD_PROCESSES_REACHED = 16010006,
    /** The child could not load the library or one of its symbols (started callback only). */
    NCP_ERR_LIB_LOADING_FAILED = 16010007,
    /** NativeChildProcess_OnConnect returned NULL (started callback only). */
    NCP_ERR_CONNECTION_FAILED = 16010008,
    /** The exit callback to unregister was never registered (API 20). */
    NCP_ERR_CALLBACK_NOT_EXIST = 16010009,
    /** The pid is not a live child of this process (API 22). */
    NCP_ERR_INVALID_PID = 16010010,
} Ability_NativeChildProcess_ErrCode;

/** Isolation mode of a child (API 13). Any value other than ISOLATED means NORMAL. */
typedef enum NativeChildProcess_IsolationMode {
    /** The child shares the parent's file system view and network. */
    NCP_ISOLATION_MODE_NORMAL = 0,
    /** The child runs sandboxed by ncp-launch: new namespaces, seccomp, no capabilities. */
    NCP_ISOLATION_MODE_ISOLATED = 1,
} NativeChildProcess_IsolationMode;

/** Opaque start configuration (API 20). */
typedef struct Ability_ChildProcessConfigs Ability_ChildProcessConfigs;

/** One named fd passed to an args-type child (API 13). 24 bytes on LP64. */
typedef struct NativeChildProcess_Fd {
    /** Name of the fd, at most 20 characters; may be "". */
    char* fdName;
    /** The fd. In the child this is the child's own number for the same open file. */
    int32_t fd;
    /** Next node, NULL at the end. */
    struct NativeChildProcess_Fd* next;
} NativeChildProcess_Fd;

/** A singly linked list of named fds (API 13). */
typedef struct NativeChildProcess_FdList {
    struct NativeChildProcess_Fd* head;
} NativeChildProcess_FdList;

/** Start options (API 13). 16 bytes on LP64. */
typedef struct NativeChildProcess_Options {
    NativeChildProcess_IsolationMode isolationMode;
    /** Reserved; ignored. */
    int64_t reserved;
} NativeChildProcess_Options;

/** Arguments passed to an args-type child's entry, by value (API 13). 16 bytes on LP64. */
typedef struct NativeChildProcess_Args {
    /** NUL-terminated parameters; may be NULL in the parent, never NULL in the child. As in
     *  OpenHarmony, a start whose request would exceed its 204,800-byte parcel (entryParams
     *  counted in UTF-16 units: about 102,000 ASCII characters) fails with
     *  NCP_ERR_SERVICE_ERROR. Bytes that are not UTF-8 arrive unchanged (OpenHarmony
     *  changes them, see the README). */
    char* entryParams;
    struct NativeChildProcess_FdList fdList;
} NativeChildProcess_Args;

/** Result of OH_Ability_CreateNativeChildProcess, called once on a library thread (API 12).
 *  On success remoteProxy is non-NULL and owned by the receiver (OH_IPCRemoteProxy_Destroy). */
typedef void (*OH_Ability_OnNativeChildProcessStarted)(int errCode, OHIPCRemoteProxy* remoteProxy);

/** Called on the library's monitor thread each time an args-type child ends (API 20).
 *  signal is the signal that ended the child, or 0 when it exited by itself. */
typedef void (*OH_Ability_OnNativeChildProcessExit)(int32_t pid, int32_t signal);

/** Creates a configuration with defaults: no name, NORMAL, no isolation uid (API 20). */
Ability_ChildProcessConfigs* OH_Ability_CreateChildProcessConfigs(void);

/** Frees a configuration. NULL gives NCP_ERR_INVALID_PARAM (API 20). */
Ability_NativeChildProcess_ErrCode OH_Ability_DestroyChildProcessConfigs(
    Ability_ChildProcessConfigs* configs);

/** Sets the isolation mode; the value is not validated (API 20). */
Ability_NativeChildProcess_ErrCode OH_Ability_ChildProcessConfigs_SetIsolationMode(
    Ability_ChildProcessConfigs* configs, NativeChildProcess_IsolationMode isolationMode);

/** Asks for a distinct uid in ISOLATED mode (API 21). */
Ability_NativeChildProcess_ErrCode OH_Ability_ChildProcessConfigs_SetIsolationUid(
    Ability_ChildProcessConfigs* configs, bool isolationUid);

/** Sets a process name: 1-64 characters of [A-Za-z0-9_] (API 20). */
Ability_NativeChildProcess_ErrCode OH_Ability_ChildProcessConfigs_SetProcessName(
    Ability_ChildProcessConfigs* configs, const char* processName);

/** Starts an IPC-type child serving the stub of NativeChildProcess_OnConnect (API 12). */
int OH_Ability_CreateNativeChildProcess(const char* libName,
                                        OH_Ability_OnNativeChildProcessStarted onProcessStarted);

/** As OH_Ability_CreateNativeChildProcess, with configs (API 20). */
Ability_NativeChildProcess_ErrCode OH_Ability_CreateNativeChildProcessWithConfigs(
    const char* libName, Ability_ChildProcessConfigs* configs,
    OH_Ability_OnNativeChildProcessStarted onProcessStarted);

/** Starts "lib.so:Entry" in a new process; *pid is written on success only (API 13). */
Ability_NativeChildProcess_ErrCode OH_Ability_StartNativeChildProcess(
    const char* entry, NativeChildProcess_Args args, NativeChildProcess_Options options,
    int32_t* pid);

/** As OH_Ability_StartNativeChildProcess, with configs (API 20). */
Ability_NativeChildProcess_ErrCode OH_Ability_StartNativeChildProcessWithConfigs(
    const char* entry, NativeChildProcess_Args args, Ability_ChildProcessConfigs* configs,
    int32_t* pid);

/** The arguments this args-type child was started with; NULL in any other process (API 17). */
NativeChildProcess_Args* OH_Ability_GetCurrentChildProcessArgs(void);

/** Registers an exit callback; the same pointer twice is one entry (API 20).
 *  In a child → NCP_ERR_INTERNAL, as OpenHarmony's app manager refuses a child. */
Ability_NativeChildProcess_ErrCode OH_Ability_RegisterNativeChildProcessExitCallback(
    OH_Ability_OnNativeChildProcessExit onProcessExit);

/** Unregisters an exit callback; once it returns the callback is not running (API 20). */
Ability_NativeChildProcess_ErrCode OH_Ability_UnregisterNativeChildProcessExitCallback(
    OH_Ability_OnNativeChildProcessExit onProcessExit);

/** Sends SIGKILL to a live child of this process (API 22). */
Ability_NativeChildProcess_ErrCode OH_Ability_KillChildProcess(int32_t pid);

/** Whether this process may start native children (API 26). */
bool OH_Ability_IsNativeChildProcessSupported(void);

#ifdef __cplusplus
}
#endif
#endif /* OHOS_ABILITY_RUNTIME_C_NATIVE_CHILD_PROCESS_H */
