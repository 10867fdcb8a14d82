// The fork server: a small single-threaded process (ncp-child --fork-server) that every
// application starts once. It forks each child and reaps it, reporting the end to the
// application as a record. Why a server rather than spawning each child from the application:
//  - a fork of this small process is cheaper than exec'ing a fresh program for every child;
//  - children are not the application's children, so nothing the application does with
//    SIGCHLD (ignore it, handle it, waitpid(-1)) can lose or steal their exit status;
//  - forking it is safe: it has one thread, so no lock can be held by a thread that vanished.
// It dies with the application (parent-death signal) and its children die with it.
//
// A start is answered (kStarted or kFailed) only once the child is really there: at once for
// a normal child; for an isolated one when ncp-launch reports its sandbox built (or why it
// could not be, with the step or the profile's file:line); with kStartWaitForEntry when the
// child found its entry. Those answers come on report sockets the server polls, so a slow
// sandbox never holds up other starts or exit records.
//
// Warm (warm_pools.h): children spawned, and sandboxes built, before they are asked for. Each
// serves one start, and is exactly what a cold start of the same request would give. A warm
// normal child's request comes from the application directly, on a channel the server hands
// it (warm_child_handoff.h): such a start never passes through here. A shape's sandboxes are
// forked by its builder (launcher/warm_builder.h) as children of this server, so the server
// reaps them; a pid the application was never told of is never reported to it.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/memfd.h"
#include "base/pidfd.h"
#include "core/child/child_runtime.h"
#include "core/child/process_title.h"
#include "core/protocol/credentials.h"
#include "core/protocol/exit_cause.h"
#include "core/protocol/fork_server_protocol.h"
#include "core/protocol/launch_report.h"
#include "core/protocol/unix_message.h"
#include "core/protocol/warm_child_handoff.h"
#include "core/protocol/wire.h"
#include "core/server/detached_spawn.h"
#include "core/server/program_exec.h"
#include "core/server/server_child.h"
#include "core/server/warm_pools.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::core {
namespace {

using base::UniqueFd;

int64_t Micros(const timeval& tv) { return static_cast<int64_t>(tv.tv_sec) * 1000000 + tv.tv_usec; }

int64_t NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
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

struct SocketPair {
  UniqueFd ours;
  UniqueFd theirs;
};

// Our end does not block: a report is read when poll says it is there, and a process that
// ended (and closed its end) gives EOF, even if something it left behind holds a copy.
bool MakeSocketPair(SocketPair* out) {
  int ends[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) return false;
  out->ours.reset(ends[0]);
  out->theirs.reset(ends[1]);
  return fcntl(ends[0], F_SETFL, O_NONBLOCK) == 0;
}

// 0 when the child took the caller's credentials, else the errno it reported (ECHILD if it
// died without a word).
int AwaitAdoption(UniqueFd report) {
  int err = ECHILD;
  ssize_t n;
  do {
    n = read(report.get(), &err, sizeof err);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof err) ? err : ECHILD;
}

// A program start's child reports here before exec'ing: nothing (EOF, the pipe closed on
// exec) when the exec happened, else its stage and errno. Waiting here keeps the reply
// synchronous, so the caller learns of a bad path from the call itself.
bool AwaitExec(UniqueFd report, ProgramFailureReport* failure) {
  ssize_t n;
  do {
    n = read(report.get(), failure, sizeof *failure);
  } while (n < 0 && errno == EINTR);
  if (n == 0) return true;
  if (n != static_cast<ssize_t>(sizeof *failure)) *failure = {0, ECHILD};
  return false;
}

// Ends a child that must not run and reaps it here, so that no exit record follows for a pid
// the registry never heard of. Returns its wait status.
int KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// SIGKILL through the pidfd: never another process, even once `pid` was reaped and reused.
void KillThrough(const UniqueFd& pidfd) {
  if (pidfd.valid()) pidfd_send_signal(pidfd.get(), SIGKILL, nullptr, 0);
}

// Whether the process `pidfd` names is still the server's to reap: running, or ended and not
// reaped yet. (P_PIDFD, linux/wait.h; glibc 2.36's idtype_t does not name it.)
bool NotReapedYet(const UniqueFd& pidfd) {
  constexpr int kPidfdIdType = 3;
  siginfo_t info{};
  return pidfd.valid() &&
         waitid(static_cast<idtype_t>(kPidfdIdType), static_cast<id_t>(pidfd.get()), &info,
                WEXITED | WNOHANG | WNOWAIT) == 0;
}

// What a forked ncp-launch is for: one start, or building a shape's warm sandboxes.
enum class LauncherRole { kStart, kBuilder };

// ncp-launch's argv for this start: the application's, with the control socket's number and
// the server's own options right after the request fd (which must stay first).
std::vector<std::string> LauncherArgv(const std::vector<std::string>& from_app, int control_fd,
                                      LauncherRole role, bool report_entry) {
  std::vector<std::string> argv;
  for (size_t i = 0; i < from_app.size(); ++i) {
    argv.push_back(from_app[i]);
    if (i != 1) continue;  // [0] ncp-launch, [1] --request-fd=3
    argv.push_back("--control-fd=" + std::to_string(control_fd));
    if (role == LauncherRole::kBuilder) {
      argv.push_back("--warm");
      argv.push_back("--builder");
    }
    if (report_entry) argv.push_back("--report-entry");
  }
  return argv;
}

std::vector<std::string> SplitWords(const char* bytes, size_t size) {
  std::vector<std::string> words;
  size_t start = 0;
  for (size_t i = 0; i < size; ++i) {
    if (bytes[i] != '\0') continue;
    words.emplace_back(bytes + start, i - start);
    start = i + 1;
  }
  return words;
}

// The request a shape's warm sandboxes are built from: the real one without what differs
// between starts of that shape (entry symbol, params, named fds, IPC socket, process name).
bool TemplateRequest(int request_fd, std::string* out) {
  auto request = ReadRequest(request_fd);
  if (!request.ok()) return false;
  WireRequest shape = std::move(*request);
  shape.symbol.clear();
  shape.params.clear();
  shape.process_name.clear();
  shape.fd_names.clear();
  shape.ipc_fd = -1;
  *out = EncodeRequest(shape);
  return true;
}

// An isolated start waiting for a sandbox of its shape that is being built: one already on its
// way is ready sooner than a cold start made now would be.
struct QueuedStart {
  std::unique_ptr<ForkServerStartMessage> message;
  std::vector<UniqueFd> fds;
  int64_t deadline_ms = 0;  // still waiting then: started cold
};

// Everything the server must remember about a start it has not answered yet.
struct PendingStart {
  uint32_t request_id = 0;
  pid_t pid = -1;
  UniqueFd pidfd;
  UniqueFd report;          // the launcher's control socket, or the runtime's entry report
  bool launcher = false;    // `report` speaks for ncp-launch (kReady first)
  bool wait_entry = false;  // answer only on kEntryFound
  bool ready = false;       // the launcher said kReady
  bool from_warm = false;   // a warm sandbox given the request: on refusal, start it cold
  uint64_t warm_key = 0;    // prime or refill this shape once answered
  bool reaped = false;      // ended and reaped (by ReportExits) before its report was read
  int reaped_status = 0;
  int64_t deadline_ms = 0;  // not answered by then: it is stuck, and the start fails
  // Kept for a cold retry of a warm sandbox's start, and for priming a shape.
  std::unique_ptr<ForkServerStartMessage> message;
  std::vector<UniqueFd> fds;
};

// A started sandbox's ncp-launch: its control socket stays open until it ends, for the kEnded
// record that says why (a time limit, a seccomp kill), which goes into the exit record.
struct LiveLauncher {
  UniqueFd control;  // invalid once it reached EOF
  std::optional<LaunchReport> ended;
};

class ForkServer {
 public:
  ForkServer(int app, WarmPoolSettings settings, bool protocol_ok)
      : app_(app),
        pools_(settings),
        protocol_ok_(protocol_ok),
        server_pid_(getpid()),
        // This very binary, held open: prepared children are spawned from it.
        own_binary_(open("/proc/self/exe", O_PATH | O_CLOEXEC)) {}

