#include "core/app/ipc_child_starter.h"

#include <sys/socket.h>

#include "IPCKit/ipc_error_code.h"
#include "base/fd_numbers.h"
#include "base/unique_fd.h"
#include "core/app/child_registry.h"
#include "core/app/child_starter.h"
#include "core/app/ipc_api.h"

namespace ncp::core {

base::Status StartIpcChild(ChildRequest request, OH_Ability_OnNativeChildProcessStarted callback) {
  auto api = LoadIpcApi();
  if (!api.ok()) return api.status();
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    const int err = errno;  // before the message is built
    return base::ErrnoError("socketpair for an IPC-type child", err);
  }
  // Ours lives as long as the connection: off 0-2 (fd_numbers.h). Theirs goes to the server.
  base::UniqueFd ours(base::KeepOffStandardFds(base::UniqueFd(pair[0]))), theirs(pair[1]);
  request.ipc_socket = theirs.get();
  auto pid = StartChild(request);
  // The fork server holds the child's copy now (or the start failed): ours must go, or the
  // child's death would never hang up the connection.
  theirs.reset();
  if (!pid.ok()) return pid.status();

  ncp_ipc_connection* connection = nullptr;
  const int adopted = (*api)->adopt(ours.release(), nullptr, &connection);
  base::Status watched =
      adopted == OH_IPC_SUCCESS
          ? ChildRegistry::Instance().started_callbacks().Watch(**api, connection, callback)
          : base::Error(base::Code::kInternal, "cannot adopt the IPC socket of an IPC-type child");
  if (!watched.ok()) {
    // Accepted calls must call back; this one is refused instead, so its child must not live on.
    (*api)->release(connection);
    (void)ChildRegistry::Instance().Kill(*pid);
  }
  return watched;
}

}  // namespace ncp::core
