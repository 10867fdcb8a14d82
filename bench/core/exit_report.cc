#include "exit_report.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "children.h"
#include "clock.h"

namespace ncp::bench {
namespace {

void ReadReady(int fd) {
  char c;
  if (read(fd, &c, 1) != 1 || c != 'r') {
    std::fprintf(stderr, "the child did not say it runs\n");
    std::exit(1);
  }
}

// Lets the child reach its blocking read, then sends the byte that makes it write and end.
void Release(int fd) {
  SleepMs(1);
  if (write(fd, "g", 1) != 1) {
    std::perror("write");
    std::exit(1);
  }
}

double NcpOnce(bool isolated) {
  Pipe out, in;
  NativeChildProcess_Fd in_fd{const_cast<char*>("in"), in.read_fd(), nullptr};
  NativeChildProcess_Fd out_fd{const_cast<char*>("out"), out.write_fd(), &in_fd};
  const int32_t pid = StartEntry("StampAfterByte", isolated, &out_fd);
  ReadReady(out.read_fd());
  Release(in.write_fd());
  const int64_t callback = WaitForExit(pid);
  return NsToUs(callback - ReadTimestamp(out.read_fd()));
}

// The anchor's child runs only async-signal-safe calls: the benchmark has threads (the library's).
double DirectChildOnce() {
  Pipe out, in;
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(1);
  }
  if (pid == 0) {
    char c = 'r';
    if (write(out.write_fd(), &c, 1) != 1 || read(in.read_fd(), &c, 1) != 1) _exit(1);
    const int64_t now = MonotonicNs();
    _exit(write(out.write_fd(), &now, sizeof now) == sizeof now ? 0 : 1);
  }
  ReadReady(out.read_fd());
  Release(in.write_fd());
  int status = 0;
  waitpid(pid, &status, 0);
  const int64_t returned = MonotonicNs();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "the direct child failed (status %d)\n", status);
    std::exit(1);
  }
  return NsToUs(returned - ReadTimestamp(out.read_fd()));
}

}  // namespace

ExitFigures MeasureExitReport(const ExitPlan& plan) {
  SetPoolDefault();
  std::vector<double> anchor, ncp;
  const int rounds = plan.rounds > 0 ? plan.rounds : 1;
  for (int round = 0; round < rounds; ++round) {
    const int n = plan.iterations / rounds + (round == rounds - 1 ? plan.iterations % rounds : 0);
    for (int i = 0; i < n; ++i) {
      SleepMs(plan.spacing_ms);
      anchor.push_back(DirectChildOnce());
    }
    for (int i = 0; i < n; ++i) {
      SleepMs(plan.spacing_ms);
      ncp.push_back(NcpOnce(plan.isolated));
    }
  }
  return {Summarize(anchor), Summarize(ncp)};
}

}  // namespace ncp::bench
