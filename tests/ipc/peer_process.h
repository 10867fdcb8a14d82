// PeerProcess: an ipc_test_server child connected through a fresh SOCK_SEQPACKET socketpair,
// started with posix_spawn (its end as fd 3). Kills and reaps the child on destruction.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>

#include "IPCKit/ipc_kit.h"
#include "ncp_ipc_private.h"

namespace ncp::ipc::testing {

class PeerProcess {
 public:
  // Spawns `program` (default: the test server) and waits for its HELLO.
  explicit PeerProcess(const char* program = nullptr);
  ~PeerProcess();
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  bool ok() const { return root_ != nullptr; }
  pid_t pid() const { return pid_; }
  OHIPCRemoteProxy* root() const { return root_; }
  ncp_ipc_connection* connection() const { return connection_; }
  int wait_result() const { return wait_result_; }
  // SIGKILL and reap; returns when the process is gone.
  void Kill();

 private:
  pid_t pid_ = -1;
  ncp_ipc_connection* connection_ = nullptr;
  OHIPCRemoteProxy* root_ = nullptr;
  int wait_result_ = -1;
};

// Polls `condition` until it holds or `timeout` passes (the harness's own timeout, so a broken
// implementation fails instead of hanging the suite).
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Counts the fds open in this process (for leak checks).
int OpenFdCount();

}  // namespace ncp::ipc::testing
