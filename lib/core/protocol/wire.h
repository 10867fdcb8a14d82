// The launch request the parent writes for the child runtime: a versioned, length-checked byte
// string. Fds are not in it; they sit at fixed numbers in the child (kFirstNamedFd + index, in
// the order of the names here).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "core/protocol/environment_block.h"

namespace ncp::core {

// What the child runs: an args-type entry or an IPC-type child.
enum class ChildKind : unsigned char {
  kArgs = 1,  // OH_Ability_StartNativeChildProcess*: call lib.so:Entry(args)
  kIpc = 2,   // OH_Ability_CreateNativeChildProcess*: OnConnect + MainProc
};

// The fd the request itself arrives on in the child (a sealed memfd).
inline constexpr int kRequestFd = 3;
// Named fds follow it, in name order.
inline constexpr int kFirstNamedFd = 4;
// The largest encoded request a start may send and a reader accepts (params, environment and
// all): a reader checks the size before it allocates anything.
inline constexpr size_t kMaxRequestBytes = size_t{64} << 20;

struct WireRequest {
  ChildKind kind = ChildKind::kArgs;
  std::string library;
  std::string symbol;
  std::string params;
  std::string process_name;
  std::vector<std::string> fd_names;
  // kIpc only: the fd number of the child's end of the IPC socket (-1 when none).
  int32_t ipc_fd = -1;
  // The application's environment, working directory and umask at the time of the call: a
  // child forked by the fork server must see them as a child spawned by the caller would.
  EnvironmentBlock environment;
  std::string working_directory;
  uint32_t umask = 022;
};

std::string EncodeRequest(const WireRequest& request);
// Rejects anything malformed: wrong magic or version, lengths past the end, trailing bytes.
base::StatusOr<WireRequest> DecodeRequest(std::string_view bytes);
// Reads the whole request from `fd` (a regular file of at most kMaxRequestBytes: a memfd; read with
// pread from offset 0, so it does not matter who read it before) and decodes it.
base::StatusOr<WireRequest> ReadRequest(int fd);

}  // namespace ncp::core
