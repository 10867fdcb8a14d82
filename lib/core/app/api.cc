// The C API: argument checks in OpenHarmony's order, conversion to C++ types, and the mapping
// of internal Status codes to Ability_NativeChildProcess_ErrCode. Nothing else lives here.
// No exception leaves these functions.
#include <cxxabi.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "AbilityKit/native_child_process.h"
#include "base/log.h"
#include "base/no_cancellation.h"
#include "core/app/child_registry.h"
#include "core/app/child_request.h"
#include "core/app/child_starter.h"
#include "core/app/configs.h"
#include "core/app/exit_info.h"
#include "core/app/install_paths.h"
#include "core/app/ipc_child_starter.h"
#include "core/app/program_starter.h"
#include "core/app/start_request_size.h"
#include "core/child/child_state.h"
#include "ncp/native_child_process_ext.h"

#define NCP_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using ncp::base::Code;
using ncp::base::Status;

thread_local std::string t_last_error;

Ability_NativeChildProcess_ErrCode Fail(Ability_NativeChildProcess_ErrCode code,
                                        std::string message) {
  t_last_error = std::move(message);
  return code;
}

Ability_NativeChildProcess_ErrCode Succeed() {
  t_last_error.clear();
  return NCP_NO_ERROR;
}

Ability_NativeChildProcess_ErrCode FromStatus(const Status& status) {
  if (status.ok()) return Succeed();
  Ability_NativeChildProcess_ErrCode code = NCP_ERR_SERVICE_ERROR;
  switch (status.code()) {
    case Code::kOk: break;
    case Code::kInvalidArgument: code = NCP_ERR_INVALID_PARAM; break;
    case Code::kFailedPrecondition: code = NCP_ERR_ALREADY_IN_CHILD; break;
    case Code::kResourceExhausted: code = NCP_ERR_MAX_CHILD_PROCESSES_REACHED; break;
    case Code::kNotSupported: code = NCP_ERR_NOT_SUPPORTED; break;
    case Code::kNotFound: code = NCP_ERR_INVALID_PID; break;
    case Code::kLibraryNotLoaded: code = NCP_ERR_LIB_LOADING_FAILED; break;
    case Code::kUnavailable:
    case Code::kInternal: code = NCP_ERR_SERVICE_ERROR; break;
  }
  return Fail(code, status.ToString());
}

// Any exception (std::bad_alloc in practice) becomes NCP_ERR_INTERNAL; a thread's cancellation
// is held off until the call returns (base/no_cancellation.h).
template <typename F>
Ability_NativeChildProcess_ErrCode Guard(F&& body) {
  const ncp::base::NoCancellation no_cancellation;
  try {
    return body();
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return Fail(NCP_ERR_INTERNAL, "internal error (out of memory?)");
  }
}

struct StartOptions {
  bool isolated;
  bool isolation_uid;
  const std::string* custom_name;
  const std::string* profile;
  bool wait_for_entry = false;
};

// Checks 1-3 (entry, colon, pid) are the caller's; this is the rest of OpenHarmony's order.
Ability_NativeChildProcess_ErrCode StartArgsChild(const char* entry, NativeChildProcess_Args args,
                                                  const StartOptions& options, int32_t* pid) {
  ncp::core::ChildRequest request;
  request.kind = ncp::core::ChildKind::kArgs;
  if (!ncp::core::SplitEntry(entry, &request.library, &request.symbol)) {
    return Fail(NCP_ERR_INVALID_PARAM, "entry has no ':' between library and function");
  }
  if (pid == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "pid is NULL");
  if (request.library.find("../") != std::string::npos) {
    return Fail(NCP_ERR_INVALID_PARAM, "library name contains \"../\"");
  }
  std::vector<std::pair<std::string, int>> named;
  if (Status s = ncp::core::CollectFdNames(args.fdList, &named); !s.ok()) return FromStatus(s);
  // OpenHarmony marshals the request in the caller before its app manager can refuse a child
  // (ChildProcessManager::StartChildProcessWithArgs, then AppMgrProxy::StartChildProcess), so
  // an oversize request or a closed fd gives 16010003 even inside a child.
  request.params = args.entryParams != nullptr ? args.entryParams : "";
  size_t request_size =
      ncp::core::OpenHarmonyStartRequestSize(entry, request.params, named, *options.custom_name);
  if (request_size > ncp::core::kOpenHarmonyParcelLimit) {
    return Fail(NCP_ERR_SERVICE_ERROR,
                "entryParams too large: OpenHarmony's start request would take " +
                    std::to_string(request_size) + " bytes, more than its parcel limit of " +
                    std::to_string(ncp::core::kOpenHarmonyParcelLimit));
  }
  if (Status s = ncp::core::DuplicateFds(named, &request.fds); !s.ok()) return FromStatus(s);
  if (ncp::core::InChildProcess()) {
    return Fail(NCP_ERR_ALREADY_IN_CHILD, "a child process cannot start children");
  }
  request.isolated = options.isolated;
  request.isolation_uid = options.isolation_uid;
  request.profile = *options.profile;
  request.process_name = ncp::core::ChildProcessName(*options.custom_name, request.library);
  request.wait_for_entry = options.wait_for_entry;
  auto started = ncp::core::StartChild(request);
  if (!started.ok()) return FromStatus(started.status());
  *pid = *started;
  return Succeed();
}

}  // namespace

