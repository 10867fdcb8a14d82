#include "peer_process.h"

#include <dirent.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

extern char** environ;

namespace ncp::ipc::testing {

PeerProcess::PeerProcess(const char* program) {
  if (program == nullptr) program = NCP_IPC_TEST_SERVER;
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 3);  // dup2 clears CLOEXEC on fd 3
  char* argv[] = {const_cast<char*>(program), nullptr};
  int spawned = posix_spawn(&pid_, program, &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (spawned != 0) {
    ::close(fds[0]);
    pid_ = -1;
    return;
  }
  if (ncp_ipc_connection_adopt(fds[0], nullptr, &connection_) != OH_IPC_SUCCESS) return;
  wait_result_ = ncp_ipc_connection_wait_peer(connection_, 10000);
  if (wait_result_ == OH_IPC_SUCCESS) root_ = ncp_ipc_connection_peer_root(connection_);
}

PeerProcess::~PeerProcess() {
  OH_IPCRemoteProxy_Destroy(root_);
  ncp_ipc_connection_release(connection_);
  Kill();
}

void PeerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

int OpenFdCount() {
  int count = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (::readdir(dir) != nullptr) ++count;
  ::closedir(dir);
  return count - 3;  // ".", ".." and the directory's own fd
}

}  // namespace ncp::ipc::testing
