#include "run_launcher.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "testing/testing.h"

namespace ncp::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

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

  LauncherRun run;
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(99);
    if (options.as_nobody && (setgroups(0, nullptr) != 0 || setresgid(65534, 65534, 65534) != 0 ||
                              setresuid(65534, 65534, 65534) != 0)) {
      _exit(98);
    }
    execv(argv[0], argv.data());
    _exit(97);
  }
  if (pid < 0) return run;
  while (waitpid(pid, &run.wait_status, 0) < 0 && errno == EINTR) {
  }
  run.out = ReadAll(out_path);
  run.err = ReadAll(err_path);
  return run;
}

}  // namespace ncp::testing
