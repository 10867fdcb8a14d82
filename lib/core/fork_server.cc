// The fork server: a small single-threaded process (ncp-child --fork-server) that every
// application starts once. It forks each child and reaps it, reporting the end to the
// application as a record. Why a server rather than spawning each child from the application:
//  - a fork of this small process is cheaper than exec'ing a fresh program for every child;
//  - children are not the application's children, so nothing the application does with
//    SIGCHLD (ignore it, handle it, waitpid(-1)) can lose or steal their exit status;
//  - forking it is safe: it has one thread, so no lock can be held by a thread that vanished.
// It dies with the application (parent-death signal) and its children die with it.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "base/log.h"
#include "core/child_runtime.h"
#include "core/credentials.h"
#include "core/fork_server_protocol.h"
#include "core/process_title.h"
#include "core/program_exec.h"
#include "core/unix_message.h"
#include "core/wire.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::core {
namespace {

int64_t Micros(const timeval& tv) { return static_cast<int64_t>(tv.tv_sec) * 1000000 + tv.tv_usec; }

// In the forked child: put the received fds at kRequestFd, kFirstNamedFd, ... and close the rest.
void PlaceFds(const std::vector<base::UniqueFd>& fds) {
  const int first_free = kRequestFd + static_cast<int>(fds.size());
  std::vector<int> lifted;
  for (const base::UniqueFd& fd : fds) lifted.push_back(fcntl(fd.get(), F_DUPFD, first_free));
  for (size_t i = 0; i < lifted.size(); ++i) {
    if (lifted[i] < 0 || dup2(lifted[i], kRequestFd + static_cast<int>(i)) < 0) _exit(127);
  }
  syscall(SYS_close_range, first_free, ~0U, 0);
}

// An isolated start: become ncp-launch, which builds the sandbox and then runs the child
// runtime inside it. The launcher sees the caller's environment, directory and umask (profile
// search paths and relative profile paths are the caller's), and the same fds at the same
// numbers. The pid the application was given stays the launcher's: exec keeps it.
[[noreturn]] void ExecLauncher() {
  auto request = ReadRequest(kRequestFd);
  if (!request.ok() || request->launcher_argv.empty()) {
    base::LogLine("child %d: isolated start without a launcher: %s", static_cast<int>(getpid()),
                  request.ok() ? "no launcher command in the request"
                               : request.status().ToString().c_str());
    _exit(NCP_CHILD_EXIT_BAD_REQUEST);
  }
  std::vector<char*> argv;
  for (std::string& arg : request->launcher_argv) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> env;
  for (std::string& entry : request->environment) env.push_back(entry.data());
  env.push_back(nullptr);
  if (!request->working_directory.empty() && chdir(request->working_directory.c_str()) != 0) {
    chdir("/");
  }
  umask(request->umask);
  ResetSignals();
  execve(argv[0], argv.data(), env.data());
  const int err = errno;  // before logging, which may change it
  base::LogLine("child %d: cannot run the launcher %s: %s", static_cast<int>(getpid()), argv[0],
                strerror(err));
  _exit(err == ENOENT ? 127 : 126);
}

// The server's own credentials, read once: it is single-threaded and never changes them.
const Credentials& ServerCredentials() {
  static const Credentials* own = [] {
    auto* c = new Credentials();
    if (!CaptureThreadCredentials(c)) c->group_count = kMaxCallerGroups + 1;  // matches nothing
    return c;
  }();
  return *own;
}

// `adopt`: the caller's credentials, when they are not the server's; the result (0 or an
// errno) goes to `report_fd` before anything else runs in the child. `exec_report_fd`: a
// program start's exec report pipe (-1 otherwise).
[[noreturn]] void RunChild(pid_t server, std::vector<base::UniqueFd>& fds, uint32_t flags,
                           const Credentials* adopt, int report_fd, int exec_report_fd) {
  if (adopt != nullptr) {
    const int err = AdoptCredentials(*adopt);
    (void)!write(report_fd, &err, sizeof err);
    if (err != 0) _exit(127);
    close(report_fd);
  }
  // After the credential change, which clears it.
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != server) _exit(127);  // the server died before prctl
  if ((flags & kStartExecProgram) != 0) ExecProgramInChild(fds, exec_report_fd);
  PlaceFds(fds);
  if ((flags & kStartExecLauncher) != 0) ExecLauncher();
  ncp_internal_child_main(kRequestFd);
}

