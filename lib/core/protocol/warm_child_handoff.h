// The channel to a warm normal-mode child (an `ncp-child --warm-child` the fork server spawned
// before anyone asked): the message that makes it a child, sent by the application itself.
//
// The server spawns each warm child with one socket, the channel, and passes the other end to
// the application (kWarmChildReady, fork_server_protocol.h), keeping a copy of that end. A
// start the child can serve goes straight from the caller's thread to the child: no hop
// through the server and no answer to wait for, as the child's pid and pidfd came with the
// channel. The child waits in its receive, so the request's arrival is its wake-up.
//
//   app → warm child     kRequest, then `request_bytes` of inline request
//                        + fds [request memfd (unless inline), named fds..., IPC socket]
//   server → warm child  kLetGo: nothing to serve (the server trims or ends the pool)
//
// A start and a letting-go can cross. The child settles it: on kLetGo it shuts the channel
// down and reads on. A request sent before the shutdown is there and is served; one sent
// after fails in the caller's send (EPIPE), and the caller starts the child another way. So a
// start the application counted as sent is never dropped.
#pragma once

#include <cstdint>

namespace ncp::core {

enum class WarmChildMessage : uint32_t {
  kRequest = 1,
  kLetGo = 2,
};

struct WarmChildHandoff {
  WarmChildMessage type;
  uint32_t fd_count;       // kRequest
  uint32_t request_bytes;  // kRequest; 0: the request is the first fd
};

}  // namespace ncp::core
