/* Compiled as C11: the public headers must be valid C, with OpenHarmony's layouts and values. */
#include <stddef.h>

#include "AbilityKit/native_child_process.h"
#include "ncp/native_child_process_ext.h"

_Static_assert(sizeof(NativeChildProcess_Fd) == 24, "NativeChildProcess_Fd is 24 bytes");
_Static_assert(offsetof(NativeChildProcess_Fd, fdName) == 0, "fdName at 0");
_Static_assert(offsetof(NativeChildProcess_Fd, fd) == 8, "fd at 8");
_Static_assert(offsetof(NativeChildProcess_Fd, next) == 16, "next at 16");
_Static_assert(sizeof(NativeChildProcess_FdList) == 8, "FdList is 8 bytes");
_Static_assert(sizeof(NativeChildProcess_Options) == 16, "Options is 16 bytes");
_Static_assert(offsetof(NativeChildProcess_Options, isolationMode) == 0, "isolationMode at 0");
_Static_assert(offsetof(NativeChildProcess_Options, reserved) == 8, "reserved at 8");
_Static_assert(sizeof(NativeChildProcess_Args) == 16, "Args is 16 bytes");
_Static_assert(offsetof(NativeChildProcess_Args, entryParams) == 0, "entryParams at 0");
_Static_assert(offsetof(NativeChildProcess_Args, fdList) == 8, "fdList at 8");

_Static_assert(NCP_NO_ERROR == 0, "");
_Static_assert(NCP_ERR_INVALID_PARAM == 401, "");
_Static_assert(NCP_ERR_NOT_SUPPORTED == 801, "");
_Static_assert(NCP_ERR_INTERNAL == 16000050, "");
_Static_assert(NCP_ERR_BUSY == 16010001, "");
_Static_assert(NCP_ERR_TIMEOUT == 16010002, "");
_Static_assert(NCP_ERR_SERVICE_ERROR == 16010003, "");
_Static_assert(NCP_ERR_MULTI_PROCESS_DISABLED == 16010004, "");
_Static_assert(NCP_ERR_ALREADY_IN_CHILD == 16010005, "");
_Static_assert(NCP_ERR_MAX_CHILD_PROCESSES_REACHED == 16010006, "");
_Static_assert(NCP_ERR_LIB_LOADING_FAILED == 16010007, "");
_Static_assert(NCP_ERR_CONNECTION_FAILED == 16010008, "");
_Static_assert(NCP_ERR_CALLBACK_NOT_EXIST == 16010009, "");
_Static_assert(NCP_ERR_INVALID_PID == 16010010, "");
_Static_assert(NCP_ISOLATION_MODE_NORMAL == 0, "");
_Static_assert(NCP_ISOLATION_MODE_ISOLATED == 1, "");

/* Every function, with its exact C type: a mismatch is a compile error. */
static Ability_ChildProcessConfigs* (*const create_configs)(void) = OH_Ability_CreateChildProcessConfigs;
static Ability_NativeChildProcess_ErrCode (*const destroy_configs)(Ability_ChildProcessConfigs*) =
    OH_Ability_DestroyChildProcessConfigs;
static Ability_NativeChildProcess_ErrCode (*const set_mode)(
    Ability_ChildProcessConfigs*, NativeChildProcess_IsolationMode) =
    OH_Ability_ChildProcessConfigs_SetIsolationMode;
static Ability_NativeChildProcess_ErrCode (*const set_uid)(Ability_ChildProcessConfigs*, bool) =
    OH_Ability_ChildProcessConfigs_SetIsolationUid;
static Ability_NativeChildProcess_ErrCode (*const set_name)(Ability_ChildProcessConfigs*,
                                                            const char*) =
    OH_Ability_ChildProcessConfigs_SetProcessName;
static int (*const create)(const char*, OH_Ability_OnNativeChildProcessStarted) =
    OH_Ability_CreateNativeChildProcess;
static Ability_NativeChildProcess_ErrCode (*const create_cfg)(
    const char*, Ability_ChildProcessConfigs*, OH_Ability_OnNativeChildProcessStarted) =
    OH_Ability_CreateNativeChildProcessWithConfigs;
static Ability_NativeChildProcess_ErrCode (*const start)(
    const char*, NativeChildProcess_Args, NativeChildProcess_Options, int32_t*) =
    OH_Ability_StartNativeChildProcess;
static Ability_NativeChildProcess_ErrCode (*const start_cfg)(
    const char*, NativeChildProcess_Args, Ability_ChildProcessConfigs*, int32_t*) =
    OH_Ability_StartNativeChildProcessWithConfigs;
static NativeChildProcess_Args* (*const current)(void) = OH_Ability_GetCurrentChildProcessArgs;
static Ability_NativeChildProcess_ErrCode (*const reg)(OH_Ability_OnNativeChildProcessExit) =
    OH_Ability_RegisterNativeChildProcessExitCallback;
static Ability_NativeChildProcess_ErrCode (*const unreg)(OH_Ability_OnNativeChildProcessExit) =
    OH_Ability_UnregisterNativeChildProcessExitCallback;
static Ability_NativeChildProcess_ErrCode (*const kill_child)(int32_t) = OH_Ability_KillChildProcess;
static bool (*const supported)(void) = OH_Ability_IsNativeChildProcessSupported;

/* Returns the number of function pointers that resolved (all of them, when linking worked). */
int ncp_layout_check_c(void) {
  const void* fns[] = {(const void*)create_configs, (const void*)destroy_configs,
                       (const void*)set_mode,       (const void*)set_uid,
                       (const void*)set_name,       (const void*)create,
                       (const void*)create_cfg,     (const void*)start,
                       (const void*)start_cfg,      (const void*)current,
                       (const void*)reg,            (const void*)unreg,
                       (const void*)kill_child,     (const void*)supported};
  int n = 0;
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; ++i) n += fns[i] != NULL;
  return n;
}
