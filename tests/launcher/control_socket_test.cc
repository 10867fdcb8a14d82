// ncp-launch's control socket (issue 11 §2, §3): the test plays the fork server. It spawns
// `ncp-launch --request-fd=3 --control-fd=N [--warm] [--report-entry]` with a request memfd at
// 3 and one end of a SOCK_SEQPACKET socketpair at N, and asserts the exact records that come
// back, what the entry did, and how ncp-launch ended.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/protocol/launch_report.h"
#include "core/protocol/unix_message.h"
#include "core/protocol/wire.h"
#include "run_launcher.h"
#include "testing/profiles.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

using core::LaunchReport;
using core::LaunchReportType;

const std::string kEntries = NCP_TEST_ENTRIES_PATH;

int RequestMemfd(const core::WireRequest& request) {
  const std::string bytes = core::EncodeRequest(request);
  const int fd = memfd_create("request", MFD_CLOEXEC);
  if (fd < 0 || write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    return -1;
  }
  return fd;
}

core::WireRequest ArgsRequest(const std::string& symbol, const std::string& params,
                              std::vector<std::string> fd_names = {}) {
  core::WireRequest request;
  request.kind = core::ChildKind::kArgs;
  request.library = kEntries;
  request.symbol = symbol;
  request.params = params;
  request.process_name = symbol;
  request.fd_names = std::move(fd_names);
  request.environment = {"PATH=/usr/bin:/bin"};
  return request;
}

std::string ReadAll(int fd) {
  std::string out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

// One ncp-launch in request mode, started the way the fork server starts it.
class FakeForkServer {
 public:
  // `fds` go to 3, 4, ... (the request first); the control socket right after them.
  FakeForkServer(const std::vector<std::string>& flags, const std::vector<int>& fds,
                 const std::vector<std::string>& options,
                 const std::string& launcher = NCP_LAUNCH_PATH) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return;
    control_ = pair[0];
    int out[2];
    int err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return;
    const int control_number = 3 + static_cast<int>(fds.size());
    std::vector<std::string> args = {launcher, "--request-fd=3",
                                     "--control-fd=" + std::to_string(control_number)};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), options.begin(), options.end());
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      dup2(err[1], 2);
      std::vector<int> sources = fds;
      sources.push_back(pair[1]);
      std::vector<int> high;
      for (int fd : sources) high.push_back(fcntl(fd, F_DUPFD_CLOEXEC, 100));
      for (size_t i = 0; i < high.size(); ++i) {
        if (high[i] < 0 || dup2(high[i], 3 + static_cast<int>(i)) < 0) _exit(94);
      }
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(95);
    }
    close(pair[1]);
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~FakeForkServer() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    for (int fd : {control_, out_, err_}) {
      if (fd >= 0) close(fd);
    }
  }

  pid_t pid() const { return pid_; }
  int control() const { return control_; }

  // The next record; nullopt at EOF (or when nothing came within the hang guard of 20 s).
  std::optional<LaunchReport> NextReport() {
    pollfd pfd{control_, POLLIN, 0};
    if (poll(&pfd, 1, 20000) != 1) return std::nullopt;
    char buffer[sizeof(LaunchReport) + 1];
    const ssize_t n = recv(control_, buffer, sizeof(buffer), 0);
    if (n <= 0) return std::nullopt;
    EXPECT_EQ(static_cast<size_t>(n), sizeof(LaunchReport));
    return core::ParseLaunchReport(buffer, static_cast<size_t>(n));
  }

  // A warm request: the header and SCM_RIGHTS [request, fds...].
  bool SendRequest(int request_memfd, const std::vector<int>& fds,
                   std::optional<uint32_t> claimed_count = std::nullopt) {
    std::vector<int> all = {request_memfd};
    all.insert(all.end(), fds.begin(), fds.end());
    core::WarmRequestHeader header{core::kLaunchReportVersion,
                                   claimed_count.value_or(static_cast<uint32_t>(all.size()))};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 32)] = {};
    iovec iov{&header, sizeof(header)};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * all.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * all.size());
    std::memcpy(CMSG_DATA(c), all.data(), sizeof(int) * all.size());
    return sendmsg(control_, &msg, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof(header));
  }

  void CloseControl() {
    close(control_);
    control_ = -1;
  }

  // Reads stdout and stderr to EOF and reaps ncp-launch.
  struct End {
    int wait_status = -1;
    std::string out;
    std::string err;
    int exit_code() const { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }
  };
  End Finish() {
    End end;
    end.out = ReadAll(out_);
    end.err = ReadAll(err_);
    waitpid(pid_, &end.wait_status, 0);
    pid_ = -1;
    return end;
  }

 private:
  pid_t pid_ = -1;
  int control_ = -1;
  int out_ = -1;
  int err_ = -1;
};

