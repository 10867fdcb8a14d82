#include "core/child_test_support.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace ncp::testing {

Pipe MakePipe() {
  int fds[2];
  EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
  return {base::UniqueFd(fds[0]), base::UniqueFd(fds[1])};
}

std::string ReadAll(int fd, std::chrono::milliseconds timeout) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ADD_FAILURE() << "timed out reading from a child; got " << out.size() << " bytes";
      return out;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

FdList& FdList::Add(std::string name, int fd) {
  names_.push_back(std::move(name));
  fds_.push_back(fd);
  return *this;
}

NativeChildProcess_FdList FdList::list() {
  nodes_.assign(names_.size(), NativeChildProcess_Fd{});
  for (size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i].fdName = names_[i].data();
    nodes_[i].fd = fds_[i];
    nodes_[i].next = i + 1 < nodes_.size() ? &nodes_[i + 1] : nullptr;
  }
  return {nodes_.empty() ? nullptr : nodes_.data()};
}

int StartEntry(const std::string& entry, const char* params, FdList* fds, int32_t* pid) {
  std::string full = std::string(kTestLib) + ":" + entry;
  NativeChildProcess_Args args{const_cast<char*>(params),
                               fds ? fds->list() : NativeChildProcess_FdList{}};
  NativeChildProcess_Options options{NCP_ISOLATION_MODE_NORMAL, 0};
  return OH_Ability_StartNativeChildProcess(full.c_str(), args, options, pid);
}

std::string RunAndCapture(const std::string& entry, const char* params) {
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  int32_t pid = 0;
  EXPECT_EQ(StartEntry(entry, params, &fds, &pid), NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  out.write.reset();  // the caller may close its fds as soon as the call returns
  return ReadAll(out.read.get());
}

ExitWatcher::ExitWatcher() {
  EXPECT_EQ(NCP_RegisterChildExitCallback(&OnExit, this), NCP_NO_ERROR);
}
ExitWatcher::~ExitWatcher() {
  EXPECT_EQ(NCP_UnregisterChildExitCallback(&OnExit, this), NCP_NO_ERROR);
}

void ExitWatcher::OnExit(const NCP_ChildExitInfo* info, void* self) {
  auto* w = static_cast<ExitWatcher*>(self);
  {
    std::lock_guard lock(w->mu_);
    w->exits_[info->pid] = *info;
  }
  w->cv_.notify_all();
}

NCP_ChildExitInfo ExitWatcher::Wait(pid_t pid, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return exits_.count(pid) != 0; })) {
    ADD_FAILURE() << "no exit reported for child " << pid;
    return NCP_ChildExitInfo{};
  }
  return exits_[pid];
}

bool ExitWatcher::Seen(pid_t pid) {
  std::lock_guard lock(mu_);
  return exits_.count(pid) != 0;
}

std::set<pid_t> ExitWatcher::SeenPids() {
  std::lock_guard lock(mu_);
  std::set<pid_t> pids;
  for (const auto& [pid, info] : exits_) pids.insert(pid);
  return pids;
}

static int CountDir(const char* path) {
  DIR* dir = opendir(path);
  if (dir == nullptr) return -1;
  int n = 0;
  while (dirent* e = readdir(dir)) n += e->d_name[0] != '.';
  closedir(dir);
  return n;
}

int CountOpenFds() { return CountDir("/proc/self/fd") - 1; /* the DIR's own fd */ }
int CountThreads() { return CountDir("/proc/self/task"); }
bool ProcessExists(pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }

std::vector<pid_t> ChildrenOfThisProcess() { return ChildrenOf(getpid()); }

std::string ProcessName(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(f, name);
  return name;
}

std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> out;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = opendir(tasks.c_str());
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream f(tasks + "/" + e->d_name + "/children");
    pid_t p;
    while (f >> p) out.push_back(p);
  }
  closedir(dir);
  return out;
}

// Every process below `root` (by parent links in /proc).
namespace {
std::vector<pid_t> Descendants(pid_t root) {
  std::vector<pid_t> found{root}, out;
  for (size_t i = 0; i < found.size(); ++i) {
    for (pid_t child : ChildrenOf(found[i])) {
      found.push_back(child);
      out.push_back(child);
    }
  }
  return out;
}
}  // namespace

// The application dies by SIGKILL: its fork server, its prepared children and sandboxes, all go.
void ExpectNothingLeftAfterKillingTheApplication(const std::vector<std::string>& args,
                                                 size_t at_least_prepared) {
  // Orphans come to us, so that we can see every one of them end.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  Pipe out = MakePipe();
  Pipe in = MakePipe();
  const pid_t app = fork();
  ASSERT_GE(app, 0);
  if (app == 0) {
    dup2(in.read.get(), 0);
    dup2(out.write.get(), 1);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  out.write.reset();
  in.read.reset();
  // "child PID" then "exit CODE SIGNAL": the one start has ended, the pool is filling.
  std::string seen;
  char buf[256];
  while (seen.find("exit ") == std::string::npos) {
    const ssize_t n = read(out.read.get(), buf, sizeof buf);
    if (n <= 0) break;
    seen.append(buf, static_cast<size_t>(n));
  }
  EXPECT_NE(seen.find("exit 0 0"), std::string::npos) << seen;
  // Wait (boundedly) for the prepared processes: the fork server and what it holds ready.
  size_t count = 0;
  for (int i = 0; i < 200 && count < at_least_prepared + 1; ++i) {
    count = Descendants(app).size();
    if (count < at_least_prepared + 1) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_GE(count, at_least_prepared + 1) << "the pool was never filled";
  const std::vector<pid_t> below = Descendants(app);
  kill(app, SIGKILL);
  waitpid(app, nullptr, 0);
  // Everything that was below it ends, and comes back to us (the subreaper) to be reaped.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (pid_t pid : below) {
    for (;;) {
      const pid_t reaped = waitpid(pid, nullptr, WNOHANG);
      if (reaped == pid || (reaped < 0 && kill(pid, 0) != 0 && errno == ESRCH)) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "process " << pid << " (" << ProcessName(pid)
                      << ") was left after the application died";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

// Clock ticks since boot at which `pid` started (/proc/PID/stat field 22).
long long StartTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return std::stoll(field);
  }
  return -1;
}

long long NowTicks() {
  std::ifstream in("/proc/uptime");
  double seconds = 0;
  in >> seconds;
  return static_cast<long long>(seconds * sysconf(_SC_CLK_TCK));
}

}  // namespace ncp::testing
