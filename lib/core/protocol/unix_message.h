// One SOCK_SEQPACKET message with optional fds (SCM_RIGHTS), sent or received whole.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <vector>

#include "base/unique_fd.h"

namespace ncp::core {

// Returns false on error (errno set). Never raises SIGPIPE.
bool SendMessage(int socket, const void* data, size_t size, const int* fds, size_t nfds);
// The same, the message gathered from `count` parts in order.
bool SendMessageParts(int socket, const iovec* parts, size_t count, const int* fds, size_t nfds);

// Returns the message size, 0 at end of stream, -1 on error. Received fds are close-on-exec
// unless `close_on_exec` is false. A truncated message or more than `max_fds` fds is an error
// (EBADMSG); any fds are closed.
ssize_t ReceiveMessage(int socket, void* data, size_t size, std::vector<base::UniqueFd>* fds,
                       size_t max_fds, bool close_on_exec = true);

}  // namespace ncp::core
