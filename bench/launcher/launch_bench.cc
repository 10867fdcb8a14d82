// Sandbox start benchmark of the launcher on its own. In one run, interleaved in rounds so
// machine noise hits all alike:
//  - anchor: `bwrap --unshare-all --die-with-parent --ro-bind /usr /usr ... --proc /proc
//    --dev /dev true` (anchors.h), spawn → exit;
//  - `ncp-launch --profile default -- /bin/true`, spawn → exit;
//  - the same under `default` plus one kill rule (`seccomp-kill = ptrace`), which makes the
//    filter supervised (launcher/README.md): what the listener's hand-off costs a start;
//  - `ncp-launch --profile default LIB.so:WriteByte`, spawn → the entry's byte read.
// The library's isolated starts (cold and warm) are start_bench's row 2.
// Prints median, p90 and each median's ratio to the anchor's. Usage: launch_bench [ITERATIONS]
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <cstdlib>
#include <string>
#include <vector>

#include "anchors.h"
#include "clock.h"
#include "pipe.h"
#include "stats.h"

namespace {

using ncp::bench::MonotonicNs;
using ncp::bench::NsToUs;

const std::string kEntryLibrary = std::string(NCP_BENCH_LIB_DIR) + "/libncp_bench_entries.so";

// spawn → the entry's first byte on a pipe; then the launcher is reaped (not timed).
double TimeEntryForm() {
  ncp::bench::Pipe out;
  const int64_t t0 = MonotonicNs();
  const pid_t pid = ncp::bench::SpawnProgram(
      {NCP_LAUNCH_PATH, "--profile", "default", "--fd", "out=1", kEntryLibrary + ":WriteByte"},
      out.write_fd());
  char c;
  if (read(out.read_fd(), &c, 1) != 1) {
    std::fprintf(stderr, "the entry form wrote nothing\n");
    std::exit(1);
  }
  const double us = NsToUs(MonotonicNs() - t0);
  ncp::bench::WaitProgram(pid, "ncp-launch's entry form");
  return us;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 200;
  setenv("NCP_LIBRARY_PATH", NCP_BENCH_LIB_DIR, 0);
  const std::vector<std::string> anchor_cmd = ncp::bench::BwrapTrueCommand();
  if (anchor_cmd.empty()) {
    std::printf("bwrap not found: install bubblewrap (scripts/bench does)\n");
    return 1;
  }
  const std::vector<std::string> program_cmd = {NCP_LAUNCH_PATH, "--profile", "default", "--",
                                                "/bin/true"};
  char profile[] = "/tmp/ncp-bench-supervised-XXXXXX";
  const int profile_fd = mkstemp(profile);
  if (profile_fd < 0) {
    std::perror("mkstemp");
    return 1;
  }
  close(profile_fd);
  std::ofstream(profile) << "include = default\nseccomp-kill = ptrace\n";
  const std::vector<std::string> supervised_cmd = {NCP_LAUNCH_PATH, "--profile", profile, "--",
                                                   "/bin/true"};
  using ncp::bench::TimeRun;
  // Warm up: page cache, and the seccomp cache of ncp-launch.
  for (int i = 0; i < 10; ++i) {
    TimeRun(anchor_cmd);
    TimeRun(program_cmd);
    TimeRun(supervised_cmd);
    TimeEntryForm();
  }
  std::vector<double> anchor_us, program_us, supervised_us, entry_us;
  const int rounds = 5;
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i < iterations / rounds; ++i) anchor_us.push_back(TimeRun(anchor_cmd));
    for (int i = 0; i < iterations / rounds; ++i) program_us.push_back(TimeRun(program_cmd));
    for (int i = 0; i < iterations / rounds; ++i) supervised_us.push_back(TimeRun(supervised_cmd));
    for (int i = 0; i < iterations / rounds; ++i) entry_us.push_back(TimeEntryForm());
  }
  unlink(profile);
  using ncp::bench::PrintRow;
  using ncp::bench::Summarize;
  std::printf("ncp-launch start benchmark, %d iterations each, interleaved in %d rounds\n",
              iterations, rounds);
  const auto anchor = Summarize(anchor_us);
  PrintRow("anchor: bwrap --unshare-all ... true", anchor, anchor);
  PrintRow("ncp-launch --profile default -- /bin/true", Summarize(program_us), anchor);
  PrintRow("  the same, kills supervised (+ seccomp-kill)", Summarize(supervised_us), anchor);
  PrintRow("ncp-launch --profile default LIB:Entry", Summarize(entry_us), anchor);
  return 0;
}
