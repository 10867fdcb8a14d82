// C shims for ipc_cskeleton.h: the calling context of the current thread and the worker pool.
#include <cxxabi.h>

#include <cstring>

#include "IPCKit/ipc_cskeleton.h"
#include "IPCKit/ipc_error_code.h"
#include "base/no_cancellation.h"
#include "ipc/c_handles.h"
#include "ipc/calling_context.h"
#include "ipc/worker_pool.h"

using ncp::ipc::CurrentCaller;
using ncp::ipc::WorkerPool;

NCP_IPC_EXPORT void OH_IPCSkeleton_JoinWorkThread(void) {
  const ncp::base::NoCancellation no_cancellation;
  try {
    WorkerPool::Instance().JoinCurrentThread();
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
  }
}

NCP_IPC_EXPORT void OH_IPCSkeleton_StopWorkThread(void) {
  WorkerPool::Instance().StopCurrentThread();
}

NCP_IPC_EXPORT uint64_t OH_IPCSkeleton_GetCallingTokenId(void) {
  return ncp::ipc::TokenIdForUid(CurrentCaller().uid);
}

// No delegation chains on Linux: there is never a "first" caller distinct from the caller.
NCP_IPC_EXPORT uint64_t OH_IPCSkeleton_GetFirstTokenId(void) { return 0; }

NCP_IPC_EXPORT uint64_t OH_IPCSkeleton_GetSelfTokenId(void) {
  return ncp::ipc::TokenIdForUid(ncp::ipc::SelfIdentity().uid);
}

NCP_IPC_EXPORT uint64_t OH_IPCSkeleton_GetCallingPid(void) { return CurrentCaller().pid; }

NCP_IPC_EXPORT uint64_t OH_IPCSkeleton_GetCallingUid(void) { return CurrentCaller().uid; }

NCP_IPC_EXPORT int OH_IPCSkeleton_IsLocalCalling(void) { return CurrentCaller().local ? 1 : 0; }

NCP_IPC_EXPORT int OH_IPCSkeleton_SetMaxWorkThreadNum(const int maxThreadNum) {
  const ncp::base::NoCancellation no_cancellation;
  try {
    return WorkerPool::Instance().SetMaxThreads(maxThreadNum) ? OH_IPC_SUCCESS
                                                              : OH_IPC_CHECK_PARAM_ERROR;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_INNER_ERROR;
  }
}

NCP_IPC_EXPORT int OH_IPCSkeleton_ResetCallingIdentity(char** identity, int32_t* len,
                                                       OH_IPC_MemAllocator allocator) {
  if (identity == nullptr || len == nullptr || allocator == nullptr) {
    return OH_IPC_CHECK_PARAM_ERROR;
  }
  const ncp::base::NoCancellation no_cancellation;
  try {
    // Outside a transaction OpenHarmony has no active invoker and IPCSkeleton::
    // ResetCallingIdentity returns "" (communication_ipc, ipc_skeleton.cpp): "" with length 1.
    std::string text =
        ncp::ipc::IsHandlingTransaction() ? ncp::ipc::EncodeIdentity(CurrentCaller()) : "";
    auto size = static_cast<int32_t>(text.size() + 1);
    char* memory = static_cast<char*>(allocator(size));
    if (memory == nullptr) return OH_IPC_MEM_ALLOCATOR_ERROR;
    std::memcpy(memory, text.c_str(), text.size() + 1);
    ncp::ipc::ReplaceCurrentCaller(ncp::ipc::SelfIdentity());
    *identity = memory;
    *len = size;
    return OH_IPC_SUCCESS;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_INNER_ERROR;
  }
}

NCP_IPC_EXPORT int OH_IPCSkeleton_SetCallingIdentity(const char* identity) {
  if (identity == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  // Outside a transaction IPCSkeleton::SetCallingIdentity has no invoker to change and returns
  // true, whatever the text; nothing changes here either.
  if (!ncp::ipc::IsHandlingTransaction()) return OH_IPC_SUCCESS;
  std::optional<ncp::ipc::CallerIdentity> decoded = ncp::ipc::DecodeIdentity(identity);
  if (!decoded) return OH_IPC_INNER_ERROR;
  ncp::ipc::ReplaceCurrentCaller(*decoded);
  return OH_IPC_SUCCESS;
}

NCP_IPC_EXPORT int OH_IPCSkeleton_IsHandlingTransaction(void) {
  return ncp::ipc::IsHandlingTransaction() ? 1 : 0;
}