void ExpectRecord(const std::optional<LaunchReport>& report, LaunchReportType type,
                  int exit_status) {
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->version, core::kLaunchReportVersion);
  EXPECT_EQ(report->type, type);
  EXPECT_EQ(report->exit_status, exit_status);
}

std::vector<std::string> DefaultProfile() { return {"--profile", ShippedProfile("default")}; }

// Every process whose parent chain leads to `root` (from /proc/*/stat).
std::set<pid_t> Descendants(pid_t root) {
  std::set<pid_t> found = {root};
  bool grew = true;
  while (grew) {
    grew = false;
    DIR* dir = opendir("/proc");
    if (dir == nullptr) return {};
    while (dirent* e = readdir(dir)) {
      const pid_t pid = atoi(e->d_name);
      if (pid <= 0 || found.count(pid) != 0) continue;
      std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
      std::string line;
      std::getline(stat, line);
      const size_t paren = line.rfind(')');
      if (paren == std::string::npos) continue;
      char state = 0;
      int ppid = 0;
      if (sscanf(line.c_str() + paren + 1, " %c %d", &state, &ppid) == 2 &&
          found.count(ppid) != 0) {
        found.insert(pid);
        grew = true;
      }
    }
    closedir(dir);
  }
  found.erase(root);
  return found;
}

// --- cold: kReady or kFailed --------------------------------------------------------------

TEST(ControlSocket, GoodStartSendsReadyThenTheEntryRuns) {
  NCP_REQUIRE_USERNS();
  const int memfd = RequestMemfd(ArgsRequest("EchoParams", "started", {"out"}));
  FakeForkServer server({}, {memfd, 1}, DefaultProfile());
  close(memfd);
  auto ready = server.NextReport();
  ExpectRecord(ready, LaunchReportType::kReady, 0);
  EXPECT_EQ(ready->err, 0);
  EXPECT_STREQ(ready->message, "");
  // Exactly one record: the next read is EOF once ncp-launch is gone.
  auto end = server.Finish();
  EXPECT_EQ(end.exit_code(), 0) << end.err;
  EXPECT_EQ(end.out, "started");
  EXPECT_FALSE(server.NextReport().has_value());
}

TEST(ControlSocket, BrokenProfileSendsFailedWithFileAndLineAndRunsNothing) {
  TempDir dir;
  const std::string profile = WriteProfile(dir, "broken.profile", "unshare-all\n\nfrobnicate\n");
  const int memfd = RequestMemfd(ArgsRequest("EchoParams", "started", {"out"}));
  FakeForkServer server({}, {memfd, 1}, {"--profile", profile});
  close(memfd);
  auto failed = server.NextReport();
  ExpectRecord(failed, LaunchReportType::kFailed, 125);
  EXPECT_EQ(std::string(failed->message).rfind(profile + ":3: ", 0), 0u) << failed->message;
  auto end = server.Finish();
  EXPECT_EQ(end.exit_code(), 125);
  // Said once, on the control socket: not on stderr too.
  EXPECT_EQ(end.err.find("broken.profile:3:"), std::string::npos) << end.err;
  EXPECT_EQ(end.out, "");
  EXPECT_FALSE(server.NextReport().has_value());
}

