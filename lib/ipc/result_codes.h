// How request results cross the stub and proxy boundaries (OpenHarmony's two mappings).
#pragma once

#include <cstdint>

#include "IPCKit/ipc_error_code.h"

namespace ncp::ipc {

// Request codes an application may use: [0x01, 0x00ffffff].
inline bool IsUserRequestCode(uint32_t code) { return code >= 0x01 && code <= 0x00ffffff; }

inline bool IsIpcErrorCode(int code) {
  return code >= OH_IPC_CHECK_PARAM_ERROR && code <= OH_IPC_INNER_ERROR;
}
inline bool IsUserErrorCode(int code) {
  return code >= OH_IPC_USER_ERROR_CODE_MIN && code <= OH_IPC_USER_ERROR_CODE_MAX;
}

// Stub side: what a request callback may return; anything else becomes INVALID_USER_ERROR_CODE.
inline int MapStubResult(int result) {
  if (result == OH_IPC_SUCCESS || IsIpcErrorCode(result) || IsUserErrorCode(result)) return result;
  return OH_IPC_INVALID_USER_ERROR_CODE;
}

// Proxy side: what SendRequest may return for a status that came off the wire. The peer is not
// trusted, so a value outside the known ranges is an inner error.
inline int MapProxyResult(int status) {
  if (status == OH_IPC_SUCCESS || IsIpcErrorCode(status) || IsUserErrorCode(status)) return status;
  return OH_IPC_INNER_ERROR;
}

}  // namespace ncp::ipc
