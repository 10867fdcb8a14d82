#include "core/server/server_child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "base/log.h"
#include "core/child/child_runtime.h"
#include "core/child/child_state.h"
#include "core/child/page_prefault.h"
#include "core/child/process_title.h"
#include "core/child/teardown_helper.h"
#include "core/protocol/caller_context.h"
#include "core/protocol/fork_server_protocol.h"
#include "core/protocol/unix_message.h"
#include "core/protocol/warm_child_handoff.h"
#include "core/protocol/wire.h"
#include "core/server/program_exec.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::core {
namespace {

unsigned g_closed_stdio = 0;

void CloseStdioTheApplicationHadClosed() {
  for (int fd = 0; fd <= 2; ++fd) {
    if ((g_closed_stdio & (1u << fd)) != 0) close(fd);
  }
}

// Where a fd that must survive the placing waits: above anything a request places (3..20).
constexpr int kParkedFdFloor = 64;

// Closes every fd from `first` up, except `keep` (-1: none).
void CloseFrom(int first, int keep) {
  if (keep >= first) {
    if (keep > first) close_range(first, keep - 1, 0);
    close_range(keep + 1, ~0U, 0);
  } else {
    close_range(first, ~0U, 0);
  }
}

// Puts `fds` at `first`, `first` + 1, ... and `extra` (-1: none) right after them, and closes
// every other fd from kRequestFd up but `keep`.
void PlaceFds(const std::vector<base::UniqueFd>& fds, int extra, int keep, int first = kRequestFd) {
  std::vector<int> sources;
  for (const base::UniqueFd& fd : fds) sources.push_back(fd.get());
  if (extra >= 0) sources.push_back(extra);
  const int first_free = first + static_cast<int>(sources.size());
  // Lifted first, so that moving one into place never overwrites another not yet moved.
  std::vector<int> lifted;
  for (int fd : sources) lifted.push_back(fcntl(fd, F_DUPFD, std::max(first_free, keep + 1)));
  for (size_t i = 0; i < lifted.size(); ++i) {
    if (lifted[i] < 0 || dup2(lifted[i], first + static_cast<int>(i)) < 0) _exit(127);
  }
  if (first > kRequestFd) close_range(kRequestFd, first - 1, 0);
  CloseFrom(first_free, keep);
}

// Where the request's fds go: the memfd at kRequestFd and the named fds after it, or (an inline
// request) the named fds at their same numbers with kRequestFd left free.
int FirstFdNumber(const InlineRequest& request) {
  return request.bytes != nullptr ? kFirstNamedFd : kRequestFd;
}

// Whether `fds` are at `first`, `first` + 1, ... already.
bool InPlace(const std::vector<base::UniqueFd>& fds, int first) {
  for (size_t i = 0; i < fds.size(); ++i) {
    if (fds[i].get() != first + static_cast<int>(i)) return false;
  }
  return true;
}

// An isolated start: become ncp-launch, which builds the sandbox and then runs the child
// runtime inside it. It reads the request itself (once) and takes the caller's environment,
// directory and umask from it; this child only execs it. The pid the application was given
// stays the launcher's: exec keeps it.
[[noreturn]] void ExecLauncher(const std::vector<std::string>& launcher_argv) {
  if (launcher_argv.empty()) _exit(NCP_CHILD_EXIT_BAD_REQUEST);
  std::vector<char*> argv;
  for (const std::string& arg : launcher_argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  ResetSignals();
  execv(argv[0], argv.data());
  const int err = errno;  // before logging, which may change it
  base::LogLine("child %d: cannot run the launcher %s: %s", static_cast<int>(getpid()), argv[0],
                strerror(err));
  _exit(err == ENOENT ? 127 : 126);
}

// Only for a process whose signal dispositions are all default and whose mask is empty.
[[noreturn]] void RunRuntime(const InlineRequest& request, int entry_report_fd) {
  ncp_child_hooks hooks{};
  hooks.signals_reset = 1;
  hooks.report_entry = entry_report_fd >= 0 ? 1 : 0;
  hooks.entry_report_fd = entry_report_fd;
  if (request.bytes != nullptr) RunChildRuntimeOnInlineRequest(request.bytes, request.size, hooks);
  ncp_internal_child_main_with_hooks(kRequestFd, &hooks);
}

// What a warm child receives: the handoff and the inline request after it. Static: it must
// outlive the receive, and the runtime reads the request from it.
struct {
  WarmChildHandoff handoff;
  char request[kMaxInlineRequestBytes];
} g_handoff_message;

// One message of the channel: its type, or nullopt at EOF or for a malformed message.
std::optional<WarmChildMessage> ReceiveOne(int channel, std::vector<base::UniqueFd>* fds) {
  const WarmChildHandoff& handoff = g_handoff_message.handoff;
  fds->clear();
  // With the channel at kRequestFd and every number above it free, the kernel installs the fds
  // at kFirstNamedFd, kFirstNamedFd + 1, ...: where an inline request's fds belong, so that
  // nothing needs moving (and, as placed fds are, they are not close-on-exec).
  const ssize_t n = ReceiveMessage(channel, &g_handoff_message, sizeof g_handoff_message, fds,
                                   kMaxFdsPerStart, /*close_on_exec=*/false);
  if (n < static_cast<ssize_t>(sizeof handoff)) return std::nullopt;
  if (handoff.type != WarmChildMessage::kRequest) {
    if (static_cast<size_t>(n) != sizeof handoff || !fds->empty()) return std::nullopt;
    return handoff.type;
  }
  const bool whole = fds->size() == handoff.fd_count &&
                     static_cast<size_t>(n) == sizeof handoff + handoff.request_bytes &&
                     (handoff.request_bytes != 0 || !fds->empty());
  if (!whole) return std::nullopt;
  return handoff.type;
}

// Reads until the request comes (true), or until there is none to come.
bool ReceiveRequest(int channel, std::vector<base::UniqueFd>* fds) {
  bool shut = false;
  for (;;) {
    const std::optional<WarmChildMessage> message = ReceiveOne(channel, fds);
    if (!message) return false;
    switch (*message) {
      case WarmChildMessage::kRequest:
        return true;
      case WarmChildMessage::kLetGo:
        // A request sent before the shutdown is still to be read; after it, the sender's send
        // fails (warm_child_handoff.h). What is queued is read, then EOF.
        if (!shut) shutdown(channel, SHUT_RDWR);
        shut = true;
        continue;
      case WarmChildMessage::kGo:
      case WarmChildMessage::kWithdraw:
        return false;  // a word on a request that never came
    }
    return false;
  }
}

// The caller's word on the request this child has read: kGo's umask, or nullopt (kWithdraw,
// the end of the channel, anything malformed), when it must not run it. A kLetGo from the
// server is read past: the request came first, and is served.
// The request is decoded by now: its buffer may take the word.
std::optional<uint32_t> AwaitGo(int channel) {
  std::vector<base::UniqueFd> fds;  // a word carries none (ReceiveOne refuses any)
  for (;;) {
    const std::optional<WarmChildMessage> word = ReceiveOne(channel, &fds);
    if (word == WarmChildMessage::kLetGo) continue;
    if (word != WarmChildMessage::kGo) return std::nullopt;
    return g_handoff_message.handoff.umask;
  }
}

// The request as the child received it: inline, or in the memfd that came first (then
// consumed, and closed: the named fds follow it).
base::StatusOr<WireRequest> DecodeHandedRequest(std::vector<base::UniqueFd>* fds) {
  const WarmChildHandoff& handoff = g_handoff_message.handoff;
  if (handoff.request_bytes != 0) {
    return DecodeRequest(std::string_view(g_handoff_message.request, handoff.request_bytes));
  }
  base::StatusOr<WireRequest> decoded = ReadRequest(fds->front().get());
  fds->erase(fds->begin());
  return decoded;
}

// A warm child: prepared before anyone asked, it waits for the one request it serves. Nothing
// of the request existed when it was spawned, so it is exactly what a cold fork of the same
// request gives: the runtime takes the caller's environment, directory and umask from it.
[[noreturn]] void WaitAndRunRuntime(int channel) {
  // What does not depend on the request is done before it comes.
  ResetSignals();
  MarkAsChildProcess();
  // The runtime's last step (child_runtime.cc: fflush of every stream, then quick_exit) runs
  // once here, on streams nothing has written to: its code page and the stream-list lock it
  // writes are then mapped before the request, instead of faulting in between the entry's
  // return and the child's end, where they delayed the exit callback by some 7 us.
  fflush(nullptr);
  // Serving the request faults only on the library's own pages (page_prefault.h).
  PrefaultForServing();
  // Its memory will be freed after its end is reported (teardown_helper.h).
  StartTeardownHelper();
  std::vector<base::UniqueFd> fds;
  if (!ReceiveRequest(channel, &fds)) _exit(0);  // nobody but the server hears of it
  // Decoded, and its environment and directory taken, while the caller reads its umask and
  // credentials, which decide whether it runs: nothing of its user's runs before the word,
  // and a withdrawn child just ends. Until then its umask is the request's placeholder.
  base::StatusOr<WireRequest> decoded = DecodeHandedRequest(&fds);
  int cannot_enter = 0;
  if (decoded.ok() && !AdoptCallerContext(*decoded)) cannot_enter = errno;
  const std::optional<uint32_t> caller_umask = AwaitGo(channel);
  if (!caller_umask) _exit(0);  // withdrawn: nothing of the request ran; the caller starts anew
  if (decoded.ok()) {
    decoded->umask = *caller_umask;
    umask(static_cast<mode_t>(*caller_umask & 0777));
    if (cannot_enter != 0) SayCannotEnterDirectory(*decoded, cannot_enter);
  }
  close(channel);
  if (InPlace(fds, kFirstNamedFd)) {
    for (base::UniqueFd& fd : fds) (void)fd.release();  // the child's now
  } else {
    PlaceFds(fds, -1, -1, kFirstNamedFd);
  }
  CloseStdioTheApplicationHadClosed();
  ncp_child_hooks hooks{};
  hooks.signals_reset = 1;
  hooks.keep_own_context = 1;  // taken above
  RunChildRuntime(std::move(decoded), hooks);
}

}  // namespace

void RunForkedChild(pid_t server, ChildSetup& setup) {
  if (setup.adopt != nullptr) {
    const int err = AdoptCredentials(*setup.adopt);
    (void)!write(setup.adopt_report_fd, &err, sizeof err);
    if (err != 0) _exit(127);
    close(setup.adopt_report_fd);
  }
  // After the credential change, which clears it.
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != server) _exit(127);  // the server died before prctl
  switch (setup.role) {
    case ChildRole::kProgram:
      // Before the placements, which may put fds there.
      CloseStdioTheApplicationHadClosed();
      ExecProgramInChild(*setup.fds, setup.exec_report_fd);
    case ChildRole::kLauncher:
      PlaceFds(*setup.fds, setup.side_fd, -1);
      ExecLauncher(*setup.launcher_argv);
    case ChildRole::kRuntime:
      break;
  }
  // The server installs no handler (its SIGCHLD comes through a signalfd, blocked): only the
  // mask it passed on needs clearing.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  int report = -1;
  if (setup.side_fd >= 0) report = fcntl(setup.side_fd, F_DUPFD_CLOEXEC, kParkedFdFloor);
  PlaceFds(*setup.fds, -1, report, FirstFdNumber(setup.request));
  CloseStdioTheApplicationHadClosed();
  // Its memory will be freed after its end is reported (teardown_helper.h).
  StartTeardownHelper();
  RunRuntime(setup.request, report);
}

void SetClosedStdio(unsigned mask) { g_closed_stdio = mask; }
unsigned ClosedStdio() { return g_closed_stdio; }

}  // namespace ncp::core

// argv: NAME --warm-child SERVER_PID CLOSED_STDIO_MASK; the channel at fd 3
// (warm_child_handoff.h).
extern "C" void ncp_internal_warm_child_main(int channel, char** argv) {
  using namespace ncp::core;
  // Not the number of the fd the server exec'd this process through.
  prctl(PR_SET_NAME, "ncp-warm-child", 0, 0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (argv[1] == nullptr || argv[2] == nullptr || argv[3] == nullptr ||
      getppid() != atoi(argv[2]) || channel != kRequestFd) {
    _exit(0);  // the server is gone already, or this is not how it spawns warm children
  }
  // Nothing but the channel: what arrives with the request lands from 4 up.
  close_range(kFirstNamedFd, ~0U, 0);
  SetClosedStdio(static_cast<unsigned>(atoi(argv[3])));
  RememberArgumentArea(argv);  // the child's name goes there (process_title.h)
  WaitAndRunRuntime(channel);
}