// A request written by a library of another ncp version (upgraded while the application ran):
// refused with a message that says so, before anything is built.
TEST(ControlSocket, ARequestOfAnotherVersionIsRefusedWithAClearMessage) {
  std::string bytes = core::EncodeRequest(ArgsRequest("EchoParams", "x", {}));
  ASSERT_GE(bytes.size(), 8u);
  bytes[4] = static_cast<char>(bytes[4] + 1);  // the version follows the 4-byte magic
  const int memfd = memfd_create("request", MFD_CLOEXEC);
  ASSERT_EQ(write(memfd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  FakeForkServer server({}, {memfd}, DefaultProfile());
  close(memfd);
  auto failed = server.NextReport();
  ExpectRecord(failed, LaunchReportType::kFailed, 125);
  EXPECT_NE(std::string(failed->message).find("restart the application"), std::string::npos)
      << failed->message;
  EXPECT_EQ(server.Finish().exit_code(), 125);
}

TEST(ControlSocket, FailedMountSendsFailedNamingTheStep) {
  NCP_REQUIRE_USERNS();
  const int memfd = RequestMemfd(ArgsRequest("EchoParams", "started", {"out"}));
  std::vector<std::string> options = DefaultProfile();
  options.insert(options.end(), {"--ro-bind", "/no/such/dir:/x"});
  FakeForkServer server({}, {memfd, 1}, options);
  close(memfd);
  auto failed = server.NextReport();
  ExpectRecord(failed, LaunchReportType::kFailed, 125);
  EXPECT_EQ(failed->err, ENOENT);
  EXPECT_EQ(std::string(failed->message).rfind("build-rootfs: ", 0), 0u) << failed->message;
  EXPECT_NE(std::string(failed->message).find("/no/such/dir"), std::string::npos)
      << failed->message;
  auto end = server.Finish();
  EXPECT_EQ(end.exit_code(), 125);
  EXPECT_EQ(end.err.find(std::string("ncp-launch: ") + failed->message), std::string::npos)
      << end.err;
  EXPECT_EQ(end.out, "");
  EXPECT_FALSE(server.NextReport().has_value());
}

TEST(ControlSocket, HiddenFlagsAreRefusedWithoutRequestModeOrControlFd) {
  const int memfd = RequestMemfd(ArgsRequest("EchoParams", "x"));
  // --warm without --control-fd is no request mode of ours; and never an option elsewhere.
  LauncherRun no_control =
      RunLauncher({"--request-fd=3", "--warm", "--profile", ShippedProfile("default")},
                  {.before_exec = [memfd] { dup2(memfd, 3); }});
  EXPECT_EQ(no_control.exit_code(), 125);
  EXPECT_NE(no_control.err.find("need --control-fd"), std::string::npos) << no_control.err;
  LauncherRun not_first =
      RunLauncher({"--profile", ShippedProfile("default"), "--warm", "--check"});
  EXPECT_EQ(not_first.exit_code(), 125);
  close(memfd);
}

// --- --report-entry --------------------------------------------------------------------------

TEST(ControlSocket, ReportEntrySendsEntryFoundAfterReady) {
  NCP_REQUIRE_USERNS();
  const int memfd = RequestMemfd(ArgsRequest("EchoParams", "found", {"out"}));
  FakeForkServer server({"--report-entry"}, {memfd, 1}, DefaultProfile());
  close(memfd);
  ExpectRecord(server.NextReport(), LaunchReportType::kReady, 0);
  auto found = server.NextReport();
  ExpectRecord(found, LaunchReportType::kEntryFound, 0);
  EXPECT_STREQ(found->message, "");
  auto end = server.Finish();
  EXPECT_EQ(end.exit_code(), 0) << end.err;
  EXPECT_EQ(end.out, "found");
  EXPECT_FALSE(server.NextReport().has_value());
}

TEST(ControlSocket, ReportEntrySendsEntryMissingWith120AndTheLoadersMessage) {
  NCP_REQUIRE_USERNS();
  TempDir dir;
  const std::string library = dir.path() + "/libnot-elf.so";
  std::ofstream(library) << "this is not an ELF file\n";
  core::WireRequest request = ArgsRequest("EchoParams", "x", {"out"});
  request.library = library;
  const int memfd = RequestMemfd(request);
  FakeForkServer server({"--report-entry"}, {memfd, 1}, DefaultProfile());
  close(memfd);
  ExpectRecord(server.NextReport(), LaunchReportType::kReady, 0);
  auto missing = server.NextReport();
  ExpectRecord(missing, LaunchReportType::kEntryMissing, 120);
  // dlerror's text: "<path>: invalid ELF header" (or "file too short").
  EXPECT_EQ(std::string(missing->message).rfind(library + ": ", 0), 0u) << missing->message;
  auto end = server.Finish();
  EXPECT_EQ(end.exit_code(), 120) << end.err;
  EXPECT_EQ(end.out, "");
}

TEST(ControlSocket, ReportEntrySendsEntryMissingWith121ForAMissingSymbol) {
  NCP_REQUIRE_USERNS();
  const int memfd = RequestMemfd(ArgsRequest("NoSuchEntry", "x", {"out"}));
  FakeForkServer server({"--report-entry"}, {memfd, 1}, DefaultProfile());
  close(memfd);
  ExpectRecord(server.NextReport(), LaunchReportType::kReady, 0);
  auto missing = server.NextReport();
  ExpectRecord(missing, LaunchReportType::kEntryMissing, 121);
  EXPECT_NE(std::string(missing->message).find("undefined symbol: NoSuchEntry"), std::string::npos)
      << missing->message;
  auto end = server.Finish();
  EXPECT_EQ(end.exit_code(), 121) << end.err;
  EXPECT_EQ(end.out, "");
}

// IPC-type children: both symbols must be there before kEntryFound.
core::WireRequest IpcRequest(const std::string& library, int ipc_fd) {
  core::WireRequest request = ArgsRequest("", "");
  request.kind = core::ChildKind::kIpc;
  request.library = library;
  request.process_name = "ipc";
  request.ipc_fd = ipc_fd;
  return request;
}

struct SocketPair {
  int ours = -1;
  int theirs = -1;
  SocketPair() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0) {
      ours = fds[0];
      theirs = fds[1];
    }
  }
  ~SocketPair() {
    if (ours >= 0) close(ours);
    if (theirs >= 0) close(theirs);
  }
  void CloseTheirs() {
    close(theirs);
    theirs = -1;
  }
  void CloseOurs() {
    close(ours);
    ours = -1;
  }
  // True when the child wrote anything (its connection's hello) before it hung up.
  bool PeerSpoke() {
    char buffer[4096];
    return recv(ours, buffer, sizeof(buffer), 0) > 0;
  }
};

