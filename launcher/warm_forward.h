// The warm request's last leg: the host side of a warm sandbox hands the request's fds to the
// entry process waiting inside (warm_request.h). Its own file because both sides use it: the
// host in ncp-launch, the sandbox in ncp-entry (entry_mode.h), which links nothing else of
// the launcher's.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "launcher/warm_request.h"

namespace ncp::launcher {

// One datagram: `bytes` (at most `size`; *received says how many) and its fds (CLOEXEC).
// Returns 0 at EOF, 1 with a datagram, -1 on error (errno set).
int ReceiveDatagramWithFds(int fd, void* bytes, size_t size, size_t* received, int* flags,
                           std::vector<base::UniqueFd>* fds);

// Host side: one datagram carrying the fds and their targets into the sandbox.
base::Status ForwardWarmRequest(int forward_fd, const WarmStart& start);

// Sandbox side (entry mode). Blocks for the forwarded request on `forward_fd`, places its fds
// at their targets, and closes every other fd but 0-2 and those in `keep` (-1: none). Returns
// the monotonic time the host took the request (for --verbose).
base::StatusOr<int64_t> TakeForwardedRequest(int forward_fd, std::span<const int> keep);

}  // namespace ncp::launcher
