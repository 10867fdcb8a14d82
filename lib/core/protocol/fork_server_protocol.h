// Messages between the application (the registry's monitor thread) and its fork server, over
// one AF_UNIX SOCK_SEQPACKET socket. Fixed-size records (the start message has a variable
// tail); fds travel as SCM_RIGHTS.
//
//   app → server  kStart     + fds [request memfd, named fds...]   (a ForkServerStartMessage:
//                            the header, the calling thread's credentials, the pool key and,
//                            for an isolated start, ncp-launch's argv; a normal start's
//                            request rides in the message instead, and its fds are the named
//                            ones only: kStartInlineRequest)
//   server → app  kStarted   + fds [pidfd of the child]
//   server → app  kFailed    a ForkServerFailure: why, with a message when there is one
//   server → app  kExited    once for every child it reaped
//   app → server  kCancel    kill child `pid` if it is still unreaped (its kStarted arrived
//                            without the pidfd: no room in the application's fd table)
//   app → server  kConfigure a ForkServerConfigureMessage: the warm pool's settings
//   server → app  kWarmChildReady + fds [pidfd, channel]: a ForkServerWarmChild, a normal-mode
//                            child spawned in advance; the application sends it its request
//                            itself (warm_child_handoff.h). Its end is reported (kExited)
//                            whether or not it served a start.
//   app → server  kWarmChildTaken  warm child `request_id` serves a start: the pool wants another.
//                            Sent only when the application holds no prepared child any more
//                            (otherwise the child's end tells the server), a millisecond after
//                            the start, never during it: the server's wake would take the CPU
//                            from the starting child.
//   app → server  kWarmChildRefused  warm child `request_id` came without its fds (no room in the
//                            application's fd table): let it go, and make no other now.
#pragma once

#include <cstdint>

#include "core/protocol/credentials.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::core {

// Bumped with every change of these records. The application passes its version on the fork
// server's command line; a helper of another version (the package was upgraded while the
// application ran) refuses to serve, and every start says so (kProtocolMismatch).
inline constexpr int kForkServerProtocolVersion = 5;  // 5: kGo and kWithdraw (warm_child_handoff.h)

enum class ForkServerMessageType : uint32_t {
  kStart = 1,
  kStarted = 2,
  kFailed = 3,
  kExited = 4,
  kCancel = 5,
  kConfigure = 6,
  kWarmChildReady = 7,
  kWarmChildTaken = 8,
  kWarmChildRefused = 9,
};

// What kind of failure a kFailed reports; the application maps it to an error code.
enum class StartFailure : uint32_t {
  kSystem = 0,            // a system call failed: `error` is its errno
  kProgram = 1,           // a program start could not exec: `flags` is its ProgramStage
  kSandbox = 2,           // ncp-launch could not build the sandbox: `message` says why
  kEntry = 3,             // the child could not load its library or find its entry
  kProtocolMismatch = 4,  // the helper is another version than the library
};

struct ForkServerMessage {
  ForkServerMessageType type;
  // kStart/kStarted/kFailed: matches a reply to its request. kWarmChildReady/Taken/Refused:
  // the warm child's id, never reused while the server lives (a pid may be, by a later child).
  uint32_t request_id;
  int32_t pid;    // kStarted/kExited/kWarmChildReady
  int32_t error;  // kFailed: errno
  // kExited: as waitid(2) and wait4(2) report them.
  int32_t wait_code;
  int32_t wait_status;
  int64_t user_time_us;
  int64_t system_time_us;
  int64_t max_rss_kib;
  uint32_t flags;        // kStart: ForkServerStartFlags; kFailed of a program: its ProgramStage
  StartFailure failure;  // kFailed
};

// kExited is always this size: the header, then why the child ended (exit_cause.h) and, for
// kSeccomp, the refused syscall and the profile line that refused it (NUL-terminated, "" when
// unknown).
struct ForkServerExit {
  ForkServerMessage header;
  int32_t cause;
  int32_t syscall_nr;  // -1 when none
  char syscall_name[32];
  char profile_line[512];
};