TEST(ControlSocket, ReportEntryForAnIpcChildWithoutMainProcIs121) {
  NCP_REQUIRE_USERNS();
  SocketPair ipc;
  const int memfd = RequestMemfd(IpcRequest(NCP_TEST_IPC_NO_MAIN_PATH, 4));
  FakeForkServer server({"--report-entry"}, {memfd, ipc.theirs}, DefaultProfile());
  close(memfd);
  ipc.CloseTheirs();
  ExpectRecord(server.NextReport(), LaunchReportType::kReady, 0);
  auto missing = server.NextReport();
  ExpectRecord(missing, LaunchReportType::kEntryMissing, 121);
  EXPECT_EQ(std::string(missing->message),
            std::string("no NativeChildProcess_MainProc in ") + NCP_TEST_IPC_NO_MAIN_PATH);
  auto end = server.Finish();
  EXPECT_EQ(end.exit_code(), 121) << end.err;
  EXPECT_FALSE(ipc.PeerSpoke());
}

// Both symbols found: kEntryFound, then OnConnect runs (this one returns NULL, which the child
// announces on its socket before it exits 123).
TEST(ControlSocket, ReportEntryForAnIpcChildIsFoundBeforeOnConnect) {
  NCP_REQUIRE_USERNS();
  SocketPair ipc;
  const int memfd = RequestMemfd(IpcRequest(NCP_TEST_IPC_NULL_STUB_PATH, 4));
  FakeForkServer server({"--report-entry"}, {memfd, ipc.theirs}, DefaultProfile());
  close(memfd);
  ipc.CloseTheirs();
  ExpectRecord(server.NextReport(), LaunchReportType::kReady, 0);
  ExpectRecord(server.NextReport(), LaunchReportType::kEntryFound, 0);
  auto end = server.Finish();
  EXPECT_EQ(end.exit_code(), 123) << end.err;
  EXPECT_TRUE(ipc.PeerSpoke());
}

