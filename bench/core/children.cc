#include "children.h"

#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include "clock.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::bench {
namespace {

struct ExitRecord {
  int64_t callback_ns;
  int32_t exit_code;
  int32_t signal;
};

struct Exits {
  std::mutex mu;
  std::condition_variable cv;
  std::map<int32_t, ExitRecord> by_pid;
};

Exits& TheExits() {
  static Exits* exits = new Exits;  // never destroyed: the monitor thread may outlive main
  return *exits;
}

void OnExit(const NCP_ChildExitInfo* info, void*) {
  const int64_t now = MonotonicNs();
  Exits& e = TheExits();
  std::lock_guard lock(e.mu);
  e.by_pid[info->pid] = {now, info->exitCode, info->signal};
  e.cv.notify_all();
}

void SetPool(int32_t size, int32_t idle_ms) {
  if (NCP_SetWarmPool(size, idle_ms) != NCP_NO_ERROR) {
    std::fprintf(stderr, "NCP_SetWarmPool(%d, %d) failed: %s\n", size, idle_ms,
                 NCP_GetLastErrorMessage());
    std::exit(1);
  }
}

}  // namespace

void SetPoolCold() { SetPool(0, 0); }
void SetPoolDefault() { SetPool(kDefaultPoolSize, kDefaultPoolIdleMs); }

void TrackChildExits() {
  if (NCP_RegisterChildExitCallback(&OnExit, nullptr) != NCP_NO_ERROR) {
    std::fprintf(stderr, "cannot register the exit callback: %s\n", NCP_GetLastErrorMessage());
    std::exit(1);
  }
}

int32_t StartEntry(const char* entry, bool isolated, NativeChildProcess_Fd* fds) {
  const std::string name = std::string("libncp_bench_entries.so:") + entry;
  NativeChildProcess_Args args{nullptr, {fds}};
  NativeChildProcess_Options options{
      isolated ? NCP_ISOLATION_MODE_ISOLATED : NCP_ISOLATION_MODE_NORMAL, 0};
  int32_t pid = 0;
  const int rc = OH_Ability_StartNativeChildProcess(name.c_str(), args, options, &pid);
  if (rc != NCP_NO_ERROR) {
    std::fprintf(stderr, "%s start of %s failed: %d %s\n", isolated ? "isolated" : "normal",
                 name.c_str(), rc, NCP_GetLastErrorMessage());
    std::exit(1);
  }
  return pid;
}

namespace {

ExitRecord TakeExitRecord(int32_t pid) {
  Exits& e = TheExits();
  std::unique_lock lock(e.mu);
  e.cv.wait(lock, [&] { return e.by_pid.count(pid) != 0; });
  const ExitRecord record = e.by_pid[pid];
  e.by_pid.erase(pid);
  return record;
}

}  // namespace

int64_t WaitForExitAnyStatus(int32_t pid) { return TakeExitRecord(pid).callback_ns; }

int64_t WaitForExit(int32_t pid) {
  const ExitRecord record = TakeExitRecord(pid);
  if (record.exit_code != 0) {
    std::fprintf(stderr, "child %d ended with exit code %d, signal %d\n", pid, record.exit_code,
                 record.signal);
    std::exit(1);
  }
  return record.callback_ns;
}

int64_t ReadTimestamp(int fd) {
  int64_t ns = 0;
  size_t got = 0;
  while (got < sizeof ns) {
    const ssize_t n = read(fd, reinterpret_cast<char*>(&ns) + got, sizeof ns - got);
    if (n <= 0) {
      std::fprintf(stderr, "the child wrote no timestamp\n");
      std::exit(1);
    }
    got += static_cast<size_t>(n);
  }
  return ns;
}

}  // namespace ncp::bench
