// IpcApi: the private entry points of libipc_capi.so (ncp_ipc_private.h), found at run time.
//
// libchild_process.so does not link libipc_capi.so: every child loads libchild_process.so, and
// args-type children have no use for IPC. The first Create* in a parent, and the runtime of an
// IPC-type child, load it here instead. It must be the same copy the application (or the child's
// library) uses, so an already-loaded one is taken first (RTLD_NOLOAD by soname); otherwise the
// one installed beside libchild_process.so (or, in the build tree, in ../ipc).
//
// Application side (Create*, the started callbacks); the IPC-type child's runtime
// (child/child_ipc_runtime.cc) uses it too.

#pragma once

#include "base/status.h"
#include "ncp_ipc_private.h"

namespace ncp::core {

struct IpcApi {
  int (*adopt)(int fd, const OHIPCRemoteStub* root, ncp_ipc_connection** out);
  int (*wait_peer)(ncp_ipc_connection* connection, int timeout_ms);
  int (*notify_peer)(ncp_ipc_connection* connection, void (*settled)(void*), void* context);
  OHIPCRemoteProxy* (*peer_root)(ncp_ipc_connection* connection);
  void (*release)(ncp_ipc_connection* connection);
  int (*drain)(ncp_ipc_connection* connection, int grace_ms);
  int (*adopt_unannounced)(int fd, const OHIPCRemoteStub* root, ncp_ipc_connection** out);
  int (*announce)(ncp_ipc_connection* connection);
};

// The functions, loaded once per process. kUnavailable (with one log line, the first time) when
// the library or one of its private symbols cannot be found.
base::StatusOr<const IpcApi*> LoadIpcApi();

}  // namespace ncp::core