// --- warm ----------------------------------------------------------------------------------

// The template: the real library and kind, no params, no fds.
int WarmTemplate() { return RequestMemfd(ArgsRequest("EchoParams", "")); }

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == 0) {
      read = fds[0];
      write = fds[1];
    }
  }
  ~Pipe() {
    if (read >= 0) close(read);
    if (write >= 0) close(write);
  }
  // What was written until every writer closed (ours first).
  std::string Drain() {
    close(write);
    write = -1;
    return ReadAll(read);
  }
};

// A warm sandbox built from the default template, its build reported ready.
std::unique_ptr<FakeForkServer> ReadyWarmSandbox(const std::vector<std::string>& flags = {
                                                     "--warm"}) {
  const int templ = WarmTemplate();
  auto server = std::make_unique<FakeForkServer>(flags, std::vector<int>{templ}, DefaultProfile());
  close(templ);
  ExpectRecord(server->NextReport(), LaunchReportType::kReady, 0);
  return server;
}

// Sends `request` to a warm sandbox, as a memfd (closed once sent), with `fds`.
bool SendWarmRequest(FakeForkServer& server, const core::WireRequest& request,
                     const std::vector<int>& fds,
                     std::optional<uint32_t> claimed_count = std::nullopt) {
  const int memfd = RequestMemfd(request);
  const bool sent = server.SendRequest(memfd, fds, claimed_count);
  close(memfd);
  return sent;
}

TEST(ControlSocketWarm, ReadyComesBeforeTheRequestAndTheEntryGetsItsParamsAndFd) {
  NCP_REQUIRE_USERNS();
  auto server = ReadyWarmSandbox();

  Pipe out;
  ASSERT_TRUE(
      SendWarmRequest(*server, ArgsRequest("EchoParams", "warm params", {"out"}), {out.write}));
  // The second kReady: the request was checked and handed to the waiting entry.
  ExpectRecord(server->NextReport(), LaunchReportType::kReady, 0);
  auto end = server->Finish();
  EXPECT_EQ(end.exit_code(), 0) << end.err;
  EXPECT_EQ(out.Drain(), "warm params");
  // Nothing more without --report-entry.
  EXPECT_FALSE(server->NextReport().has_value());
}

TEST(ControlSocketWarm, TheEntryHasItsNamedFdAt4AndNoOtherFds) {
  NCP_REQUIRE_USERNS();
  auto server = ReadyWarmSandbox({"--warm", "--report-entry"});
  Pipe out;
  ASSERT_TRUE(SendWarmRequest(*server, ArgsRequest("ReportFds", "", {"out"}), {out.write}));
  ExpectRecord(server->NextReport(), LaunchReportType::kReady, 0);  // accepted
  ExpectRecord(server->NextReport(), LaunchReportType::kEntryFound, 0);
  auto end = server->Finish();
  EXPECT_EQ(end.exit_code(), 0) << end.err;
  EXPECT_EQ(out.Drain(), "out=4\nopen: 0 1 2 4\n");
}