  [[noreturn]] void Run(int sigfd);

 private:
  void OnAppReadable();
  void Start(std::unique_ptr<ForkServerStartMessage> message, std::vector<UniqueFd> fds);
  void StartNormal(std::unique_ptr<ForkServerStartMessage> message, std::vector<UniqueFd> fds);
  void StartProgram(const ForkServerStartMessage& message, std::vector<UniqueFd>& fds);
  void StartIsolated(std::unique_ptr<ForkServerStartMessage> message, std::vector<UniqueFd> fds,
                     bool allow_warm);
  bool GiveToWarmSandbox(std::unique_ptr<ForkServerStartMessage>& message,
                         std::vector<UniqueFd>& fds);
  bool ShapeServes(const ForkServerStartMessage& message) const;
  // Gives queued starts the sandboxes that are ready; starts cold those with no build left to
  // wait for, or that waited too long.
  void ServeQueuedStarts(int64_t now_ms);
  // One record from `fd`. `writer_gone`: its process was reaped, so nothing more can come, and
  // an empty socket counts as its end.
  void OnReport(int fd, bool writer_gone = false);
  void StartColdInstead(PendingStart& done);
  void FailPending(PendingStart& pending, StartFailure failure, int err, const std::string& why);
  void AnswerStarted(PendingStart& pending);
  void ReportExits();
  // Drops a reaped pid's LiveLauncher, if it was one, and returns its kEnded record.
  std::optional<LaunchReport> ForgetLiveLauncher(pid_t pid);
  void Configure(const ForkServerConfigureMessage& m);
  // Warm processes.
  bool AddOneChild();
  void OnWarmChildTaken(uint32_t id);
  bool AddOneSandbox(uint64_t key);
  bool RefillOne();
  void RefillShape(uint64_t key);
  void ForgetExecutedSpawns();
  void FailOverdue(int64_t now_ms);
  int64_t MsUntilNextDeadline(int64_t now_ms) const;
  int64_t MsUntilRefill(int64_t last_event_ms, int64_t now_ms) const;
  void PrimeShape(const PendingStart& pending);
  void LetGo(std::vector<WarmProcess> processes);
  void OnWarmSandboxReport(int fd);
  void ExpireIdle();

  // Forks a child as `setup` says, with the caller's credentials when they are not ours.
  // Returns the pid (and its pidfd), or -errno.
  pid_t Fork(ChildSetup& setup, const Credentials& credentials, UniqueFd* pidfd);
  // Forks ncp-launch with `fds` (the request, named fds, IPC socket) and a new control socket,
  // whose end here goes to `control`.
  pid_t ForkLauncher(std::vector<UniqueFd>& fds, const std::vector<std::string>& app_argv,
                     LauncherRole role, bool report_entry, const Credentials& credentials,
                     UniqueFd* pidfd, UniqueFd* control);
  // Builders (warm_builder.h).
  bool StartBuilder(uint64_t key, const SandboxShape& shape);
  void OnBuilderReadable(uint64_t key, int fd);
  void OnBuilt(const WarmBuildReply& reply, std::vector<UniqueFd> fds);
  // Kills a process the application never hears of, and keeps its end out of the exit records.
  // Only while it is unreaped: a reaped pid may come back as a later child's, whose end must
  // not be swallowed.
  void KillQuietly(pid_t pid, const UniqueFd& pidfd);

  void SendStarted(uint32_t request_id, pid_t pid, int pidfd);
  void SendFailed(uint32_t request_id, StartFailure failure, int err, const std::string& message,
                  uint32_t flags = 0);

  const int app_;
  WarmPools pools_;
  const bool protocol_ok_;
  const pid_t server_pid_;
  const UniqueFd own_binary_;
  // Detached spawns not yet exec'd: their stacks and argv must outlive the exec.
  std::vector<std::unique_ptr<DetachedSpawn>> spawning_;
  std::map<int, PendingStart> pending_;  // by report fd
  std::set<pid_t> silent_;               // ended without the application ever hearing of them
  std::set<pid_t> announced_;            // told to the application (kStarted), not reaped yet
  uint64_t last_build_id_ = 0;
  std::map<uint64_t, std::deque<QueuedStart>> queued_starts_;  // by shape
  bool refill_children_ = false;      // the normal pool wants more children
  uint32_t configures_received_ = 0;  // kConfigure messages (ForkServerWarmChild)
  uint32_t last_warm_child_id_ = 0;
  std::set<uint64_t> refill_shapes_;  // shapes whose pools want more sandboxes
  // The child started last, while it runs (0 once it has ended), and when it was started.
  pid_t youngest_ = 0;
  int64_t youngest_started_ms_ = 0;
  std::map<pid_t, LiveLauncher> live_launchers_;
};

// A start still unanswered after this long is failed (see FailOverdue).
constexpr int64_t kStartTimeoutMs = 60000;
// How long a start waits for a sandbox being built for it before it is built cold instead. A
// build is cheaper than a cold start and as quick, also when many starts come at once and
// their builds share the CPU (32 at once on 2 cores: some 500 ms); this only bounds what a
// builder that is stuck can cost.
constexpr int64_t kQueuedStartMaxMs = 2000;
// How long nothing must have happened before a prepared process is made (see Run).
constexpr int64_t kRefillQuietMs = 2;
// How long a refill waits for the child started last to end (see MsUntilRefill).
constexpr int64_t kRefillYieldMs = 10;

pid_t ForkServer::Fork(ChildSetup& setup, const Credentials& credentials, UniqueFd* pidfd) {
  // A child never has more privilege than its caller had at the call (credentials.h).
  const bool adopt = !SameCredentials(credentials, ServerCredentials());
  UniqueFd adopt_read, adopt_write;
  if (adopt) {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) return -errno;
    adopt_read.reset(ends[0]);
    adopt_write.reset(ends[1]);
    setup.adopt = &credentials;
    setup.adopt_report_fd = adopt_write.get();
  }
  const pid_t pid = fork();
  if (pid == 0) {
    adopt_read.reset();
    RunForkedChild(server_pid_, setup);
  }
  if (pid < 0) return -errno;
  if (adopt) {
    adopt_write.reset();
    if (const int err = AwaitAdoption(std::move(adopt_read)); err != 0) {
      KillAndReap(pid);
      return -err;
    }
  }
  // Nobody else can reap the child before we do, so this pidfd names it without a race.
  pidfd->reset(pidfd_open(pid, 0));
  if (!pidfd->valid()) {
    // The registry cannot record a child without a pidfd (it kills through it).
    const int err = errno;
    KillAndReap(pid);
    return -err;
  }
  return pid;
}

