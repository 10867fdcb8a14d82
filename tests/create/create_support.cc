#include "create_support.h"

#include "ncp/native_child_process_ext.h"

#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>

#include "core/child_test_support.h"

namespace ncp::testing {
namespace {

std::mutex g_mu;
std::condition_variable g_cv;
std::deque<Started> g_started;
int g_started_count = 0;

}  // namespace

void CollectStarted(int code, OHIPCRemoteProxy* proxy) {
  std::lock_guard lock(g_mu);
  g_started.push_back({code, proxy, std::this_thread::get_id()});
  ++g_started_count;
  g_cv.notify_all();
}

Started NextStarted() {
  std::unique_lock lock(g_mu);
  if (!g_cv.wait_for(lock, std::chrono::seconds(20), [] { return !g_started.empty(); })) {
    ADD_FAILURE() << "no started-callback within 20 s";
    return {};
  }
  Started next = g_started.front();
  g_started.pop_front();
  return next;
}

int StartedCount() {
  std::lock_guard lock(g_mu);
  return g_started_count;
}

int StartedQueued() {
  std::lock_guard lock(g_mu);
  return static_cast<int>(g_started.size());
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

pid_t ForkServerPid() {
  for (pid_t pid : ChildrenOfThisProcess()) {
    if (ProcessName(pid).find("ncp-forkserver") != std::string::npos) return pid;
  }
  return 0;
}

bool WaitUntilNoChildren() {
  const pid_t server = ForkServerPid();
  if (server == 0) return true;
  // Prepared children (the warm pool) are not the test's: let them go first, then nothing may
  // be left. The pool is back for the next test.
  NCP_SetWarmPool(0, 0);
  const bool none = WaitFor([server] { return ChildrenOf(server).empty(); });
  NCP_SetWarmPool(2, 30000);
  return none;
}

int Call(OHIPCRemoteProxy* proxy, uint32_t code, std::vector<int32_t> args, int32_t* out) {
  OHIPCParcel* data = OH_IPCParcel_Create();
  OHIPCParcel* reply = OH_IPCParcel_Create();
  for (int32_t arg : args) OH_IPCParcel_WriteInt32(data, arg);
  int result = OH_IPCRemoteProxy_SendRequest(proxy, code, data, reply, nullptr);
  if (out != nullptr) {
    *out = -1;
    if (result == OH_IPC_SUCCESS) OH_IPCParcel_ReadInt32(reply, out);
  }
  OH_IPCParcel_Destroy(data);
  OH_IPCParcel_Destroy(reply);
  return result;
}

DeathCounter::DeathCounter()
    : recipient_(OH_IPCDeathRecipient_Create(&DeathCounter::OnDeath, nullptr, this)) {}

DeathCounter::~DeathCounter() { OH_IPCDeathRecipient_Destroy(recipient_); }

void DeathCounter::OnDeath(void* self) { ++static_cast<DeathCounter*>(self)->count_; }

IpcChild::IpcChild(const char* lib, Ability_ChildProcessConfigs* configs) {
  const int rc = configs == nullptr
                     ? OH_Ability_CreateNativeChildProcess(lib, CollectStarted)
                     : OH_Ability_CreateNativeChildProcessWithConfigs(lib, configs, CollectStarted);
  if (rc != NCP_NO_ERROR) {
    ADD_FAILURE() << "Create(" << lib << ") = " << rc << ": " << NCP_GetLastErrorMessage();
    return;
  }
  Started started = NextStarted();
  EXPECT_EQ(started.code, NCP_NO_ERROR);
  proxy_ = started.proxy;
  if (proxy_ != nullptr) {
    EXPECT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(proxy_, death_.recipient()), OH_IPC_SUCCESS);
  }
}

IpcChild::IpcChild(OHIPCRemoteProxy* proxy) : proxy_(proxy) {
  if (proxy_ != nullptr) {
    EXPECT_EQ(OH_IPCRemoteProxy_AddDeathRecipient(proxy_, death_.recipient()), OH_IPC_SUCCESS);
  }
}

IpcChild::~IpcChild() {
  if (proxy_ == nullptr) return;
  if (OH_IPCRemoteProxy_IsRemoteDead(proxy_) == 0) ExitAndWait();
  OH_IPCRemoteProxy_RemoveDeathRecipient(proxy_, death_.recipient());
  OH_IPCRemoteProxy_Destroy(proxy_);
}

pid_t IpcChild::pid() {
  if (pid_ == 0 && proxy_ != nullptr) {
    int32_t pid = -1;
    EXPECT_EQ(Call(proxy_, NCP_IPC_CHILD_GET_PID, {}, &pid), OH_IPC_SUCCESS);
    pid_ = pid;
  }
  return pid_;
}

int32_t IpcChild::Add(int32_t a, int32_t b) {
  int32_t sum = -1;
  EXPECT_EQ(Call(proxy_, NCP_IPC_CHILD_ADD, {a, b}, &sum), OH_IPC_SUCCESS);
  return sum;
}

bool IpcChild::ExitAndWait() {
  OHIPCParcel* data = OH_IPCParcel_Create();
  OH_IPC_MessageOption one_way{OH_IPC_REQUEST_MODE_ASYNC, 0, nullptr};
  EXPECT_EQ(OH_IPCRemoteProxy_SendRequest(proxy_, NCP_IPC_CHILD_EXIT, data, nullptr, &one_way),
            OH_IPC_SUCCESS);
  OH_IPCParcel_Destroy(data);
  return WaitFor([this] { return death_.count() > 0; });
}

}  // namespace ncp::testing