void Fail(int sock, uint32_t request_id, int err) {
  ForkServerMessage reply{};
  reply.request_id = request_id;
  reply.type = ForkServerMessageType::kFailed;
  reply.error = err;
  SendMessage(sock, &reply, sizeof reply, nullptr, 0);
}

// A program start that could not exec: `stage` (a ProgramStage) travels in `flags`.
void FailProgram(int sock, uint32_t request_id, const ProgramFailureReport& report) {
  ForkServerMessage reply{};
  reply.request_id = request_id;
  reply.type = ForkServerMessageType::kFailed;
  reply.error = report.err;
  reply.flags = report.stage;
  SendMessage(sock, &reply, sizeof reply, nullptr, 0);
}

// A program start's child reports here before exec'ing: nothing (EOF, the pipe closed on
// exec) when the exec happened, else its stage and errno. Waiting here keeps the reply
// synchronous, so the caller learns of a bad path from the call itself.
bool AwaitExec(base::UniqueFd report, ProgramFailureReport* failure) {
  ssize_t n;
  do {
    n = read(report.get(), failure, sizeof *failure);
  } while (n < 0 && errno == EINTR);
  if (n == 0) return true;
  if (n != static_cast<ssize_t>(sizeof *failure)) *failure = {0, ECHILD};
  return false;
}

// Ends a child that must not run (it never reached user code) and reaps it here, so that no
// exit record follows for a pid the registry never heard of.
void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// 0 when the child took the caller's credentials, else the errno it reported (ECHILD if it
// died without a word).
int AwaitAdoption(base::UniqueFd report) {
  int err = ECHILD;
  ssize_t n;
  do {
    n = read(report.get(), &err, sizeof err);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof err) ? err : ECHILD;
}

void Start(int sock, const ForkServerStartMessage& message, std::vector<base::UniqueFd>& fds) {
  const ForkServerMessage& request = message.header;
  ForkServerMessage reply{};
  reply.request_id = request.request_id;
  if (fds.empty()) return Fail(sock, request.request_id, EINVAL);
  // A child never has more privilege than its caller had at the call (credentials.h).
  const bool adopt = !SameCredentials(message.credentials, ServerCredentials());
  base::UniqueFd report_read, report_write;
  if (adopt) {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) return Fail(sock, request.request_id, errno);
    report_read.reset(ends[0]);
    report_write.reset(ends[1]);
  }
  const bool program = (request.flags & kStartExecProgram) != 0;
  base::UniqueFd exec_read, exec_write;
  if (program) {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) return Fail(sock, request.request_id, errno);
    exec_read.reset(ends[0]);
    exec_write.reset(ends[1]);
  }
  const pid_t server = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    report_read.reset();
    exec_read.reset();
    RunChild(server, fds, request.flags, adopt ? &message.credentials : nullptr, report_write.get(),
             exec_write.get());
  }
  exec_write.reset();
  if (pid < 0) return Fail(sock, request.request_id, errno);
  if (adopt) {
    report_write.reset();
    if (const int err = AwaitAdoption(std::move(report_read)); err != 0) {
      KillAndReap(pid);
      return Fail(sock, request.request_id, err);
    }
  }
  if (program) {
    ProgramFailureReport failure{};
    if (!AwaitExec(std::move(exec_read), &failure)) {
      KillAndReap(pid);
      return FailProgram(sock, request.request_id, failure);
    }
  }
  // Nobody else can reap the child before we do, so this pidfd names it without a race.
  base::UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.valid()) {
    // The registry cannot record a child without a pidfd (it kills through it), so there must
    // be no such child: end it and say the start failed. Reaped here, so no exit record
    // follows for a pid the registry never heard of.
    const int err = errno;
    KillAndReap(pid);
    return Fail(sock, request.request_id, err);
  }
  reply.type = ForkServerMessageType::kStarted;
  reply.pid = pid;
  const int fd = pidfd.get();
  SendMessage(sock, &reply, sizeof reply, &fd, 1);
}

