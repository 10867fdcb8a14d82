// The channel to a warm normal-mode child (an `ncp-child --warm-child` the fork server spawned
// before anyone asked): the messages that make it a child, sent by the application itself.
//
// The server spawns each warm child with one socket, the channel, and passes the other end to
// the application (kWarmChildReady, fork_server_protocol.h), keeping a copy of that end. A
// start the child can serve goes straight from the caller's thread to the child: no hop
// through the server and no answer to wait for, as the child's pid and pidfd came with the
// channel. The child waits in its receive, so the request's arrival is its wake-up.
//
//   app → warm child     kRequest, then `request_bytes` of inline request
//                        + fds [request memfd (unless inline), named fds..., IPC socket]
//   app → warm child     then kGo with the caller's umask, or kWithdraw
//   server → warm child  kLetGo: nothing to serve (the server trims or ends the pool)
//
// The request goes first and the caller reads its umask and credentials while the child wakes
// and decodes it: with cold caches that read costs as much as the child's wake-up. The
// request's own umask field is a placeholder; kGo's is the one the child takes. kWithdraw (the
// caller's credentials turned out not to be the server's, so the child may not serve them, or
// they could not be read) ends the child before it runs anything of the request; so does the
// end of the channel. Only kGo lets it run.
//
// A start and a letting-go can cross. The child settles it: on kLetGo before a request it shuts
// the channel down and reads on. A request sent before the shutdown is there and is read; it
// is served when its kGo came before the shutdown too. A request or a kGo sent after fails in
// the caller's send (EPIPE): the child never runs the request (it reads the end of the channel
// where the kGo would be), and the caller starts the child another way. So a start the
// application counted as sent (its kGo sent) is never dropped. A kLetGo after the request is
// read past: the child is serving.
#pragma once

#include <cstdint>

namespace ncp::core {

enum class WarmChildMessage : uint32_t {
  kRequest = 1,
  kLetGo = 2,
  kGo = 3,
  kWithdraw = 4,
};

struct WarmChildHandoff {
  WarmChildMessage type;
  uint32_t fd_count;       // kRequest
  uint32_t request_bytes;  // kRequest; 0: the request is the first fd
  uint32_t umask;          // kGo: the caller's, which the child takes
};

}  // namespace ncp::core
