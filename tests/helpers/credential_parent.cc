// An application that changes its credentials between two starts, for the fork server's
// credential test (issue 9 item 7). Run as root:
// Both credential modes give the process groups 10 and 100 first.
//   ncp_test_credential_parent process   starts "first" as root, drops the whole process to
//                                        nobody (setgroups, setresgid, setresuid), starts "second"
//   ncp_test_credential_parent thread    the main thread stays root; another thread drops only
//                                        itself with raw syscalls (and one capability from its
//                                        bounding set) and starts "second"
//   process-warm, thread-warm            the same with the warm pool on and filled before the
//                                        drop: the prepared children have root's credentials,
//                                        and none may serve "second"
//   churn                                process-warm, then three more starts as nobody: the
//                                        prepared children present before them are still there
//                                        after ("prepared-kept 1"), none taken and withdrawn
//   ncp_test_credential_parent pidfd     starts "first", then makes the fork server's fd table
//                                        full (prlimit), so its pidfd_open for "second" (a
//                                        normal start: its request comes in the message, with
//                                        no fd) fails
//   ncp_test_credential_parent fulltable fills its own fd table so that the pidfd of "second"
//                                        cannot be received
//   ncp_test_credential_parent fullwarm  fills its own fd table, then turns the warm pool on:
//                                        the prepared children's fds cannot be received
// Each child writes "NAME Key:\tvalue" lines (ReportCredentials) to our stdout; we write the
// calling thread's own lines as "caller-NAME ...", "start NAME RC MESSAGE" for each start, and
// "exits N" once the exit callbacks have fired (or after 10 s).
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "ncp/native_child_process_ext.h"

namespace {

std::atomic<int> g_exits{0};

void OnExit(const NCP_ChildExitInfo*, void*) { g_exits.fetch_add(1); }

// The calling thread's credential lines, as ReportCredentials writes a child's.
void PrintOwn(const std::string& name) {
  static const char* const kKeys[] = {"Uid:",    "Gid:",    "Groups:", "CapInh:",    "CapPrm:",
                                      "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:"};
  std::ifstream status("/proc/thread-self/status");
  std::string line;
  while (std::getline(status, line)) {
    for (const char* key : kKeys) {
      if (line.rfind(key, 0) == 0) std::printf("caller-%s %s\n", name.c_str(), line.c_str());
    }
  }
  std::fflush(stdout);
}

int Start(const std::string& name, const char* entry = "ReportCredentials") {
  PrintOwn(name);
  NativeChildProcess_Args args{const_cast<char*>(name.c_str()), {nullptr}};
  int32_t pid = 0;
  const std::string library = std::string("libncp_test_entries.so:") + entry;
  const int rc = OH_Ability_StartNativeChildProcess(library.c_str(), args,
                                                    {NCP_ISOLATION_MODE_NORMAL, 0}, &pid);
  std::printf("start %s %d %s\n", name.c_str(), rc, NCP_GetLastErrorMessage());
  std::fflush(stdout);
  return rc;
}

void WaitForExits(int n) {
  for (int i = 0; i < 1000 && g_exits.load() < n; ++i) usleep(10 * 1000);
}

// Whether `server` has no child (live or zombie) left, waiting up to 5 s for that.
bool ServerHasNoChildWithin5s(pid_t server) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream children("/proc/" + std::to_string(server) + "/task/" + std::to_string(server) +
                           "/children");
    std::string any;
    if (!(children >> any)) return true;
    usleep(10 * 1000);
  }
  return false;
}

