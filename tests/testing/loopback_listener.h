// A TCP listener on the host's loopback, for probing whether a sandbox can reach the host's
// network: connect to its port from inside.
#pragma once

#include "base/unique_fd.h"

namespace ncp::testing {

class LoopbackListener {
 public:
  // Binds 127.0.0.1 on a free port and listens; port() is 0 when that failed.
  LoopbackListener();
  int port() const { return port_; }

 private:
  base::UniqueFd fd_;
  int port_ = 0;
};

}  // namespace ncp::testing
