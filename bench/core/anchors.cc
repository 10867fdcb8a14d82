#include "anchors.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "clock.h"

extern char** environ;

#include "base/path_list.h"

namespace ncp::bench {
namespace {

std::string FindInPath(const char* name) {
  const char* path = std::getenv("PATH");
  for (const std::string& dir :
       ncp::base::SplitPathList(path != nullptr ? path : "/usr/bin:/bin")) {
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// What a dynamically linked /usr/bin/true needs besides /usr: the loader's path (/lib64), the
// libraries' (/lib), and PATH's /bin and /sbin.
void AddTopLevelDirectory(const std::string& dir, std::vector<std::string>* cmd) {
  struct stat st {};
  if (lstat(dir.c_str(), &st) != 0) return;
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    const ssize_t n = readlink(dir.c_str(), target, sizeof target - 1);
    if (n <= 0) return;
    cmd->insert(cmd->end(), {"--symlink", std::string(target, static_cast<size_t>(n)), dir});
  } else if (S_ISDIR(st.st_mode)) {
    cmd->insert(cmd->end(), {"--ro-bind", dir, dir});
  }
}

}  // namespace

double TimePosixSpawnTrue() {
  char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
  const int64_t t0 = MonotonicNs();
  pid_t pid = -1;
  if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ) != 0) {
    std::fprintf(stderr, "cannot run /bin/true\n");
    std::exit(1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  const int64_t t1 = MonotonicNs();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "/bin/true failed (status %d)\n", status);
    std::exit(1);
  }
  return NsToUs(t1 - t0);
}

std::vector<std::string> BwrapTrueCommand() {
  const std::string bwrap = FindInPath("bwrap");
  if (bwrap.empty()) return {};
  std::vector<std::string> cmd = {bwrap,       "--unshare-all", "--die-with-parent",
                                  "--ro-bind", "/usr",          "/usr"};
  for (const char* dir : {"/bin", "/sbin", "/lib", "/lib64"}) AddTopLevelDirectory(dir, &cmd);
  cmd.insert(cmd.end(), {"--proc", "/proc", "--dev", "/dev", "true"});
  return cmd;
}

pid_t SpawnProgram(const std::vector<std::string>& args, int out_fd) {
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
  return pid;
}

void WaitProgram(pid_t pid, const std::string& what) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "%s failed (status %d)\n", what.c_str(), status);
    std::exit(1);
  }
}

double TimeRun(const std::vector<std::string>& args) {
  const int64_t t0 = MonotonicNs();
  WaitProgram(SpawnProgram(args), args[0]);
  return NsToUs(MonotonicNs() - t0);
}

}  // namespace ncp::bench
