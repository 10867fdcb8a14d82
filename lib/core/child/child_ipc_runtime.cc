#include "core/child/child_ipc_runtime.h"

#include <dlfcn.h>
#include <sched.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include "IPCKit/ipc_error_code.h"
#include "base/log.h"
#include "core/app/ipc_api.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::core {
namespace {

using OnConnectFunction = OHIPCRemoteStub* (*)();
using MainProcFunction = void (*)();

[[noreturn]] void Exit(int status, const char* what, const char* detail) {
  base::LogLine("child %d: %s%s", static_cast<int>(getpid()), what, detail);
  fflush(nullptr);
  _exit(status);
}

// Sends the connection's HELLO, which fires the parent's started-callback, from a thread of its
// own once the main thread is on its way into MainProc: the main thread only has to wake this
// thread, so MainProc has usually begun when the parent hears of the child, as on OpenHarmony
// (whose notifier thread sleeps 1 ms first: ability_ability_runtime,
// NativeChildIpcProcess::OnStart). No sleep here: nothing waits longer than the hand-off.
class MainProcAnnouncer {
 public:
  MainProcAnnouncer(const IpcApi& api, ncp_ipc_connection* connection)
      : api_(api), connection_(connection) {
    try {
      thread_ = std::thread([this] { Run(); });
    } catch (const std::system_error&) {
      // No thread to spare: Go() announces on the main thread instead.
    }
  }
  ~MainProcAnnouncer() { Join(); }
  MainProcAnnouncer(const MainProcAnnouncer&) = delete;
  MainProcAnnouncer& operator=(const MainProcAnnouncer&) = delete;

  // Called right before MainProc, when nothing can stop the child from calling it any more.
  void Go() {
    if (!thread_.joinable()) {
      api_.announce(connection_);
      return;
    }
    {
      std::lock_guard lock(mu_);
      go_ = true;
    }
    go_cv_.notify_one();
  }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    {
      std::unique_lock lock(mu_);
      go_cv_.wait(lock, [this] { return go_; });
    }
    // Waking this thread may have preempted the main thread on its CPU: let it go on into
    // MainProc first. A yield, not a sleep: with a free CPU it returns at once.
    sched_yield();
    api_.announce(connection_);
  }

  const IpcApi& api_;
  ncp_ipc_connection* const connection_;
  std::mutex mu_;
  std::condition_variable go_cv_;
  bool go_ = false;
  std::thread thread_;
};

}  // namespace

void RunIpcChild(void* library, const WireRequest& request, const IpcChildHooks& hooks) {
  auto on_connect =
      reinterpret_cast<OnConnectFunction>(dlsym(library, "NativeChildProcess_OnConnect"));
  auto main_proc =
      reinterpret_cast<MainProcFunction>(dlsym(library, "NativeChildProcess_MainProc"));
  if (on_connect == nullptr || main_proc == nullptr) {
    const char* what = on_connect == nullptr ? "no NativeChildProcess_OnConnect in "
                                             : "no NativeChildProcess_MainProc in ";
    if (hooks.entry_missing) {
      const std::string message = what + request.library;
      hooks.entry_missing(NCP_CHILD_EXIT_SYMBOL_NOT_FOUND, message.c_str());
    }
    Exit(NCP_CHILD_EXIT_SYMBOL_NOT_FOUND, what, request.library.c_str());
  }
  if (request.ipc_fd < 0) Exit(NCP_CHILD_EXIT_BAD_REQUEST, "no IPC socket in the request", "");
  // Before the hook: loading may need syscalls a sandbox's filter refuses. The user's library
  // links libipc_capi.so in practice, so this finds that very copy.
  auto api = LoadIpcApi();
  if (!api.ok()) {
    if (hooks.entry_missing) {
      hooks.entry_missing(NCP_CHILD_EXIT_LIBRARY_NOT_LOADED, api.status().message().c_str());
    }
    Exit(NCP_CHILD_EXIT_LIBRARY_NOT_LOADED, api.status().message().c_str(), "");
  }
  if (hooks.entry_found) hooks.entry_found();
  if (hooks.before_user_code) hooks.before_user_code();
  OHIPCRemoteStub* stub = on_connect();
  ncp_ipc_connection* connection = nullptr;
  // With stub == NULL this still adopts: a HELLO without a root is how the parent learns
  // "OnConnect returned NULL" (16010008), as distinct from a child that died (16010007).
  if ((*api)->adopt_unannounced(request.ipc_fd, stub, &connection) != OH_IPC_SUCCESS) {
    Exit(NCP_CHILD_EXIT_CONNECTION_FAILED, "cannot adopt the IPC socket", "");
  }
  if (stub == nullptr) {
    (*api)->announce(connection);
    (*api)->release(connection);
    Exit(NCP_CHILD_EXIT_CONNECTION_FAILED, "NativeChildProcess_OnConnect returned NULL", "");
  }
  // The stub stays the library's (OpenHarmony: the child "controls its lifecycle"); the
  // connection holds its own reference.
  MainProcAnnouncer announcer(**api, connection);
  announcer.Go();
  main_proc();
  announcer.Join();
  // Requests the parent sent before MainProc returned get their replies, including the one
  // whose handler made MainProc return and is still running: wait for them, for
  // kMainProcReturnGrace at most. OpenHarmony does not wait for them (ability_ability_runtime
  // ChildMainThread::HandleRunNativeProc asks the app manager to end the process as soon as
  // MainProc returned), so its replies can be lost; see the README's "differs on purpose" table.
  (*api)->drain(connection, static_cast<int>(kMainProcReturnGrace.count()));
  (*api)->release(connection);
  // OpenHarmony's children end with quick_exit(0) (startup_appspawn common/appspawn_server.c,
  // ProcessExit): no static destructors run while IPC threads may still be serving. Flush stdio
  // first so the child's output is not lost (quick_exit does not flush).
  fflush(nullptr);
  quick_exit(0);
}

}  // namespace ncp::core