NCP_EXPORT Ability_ChildProcessConfigs* OH_Ability_CreateChildProcessConfigs(void) {
  try {
    return new Ability_ChildProcessConfigs();
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return nullptr;
  }
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode OH_Ability_DestroyChildProcessConfigs(
    Ability_ChildProcessConfigs* configs) {
  if (configs == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "configs is NULL");
  delete configs;
  return Succeed();
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode OH_Ability_ChildProcessConfigs_SetIsolationMode(
    Ability_ChildProcessConfigs* configs, NativeChildProcess_IsolationMode isolationMode) {
  if (configs == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "configs is NULL");
  configs->isolationMode = isolationMode;
  return Succeed();
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode OH_Ability_ChildProcessConfigs_SetIsolationUid(
    Ability_ChildProcessConfigs* configs, bool isolationUid) {
  if (configs == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "configs is NULL");
  configs->isIsolationUid = isolationUid;
  return Succeed();
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode OH_Ability_ChildProcessConfigs_SetProcessName(
    Ability_ChildProcessConfigs* configs, const char* processName) {
  if (configs == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "configs is NULL");
  if (processName == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "processName is NULL");
  if (!ncp::core::IsValidProcessName(processName)) {
    return Fail(NCP_ERR_INVALID_PARAM, "processName must be 1-64 characters of [A-Za-z0-9_]");
  }
  return Guard([&] {
    configs->processName = processName;
    return Succeed();
  });
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode NCP_ChildProcessConfigs_SetProfile(
    Ability_ChildProcessConfigs* configs, const char* profile) {
  if (configs == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "configs is NULL");
  if (profile == nullptr || *profile == '\0') {
    return Fail(NCP_ERR_INVALID_PARAM, "profile is NULL or empty");
  }
  if (std::strlen(profile) > 4095) return Fail(NCP_ERR_INVALID_PARAM, "profile is too long");
  return Guard([&] {
    configs->profile = profile;
    return Succeed();
  });
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode NCP_ChildProcessConfigs_SetWaitForEntry(
    Ability_ChildProcessConfigs* configs, bool wait) {
  if (configs == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "configs is NULL");
  configs->waitForEntry = wait;
  return Succeed();
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode NCP_SetWarmPool(int32_t size,
                                                              int32_t idleTimeoutMs) {
  if ((size < 0 || size > 8) && size != NCP_WARM_POOL_DEFAULT_SIZE) {
    return Fail(NCP_ERR_INVALID_PARAM, "size is outside [0, 8]");
  }
  if (idleTimeoutMs < 0) return Fail(NCP_ERR_INVALID_PARAM, "idleTimeoutMs is negative");
  if (ncp::core::InChildProcess()) return Fail(NCP_ERR_INTERNAL, "a child process has no warm pool");
  return Guard([&] {
    return FromStatus(
        ncp::core::ChildRegistry::Instance().ConfigureWarmPool(size, idleTimeoutMs));
  });
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode OH_Ability_StartNativeChildProcess(
    const char* entry, NativeChildProcess_Args args, NativeChildProcess_Options options,
    int32_t* pid) {
  if (entry == nullptr || *entry == '\0') return Fail(NCP_ERR_INVALID_PARAM, "entry is empty");
  return Guard([&] {
    static const std::string kNone;
    StartOptions start{options.isolationMode == NCP_ISOLATION_MODE_ISOLATED, false, &kNone,
                       &kNone, false};
    return StartArgsChild(entry, args, start, pid);
  });
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode OH_Ability_StartNativeChildProcessWithConfigs(
    const char* entry, NativeChildProcess_Args args, Ability_ChildProcessConfigs* configs,
    int32_t* pid) {
  if (entry == nullptr || *entry == '\0' || configs == nullptr) {
    return Fail(NCP_ERR_INVALID_PARAM, "entry is empty or configs is NULL");
  }
  return Guard([&] {
    const bool isolated = configs->isolationMode == NCP_ISOLATION_MODE_ISOLATED;
    StartOptions start{isolated, isolated && configs->isIsolationUid, &configs->processName,
                       &configs->profile, configs->waitForEntry};
    return StartArgsChild(entry, args, start, pid);
  });
}

// IPC-type children: the synchronous checks in OpenHarmony's order; the outcome arrives through
// `onProcessStarted`, exactly once per call that returns NCP_NO_ERROR (see started_callbacks.h).
NCP_EXPORT Ability_NativeChildProcess_ErrCode OH_Ability_CreateNativeChildProcessWithConfigs(
    const char* libName, Ability_ChildProcessConfigs* configs,
    OH_Ability_OnNativeChildProcessStarted onProcessStarted) {
  if (libName == nullptr || *libName == '\0' || onProcessStarted == nullptr ||
      configs == nullptr) {
    return Fail(NCP_ERR_INVALID_PARAM, "libName is empty, or callback or configs is NULL");
  }
  if (std::strstr(libName, "../") != nullptr) {
    return Fail(NCP_ERR_INVALID_PARAM, "library name contains \"../\"");
  }
  if (ncp::core::InChildProcess()) {
    return Fail(NCP_ERR_ALREADY_IN_CHILD, "a child process cannot start children");
  }
  return Guard([&] {
    ncp::core::ChildRequest request;
    request.kind = ncp::core::ChildKind::kIpc;
    request.library = libName;
    request.isolated = configs->isolationMode == NCP_ISOLATION_MODE_ISOLATED;
    request.isolation_uid = request.isolated && configs->isIsolationUid;
    request.profile = configs->profile;
    request.wait_for_entry = configs->waitForEntry;
    request.process_name = ncp::core::ChildProcessName(configs->processName, request.library);
    return FromStatus(ncp::core::StartIpcChild(std::move(request), onProcessStarted));
  });
}

NCP_EXPORT int OH_Ability_CreateNativeChildProcess(
    const char* libName, OH_Ability_OnNativeChildProcessStarted onProcessStarted) {
  if (libName == nullptr || *libName == '\0' || onProcessStarted == nullptr) {
    return Fail(NCP_ERR_INVALID_PARAM, "libName is empty or callback is NULL");
  }
  static Ability_ChildProcessConfigs defaults;
  return OH_Ability_CreateNativeChildProcessWithConfigs(libName, &defaults, onProcessStarted);
}

NCP_EXPORT NativeChildProcess_Args* OH_Ability_GetCurrentChildProcessArgs(void) {
  return ncp::core::CurrentArgs();
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode OH_Ability_RegisterNativeChildProcessExitCallback(
    OH_Ability_OnNativeChildProcessExit onProcessExit) {
  if (onProcessExit == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "callback is NULL");
  // A child has no app record, so OpenHarmony's app manager refuses its registration
  // (AppNativeSpawnManager::RegisterNativeChildExitNotify → ERR_CALLER_NOT_EXISTS) and the
  // client returns NCP_ERR_INTERNAL (OH_Ability_RegisterNativeChildProcessExitCallback).
  if (ncp::core::InChildProcess()) {
    return Fail(NCP_ERR_INTERNAL, "a child process has no children to watch");
  }
  return Guard([&] {
    ncp::core::ChildRegistry::Instance().callbacks().Add(onProcessExit);
    return Succeed();
  });
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode OH_Ability_UnregisterNativeChildProcessExitCallback(
    OH_Ability_OnNativeChildProcessExit onProcessExit) {
  if (onProcessExit == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "callback is NULL");
  return Guard([&] {
    Status s = ncp::core::ChildRegistry::Instance().callbacks().Remove(onProcessExit);
    return s.ok() ? Succeed() : Fail(NCP_ERR_CALLBACK_NOT_EXIST, s.message());
  });
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode OH_Ability_KillChildProcess(int32_t pid) {
  return Guard([&] { return FromStatus(ncp::core::ChildRegistry::Instance().Kill(pid)); });
}

NCP_EXPORT bool OH_Ability_IsNativeChildProcessSupported(void) {
  try {
    return !ncp::core::InChildProcess() && ncp::core::ChildHelperPath().ok();
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return false;
  }
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode NCP_RegisterChildExitCallback(
    NCP_OnChildExit callback, void* userData) {
  if (callback == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "callback is NULL");
  // The same refusal as OpenHarmony's registration above: a child cannot have children.
  if (ncp::core::InChildProcess()) {
    return Fail(NCP_ERR_INTERNAL, "a child process has no children to watch");
  }
  return Guard([&] {
    ncp::core::ChildRegistry::Instance().callbacks().Add(callback, userData);
    return Succeed();
  });
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode NCP_UnregisterChildExitCallback(
    NCP_OnChildExit callback, void* userData) {
  if (callback == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "callback is NULL");
  return Guard([&] {
    Status s = ncp::core::ChildRegistry::Instance().callbacks().Remove(callback, userData);
    return s.ok() ? Succeed() : Fail(NCP_ERR_CALLBACK_NOT_EXIST, s.message());
  });
}

NCP_EXPORT const char* NCP_GetLastErrorMessage(void) { return t_last_error.c_str(); }

// ---- NCP_ extensions for porters: programs, waiting, logs (none of them in OpenHarmony) ----

NCP_EXPORT Ability_NativeChildProcess_ErrCode NCP_ChildProcessConfigs_SetWorkingDirectory(
    Ability_ChildProcessConfigs* configs, const char* directory) {
  if (configs == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "configs is NULL");
  if (directory == nullptr || directory[0] != '/') {
    return Fail(NCP_ERR_INVALID_PARAM, "directory is NULL or not an absolute path");
  }
  if (std::strlen(directory) > 4095) return Fail(NCP_ERR_INVALID_PARAM, "directory is too long");
  return Guard([&] {
    configs->workingDirectory = directory;
    return Succeed();
  });
}

namespace {

// The checks of NCP_StartChildProgram's placements: count, range, no number twice. At most 16,
// as OpenHarmony's CHILD_PROCESS_ARGS_FDS_MAX_COUNT for named fds (ability_ability_runtime
// interfaces/inner_api/app_manager/include/appmgr/child_process_args.h).
Ability_NativeChildProcess_ErrCode CheckPlacements(const NCP_ChildFdPlacement* fds, size_t count) {
  if (count > NCP_MAX_PROGRAM_FDS) {
    return Fail(NCP_ERR_INVALID_PARAM, "more than 16 fd placements");
  }
  if (count > 0 && fds == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "fds is NULL");
  for (size_t i = 0; i < count; ++i) {
    if (fds[i].childFd < 0 || fds[i].childFd >= NCP_PROGRAM_FD_LIMIT) {
      return Fail(NCP_ERR_INVALID_PARAM, "childFd " + std::to_string(fds[i].childFd) +
                                             " is outside [0, " +
                                             std::to_string(NCP_PROGRAM_FD_LIMIT) + ")");
    }
    for (size_t j = 0; j < i; ++j) {
      if (fds[j].childFd == fds[i].childFd) {
        return Fail(NCP_ERR_INVALID_PARAM,
                    "childFd " + std::to_string(fds[i].childFd) + " is placed twice");
      }
    }
  }
  return NCP_NO_ERROR;
}

std::vector<std::string> CopyStrings(char* const list[]) {
  std::vector<std::string> out;
  for (size_t i = 0; list[i] != nullptr; ++i) out.emplace_back(list[i]);
  return out;
}

}  // namespace

NCP_EXPORT Ability_NativeChildProcess_ErrCode NCP_StartChildProgram(
    const char* path, char* const argv[], char* const envp[], Ability_ChildProcessConfigs* configs,
    const NCP_ChildFdPlacement* fds, size_t fdCount, int32_t* pid) {
  if (path == nullptr || path[0] != '/') {
    return Fail(NCP_ERR_INVALID_PARAM, "path is NULL or not an absolute path");
  }
  if (pid == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "pid is NULL");
  return Guard([&] {
    if (auto code = CheckPlacements(fds, fdCount); code != NCP_NO_ERROR) return code;
    if (ncp::core::InChildProcess()) {
      return Fail(NCP_ERR_ALREADY_IN_CHILD, "a child process cannot start children");
    }
    ncp::core::ProgramStart start;
    start.path = path;
    start.argv = argv != nullptr ? CopyStrings(argv) : std::vector<std::string>{path};
    if (start.argv.empty()) start.argv.emplace_back(path);  // execve wants an argv[0]
    if (envp != nullptr) start.environment = CopyStrings(envp);
    for (size_t i = 0; i < fdCount; ++i) start.fds.emplace_back(fds[i].fd, fds[i].childFd);
    if (configs != nullptr) {
      start.isolated = configs->isolationMode == NCP_ISOLATION_MODE_ISOLATED;
      start.isolation_uid = start.isolated && configs->isIsolationUid;
      start.profile = configs->profile;
      start.working_directory = configs->workingDirectory;
    }
    auto started = ncp::core::StartProgram(start);
    if (!started.ok()) return FromStatus(started.status());
    *pid = *started;
    return Succeed();
  });
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode NCP_WaitForChildExit(int32_t pid, int32_t timeoutMs,
                                                                   NCP_ChildExitInfo* info) {
  if (info != nullptr && info->structSize < ncp::core::kFirstExitInfoSize) {
    return Fail(NCP_ERR_INVALID_PARAM, "info->structSize is smaller than NCP_ChildExitInfo");
  }
  return Guard([&] {
    using Result = ncp::core::ChildRegistry::WaitResult;
    ncp::core::ExitRecord record;
    switch (ncp::core::ChildRegistry::Instance().WaitForExit(pid, timeoutMs, &record)) {
      case Result::kEnded:
        break;
      case Result::kTimedOut:
        return Fail(NCP_ERR_TIMEOUT, "pid " + std::to_string(pid) + " is still running");
      case Result::kUnknown:
        return Fail(NCP_ERR_INVALID_PID, "pid " + std::to_string(pid) +
                                             " is not a child of this process, or its exit "
                                             "record is no longer kept");
      case Result::kWouldDeadlock:
        return Fail(NCP_ERR_BUSY,
                    "an exit callback cannot wait for a running child: ends are delivered on "
                    "its thread");
    }
    if (info != nullptr) ncp::core::FillExitInfo(record, info->structSize, info);
    return Succeed();
  });
}

NCP_EXPORT Ability_NativeChildProcess_ErrCode NCP_OpenChildPidfd(int32_t pid, int* pidfd) {
  if (pidfd == nullptr) return Fail(NCP_ERR_INVALID_PARAM, "pidfd is NULL");
  return Guard([&] {
    auto fd = ncp::core::ChildRegistry::Instance().OpenPidfd(pid);
    if (!fd.ok()) return FromStatus(fd.status());
    *pidfd = fd->release();
    return Succeed();
  });
}

namespace {

struct LogTarget {
  NCP_LogCallback callback;
  void* user_data;
};

void CallLogTarget(ncp::base::LogLevel level, const char* message, void* target) {
  // NCP_LogLevel and base::LogLevel share syslog's numbers.
  static_assert(static_cast<int>(ncp::base::LogLevel::kError) == NCP_LOG_ERROR);
  static_assert(static_cast<int>(ncp::base::LogLevel::kWarning) == NCP_LOG_WARNING);
  static_assert(static_cast<int>(ncp::base::LogLevel::kInfo) == NCP_LOG_INFO);
  auto* t = static_cast<LogTarget*>(target);
  t->callback(static_cast<NCP_LogLevel>(level), message, t->user_data);
}

}  // namespace

NCP_EXPORT Ability_NativeChildProcess_ErrCode NCP_SetLogCallback(NCP_LogCallback callback,
                                                                 void* userData) {
  return Guard([&] {
    auto target =
        callback != nullptr ? std::make_unique<LogTarget>(LogTarget{callback, userData}) : nullptr;
    void* old = target != nullptr ? ncp::base::SetLogSink(CallLogTarget, target.release())
                                  : ncp::base::SetLogSink(nullptr, nullptr);
    // SetLogSink returned: no call uses the old target any more (unless this runs inside one
    // of them: then it is leaked rather than freed under that call).
    if (!ncp::base::InsideLogSink()) delete static_cast<LogTarget*>(old);
    return Succeed();
  });
}