// The application could not take the pidfd of `pid` and has failed its start. Only this
// thread reaps, so a child that waitid still finds is ours and unreaped: killing it by pid
// cannot hit a recycled pid. One already reaped (ECHILD) is left alone.
void Cancel(pid_t pid) {
  siginfo_t info{};
  if (pid > 0 && waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0) {
    kill(pid, SIGKILL);
  }
}

void ReportExits(int sock) {
  for (;;) {
    int status = 0;
    rusage usage{};
    const pid_t pid = wait4(-1, &status, WNOHANG, &usage);
    if (pid <= 0) return;
    ForkServerMessage record{};
    record.type = ForkServerMessageType::kExited;
    record.pid = pid;
    if (WIFEXITED(status)) {
      record.wait_code = CLD_EXITED;
      record.wait_status = WEXITSTATUS(status);
    } else {
      record.wait_code = WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
      record.wait_status = WTERMSIG(status);
    }
    record.user_time_us = Micros(usage.ru_utime);
    record.system_time_us = Micros(usage.ru_stime);
    record.max_rss_kib = usage.ru_maxrss;
    SendMessage(sock, &record, sizeof record, nullptr, 0);
  }
}

}  // namespace
}  // namespace ncp::core

extern "C" void ncp_internal_fork_server_main(int sock, char** argv) {
  using namespace ncp::core;
  // Die with the application. argv[2] names it, in case it died before this prctl ran.
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (argv[1] == nullptr || argv[2] == nullptr || getppid() != atoi(argv[2])) _exit(1);
  RememberArgumentArea(argv);
  // An application that ignores SIGCHLD would pass that on through exec, and the kernel would
  // then reap our children before we could report them.
  ResetSignals();
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);
  ncp::base::UniqueFd sigfd(signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
  prctl(PR_SET_NAME, "ncp-forkserver", 0, 0, 0);
  ServerCredentials();  // read before any child can exist
  std::vector<ncp::base::UniqueFd> fds;
  for (;;) {
    pollfd polled[2] = {{sock, POLLIN, 0}, {sigfd.get(), POLLIN, 0}};
    if (poll(polled, 2, -1) < 0) {
      if (errno == EINTR) continue;
      _exit(1);
    }
    if (polled[1].revents & POLLIN) {
      signalfd_siginfo info;
      while (read(sigfd.get(), &info, sizeof info) == sizeof info) {
      }
      ReportExits(sock);
    }
    if (polled[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      // Static: 4 KiB of credentials; the server is single-threaded.
      static ForkServerStartMessage request;
      request = ForkServerStartMessage{};
      const ssize_t n = ReceiveMessage(sock, &request, sizeof request, &fds, kMaxFdsPerStart);
      if (n == 0) _exit(0);  // the application is gone; our children follow by PDEATHSIG
      if (n < 0) {
        if (errno != EBADMSG) _exit(1);
        // The fds did not fit (a full fd table truncates them): the caller still waits for an
        // answer, which the complete header lets us send.
        if (request.header.type == ForkServerMessageType::kStart) {
          Fail(sock, request.header.request_id, EMFILE);
        }
        continue;
      }
      if (n == sizeof request && request.header.type == ForkServerMessageType::kStart) {
        Start(sock, request, fds);
      } else if (n == sizeof request.header &&
                 request.header.type == ForkServerMessageType::kCancel) {
        Cancel(request.header.pid);
      }
      fds.clear();
    }
  }
}