TEST(ControlSocketWarm, ASecondRequestIsNeverRead) {
  NCP_REQUIRE_USERNS();
  auto server = ReadyWarmSandbox();
  Pipe first;
  Pipe second;
  const int one = RequestMemfd(ArgsRequest("EchoParams", "first", {"out"}));
  const int two = RequestMemfd(ArgsRequest("EchoParams", "second", {"out"}));
  ASSERT_TRUE(server->SendRequest(one, {first.write}));
  ASSERT_TRUE(server->SendRequest(two, {second.write}));
  close(one);
  close(two);
  auto end = server->Finish();
  EXPECT_EQ(end.exit_code(), 0) << end.err;
  EXPECT_EQ(first.Drain(), "first");
  // The unread datagram's fds are dropped with ncp-launch's socket: the pipe has no writer.
  EXPECT_EQ(second.Drain(), "");
}

TEST(ControlSocketWarm, EofBeforeARequestEndsTheSandboxAndExitsZeroSilently) {
  NCP_REQUIRE_USERNS();
  auto server = ReadyWarmSandbox();
  // The sandbox: init and the waiting entry-mode process, both below ncp-launch.
  const std::set<pid_t> sandbox = Descendants(server->pid());
  ASSERT_EQ(sandbox.size(), 2u);
  std::vector<int> pidfds;
  for (pid_t pid : sandbox) pidfds.push_back(OpenPidfd(pid));
  server->CloseControl();
  auto end = server->Finish();
  EXPECT_EQ(end.exit_code(), 0);
  EXPECT_EQ(end.err, "");
  EXPECT_EQ(end.out, "");
  for (int pidfd : pidfds) {
    ASSERT_GE(pidfd, 0);
    EXPECT_TRUE(WaitForEnd(pidfd));
  }
  for (pid_t pid : sandbox) EXPECT_NE(access(("/proc/" + std::to_string(pid)).c_str(), F_OK), 0);
}

void ExpectRefused(FakeForkServer* server, const std::string& reason);

// --verbose names the warm steps; the figure (request taken → entry called) is printed for
// the record, not asserted.
TEST(ControlSocketWarm, VerboseTimesTheRequestToTheEntry) {
  NCP_REQUIRE_USERNS();
  const int templ = WarmTemplate();
  std::vector<std::string> options = DefaultProfile();
  options.push_back("--verbose");
  FakeForkServer server({"--warm"}, {templ}, options);
  close(templ);
  ExpectRecord(server.NextReport(), LaunchReportType::kReady, 0);
  // kReady comes at the exec of the entry mode: let it settle into its wait, as a pooled
  // sandbox has, so the figure is the hand-over's and not the entry mode's own start.
  usleep(300 * 1000);
  Pipe out;
  const int request = RequestMemfd(ArgsRequest("EchoParams", "timed", {"out"}));
  ASSERT_TRUE(server.SendRequest(request, {out.write}));
  close(request);
  auto end = server.Finish();
  EXPECT_EQ(end.exit_code(), 0) << end.err;
  EXPECT_EQ(out.Drain(), "timed");
  if (getenv("NCP_SHOW_VERBOSE")) std::fputs(end.err.c_str(), stdout);
  for (const char* step : {"parent warm-check-and-forward", "entry  warm-request-to-entry"}) {
    const size_t at = end.err.find(step);
    ASSERT_NE(at, std::string::npos) << end.err;
    std::printf("%s\n", end.err.substr(at, end.err.find('\n', at) - at).c_str());
  }
}