// Opens /dev/null until the fd table is full (`leave_free` slots left) under a limit of 256.
std::vector<int> FillFdTable(int leave_free) {
  const rlimit limit{256, 256};
  std::vector<int> filler;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return filler;
  for (int fd; (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) filler.push_back(fd);
  for (int i = 0; i < leave_free && !filler.empty(); ++i) {
    close(filler.back());
    filler.pop_back();
  }
  return filler;
}

// The fork server: our (only) child named ncp-forkserver.
pid_t ForkServerPid() {
  DIR* proc = opendir("/proc");
  pid_t found = -1;
  while (const dirent* e = proc ? readdir(proc) : nullptr) {
    const pid_t pid = atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const size_t close = text.rfind(')');
    if (close == std::string::npos || text.find("(ncp-forkserver)") == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    char state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == getpid()) found = pid;
  }
  if (proc) closedir(proc);
  return found;
}

// The prepared normal children of `server` (its children named ncp-warm-child), sorted.
std::set<pid_t> PreparedChildren(pid_t server) {
  std::set<pid_t> found;
  std::ifstream children("/proc/" + std::to_string(server) + "/task/" + std::to_string(server) +
                         "/children");
  for (pid_t pid; children >> pid;) {
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    if (std::getline(comm, name) && name == "ncp-warm-child") found.insert(pid);
  }
  return found;
}

// Room for exactly one more fd in `pid` (the request memfd it will receive); the next one
// (the pidfd) fails with EMFILE.
bool LeaveNoFreeSlot(pid_t pid) {
  std::set<int> open;
  DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (dir == nullptr) return false;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') open.insert(atoi(e->d_name));
  }
  closedir(dir);
  int first_free = 0;
  while (open.contains(first_free)) ++first_free;
  const rlimit limit{static_cast<rlim_t>(first_free), static_cast<rlim_t>(first_free)};
  return prlimit(pid, RLIMIT_NOFILE, &limit, nullptr) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The modes below count the fork server's children and fds: no prepared ones in the way.
  NCP_SetWarmPool(0, 0);
  std::string mode = argc > 1 ? argv[1] : "";
  const bool churn = mode == "churn";
  if (churn) mode = "process-warm";
  const std::string kWarmSuffix = "-warm";
  const bool warm =
      mode.size() > kWarmSuffix.size() &&
      mode.compare(mode.size() - kWarmSuffix.size(), kWarmSuffix.size(), kWarmSuffix) == 0;
  if (warm) {
    mode.resize(mode.size() - kWarmSuffix.size());
    if (NCP_SetWarmPool(NCP_WARM_POOL_DEFAULT_SIZE, 30000) != NCP_NO_ERROR) return 1;
  }
  NCP_RegisterChildExitCallback(OnExit, nullptr);
  // Supplementary groups to lose (the process-wide glibc call: every thread has them).
  const gid_t groups[] = {10, 100};
  if ((mode == "process" || mode == "thread") && setgroups(2, groups) != 0) {
    std::perror("setgroups");
    return 1;
  }
  if (Start("first") != NCP_NO_ERROR) return 1;
  WaitForExits(1);
  if (warm) usleep(300 * 1000);  // the pool is filled, with root's prepared children
  if (mode == "process") {
    if (setgroups(0, nullptr) != 0 || setresgid(65534, 65534, 65534) != 0 ||
        setresuid(65534, 65534, 65534) != 0) {
      std::perror("drop");
      return 1;
    }
    if (Start("second") != NCP_NO_ERROR) return 1;
  } else if (mode == "thread") {
    int rc = -1;
    std::thread([&rc] {
      // Raw syscalls: glibc's wrappers would change every thread of the process.
      // The bounding set is per thread as well: drop one capability it still has (a container
      // may have removed CAP_SYS_ADMIN already).
      int present = -1;
      for (int cap : {CAP_SYS_ADMIN, CAP_MKNOD, CAP_NET_RAW, CAP_CHOWN}) {
        if (present < 0 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) present = cap;
      }
      if (present < 0 || prctl(PR_CAPBSET_DROP, present, 0, 0, 0) != 0 ||
          syscall(SYS_setgroups, 0, nullptr) != 0 ||
          syscall(SYS_setresgid, 65534, 65534, 65534) != 0 ||
          syscall(SYS_setresuid, 65534, 65534, 65534) != 0) {
        std::perror("drop");
        return;
      }
      rc = Start("second");
    }).join();
    if (rc != NCP_NO_ERROR) return 1;
    PrintOwn("main");  // still root
  } else if (mode == "pidfd") {
    const pid_t server = ForkServerPid();
    if (server <= 0 || !LeaveNoFreeSlot(server)) {
      std::perror("fork server fd limit");
      return 1;
    }
    // Must fail, and no "second" line may ever appear: nothing started runs untracked. The
    // pause only gives such a child (the old bug) time to show itself before we exit and the
    // parent-death signal ends it; the test reads our stdout to EOF.
    Start("second", "SayOnStdout");
    usleep(300 * 1000);
    std::printf("exits %d\n", g_exits.load());
    return 0;
  } else if (mode == "fulltable") {
    // Our own fd table full but for the slot the start itself needs (the socket copy; the
    // umask is read through the fd kept since "first", the request rides in the message), so
    // the pidfd the fork server sends back cannot be received. Before the fix the start then
    // waited forever: the alarm ends that.
    alarm(20);
    const pid_t server = ForkServerPid();
    if (server <= 0) return 1;
    std::vector<int> filler = FillFdTable(1);
    const int rc = Start("second", "Sleep");
    for (int fd : filler) close(fd);
    // The child must not be left running: the server killed it (or it never ran).
    const bool gone = ServerHasNoChildWithin5s(server);
    std::printf("rc %d children-left %d\n", rc, gone ? 0 : 1);
    std::printf("exits %d\n", g_exits.load());
    return 0;
  } else if (mode == "fullwarm") {
    // The server announces prepared children while our fd table is full: their channels and
    // pidfds cannot be received. They must be let go, not left waiting for a start that can
    // never reach them, and starts must go on once there is room again.
    alarm(20);
    const pid_t server = ForkServerPid();
    if (server <= 0) return 1;
    std::vector<int> filler = FillFdTable(0);
    if (NCP_SetWarmPool(2, 0) != NCP_NO_ERROR) return 1;
    usleep(300 * 1000);               // the refill and its refusal
    for (int fd : filler) close(fd);  // (the check below needs an fd)
    const bool gone = ServerHasNoChildWithin5s(server);
    std::printf("children-left %d\n", gone ? 0 : 1);
    std::fflush(stdout);
    if (Start("second") != NCP_NO_ERROR) return 1;
    WaitForExits(2);
    std::printf("exits %d\n", g_exits.load());
    return 0;
  } else {
    std::fprintf(stderr, "usage: %s process|thread|pidfd|fulltable|fullwarm\n", argv[0]);
    return 2;
  }
  WaitForExits(2);
  if (churn) {
    // The first start as nobody took a prepared child and withdrew it; the thread now reads
    // its credentials before it sends anything.
    usleep(300 * 1000);  // the refill
    const pid_t server = ForkServerPid();
    const std::set<pid_t> before = PreparedChildren(server);
    for (int i = 0; i < 3; ++i) {
      if (Start("third") != NCP_NO_ERROR) return 1;
      WaitForExits(3 + i);
    }
    usleep(300 * 1000);  // a refill, had one been taken
    const std::set<pid_t> after = PreparedChildren(server);
    std::printf("prepared-kept %d (%zu before)\n", !before.empty() && before == after ? 1 : 0,
                before.size());
  }
  // Time for the end of a withdrawn prepared child to be (wrongly) reported as one more.
  if (warm) usleep(200 * 1000);
  std::printf("exits %d\n", g_exits.load());
  return 0;
}
