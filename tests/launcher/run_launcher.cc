#include "run_launcher.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "base/pidfd.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

// clone3 → ENOSYS (its flags are behind a pointer), clone with CLONE_NEWUSER → EPERM.
bool DenyUserNamespaces() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])), filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

// Reads the child's stdout until `marker` appears, then signals it; returns what was read.
std::string SignalWhenReady(int fd, pid_t pid, const RunOptions& options) {
  std::string out;
  char buf[256];
  bool sent = false;
  for (;;) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 10000) <= 0) break;  // a hung test fails below instead of hanging
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (!sent && out.find(options.ready_marker) != std::string::npos) {
      if (options.when_ready) {
        options.when_ready(pid);
      } else {
        kill(pid, options.signal_when_ready);
      }
      sent = true;
    }
  }
  if (!sent) kill(pid, SIGKILL);
  return out;
}

}  // namespace

int OpenPidfd(pid_t pid) { return pidfd_open(pid, 0); }

bool WaitForEnd(int pidfd) {
  if (pidfd < 0) return true;
  pollfd pfd{pidfd, POLLIN, 0};
  const bool ended = poll(&pfd, 1, 10000) == 1;
  close(pidfd);
  return ended;
}

bool LauncherRun::exited() const { return WIFEXITED(wait_status); }
int LauncherRun::exit_code() const { return exited() ? WEXITSTATUS(wait_status) : -1; }
bool LauncherRun::signaled() const { return WIFSIGNALED(wait_status); }
int LauncherRun::signal() const { return signaled() ? WTERMSIG(wait_status) : 0; }

LauncherRun RunLauncher(const std::vector<std::string>& args, const RunOptions& options) {
  TempDir dir;
  const std::string out_path = dir.path() + "/out";
  const std::string err_path = dir.path() + "/err";
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(options.binary.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  int out_pipe[2] = {-1, -1};
  const bool watch = options.signal_when_ready != 0 || options.when_ready != nullptr;
  if (watch && pipe2(out_pipe, O_CLOEXEC) != 0) return {};

  LauncherRun run;
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = out_pipe[1] >= 0
                        ? out_pipe[1]
                        : open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(99);
    if (options.as_nobody && (setgroups(0, nullptr) != 0 || setresgid(65534, 65534, 65534) != 0 ||
                              setresuid(65534, 65534, 65534) != 0)) {
      _exit(98);
    }
    if (options.before_exec) options.before_exec();
    if (options.deny_user_namespaces && !DenyUserNamespaces()) _exit(96);
    execv(argv[0], argv.data());
    _exit(97);
  }
  if (pid < 0) return run;
  std::string piped;
  if (out_pipe[1] >= 0) {
    close(out_pipe[1]);
    piped = SignalWhenReady(out_pipe[0], pid, options);
    close(out_pipe[0]);
  }
  while (waitpid(pid, &run.wait_status, 0) < 0 && errno == EINTR) {
  }
  run.out = out_pipe[0] >= 0 ? piped : ReadFileText(out_path);
  run.err = ReadFileText(err_path);
  return run;
}

}  // namespace ncp::testing