pid_t ForkServer::ForkLauncher(std::vector<UniqueFd>& fds, const std::vector<std::string>& app_argv,
                               LauncherRole role, bool report_entry, const Credentials& credentials,
                               UniqueFd* pidfd, UniqueFd* control) {
  SocketPair pair;
  if (!MakeSocketPair(&pair)) return -errno;
  // The control socket sits right after the request's fds, where the argv says it is.
  const std::vector<std::string> argv =
      LauncherArgv(app_argv, kRequestFd + static_cast<int>(fds.size()), role, report_entry);
  ChildSetup setup;
  setup.role = ChildRole::kLauncher;
  setup.fds = &fds;
  setup.side_fd = pair.theirs.get();
  setup.launcher_argv = &argv;
  const pid_t pid = Fork(setup, credentials, pidfd);
  if (pid >= 0) *control = std::move(pair.ours);
  return pid;
}

void ForkServer::SendStarted(uint32_t request_id, pid_t pid, int pidfd) {
  ForkServerMessage reply{};
  reply.type = ForkServerMessageType::kStarted;
  reply.request_id = request_id;
  reply.pid = pid;
  SendMessage(app_, &reply, sizeof reply, &pidfd, 1);
  announced_.insert(pid);
  youngest_ = pid;
  youngest_started_ms_ = NowMs();
}

void ForkServer::SendFailed(uint32_t request_id, StartFailure failure, int err,
                            const std::string& message, uint32_t flags) {
  ForkServerFailure reply{};
  reply.header.type = ForkServerMessageType::kFailed;
  reply.header.request_id = request_id;
  reply.header.error = err;
  reply.header.failure = failure;
  reply.header.flags = flags;
  snprintf(reply.message, sizeof reply.message, "%s", message.c_str());
  SendMessage(app_, &reply, sizeof reply, nullptr, 0);
}

void ForkServer::Start(std::unique_ptr<ForkServerStartMessage> message, std::vector<UniqueFd> fds) {
  const ForkServerMessage& header = message->header;
  const bool inline_request = (header.flags & kStartInlineRequest) != 0;
  const bool exec_something = (header.flags & (kStartExecProgram | kStartExecLauncher)) != 0;
  // An inline request is a normal start's, and never empty; every other start has its request
  // memfd first.
  if (inline_request ? exec_something || message->request_bytes == 0
                     : fds.empty() || message->request_bytes != 0) {
    return SendFailed(header.request_id, StartFailure::kSystem, EINVAL, "");
  }
  if ((header.flags & kStartExecProgram) != 0) return StartProgram(*message, fds);
  if ((header.flags & kStartExecLauncher) != 0) {
    return StartIsolated(std::move(message), std::move(fds), /*allow_warm=*/true);
  }
  StartNormal(std::move(message), std::move(fds));
}

void ForkServer::StartProgram(const ForkServerStartMessage& message, std::vector<UniqueFd>& fds) {
  const uint32_t id = message.header.request_id;
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) return SendFailed(id, StartFailure::kSystem, errno, "");
  UniqueFd exec_read(ends[0]), exec_write(ends[1]);
  ChildSetup setup;
  setup.role = ChildRole::kProgram;
  setup.fds = &fds;
  setup.exec_report_fd = exec_write.get();
  UniqueFd pidfd;
  const pid_t pid = Fork(setup, message.credentials, &pidfd);
  exec_write.reset();
  if (pid < 0) return SendFailed(id, StartFailure::kSystem, -pid, "");
  ProgramFailureReport failure{};
  if (!AwaitExec(std::move(exec_read), &failure)) {
    KillAndReap(pid);
    return SendFailed(id, StartFailure::kProgram, failure.err, "", failure.stage);
  }
  SendStarted(id, pid, pidfd.get());
}

void ForkServer::StartNormal(std::unique_ptr<ForkServerStartMessage> message,
                             std::vector<UniqueFd> fds) {
  const uint32_t id = message->header.request_id;
  const bool wait_entry = (message->header.flags & kStartWaitForEntry) != 0;
  SocketPair report;
  if (wait_entry && !MakeSocketPair(&report)) {
    return SendFailed(id, StartFailure::kSystem, errno, "");
  }
  PendingStart pending;
  pending.request_id = id;
  pending.wait_entry = wait_entry;
  InlineRequest request;
  if ((message->header.flags & kStartInlineRequest) != 0) {
    request = {message->request(), message->request_bytes};
  }
  // Always forked here: the warm children serve the application's own starts
  // (warm_child_handoff.h), and one is never offered two requests.
  ChildSetup setup;
  setup.role = ChildRole::kRuntime;
  setup.fds = &fds;
  setup.request = request;
  setup.side_fd = wait_entry ? report.theirs.get() : -1;
  const pid_t pid = Fork(setup, message->credentials, &pending.pidfd);
  if (pid < 0) return SendFailed(id, StartFailure::kSystem, -pid, "");
  pending.pid = pid;
  if (!wait_entry) {
    AnswerStarted(pending);
    return;
  }
  report.theirs.reset();
  pending.report = std::move(report.ours);
  pending.deadline_ms = NowMs() + kStartTimeoutMs;
  const int fd = pending.report.get();
  pending_[fd] = std::move(pending);
}

// An isolated start: a warm sandbox of its shape when one is ready, else ncp-launch, built
// now. Answered when ncp-launch reports.
void ForkServer::StartIsolated(std::unique_ptr<ForkServerStartMessage> message,
                               std::vector<UniqueFd> fds, bool allow_warm) {
  const uint32_t id = message->header.request_id;
  if (allow_warm && message->warm_key != 0 && ShapeServes(*message)) {
    if (GiveToWarmSandbox(message, fds)) return;
    // None ready: the start waits for a build, one already on its way or one asked for now,
    // which its shape's builder makes sooner and for less than a cold start would.
    const uint64_t key = message->warm_key;
    if (pools_.settings().sandboxes > 0 && pools_.Builder(key) != nullptr) {
      queued_starts_[key].push_back(
          {std::move(message), std::move(fds), NowMs() + kQueuedStartMaxMs});
      while (AddOneSandbox(key)) {
      }
      return;
    }
  }
  const bool wait_entry = (message->header.flags & kStartWaitForEntry) != 0;
  const size_t argv_bytes = std::min<size_t>(message->launcher_argv_bytes, kMaxLauncherArgvBytes);
  PendingStart pending;
  const pid_t pid =
      ForkLauncher(fds, SplitWords(message->launcher_argv(), argv_bytes), LauncherRole::kStart,
                   wait_entry, message->credentials, &pending.pidfd, &pending.report);
  if (pid < 0) return SendFailed(id, StartFailure::kSystem, -pid, "");
  pending.request_id = id;
  pending.pid = pid;
  pending.launcher = true;
  pending.wait_entry = wait_entry;
  pending.warm_key = message->warm_key;
  pending.deadline_ms = NowMs() + kStartTimeoutMs;
  pending.message = std::move(message);
  pending.fds = std::move(fds);
  const int fd = pending.report.get();
  pending_[fd] = std::move(pending);
}

