// Helpers for the create tests: the started-callback collector (the callback has no user data,
// so results go to one process-wide queue), an IPC-type child handle speaking
// ipc_child_protocol.h, death counters and bounded waits.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "IPCKit/ipc_kit.h"
#include "ipc_child_protocol.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::testing {

inline constexpr char kIpcChildLib[] = "libncp_test_ipc_child.so";
inline constexpr char kNullStubLib[] = "libncp_test_ipc_null_stub.so";
inline constexpr char kNoMainLib[] = "libncp_test_ipc_no_main.so";
inline constexpr char kArgsEntriesLib[] = "libncp_test_entries.so";

struct Started {
  int code = -1;
  OHIPCRemoteProxy* proxy = nullptr;
  std::thread::id thread;
};

// The callback to pass to Create*: records (code, proxy, calling thread).
void CollectStarted(int code, OHIPCRemoteProxy* proxy);
// Waits for the next recorded result (20 s at most: the test fails and gets code -1).
Started NextStarted();
// How many callbacks ran so far in this process, and how many are queued unread.
int StartedCount();
int StartedQueued();

// Polls `condition` every 2 ms for up to `timeout`.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The fork server this process started (0 if none), and whether all its children have been
// reaped (waits up to 20 s).
pid_t ForkServerPid();
bool WaitUntilNoChildren();

// Sends `code` with int32 arguments; returns the SendRequest result and the first int32 of the
// reply (or -1).
int Call(OHIPCRemoteProxy* proxy, uint32_t code, std::vector<int32_t> args, int32_t* out);

// Counts death notifications into an atomic.
class DeathCounter {
 public:
  DeathCounter();
  ~DeathCounter();
  OHIPCDeathRecipient* recipient() { return recipient_; }
  int count() const { return count_.load(); }

 private:
  static void OnDeath(void* self);
  std::atomic<int> count_{0};
  OHIPCDeathRecipient* recipient_;
};

// A started IPC-type child: the proxy from its started-callback.
class IpcChild {
 public:
  // Create (or CreateWithConfigs when `configs` is set) `lib`; the test fails unless both the
  // call and the callback give 0.
  explicit IpcChild(const char* lib = kIpcChildLib, Ability_ChildProcessConfigs* configs = nullptr);
  explicit IpcChild(OHIPCRemoteProxy* proxy);
  ~IpcChild();
  IpcChild(const IpcChild&) = delete;
  IpcChild& operator=(const IpcChild&) = delete;

  OHIPCRemoteProxy* proxy() const { return proxy_; }
  bool ok() const { return proxy_ != nullptr; }
  pid_t pid();  // asked once over IPC, then remembered
  int32_t Add(int32_t a, int32_t b);
  // Asks MainProc to return and waits (20 s at most) for the proxy's death. False on timeout.
  bool ExitAndWait();
  int deaths() const { return death_.count(); }

 private:
  OHIPCRemoteProxy* proxy_ = nullptr;
  pid_t pid_ = 0;
  DeathCounter death_;
};

}  // namespace ncp::testing
