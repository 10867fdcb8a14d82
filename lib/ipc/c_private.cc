// C shims for ncp_ipc_private.h (symbol version NCP_PRIVATE).
#include <cxxabi.h>

#include <chrono>
#include <new>

#include "IPCKit/ipc_error_code.h"
#include "base/log.h"
#include "base/no_cancellation.h"
#include "ipc/c_handles.h"
#include "ipc/connection.h"
#include "ncp_ipc_private.h"

struct ncp_ipc_connection {
  std::shared_ptr<ncp::ipc::Connection> connection;
};

namespace {

int Adopt(int fd, const OHIPCRemoteStub* root, bool announce, ncp_ipc_connection** out) {
  ncp::base::UniqueFd socket(fd);
  if (fd < 0 || out == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  const ncp::base::NoCancellation no_cancellation;
  try {
    auto* handle = new ncp_ipc_connection;
    auto started = ncp::ipc::Connection::Start(
        std::move(socket), root != nullptr ? root->local() : nullptr, announce);
    if (!started.ok()) {
      delete handle;
      ncp::base::LogLine("ipc: cannot adopt connection: %s", started.status().ToString().c_str());
      return started.status().code() == ncp::base::Code::kInternal ||
                     started.status().code() == ncp::base::Code::kInvalidArgument
                 ? OH_IPC_CHECK_PARAM_ERROR
                 : OH_IPC_INNER_ERROR;
    }
    handle->connection = std::move(started).value();
    *out = handle;
    return OH_IPC_SUCCESS;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_INNER_ERROR;
  }
}

}  // namespace

NCP_IPC_EXPORT int ncp_ipc_connection_adopt(int fd, const OHIPCRemoteStub* root,
                                            ncp_ipc_connection** out) {
  return Adopt(fd, root, true, out);
}

NCP_IPC_EXPORT int ncp_ipc_connection_adopt_unannounced(int fd, const OHIPCRemoteStub* root,
                                                        ncp_ipc_connection** out) {
  return Adopt(fd, root, false, out);
}

NCP_IPC_EXPORT int ncp_ipc_connection_announce(ncp_ipc_connection* connection) {
  if (connection == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  const ncp::base::NoCancellation no_cancellation;
  try {
    ncp::base::Status sent = connection->connection->Announce();
    if (sent.ok()) return OH_IPC_SUCCESS;
    return sent.code() == ncp::base::Code::kInvalidArgument ? OH_IPC_CHECK_PARAM_ERROR
                                                            : OH_IPC_INNER_ERROR;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_INNER_ERROR;
  }
}

NCP_IPC_EXPORT int ncp_ipc_connection_wait_peer(ncp_ipc_connection* connection, int timeout_ms) {
  if (connection == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  const ncp::base::NoCancellation no_cancellation;
  try {
    return connection->connection->WaitForPeer(timeout_ms);
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_INNER_ERROR;
  }
}

NCP_IPC_EXPORT int ncp_ipc_connection_notify_peer(ncp_ipc_connection* connection,
                                                  void (*settled)(void* context), void* context) {
  if (connection == nullptr || settled == nullptr) return OH_IPC_CHECK_PARAM_ERROR;
  const ncp::base::NoCancellation no_cancellation;
  try {
    connection->connection->NotifyWhenPeerSettled([settled, context] { settled(context); });
    return OH_IPC_SUCCESS;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_INNER_ERROR;
  }
}

NCP_IPC_EXPORT OHIPCRemoteProxy* ncp_ipc_connection_peer_root(ncp_ipc_connection* connection) {
  if (connection == nullptr) return nullptr;
  const ncp::base::NoCancellation no_cancellation;
  try {
    std::shared_ptr<ncp::ipc::RemoteObject> root = connection->connection->PeerRoot();
    if (root == nullptr) return nullptr;
    return new OHIPCRemoteProxy{std::move(root)};
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return nullptr;
  }
}

NCP_IPC_EXPORT int64_t ncp_ipc_connection_peer_pid(const ncp_ipc_connection* connection) {
  if (connection == nullptr) return 0;
  return static_cast<int64_t>(connection->connection->peer().pid);
}

NCP_IPC_EXPORT int ncp_ipc_connection_is_dead(const ncp_ipc_connection* connection) {
  if (connection == nullptr) return 1;
  return connection->connection->dead() ? 1 : 0;
}

NCP_IPC_EXPORT int ncp_ipc_connection_drain(ncp_ipc_connection* connection, int grace_ms) {
  if (connection == nullptr || grace_ms < 0) return OH_IPC_CHECK_PARAM_ERROR;
  const ncp::base::NoCancellation no_cancellation;
  try {
    return connection->connection->Drain(std::chrono::milliseconds(grace_ms)) ? OH_IPC_SUCCESS
                                                                              : OH_IPC_INNER_ERROR;
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
    return OH_IPC_INNER_ERROR;
  }
}

NCP_IPC_EXPORT void ncp_ipc_connection_release(ncp_ipc_connection* connection) {
  if (connection == nullptr) return;
  const ncp::base::NoCancellation no_cancellation;
  try {
    connection->connection->ReleaseHandle();
  } catch (abi::__forced_unwind&) {
    throw;  // pthread_exit (from a callback) unwinds on to the thread's cleanup
  } catch (...) {
  }
  delete connection;
}