// The IPC socket lands at the request's number (7 here, past the named fd at 4): the child
// adopts it there and speaks on it.
TEST(ControlSocketWarm, AnIpcRequestsSocketLandsAtItsNumber) {
  NCP_REQUIRE_USERNS();
  const int templ = RequestMemfd(IpcRequest(NCP_TEST_IPC_NULL_STUB_PATH, -1));
  FakeForkServer server({"--warm", "--report-entry"}, {templ}, DefaultProfile());
  close(templ);
  ExpectRecord(server.NextReport(), LaunchReportType::kReady, 0);
  SocketPair ipc;
  Pipe named;
  core::WireRequest request = IpcRequest(NCP_TEST_IPC_NULL_STUB_PATH, 7);
  request.fd_names = {"extra"};
  const int memfd = RequestMemfd(request);
  ASSERT_TRUE(server.SendRequest(memfd, {named.write, ipc.theirs}));
  close(memfd);
  ipc.CloseTheirs();
  ExpectRecord(server.NextReport(), LaunchReportType::kReady, 0);  // accepted
  ExpectRecord(server.NextReport(), LaunchReportType::kEntryFound, 0);
  auto end = server.Finish();
  EXPECT_EQ(end.exit_code(), 123) << end.err;
  EXPECT_TRUE(ipc.PeerSpoke());
}

TEST(ControlSocketWarm, AnIpcFdPastTwentyIsRefused) {
  NCP_REQUIRE_USERNS();
  const int templ = RequestMemfd(IpcRequest(NCP_TEST_IPC_NULL_STUB_PATH, -1));
  FakeForkServer server({"--warm"}, {templ}, DefaultProfile());
  close(templ);
  ExpectRecord(server.NextReport(), LaunchReportType::kReady, 0);
  SocketPair ipc;
  const int memfd = RequestMemfd(IpcRequest(NCP_TEST_IPC_NULL_STUB_PATH, 21));
  ASSERT_TRUE(server.SendRequest(memfd, {ipc.theirs}));
  close(memfd);
  ipc.CloseTheirs();
  ExpectRefused(&server, "IPC fd 21 outside 4..20");
  EXPECT_FALSE(ipc.PeerSpoke());
}

void ExpectRefused(FakeForkServer* server, const std::string& reason) {
  auto failed = server->NextReport();
  ExpectRecord(failed, LaunchReportType::kFailed, 125);
  EXPECT_NE(std::string(failed->message).find(reason), std::string::npos) << failed->message;
  auto end = server->Finish();
  EXPECT_EQ(end.exit_code(), 125);
  EXPECT_EQ(end.err.find(reason), std::string::npos) << end.err;
  EXPECT_FALSE(server->NextReport().has_value());
}

