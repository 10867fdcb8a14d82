#include "testing/testing.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ncp::testing {

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool MustWork() {
  const char* v = getenv("NCP_TESTS_MUST_WORK");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

bool UserNamespacesWork() {
  static const bool works = [] {
    // clone(CLONE_NEWUSER), not fork + unshare: unshare refuses a user namespace to a
    // multithreaded process (EINVAL), and a TSan runtime's forked child may have its helper
    // thread again. The child only exits: a raw clone without a new stack is fork-like.
    const pid_t pid = static_cast<pid_t>(
        syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
    if (pid == 0) syscall(SYS_exit_group, 0);
    if (pid < 0) return false;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }();
  return works;
}

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/ncp-test-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << templ << ": " << std::strerror(errno);
  }
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace ncp::testing
