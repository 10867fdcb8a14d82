// Sandbox start benchmark. In one run, interleaved in rounds so machine noise hits all alike:
//  - anchor: `bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev true`, spawn → exit;
//  - `ncp-launch --profile default -- /bin/true`, spawn → exit;
//  - `ncp-launch --profile default LIB.so:WriteByte`, spawn → the entry's byte read;
//  - isolated OH_Ability_StartNativeChildProcess: call → the entry's byte read (skipped with
//    a line when the library answers 801: the isolated start is not wired up in it yet).
// Prints median, p99 and each median's ratio to the anchor's. Usage: launch_bench [ITERATIONS]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "base/path_list.h"
#include "ncp/native_child_process_ext.h"
#include "stats.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

const std::string kEntryLibrary = std::string(NCP_BENCH_LIB_DIR) + "/libncp_bench_entries.so";

std::string FindInPath(const char* name) {
  const char* path = std::getenv("PATH");
  for (const std::string& dir :
       ncp::base::SplitPathList(path != nullptr ? path : "/usr/bin:/bin")) {
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Spawns `argv` with stdout/stderr to /dev/null (or stdout to `out_fd`) and waits for it;
// exits the benchmark if it fails, so a broken setup is never measured.
int Spawn(const std::vector<std::string>& args, int out_fd = -1, bool wait = true,
          pid_t* pid_out = nullptr) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (out_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  }
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    std::fprintf(stderr, "cannot run %s\n", argv[0]);
    std::exit(1);
  }
  if (pid_out != nullptr) *pid_out = pid;
  if (!wait) return 0;
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "%s failed (status %d)\n", argv[0], status);
    std::exit(1);
  }
  return 0;
}

double TimeRun(const std::vector<std::string>& args) {
  const auto t0 = Clock::now();
  Spawn(args);
  return Micros(Clock::now() - t0);
}

// spawn → the entry's first byte on a pipe; then the launcher is reaped (not timed).
double TimeEntryForm() {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) std::exit(1);
  const auto t0 = Clock::now();
  pid_t pid = -1;
  Spawn({NCP_LAUNCH_PATH, "--profile", "default", "--fd", "out=1", kEntryLibrary + ":WriteByte"},
        p[1], /*wait=*/false, &pid);
  char c;
  if (read(p[0], &c, 1) != 1) {
    std::fprintf(stderr, "the entry form wrote nothing\n");
    std::exit(1);
  }
  const double us = Micros(Clock::now() - t0);
  int status = 0;
  waitpid(pid, &status, 0);
  close(p[0]);
  close(p[1]);
  return us;
}

// call → the entry's first byte. nullopt when the library cannot start isolated children.
std::optional<double> TimeIsolatedStart(std::string* why_not) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) std::exit(1);
  NativeChildProcess_Fd out{const_cast<char*>("out"), p[1], nullptr};
  NativeChildProcess_Args args{nullptr, {&out}};
  int32_t pid = 0;
  const auto t0 = Clock::now();
  const int rc = OH_Ability_StartNativeChildProcess("libncp_bench_entries.so:WriteByte", args,
                                                    {NCP_ISOLATION_MODE_ISOLATED, 0}, &pid);
  std::optional<double> us;
  if (rc == NCP_NO_ERROR) {
    char c;
    if (read(p[0], &c, 1) == 1) us = Micros(Clock::now() - t0);
  } else {
    *why_not = "start returned " + std::to_string(rc) + " (" + NCP_GetLastErrorMessage() + ")";
  }
  close(p[0]);
  close(p[1]);
  return us;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 200;
  setenv("NCP_LIBRARY_PATH", NCP_BENCH_LIB_DIR, 0);
  const std::string bwrap = FindInPath("bwrap");
  if (bwrap.empty()) {
    std::printf("bwrap not found: install bubblewrap (scripts/bench-launcher does)\n");
    return 1;
  }
  const std::vector<std::string> anchor_cmd = {bwrap,   "--unshare-all", "--ro-bind", "/", "/",
                                               "--proc", "/proc",        "--dev",     "/dev",
                                               "true"};
  const std::vector<std::string> program_cmd = {NCP_LAUNCH_PATH, "--profile", "default", "--",
                                                "/bin/true"};
  // Warm up: page cache, and the seccomp cache of ncp-launch.
  for (int i = 0; i < 10; ++i) {
    TimeRun(anchor_cmd);
    TimeRun(program_cmd);
    TimeEntryForm();
  }
  std::string isolated_skip;
  bool isolated = TimeIsolatedStart(&isolated_skip).has_value();

  std::vector<double> anchor_us, program_us, entry_us, isolated_us;
  const int rounds = 5;
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i < iterations / rounds; ++i) anchor_us.push_back(TimeRun(anchor_cmd));
    for (int i = 0; i < iterations / rounds; ++i) program_us.push_back(TimeRun(program_cmd));
    for (int i = 0; i < iterations / rounds; ++i) entry_us.push_back(TimeEntryForm());
    for (int i = 0; isolated && i < iterations / rounds; ++i) {
      std::optional<double> us = TimeIsolatedStart(&isolated_skip);
      if (!us) {
        isolated = false;
        break;
      }
      isolated_us.push_back(*us);
    }
  }
  using ncp::bench::PrintRow;
  using ncp::bench::Summarize;
  std::printf("ncp-launch start benchmark, %d iterations each, interleaved in %d rounds\n",
              iterations, rounds);
  const auto anchor = Summarize(anchor_us);
  PrintRow("anchor: bwrap --unshare-all ... true", anchor, anchor);
  PrintRow("ncp-launch --profile default -- /bin/true", Summarize(program_us), anchor);
  PrintRow("ncp-launch --profile default LIB:Entry", Summarize(entry_us), anchor);
  if (isolated && !isolated_us.empty()) {
    PrintRow("isolated StartNativeChildProcess", Summarize(isolated_us), anchor);
  } else {
    std::printf("%-44s skipped: %s\n", "isolated StartNativeChildProcess",
                isolated_skip.empty() ? "no isolated start measured" : isolated_skip.c_str());
  }
  return 0;
}
