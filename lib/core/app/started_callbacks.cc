#include "core/app/started_callbacks.h"

#include <memory>
#include <system_error>

#include "IPCKit/ipc_error_code.h"
#include "core/app/long_lived_thread.h"

namespace ncp::core {

base::Status StartedCallbacks::Watch(const IpcApi& api, ncp_ipc_connection* connection,
                                     OH_Ability_OnNativeChildProcessStarted callback) {
  auto watched = std::make_unique<Watched>(Watched{this, &api, connection, callback});
  {
    std::lock_guard lock(mu_);
    if (!thread_started_) {
      try {
        StartSignalFreeThread([this] { Loop(); });
      } catch (const std::system_error&) {
        return base::Error(base::Code::kInternal, "cannot start the started-callback thread");
      }
      thread_started_ = true;
    }
  }
  // From here the watch belongs to OnSettled, which may run at once on this thread.
  if (api.notify_peer(connection, &StartedCallbacks::OnSettled, watched.get()) != OH_IPC_SUCCESS) {
    return base::Error(base::Code::kInternal, "cannot watch the child's IPC connection");
  }
  watched.release();
  return base::Status::Ok();
}

// On an io thread of the connection (or the Create caller's, if the child was quick): queue only.
void StartedCallbacks::OnSettled(void* context) {
  auto* watched = static_cast<Watched*>(context);
  StartedCallbacks* self = watched->owner;
  std::lock_guard lock(self->mu_);
  self->settled_.push_back(watched);
  self->settled_cv_.notify_one();
}

void StartedCallbacks::Loop() {
  for (;;) {
    std::unique_ptr<Watched> watched;
    {
      std::unique_lock lock(mu_);
      settled_cv_.wait(lock, [this] { return !settled_.empty(); });
      watched.reset(settled_.front());
      settled_.pop_front();
    }
    Deliver(*watched);
  }
}

void StartedCallbacks::Deliver(const Watched& watched) {
  const IpcApi& api = *watched.api;
  OHIPCRemoteProxy* proxy = nullptr;
  int code = NCP_ERR_LIB_LOADING_FAILED;
  if (api.wait_peer(watched.connection, 0) == OH_IPC_SUCCESS) {
    proxy = api.peer_root(watched.connection);
    code = proxy != nullptr ? NCP_NO_ERROR : NCP_ERR_CONNECTION_FAILED;
  }
  // The proxy keeps the connection open; the handle is not needed any more.
  api.release(watched.connection);
  watched.callback(code, proxy);
}

}  // namespace ncp::core
