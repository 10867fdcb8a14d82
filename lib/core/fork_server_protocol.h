// Messages between the application (the registry's monitor thread) and its fork server, over
// one AF_UNIX SOCK_SEQPACKET socket. Fixed-size records; fds travel as SCM_RIGHTS.
//
//   app → server  kStart    + fds [request memfd, named fds...]   (a ForkServerStartMessage:
//                           the header and the calling thread's credentials)
//   server → app  kStarted  + fds [pidfd of the child]     (or kFailed with an errno)
//   server → app  kExited   once for every child it reaped
//   app → server  kCancel   kill child `pid` if it is still unreaped (its kStarted arrived
//                           without the pidfd: no room in the application's fd table)
#pragma once

#include <cstdint>

#include "core/credentials.h"

namespace ncp::core {

enum class ForkServerMessageType : uint32_t {
  kStart = 1,
  kStarted = 2,
  kFailed = 3,
  kExited = 4,
  kCancel = 5,
};

struct ForkServerMessage {
  ForkServerMessageType type;
  uint32_t request_id;  // kStart/kStarted/kFailed: matches a reply to its request
  int32_t pid;          // kStarted/kExited
  int32_t error;        // kFailed: errno
  // kExited: as waitid(2) and wait4(2) report them.
  int32_t wait_code;
  int32_t wait_status;
  int64_t user_time_us;
  int64_t system_time_us;
  int64_t max_rss_kib;
  uint32_t flags;  // kStart: ForkServerStartFlags; kFailed of a program: its ProgramStage
};

enum ForkServerStartFlags : uint32_t {
  // The child execs the request's launcher_argv (an isolated start) instead of running the
  // child runtime in the forked image.
  kStartExecLauncher = 1,
  // A program start (NCP_StartChildProgram): fds[0] is a ProgramRequest, the child execs it
  // (program_exec.h), and the server replies only once the exec happened or failed.
  kStartExecProgram = 2,
};

// A start request: the child gets `credentials` (the caller's at the call), not the server's.
struct ForkServerStartMessage {
  ForkServerMessage header;  // type kStart
  Credentials credentials;
};

// At most the request memfd plus 16 named fds.
inline constexpr int kMaxFdsPerStart = 17;

}  // namespace ncp::core