void ForkServer::ServeQueuedStarts(int64_t now_ms) {
  for (auto it = queued_starts_.begin(); it != queued_starts_.end();) {
    const uint64_t key = it->first;
    std::deque<QueuedStart>& queue = it->second;
    // Out of the queue while it is handed over: the refill that follows counts only the starts
    // still waiting, and asks for no build for this one.
    while (!queue.empty()) {
      QueuedStart next = std::move(queue.front());
      queue.pop_front();
      if (!GiveToWarmSandbox(next.message, next.fds)) {
        queue.push_front(std::move(next));
        break;
      }
    }
    bool went_cold = false;
    while (!queue.empty()) {
      // The oldest when it waited too long, or when the shape's sandboxes can no longer serve
      // it (the shape was let go and made again by another start); else the newest when there
      // are more starts than builds: it has the most builds ahead of it.
      const bool front_done =
          queue.front().deadline_ms <= now_ms || !ShapeServes(*queue.front().message);
      if (!front_done && queue.size() <= pools_.SandboxCount(key)) break;
      QueuedStart cold = std::move(front_done ? queue.front() : queue.back());
      if (front_done) {
        queue.pop_front();
      } else {
        queue.pop_back();
      }
      StartIsolated(std::move(cold.message), std::move(cold.fds), /*allow_warm=*/false);
      went_cold = true;
    }
    // The builds asked for the starts that went cold are not wanted any more: the pool comes
    // back to its size (plus one build for each start still waiting), never beyond.
    if (went_cold) {
      const size_t target = static_cast<size_t>(std::max(pools_.settings().sandboxes, 0));
      LetGo(pools_.TrimSandboxes(key, target + queue.size()));
    }
    it = queue.empty() ? queued_starts_.erase(it) : std::next(it);
  }
}

// The key is a hash: a sandbox is given only to a start whose credentials and launcher options
// are those it was built with, compared in full.
bool ForkServer::ShapeServes(const ForkServerStartMessage& message) const {
  const SandboxShape* shape = pools_.Shape(message.warm_key);
  if (shape == nullptr || !SameCredentials(shape->credentials, message.credentials)) return false;
  const size_t argv_bytes = std::min<size_t>(message.launcher_argv_bytes, kMaxLauncherArgvBytes);
  return shape->launcher_argv == SplitWords(message.launcher_argv(), argv_bytes) &&
         shape->report_entry == ((message.header.flags & kStartWaitForEntry) != 0);
}

bool ForkServer::GiveToWarmSandbox(std::unique_ptr<ForkServerStartMessage>& message,
                                   std::vector<UniqueFd>& fds) {
  const uint64_t key = message->warm_key;
  if (!ShapeServes(*message)) return false;
  while (std::optional<WarmProcess> warm = pools_.TakeSandbox(key)) {
    WarmRequestHeader header{kLaunchReportVersion, static_cast<uint32_t>(fds.size())};
    std::vector<int> raw;
    for (const UniqueFd& fd : fds) raw.push_back(fd.get());
    if (!SendMessage(warm->socket.get(), &header, sizeof header, raw.data(), raw.size())) {
      KillQuietly(warm->pid, warm->pidfd);
      continue;
    }
    PendingStart pending;
    pending.request_id = message->header.request_id;
    pending.pid = warm->pid;
    pending.pidfd = std::move(warm->pidfd);
    pending.report = std::move(warm->socket);
    pending.launcher = true;
    pending.ready = false;  // the second kReady means "accepted"
    pending.from_warm = true;
    pending.wait_entry = (message->header.flags & kStartWaitForEntry) != 0;
    pending.warm_key = key;
    pending.deadline_ms = NowMs() + kStartTimeoutMs;
    pending.message = std::move(message);
    pending.fds = std::move(fds);
    const int fd = pending.report.get();
    pending_[fd] = std::move(pending);
    RefillShape(key);
    return true;
  }
  return false;
}

// A shape's pool after a start took a sandbox. While one is still ready and no start waits,
// the refill waits for a quiet moment, like every refill: a build takes a core for
// milliseconds, and the start just handed over would share it. Otherwise starts are coming
// faster than that, and the builder is asked at once.
void ForkServer::RefillShape(uint64_t key) {
  const auto queued = queued_starts_.find(key);
  const bool starts_wait = queued != queued_starts_.end() && !queued->second.empty();
  if (pools_.Builder(key) != nullptr && (pools_.ReadyCount(key) == 0 || starts_wait)) {
    while (AddOneSandbox(key)) {
    }
    return;
  }
  refill_shapes_.insert(key);
}

void ForkServer::AnswerStarted(PendingStart& pending) {
  SendStarted(pending.request_id, pending.pid, pending.pidfd.get());
  if (pending.launcher) live_launchers_[pending.pid].control = std::move(pending.report);
  // A normal child's refill waits until the server has nothing else to do (Run): no start or
  // exit record ever waits behind its exec. A sandbox's is a message to the shape's builder,
  // sent now (the build runs there); only starting the builder waits like a child's refill.
  if (!pending.launcher) refill_children_ = true;
  if (pending.launcher && pending.warm_key != 0) {
    if (!pending.from_warm) PrimeShape(pending);
    RefillShape(pending.warm_key);
  }
}

void ForkServer::FailPending(PendingStart& pending, StartFailure failure, int err,
                             const std::string& why) {
  // Nothing of it may go on, and the application never hears of its pid.
  if (pending.pid > 0) {
    KillQuietly(pending.pid, pending.pidfd);
  }
  SendFailed(pending.request_id, failure, err, why);
}

// One record from a report socket. False: nothing there yet (EAGAIN); else `*report` is the
// record, or nullopt at EOF or for anything that is not a well-formed record.
bool ReadReport(int fd, std::optional<LaunchReport>* report);

// Everything a started launcher has sent so far: kEnded is kept, EOF stops the watch.
void ReadLiveLauncher(LiveLauncher* live) {
  std::optional<LaunchReport> report;
  while (live->control.valid() && ReadReport(live->control.get(), &report)) {
    if (!report) {
      live->control.reset();
    } else if (report->type == LaunchReportType::kEnded) {
      live->ended = report;
    }
  }
}

bool ReadReport(int fd, std::optional<LaunchReport>* report) {
  LaunchReport raw{};
  std::vector<UniqueFd> no_fds;
  const ssize_t n = ReceiveMessage(fd, &raw, sizeof raw, &no_fds, 0);
  if (n < 0 && errno == EAGAIN) return false;
  *report = n > 0 ? ParseLaunchReport(&raw, static_cast<size_t>(n)) : std::nullopt;
  return true;
}

