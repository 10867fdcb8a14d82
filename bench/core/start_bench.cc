// Start benchmark for libchild_process.so. In one run:
//  - anchor: posix_spawn + waitpid of /bin/true;
//  - start-to-entry: OH_Ability_StartNativeChildProcess call → the entry's first byte read from
//    a passed pipe;
//  - exit-to-callback: the byte that makes the child's entry return → the exit callback runs;
//  - 512 children started back to back: total time and the parent's peak RSS.
// Prints median, p99 and the ratio of each median to the anchor's.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "ncp/native_child_process_ext.h"
#include "stats.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

struct Exits {
  std::mutex mu;
  std::condition_variable cv;
  int count = 0;
  Clock::time_point last;
};
Exits g_exits;

void OnExit(const NCP_ChildExitInfo*, void*) {
  std::lock_guard lock(g_exits.mu);
  g_exits.last = Clock::now();
  ++g_exits.count;
  g_exits.cv.notify_all();
}

void WaitForExits(int n) {
  std::unique_lock lock(g_exits.mu);
  g_exits.cv.wait(lock, [n] { return g_exits.count >= n; });
}

int32_t Start(const char* entry, NativeChildProcess_Fd* fds) {
  NativeChildProcess_Args args{nullptr, {fds}};
  int32_t pid = 0;
  int rc = OH_Ability_StartNativeChildProcess(entry, args, {NCP_ISOLATION_MODE_NORMAL, 0}, &pid);
  if (rc != NCP_NO_ERROR) {
    std::fprintf(stderr, "start failed: %d %s\n", rc, NCP_GetLastErrorMessage());
    std::exit(1);
  }
  return pid;
}

std::vector<double> AnchorPosixSpawnTrue(int iterations) {
  std::vector<double> us;
  char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
  for (int i = 0; i < iterations; ++i) {
    auto t0 = Clock::now();
    pid_t pid;
    if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ) != 0) std::exit(1);
    int status;
    waitpid(pid, &status, 0);
    us.push_back(Micros(Clock::now() - t0));
  }
  return us;
}

std::vector<double> StartToEntry(int iterations) {
  std::vector<double> us;
  for (int i = 0; i < iterations; ++i) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) std::exit(1);
    NativeChildProcess_Fd out{const_cast<char*>("out"), p[1], nullptr};
    const int before = g_exits.count;
    auto t0 = Clock::now();
    Start("libncp_bench_entries.so:WriteByte", &out);
    char c;
    if (read(p[0], &c, 1) != 1) std::exit(1);
    us.push_back(Micros(Clock::now() - t0));
    close(p[0]);
    close(p[1]);
    WaitForExits(before + 1);
  }
  return us;
}

std::vector<double> ExitToCallback(int iterations) {
  std::vector<double> us;
  for (int i = 0; i < iterations; ++i) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) std::exit(1);
    NativeChildProcess_Fd in{const_cast<char*>("in"), p[0], nullptr};
    const int before = g_exits.count;
    Start("libncp_bench_entries.so:WaitForByte", &in);
    close(p[0]);
    usleep(2000);  // let the child reach its read()
    auto t0 = Clock::now();
    if (write(p[1], "x", 1) != 1) std::exit(1);
    WaitForExits(before + 1);
    us.push_back(Micros(g_exits.last - t0));
    close(p[1]);
  }
  return us;
}

void FiveHundredTwelve(const ncp::bench::Summary& anchor) {
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  const int exits_before = g_exits.count;
  std::vector<int32_t> pids;
  auto t0 = Clock::now();
  for (int i = 0; i < 512; ++i) pids.push_back(Start("libncp_bench_entries.so:Sleep", nullptr));
  double total = Micros(Clock::now() - t0);
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  for (int32_t pid : pids) OH_Ability_KillChildProcess(pid);
  WaitForExits(exits_before + 512);
  std::printf("%-44s total %9.1f ms  per child %7.1f us  ratio %5.2fx\n",
              "512 children back to back", total / 1000, total / 512, total / 512 / anchor.median_us);
  std::printf("%-44s before %6ld KiB  after %6ld KiB\n", "parent peak RSS", before.ru_maxrss,
              after.ru_maxrss);
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 300;
  setenv("NCP_LIBRARY_PATH", NCP_BENCH_LIB_DIR, 0);
  NCP_RegisterChildExitCallback(&OnExit, nullptr);
  // Warm up both paths (page cache, the library's threads) before measuring.
  AnchorPosixSpawnTrue(20);
  StartToEntry(20);

  using ncp::bench::Summarize;
  std::printf("ncp start benchmark, %d iterations each\n", iterations);
  // Interleave anchor and subject in rounds so machine noise hits both alike.
  std::vector<double> anchor_us, entry_us, exit_us;
  for (int round = 0; round < 5; ++round) {
    auto a = AnchorPosixSpawnTrue(iterations / 5);
    auto e = StartToEntry(iterations / 5);
    auto x = ExitToCallback(iterations / 5);
    anchor_us.insert(anchor_us.end(), a.begin(), a.end());
    entry_us.insert(entry_us.end(), e.begin(), e.end());
    exit_us.insert(exit_us.end(), x.begin(), x.end());
  }
  const auto anchor = Summarize(anchor_us);
  ncp::bench::PrintRow("anchor: posix_spawn + wait of /bin/true", anchor, anchor);
  ncp::bench::PrintRow("start-to-entry (StartNativeChildProcess)", Summarize(entry_us), anchor);
  ncp::bench::PrintRow("exit-to-callback", Summarize(exit_us), anchor);
  FiveHundredTwelve(anchor);
  return 0;
}