TEST(ControlSocketWarm, ARegularFileInTheRequestIsRefused) {
  NCP_REQUIRE_USERNS();
  auto server = ReadyWarmSandbox();
  TempDir dir;
  std::ofstream(dir.path() + "/file") << "x";
  const int file = open((dir.path() + "/file").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(file, 0);
  ASSERT_TRUE(SendWarmRequest(*server, ArgsRequest("EchoParams", "never", {"out"}), {file}));
  ExpectRefused(server.get(), "fd 1 is neither a pipe nor a socket");
  // Nothing of the entry ran: it would have written its params into the file.
  char buffer[16];
  EXPECT_EQ(pread(file, buffer, sizeof(buffer), 0), 1);
  close(file);
}

TEST(ControlSocketWarm, AnotherLibraryIsRefused) {
  NCP_REQUIRE_USERNS();
  auto server = ReadyWarmSandbox();
  Pipe out;
  core::WireRequest request = ArgsRequest("EchoParams", "never", {"out"});
  request.library = "/usr/lib/other.so";
  ASSERT_TRUE(SendWarmRequest(*server, request, {out.write}));
  ExpectRefused(server.get(), "library \"/usr/lib/other.so\" is not the warm sandbox's");
  EXPECT_EQ(out.Drain(), "");
}

TEST(ControlSocketWarm, AWrongFdCountIsRefused) {
  NCP_REQUIRE_USERNS();
  auto server = ReadyWarmSandbox();
  Pipe out;
  ASSERT_TRUE(SendWarmRequest(*server, ArgsRequest("EchoParams", "never", {"out"}), {out.write},
                              /*claimed_count=*/3));
  ExpectRefused(server.get(), "header says 3 fds, 2 came");
  EXPECT_EQ(out.Drain(), "");
}

// One WarmBuildRequest to a builder, with the new sandbox's control socket; returns the reply's
// pid and pidfd (-1 when the builder answered nothing: it ended).
struct Built {
  pid_t pid = -1;
  int pidfd = -1;
};
Built AskToBuild(FakeForkServer* builder, uint64_t build_id, int sandbox_socket) {
  const core::WarmBuildRequest request{core::kLaunchReportVersion, 0, build_id};
  Built built;
  if (!core::SendMessage(builder->control(), &request, sizeof(request), &sandbox_socket, 1)) {
    return built;
  }
  pollfd pfd{builder->control(), POLLIN, 0};
  if (poll(&pfd, 1, 20000) != 1) return built;
  core::WarmBuildReply reply{};
  std::vector<base::UniqueFd> fds;
  if (core::ReceiveMessage(builder->control(), &reply, sizeof(reply), &fds, 1) !=
      static_cast<ssize_t>(sizeof(reply))) {
    return built;
  }
  EXPECT_EQ(reply.build_id, build_id);
  built.pid = reply.pid;
  if (!fds.empty()) built.pidfd = fds[0].release();
  return built;
}

// Issue 11, red team: a builder outlives nothing it was built from. Once its ncp-launch was
// replaced (a package upgrade renames the new file over the old), it forks no more sandboxes
// from the old image: it exits at the next request, and the fork server forgets the shape.
TEST(ControlSocketBuilder, ABuilderWhoseLauncherWasReplacedExitsInsteadOfBuilding) {
  NCP_REQUIRE_USERNS();
  TempDir dir;  // an installed layout: bin/ncp-launch, libexec/ncp/ncp-entry
  namespace fs = std::filesystem;
  fs::create_directories(dir.path() + "/bin");
  fs::create_directories(dir.path() + "/libexec/ncp");
  const std::string launcher = dir.path() + "/bin/ncp-launch";
  fs::copy_file(NCP_LAUNCH_PATH, launcher);
  fs::copy_file(NCP_ENTRY_PATH, dir.path() + "/libexec/ncp/ncp-entry");
  const int request = RequestMemfd(ArgsRequest("EchoParams", ""));
  FakeForkServer builder({"--warm", "--builder"}, {request}, DefaultProfile(), launcher);
  close(request);
  ExpectRecord(builder.NextReport(), LaunchReportType::kReady, 0);

  SocketPair first;
  const Built built = AskToBuild(&builder, 1, first.theirs);
  ASSERT_GT(built.pid, 0);
  ASSERT_GE(built.pidfd, 0);
  first.CloseTheirs();
  // The sandbox's launcher, our child (CLONE_PARENT): it reports its sandbox built.
  char record[sizeof(LaunchReport) + 1];
  pollfd pfd{first.ours, POLLIN, 0};
  ASSERT_EQ(poll(&pfd, 1, 20000), 1);
  ASSERT_EQ(recv(first.ours, record, sizeof(record), 0), static_cast<ssize_t>(sizeof(LaunchReport)));
  EXPECT_EQ(core::ParseLaunchReport(record, sizeof(LaunchReport))->type, LaunchReportType::kReady);
  first.CloseOurs();  // let it go: it ends silently
  int status = 0;
  ASSERT_EQ(waitpid(built.pid, &status, 0), built.pid) << "the sandbox is not the caller's child";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  close(built.pidfd);

  fs::copy_file(NCP_LAUNCH_PATH, launcher + ".new");
  fs::rename(launcher + ".new", launcher);
  SocketPair second;
  const Built after = AskToBuild(&builder, 2, second.theirs);
  EXPECT_EQ(after.pid, -1) << "a sandbox was forked from the replaced launcher";
  if (after.pid > 0) {
    kill(after.pid, SIGKILL);
    waitpid(after.pid, nullptr, 0);
  }
  builder.CloseControl();  // ends a builder that is still waiting, rather than hang here
  const FakeForkServer::End end = builder.Finish();
  EXPECT_EQ(end.exit_code(), 0) << end.err;
}

}  // namespace
}  // namespace ncp::testing
