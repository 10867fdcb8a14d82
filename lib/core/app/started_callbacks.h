// StartedCallbacks: delivers the started-callback of every accepted Create* call, exactly once,
// on one library-owned thread (never the caller's), in the order the children settle.
//
// A child settles when its HELLO arrives or its end of the socket hangs up first; libipc_capi
// tells us through ncp_ipc_connection_notify_peer on its io thread, which only queues the
// connection here, so one thread serves any number of children starting at once and a child that
// hangs in OnConnect holds up nobody else. The callback gets:
//   (0, proxy)                     the child adopted its end with the stub OnConnect returned;
//   (NCP_ERR_CONNECTION_FAILED, 0) the child adopted with no stub (OnConnect returned NULL);
//   (NCP_ERR_LIB_LOADING_FAILED, 0) the child ended before adopting: library or symbol not
//                                  loadable, or it died in OnConnect (OpenHarmony never calls
//                                  back then; ncp keeps "exactly once per accepted call").
// Ordering: a child's callback comes before anything else the user can observe of it — its
// proxy's death recipients can only be added once the callback has handed the proxy over. Exit
// callbacks never fire for IPC-type children (OpenHarmony's implementation), so there is no
// exit-before-start to guard against; the registry frees the child's slot when the fork server
// reports the exit, which may be before or after the callback has returned.
// A callback that blocks delays the callbacks of children that settle after it (one thread, as
// OpenHarmony's docs ask: keep it short).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>

#include "AbilityKit/native_child_process.h"
#include "core/app/ipc_api.h"

namespace ncp::core {

class StartedCallbacks {
 public:
  StartedCallbacks() = default;
  // Lives as long as its registry, which lives as long as the process: never destroyed.

  // Takes `connection` (the parent's end, adopted with no root). kInternal when the IPC library
  // refuses the watch (the caller then still owns and must release `connection`).
  base::Status Watch(const IpcApi& api, ncp_ipc_connection* connection,
                     OH_Ability_OnNativeChildProcessStarted callback);

 private:
  struct Watched {
    StartedCallbacks* owner;
    const IpcApi* api;
    ncp_ipc_connection* connection;
    OH_Ability_OnNativeChildProcessStarted callback;
  };
  static void OnSettled(void* watched);
  void Loop();
  static void Deliver(const Watched& watched);

  std::mutex mu_;
  std::condition_variable settled_cv_;
  std::deque<Watched*> settled_;
  bool thread_started_ = false;
};

}  // namespace ncp::core