// A warm sandbox that ended, or refused the request (its files changed since it was built:
// ESTALE, or it could not take it): that shape's prepared sandboxes are no good, and this
// start is built afresh, so the caller never sees the difference.
void ForkServer::StartColdInstead(PendingStart& done) {
  KillQuietly(done.pid, done.pidfd);
  LetGo(pools_.ForgetShape(done.warm_key));
  StartIsolated(std::move(done.message), std::move(done.fds), false);
}

void ForkServer::OnReport(int fd, bool writer_gone) {
  auto it = pending_.find(fd);
  if (it == pending_.end()) {
    for (auto& [pid, live] : live_launchers_) {
      if (live.control.get() == fd) return ReadLiveLauncher(&live);
    }
    if (std::optional<uint64_t> key = pools_.ShapeOfBuilder(fd)) {
      return OnBuilderReadable(*key, fd);
    }
    return OnWarmSandboxReport(fd);
  }
  PendingStart& pending = it->second;
  std::optional<LaunchReport> report;
  if (!ReadReport(fd, &report) && !writer_gone) return;
  PendingStart done = std::move(pending);
  pending_.erase(it);
  if (!report || report->type == LaunchReportType::kEnded) {
    // Ended (or spoke nonsense) before it said the start was done.
    if (done.from_warm) return StartColdInstead(done);
    // Its status: reaped already (ReportExits found it ended), or now, after the kill.
    int status = done.reaped_status;
    if (!done.reaped) {
      KillThrough(done.pidfd);
      while (waitpid(done.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    // (Reaped already: ReportExits, which found it, sends no record for a start never
    // announced.)
    done.pid = -1;
    std::string why = done.launcher ? "ncp-launch ended before it reported its sandbox"
                                    : "the child ended before it reported its entry";
    if (WIFEXITED(status)) {
      const int code = WEXITSTATUS(status);
      why += " (exit status " + std::to_string(code) + ")";
      if (done.launcher && code == 127) why = "ncp-launch could not be found (exit status 127)";
    }
    return FailPending(done, done.launcher ? StartFailure::kSandbox : StartFailure::kEntry, ECHILD,
                       why);
  }
  switch (report->type) {
    case LaunchReportType::kReady:
      if (done.wait_entry && !done.ready) {
        done.ready = true;
        const int key_fd = done.report.get();
        pending_[key_fd] = std::move(done);
        return;
      }
      return AnswerStarted(done);
    case LaunchReportType::kEntryFound:
      return AnswerStarted(done);
    case LaunchReportType::kEntryMissing:
      return FailPending(done, StartFailure::kEntry, report->err, report->message);
    case LaunchReportType::kEnded:
      return;  // handled above
    case LaunchReportType::kFailed:
      // ncp-launch did not find the library on the host: the child failed to load it, which
      // OpenHarmony's Start* does not check (the child ends with that status) unless the
      // caller waits for the entry.
      if (!done.from_warm && report->exit_status == NCP_CHILD_EXIT_LIBRARY_NOT_LOADED) {
        if (done.wait_entry) {
          return FailPending(done, StartFailure::kEntry, report->err, report->message);
        }
        done.warm_key = 0;  // nothing to prepare: every such sandbox would fail the same way
        return AnswerStarted(done);
      }
      if (done.from_warm) return StartColdInstead(done);
      return FailPending(done, StartFailure::kSandbox, report->err, report->message);
  }
}

void ForkServer::PrimeShape(const PendingStart& pending) {
  if (pools_.settings().sandboxes <= 0 || pending.fds.empty() || !pending.message) return;
  SandboxShape shape;
  if (!TemplateRequest(pending.fds[0].get(), &shape.template_request)) return;
  const ForkServerStartMessage& m = *pending.message;
  shape.launcher_argv =
      SplitWords(m.launcher_argv(), std::min<size_t>(m.launcher_argv_bytes, kMaxLauncherArgvBytes));
  shape.credentials = m.credentials;
  shape.report_entry = (m.header.flags & kStartWaitForEntry) != 0;
  LetGo(pools_.RememberShape(m.warm_key, std::move(shape)));
}

// A shape's first refill starts its builder; every refill asks the builder for one sandbox.
bool ForkServer::AddOneSandbox(uint64_t key) {
  const SandboxShape* shape = pools_.Shape(key);
  if (shape == nullptr) return false;
  // The pool's size, and one more for each start waiting for a sandbox of the shape.
  auto queued = queued_starts_.find(key);
  const size_t size = static_cast<size_t>(std::max(pools_.settings().sandboxes, 0)) +
                      (queued == queued_starts_.end() ? 0 : queued->second.size());
  if (pools_.SandboxCount(key) < size) {
    if (pools_.Builder(key) == nullptr && !StartBuilder(key, *shape)) return false;
    WarmProcess* builder = pools_.Builder(key);
    SocketPair pair;
    if (!MakeSocketPair(&pair)) return false;
    const WarmBuildRequest request{kLaunchReportVersion, 0, ++last_build_id_};
    const int theirs = pair.theirs.get();
    if (!SendMessage(builder->socket.get(), &request, sizeof request, &theirs, 1)) {
      LetGo(pools_.ForgetShape(key));
      return false;
    }
    builder->ready_since_ms = NowMs();
    WarmProcess sandbox;
    sandbox.socket = std::move(pair.ours);
    sandbox.build_id = request.build_id;
    pools_.AddSandbox(key, std::move(sandbox));
  }
  return pools_.SandboxCount(key) < size;
}

bool ForkServer::StartBuilder(uint64_t key, const SandboxShape& shape) {
  auto request =
      base::MemfdWithContents("ncp-warm-request", shape.template_request, base::MemfdSeal::kSealed);
  if (!request.ok()) return false;
  std::vector<UniqueFd> fds;
  fds.push_back(std::move(*request));
  WarmProcess builder;
  const pid_t pid =
      ForkLauncher(fds, shape.launcher_argv, LauncherRole::kBuilder, shape.report_entry,
                   shape.credentials, &builder.pidfd, &builder.socket);
  if (pid < 0) return false;
  builder.pid = pid;
  builder.ready_since_ms = NowMs();
  pools_.SetBuilder(key, std::move(builder));
  return true;
}

// The builder's kReady, its replies, or its end (kFailed, EOF): a shape it cannot build (a cold
// start says why), or a builder gone, takes the shape's sandboxes with it, since some of them
// may never be accounted for.
void ForkServer::OnBuilderReadable(uint64_t key, int fd) {
  for (;;) {
    alignas(LaunchReport) char buffer[std::max(sizeof(LaunchReport), sizeof(WarmBuildReply))];
    std::vector<UniqueFd> fds;
    const ssize_t n = ReceiveMessage(fd, buffer, sizeof buffer, &fds, 1);
    if (n < 0 && errno == EAGAIN) return;
    if (n == static_cast<ssize_t>(sizeof(WarmBuildReply))) {
      WarmBuildReply reply;
      memcpy(&reply, buffer, sizeof reply);
      if (reply.version == kLaunchReportVersion) {
        OnBuilt(reply, std::move(fds));
        continue;
      }
    }
    std::optional<LaunchReport> report;
    if (n > 0) report = ParseLaunchReport(buffer, static_cast<size_t>(n));
    if (report && report->type == LaunchReportType::kReady) continue;
    LetGo(pools_.ForgetShape(key));
    return;
  }
}

void ForkServer::OnBuilt(const WarmBuildReply& reply, std::vector<UniqueFd> fds) {
  WarmProcess* sandbox = pools_.FindBuild(reply.build_id);
  // No process, or one that ended and was reaped (silently: never announced) before this
  // reply was read: nothing to wait for.
  if (reply.pid <= 0 || fds.size() != 1 || !NotReapedYet(fds[0])) {
    if (sandbox != nullptr) pools_.RemoveBySocket(sandbox->socket.get());
    return;
  }
  if (sandbox == nullptr) {
    // Let go before its builder said which process it is.
    KillQuietly(reply.pid, fds[0]);
    return;
  }
  sandbox->pid = reply.pid;
  sandbox->pidfd = std::move(fds[0]);
}

void ForkServer::KillQuietly(pid_t pid, const UniqueFd& pidfd) {
  if (pid <= 0 || !NotReapedYet(pidfd)) return;
  KillThrough(pidfd);
  silent_.insert(pid);
}

// A prepared normal-mode child is a fresh `ncp-child --warm-child` (child_runtime.h), not a
// fork of this process: no page table is copied, and the child owns every page it touches
// instead of copying the server's on its first writes after a request. It is spawned detached
// (detached_spawn.h): the server goes on at once instead of waiting for the exec. Its channel
// goes to the application, which starts it without a word to the server; the server keeps a
// copy of the application's end, to let it go (warm_child_handoff.h).
bool ForkServer::AddOneChild() {
  // A server of another version than the application's refuses every start: it must not
  // hand out children either (their channel speaks its version).
  if (!protocol_ok_ ||
      pools_.ChildCount() >= static_cast<size_t>(std::max(pools_.settings().children, 0))) {
    return false;
  }
  SocketPair channel;
  if (!MakeSocketPair(&channel)) return false;
  // The channel at 3 (ncp_internal_warm_child_main).
  std::unique_ptr<DetachedSpawn> spawn =
      DetachedSpawn::Start(own_binary_.get(), {channel.theirs.get()},
                           {"ncp-warm-child", "--warm-child", std::to_string(server_pid_),
                            std::to_string(ClosedStdio())});
  if (spawn->pid() < 0) return false;
  WarmProcess child;
  child.pid = spawn->pid();
  child.pidfd = spawn->TakePidfd();
  child.socket = std::move(channel.ours);
  child.ready = true;
  child.ready_since_ms = NowMs();
  child.application_holds_channel = true;
  child.announced_id = ++last_warm_child_id_;
  spawning_.push_back(std::move(spawn));
  ForkServerWarmChild ready{};
  ready.header.type = ForkServerMessageType::kWarmChildReady;
  ready.header.pid = child.pid;
  ready.header.request_id = child.announced_id;
  ready.configure_count = configures_received_;
  ready.credentials = ServerCredentials();
  const int fds[] = {child.pidfd.get(), child.socket.get()};
  if (!SendMessage(app_, &ready, sizeof ready, fds, 2)) {
    KillQuietly(child.pid, child.pidfd);
    return false;
  }
  // From now on the application may start it at any moment: its end is always reported.
  announced_.insert(child.pid);
  pools_.AddChild(std::move(child));
  return pools_.ChildCount() < static_cast<size_t>(std::max(pools_.settings().children, 0));
}

// The application took warm child `id`, and holds no other (it says so a moment after the
// start, so that this server does not wake while the child starts: kWarmChildTaken). The pool
// wants another. (A taken child that ends first is found by ReportExits instead.)
void ForkServer::OnWarmChildTaken(uint32_t id) {
  std::optional<WarmProcess> child = pools_.TakeChildById(id);
  if (!child) return;  // ended, or let go, meanwhile
  youngest_ = child->pid;
  youngest_started_ms_ = NowMs();
  refill_children_ = true;
}

// Spawns whose exec is done no longer need the memory they ran from.
void ForkServer::ForgetExecutedSpawns() {
  std::erase_if(spawning_, [](const std::unique_ptr<DetachedSpawn>& s) { return s->ExecDone(); });
}

// One prepared process per call, while there is nothing else to do: returns whether more
// refills are wanted.
bool ForkServer::RefillOne() {
  if (refill_children_) {
    refill_children_ = AddOneChild();
    return true;
  }
  if (refill_shapes_.empty()) return false;
  const uint64_t key = *refill_shapes_.begin();
  if (!AddOneSandbox(key)) refill_shapes_.erase(key);
  return !refill_shapes_.empty();
}

// Starts that were not answered in time (a sandbox build that hangs, a library whose loading
// never ends): they fail, rather than block their caller for ever.
void ForkServer::FailOverdue(int64_t now_ms) {
  std::vector<int> overdue;
  for (const auto& [fd, pending] : pending_) {
    if (pending.deadline_ms != 0 && now_ms >= pending.deadline_ms) overdue.push_back(fd);
  }
  for (int fd : overdue) {
    PendingStart done = std::move(pending_[fd]);
    pending_.erase(fd);
    FailPending(done, done.launcher ? StartFailure::kSandbox : StartFailure::kEntry, ETIMEDOUT,
                done.launcher ? "the sandbox was not ready after " +
                                    std::to_string(kStartTimeoutMs / 1000) + " s"
                              : "the child did not report its entry after " +
                                    std::to_string(kStartTimeoutMs / 1000) + " s");
  }
}

int64_t ForkServer::MsUntilNextDeadline(int64_t now_ms) const {
  int64_t next = -1;
  for (const auto& [key, queue] : queued_starts_) {
    for (const QueuedStart& q : queue) {
      const int64_t left = std::max<int64_t>(0, q.deadline_ms - now_ms);
      if (next < 0 || left < next) next = left;
    }
  }
  for (const auto& [fd, pending] : pending_) {
    if (pending.deadline_ms == 0) continue;
    const int64_t left = std::max<int64_t>(0, pending.deadline_ms - now_ms);
    if (next < 0 || left < next) next = left;
  }
  return next;
}

// A refill (an exec and a dynamic load; for a sandbox, its whole build) takes a core for a
// millisecond or many. It waits until nothing has happened for a moment, so no start or exit
// record queues behind it, and until the child started last has ended or has run for a while:
// a short-lived child's run and its exit (whose teardown the exit record waits for) would
// otherwise share the machine with the refill it caused.
int64_t ForkServer::MsUntilRefill(int64_t last_event_ms, int64_t now_ms) const {
  int64_t left = last_event_ms + kRefillQuietMs - now_ms;
  if (youngest_ != 0) left = std::max(left, youngest_started_ms_ + kRefillYieldMs - now_ms);
  return std::max<int64_t>(0, left);
}

// Prepared processes no longer wanted: killed (a sandbox's parent-death signals take the rest
// of it), and reaped without a word to the application, which never knew them. A warm child
// whose channel the application holds is told instead: a request may be on its way, which it
// then serves (warm_child_handoff.h), and its end is reported either way. One that cannot be
// told (its queue full: never, but for an application that floods it) is killed, and still
// reported.
void ForkServer::LetGo(std::vector<WarmProcess> processes) {
  for (WarmProcess& p : processes) {
    if (!p.application_holds_channel) {
      KillQuietly(p.pid, p.pidfd);
      continue;
    }
    const WarmChildHandoff letting_go{WarmChildMessage::kLetGo, 0, 0};
    if (send(p.socket.get(), &letting_go, sizeof letting_go, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
        errno == EAGAIN && NotReapedYet(p.pidfd)) {
      KillThrough(p.pidfd);
    }
  }
}

// A sandbox being built says whether it could be.
void ForkServer::OnWarmSandboxReport(int fd) {
  std::optional<LaunchReport> report;
  if (!ReadReport(fd, &report)) return;
  if (report && report->type == LaunchReportType::kReady && pools_.MarkReady(fd, NowMs())) return;
  // It failed, or ended. Its builder would build the next one the same way (a launcher or an
  // ncp-entry replaced since it started, a changed file): the shape goes, builder and all, and
  // the next start of it is cold, which tells its caller what is wrong, if anything still is.
  if (std::optional<uint64_t> key = pools_.ShapeOfSandbox(fd)) LetGo(pools_.ForgetShape(*key));
}

void ForkServer::ExpireIdle() { LetGo(pools_.TakeExpired(NowMs())); }

namespace {

// One size for both modes, or (kWarmPoolDefaultSizes) each mode's default.
void SetPoolSizes(int32_t size, WarmPoolSettings* settings) {
  if (size == kWarmPoolDefaultSizes) {
    settings->children = kDefaultWarmChildren;
    settings->sandboxes = kDefaultWarmSandboxes;
    return;
  }
  settings->children = settings->sandboxes = std::clamp(size, 0, 8);
}

}  // namespace

void ForkServer::Configure(const ForkServerConfigureMessage& m) {
  WarmPoolSettings settings;
  SetPoolSizes(m.pool_size, &settings);
  settings.idle_timeout_ms = std::max(m.idle_timeout_ms, 0);
  LetGo(pools_.Configure(settings));
  refill_children_ = true;
}

// ncp-launch's word on why its sandbox ended, where the wait status cannot tell: a time limit
// (ncp-launch then dies of SIGKILL), a seccomp kill (of SIGSYS).
void AddLauncherCause(const LaunchReport& ended, ForkServerExit* exit) {
  if (!IsExitCause(ended.exit_status)) return;
  exit->cause = ended.exit_status;
  exit->syscall_nr = ended.err;
  const std::string_view detail(ended.message);
  const size_t tab = detail.find('\t');
  if (tab == std::string_view::npos) return;
  snprintf(exit->syscall_name, sizeof exit->syscall_name, "%.*s", static_cast<int>(tab),
           detail.data());
  snprintf(exit->profile_line, sizeof exit->profile_line, "%s", detail.data() + tab + 1);
}

// A reaped launcher's last word (sent before it exited, so in its socket now if it was sent
// at all); its socket is done with, whatever becomes of the record.
std::optional<LaunchReport> ForkServer::ForgetLiveLauncher(pid_t pid) {
  auto live = live_launchers_.find(pid);
  if (live == live_launchers_.end()) return std::nullopt;
  ReadLiveLauncher(&live->second);
  std::optional<LaunchReport> ended = live->second.ended;
  live_launchers_.erase(live);
  return ended;
}

void ForkServer::ReportExits() {
  for (;;) {
    int status = 0;
    rusage usage{};
    const pid_t pid = wait4(-1, &status, WNOHANG, &usage);
    if (pid <= 0) return;
    if (pid == youngest_) youngest_ = 0;
    std::optional<LaunchReport> launcher_ended = ForgetLiveLauncher(pid);
    if (silent_.erase(pid) != 0) continue;
    if (std::optional<uint64_t> key = pools_.ShapeOfBuilderPid(pid)) {
      // A builder that died: which of its sandboxes exist can no longer be known.
      pools_.RemoveByPid(pid);
      LetGo(pools_.ForgetShape(*key));
      continue;
    }
    // A prepared one that died by itself is not the application's, unless it held the
    // application's channel (announced, below).
    std::optional<WarmProcess> prepared = pools_.RemoveByPid(pid);
    if (prepared && !prepared->application_holds_channel) continue;
    if (prepared) refill_children_ = true;
    // A start not answered yet: what it reported before it ended decides.
    auto pending = std::find_if(pending_.begin(), pending_.end(),
                                [pid](const auto& p) { return p.second.pid == pid; });
    if (pending != pending_.end()) {
      const int fd = pending->first;
      pending->second.reaped = true;
      pending->second.reaped_status = status;
      // Everything it said is in its socket now, and more than one record may wait there (a
      // start that waits for the entry hears kReady, then kEntryFound): read them all, so the
      // start is answered or failed before its end is reported, never after.
      // (A start retried cold may reuse the fd's number: only this pid's start is read.)
      for (auto p = pending_.find(fd); p != pending_.end() && p->second.pid == pid;
           p = pending_.find(fd)) {
        OnReport(fd, /*writer_gone=*/true);
      }
      if (silent_.erase(pid) != 0) continue;
      // Answered just now: a started launcher's control socket, and its last word, are here.
      launcher_ended = ForgetLiveLauncher(pid);
    }
    // Never announced: a start that failed, or a builder's sandbox whose reply has not been
    // read yet (OnBuilt then finds it reaped).
    if (announced_.erase(pid) == 0) continue;
    ForkServerExit exit{};
    ForkServerMessage& record = exit.header;
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
    exit.cause = static_cast<int32_t>(CauseFromWaitStatus(WIFSIGNALED(status), record.wait_status));
    exit.syscall_nr = -1;
    if (launcher_ended) AddLauncherCause(*launcher_ended, &exit);
    SendMessage(app_, &exit, sizeof exit, nullptr, 0);
    // The record's reader, the application's monitor thread, is often woken on this CPU: it
    // goes first. What is left here (the next reap, the loop's housekeeping, the next poll's
    // setup: some 40 us when the caches are cold) can wait for the exit callbacks.
    sched_yield();
  }
}

void ForkServer::OnAppReadable() {
  // One buffer for every message the application sends; the start message is the largest.
  // Not zeroed as a whole: only what arrived is read, and the tail is some 24 KiB.
  std::unique_ptr<ForkServerStartMessage> message(new ForkServerStartMessage);
  message->header = {};
  std::vector<UniqueFd> fds;
  const ssize_t n = ReceiveMessage(app_, message.get(), sizeof *message, &fds, kMaxFdsPerStart);
  // The application is gone; our children follow by PDEATHSIG. One that went with messages
  // of ours still unread leaves ECONNRESET instead of EOF: gone just the same.
  if (n == 0 || (n < 0 && errno == ECONNRESET)) _exit(0);
  const ForkServerMessage& header = message->header;
  if (n < 0) {
    if (errno != EBADMSG) _exit(1);
    // The fds did not fit (a full fd table truncates them): the caller still waits for an
    // answer, which the complete header lets us send.
    if (header.type == ForkServerMessageType::kStart) {
      SendFailed(header.request_id, StartFailure::kSystem, EMFILE, "");
    }
    return;
  }
  const size_t fixed = offsetof(ForkServerStartMessage, tail);
  if (header.type == ForkServerMessageType::kStart &&
      static_cast<size_t>(n) >= sizeof(ForkServerMessage)) {
    // Another version's start may be laid out otherwise: only its header is read.
    if (!protocol_ok_) {
      return SendFailed(header.request_id, StartFailure::kProtocolMismatch, EPROTO,
                        "ncp-child (the fork server) is not the version of libchild_process.so "
                        "this application loaded: the package was upgraded while it ran; "
                        "restart the application");
    }
    // A start whose sizes do not add up still has a caller waiting on its id: answered.
    const bool whole =
        static_cast<size_t>(n) >= fixed && message->launcher_argv_bytes <= kMaxLauncherArgvBytes &&
        message->request_bytes <= kMaxInlineRequestBytes &&
        message->launcher_argv_bytes + message->request_bytes == static_cast<size_t>(n) - fixed;
    if (!whole) return SendFailed(header.request_id, StartFailure::kSystem, EINVAL, "");
    Start(std::move(message), std::move(fds));
  } else if (header.type == ForkServerMessageType::kCancel &&
             static_cast<size_t>(n) == sizeof(ForkServerMessage)) {
    // The application could not take the pidfd of `pid` and has failed its start. Only this
    // thread reaps, so a child that waitid still finds is ours and unreaped: killing it by pid
    // cannot hit a recycled pid. One already reaped (ECHILD) is left alone.
    siginfo_t info{};
    if (header.pid > 0 &&
        waitid(P_PID, static_cast<id_t>(header.pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0) {
      kill(header.pid, SIGKILL);
    }
  } else if (header.type == ForkServerMessageType::kWarmChildTaken &&
             static_cast<size_t>(n) == sizeof(ForkServerMessage)) {
    OnWarmChildTaken(header.request_id);
  } else if (header.type == ForkServerMessageType::kWarmChildRefused &&
             static_cast<size_t>(n) == sizeof(ForkServerMessage)) {
    // No refill now: the application's fd table may still be full. The next start refills.
    if (std::optional<WarmProcess> child = pools_.TakeChildById(header.request_id)) {
      std::vector<WarmProcess> refused;
      refused.push_back(std::move(*child));
      LetGo(std::move(refused));
    }
  } else if (header.type == ForkServerMessageType::kConfigure &&
             static_cast<size_t>(n) == sizeof(ForkServerConfigureMessage)) {
    ForkServerConfigureMessage configure;
    memcpy(&configure, message.get(), sizeof configure);
    ++configures_received_;
    Configure(configure);
  }
}

void ForkServer::Run(int sigfd) {
  int64_t last_event_ms = NowMs();
  for (;;) {
    std::vector<pollfd> polled{{app_, POLLIN, 0}, {sigfd, POLLIN, 0}};
    for (const auto& [fd, pending] : pending_) polled.push_back({fd, POLLIN, 0});
    for (int fd : pools_.SocketsToWatch()) polled.push_back({fd, POLLIN, 0});
    for (int fd : pools_.BuilderSockets()) polled.push_back({fd, POLLIN, 0});
    for (const auto& [pid, live] : live_launchers_) {
      if (live.control.valid()) polled.push_back({live.control.get(), POLLIN, 0});
    }
    const int64_t now = NowMs();
    int64_t wait = pools_.MsUntilNextExpiry(now);
    const int64_t deadline = MsUntilNextDeadline(now);
    if (deadline >= 0 && (wait < 0 || deadline < wait)) wait = deadline;
    const bool refills_wanted = refill_children_ || !refill_shapes_.empty();
    if (refills_wanted) {
      const int64_t refill_left = MsUntilRefill(last_event_ms, now);
      if (wait < 0 || refill_left < wait) wait = refill_left;
    }
    const int timeout = wait < 0 ? -1 : static_cast<int>(std::min<int64_t>(wait, 60000));
    const int ready = poll(polled.data(), polled.size(), timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      _exit(1);
    }
    if (ready == 0) {
      if (!spawning_.empty()) ForgetExecutedSpawns();
      ExpireIdle();
      FailOverdue(NowMs());
      if (!queued_starts_.empty()) ServeQueuedStarts(NowMs());
      if (refills_wanted && MsUntilRefill(last_event_ms, NowMs()) == 0) RefillOne();
      continue;
    }
    last_event_ms = NowMs();
    if (polled[1].revents & POLLIN) {
      // One read clears it: SIGCHLD is not queued, and ReportExits reaps every ended child.
      signalfd_siginfo info;
      (void)!read(sigfd, &info, sizeof info);
      ReportExits();
    }
    // Reports before new starts: a start's answer never waits behind later requests.
    for (size_t i = 2; i < polled.size(); ++i) {
      if (polled[i].revents != 0) OnReport(polled[i].fd);
    }
    if (polled[0].revents & (POLLIN | POLLHUP | POLLERR)) OnAppReadable();
    ExpireIdle();
    FailOverdue(NowMs());
    if (!queued_starts_.empty()) ServeQueuedStarts(NowMs());
    // Housekeeping last: unmapping a spawn's stack never delays the start that woke us.
    if (!spawning_.empty()) ForgetExecutedSpawns();
  }
}

// NCP_WARM_POOL-independent settings from the command line: "SIZE IDLE_MS".
WarmPoolSettings SettingsFrom(char** argv) {
  WarmPoolSettings settings;
  if (argv[3] == nullptr || argv[4] == nullptr || argv[5] == nullptr) return settings;
  SetPoolSizes(atoi(argv[4]), &settings);
  settings.idle_timeout_ms = std::max(atoll(argv[5]), 0LL);
  return settings;
}

}  // namespace
}  // namespace ncp::core

// argv: NAME --fork-server APPLICATION_PID PROTOCOL_VERSION POOL_SIZE IDLE_MS
extern "C" void ncp_internal_fork_server_main(int sock, char** argv) {
  using namespace ncp::core;
  // Die with the application. argv[2] names it, in case it died before this prctl ran.
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // Orphans of our children come to us, not to the application or init: ncp-launch returns on
  // its sandbox's report and exits before the sandbox's init does, and an application that is
  // a subreaper (or pid 1 of a container) would otherwise inherit that init, a process it
  // never started, and have to reap it. ReportExits reaps every child; one it never announced
  // is dropped.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  // An application that closed its fds 0-2 leaves them free here: the server's own sockets and
  // memfds would take them, and every child would find them as its stdin, stdout or stderr.
  // /dev/null holds those numbers instead (children then get /dev/null there).
  unsigned closed_stdio = 0;
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) >= 0) continue;
    if (open("/dev/null", O_RDWR) != fd) _exit(1);
    closed_stdio |= 1u << fd;
  }
  SetClosedStdio(closed_stdio);
  if (argv[1] == nullptr || argv[2] == nullptr || getppid() != atoi(argv[2])) _exit(1);
  const bool protocol_ok = argv[3] != nullptr && atoi(argv[3]) == kForkServerProtocolVersion;
  const WarmPoolSettings settings = SettingsFrom(argv);
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
  // Leaked on purpose: the server ends with _exit.
  auto* server = new ForkServer(sock, settings, protocol_ok);
  server->Run(sigfd.get());
}