// kFailed is always this size: the header and a NUL-terminated line ("" when none).
struct ForkServerFailure {
  ForkServerMessage header;
  char message[1024];
};
static_assert(sizeof(ForkServerExit) <= sizeof(ForkServerFailure));

// kWarmChildReady: the child has the server's credentials, so it may serve only a caller that
// has exactly those (the server's forked children adopt a caller's; a warm child cannot).
struct ForkServerWarmChild {
  ForkServerMessage header;
  // How many kConfigure messages the server had received when it made the child: the
  // application takes only children of the settings it sent last.
  uint32_t configure_count;
  Credentials credentials;
};

// What the application receives into: the largest message the server sends.
union ForkServerReplyBuffer {
  ForkServerMessage header;
  ForkServerExit exit;
  ForkServerFailure failure;
  ForkServerWarmChild warm_child;
};

enum ForkServerStartFlags : uint32_t {
  // The child execs ncp-launch with the message's launcher argv (an isolated start) instead of
  // running the child runtime in the forked image.
  kStartExecLauncher = 1,
  // A program start (NCP_StartChildProgram): fds[0] is a ProgramRequest, the child execs it
  // (program_exec.h), and the server replies only once the exec happened or failed.
  kStartExecProgram = 2,
  // NCP_ChildProcessConfigs_SetWaitForEntry: reply only once the child found its entry.
  kStartWaitForEntry = 4,
  // A normal start whose launch request (at most kMaxInlineRequestBytes) follows the launcher
  // argv in the message: no memfd, so fds[0] is the first named fd. A memfd costs the caller a
  // create and a write and the child a read and a close, each a cold path in the kernel: some
  // 60 us of a 400 us start, spaced, on the 2-core machine. Larger requests come as memfds.
  kStartInlineRequest = 8,
};

inline constexpr uint32_t kMaxInlineRequestBytes = 16384;

// The largest launcher argv a start can carry (NUL-separated words): a profile path of 4095
// bytes and a handful of options.
inline constexpr uint32_t kMaxLauncherArgvBytes = 8192;

// A start request: the child gets `credentials` (the caller's at the call), not the server's.
// Sent without the unused part of `tail`.
struct ForkServerStartMessage {
  ForkServerMessage header;  // type kStart
  Credentials credentials;
  // Isolated starts a warm sandbox may serve: a hash of everything that shapes the sandbox
  // (warm_key.h); 0 when none may (the request holds fds a prepared sandbox cannot take).
  uint64_t warm_key;
  uint32_t launcher_argv_bytes;
  uint32_t request_bytes;  // kStartInlineRequest; else 0
  // The launcher argv (launcher_argv_bytes), then the inline request (request_bytes).
  char tail[kMaxLauncherArgvBytes + kMaxInlineRequestBytes];

  const char* launcher_argv() const { return tail; }
  const char* request() const { return tail + launcher_argv_bytes; }
};

struct ForkServerConfigureMessage {
  ForkServerMessage header;  // type kConfigure
  int32_t pool_size;
  int32_t idle_timeout_ms;
};

// The pool's defaults, until NCP_SetWarmPool or NCP_WARM_POOL gives one size for both modes.
// A pool_size of kWarmPoolDefaultSizes (in the configure message and on the command line)
// means these. Deeper for sandboxes: one takes some 25 ms of CPU to build against a normal
// child's 3, so a run of starts outpaces their refills sooner; four serve a run of four warm.
// An idle sandbox costs some 1.3 MiB of memory and no CPU.
inline constexpr int32_t kWarmPoolDefaultSizes = NCP_WARM_POOL_DEFAULT_SIZE;
inline constexpr int32_t kDefaultWarmChildren = 2;
inline constexpr int32_t kDefaultWarmSandboxes = 4;  // per shape
inline constexpr int32_t kDefaultWarmPoolIdleMs = 30000;

// At most the request memfd plus 16 named fds and an IPC socket.
inline constexpr int kMaxFdsPerStart = 18;

}  // namespace ncp::core
