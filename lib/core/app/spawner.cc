#include "core/app/spawner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>

#include "base/fd_numbers.h"
#include "base/pidfd.h"

extern char** environ;

namespace ncp::core {
namespace {

// posix_spawn's attributes and file actions, released on every path.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_init(&actions_);
  }
  ~SpawnSetup() {
    posix_spawnattr_destroy(&attr_);
    posix_spawn_file_actions_destroy(&actions_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  posix_spawnattr_t* attr() { return &attr_; }
  posix_spawn_file_actions_t* actions() { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

}  // namespace

base::StatusOr<SpawnedProcess> Spawn(const SpawnSpec& spec) {
  SpawnSetup setup;
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(setup.attr(), &all);
  posix_spawnattr_setsigmask(setup.attr(), &none);
  posix_spawnattr_setflags(setup.attr(), POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  // Lift the sources above the target range first, so that moving one into place can never
  // overwrite another that happens to sit at that number.
  const int first_free = 3 + static_cast<int>(spec.fds.size());
  std::vector<base::UniqueFd> lifted;
  for (int fd : spec.fds) {
    const int copy = fcntl(fd, F_DUPFD_CLOEXEC, first_free + 64);
    if (copy < 0) {
      const int err = errno;  // before the message is built
      return base::ErrnoError("dup an fd for the spawned program", err);
    }
    lifted.emplace_back(copy);
  }
  for (size_t i = 0; i < lifted.size(); ++i) {
    posix_spawn_file_actions_adddup2(setup.actions(), lifted[i].get(), 3 + static_cast<int>(i));
  }
  posix_spawn_file_actions_addclosefrom_np(setup.actions(), first_free);

  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc =
      posix_spawn(&pid, spec.program.c_str(), setup.actions(), setup.attr(), argv.data(), environ);
  if (rc != 0) return base::ErrnoError("spawn " + spec.program, rc);
  // The child cannot have been reaped yet unless the application reaps every child with
  // waitpid(-1) within microseconds; then the fork server is simply started again later.
  base::UniqueFd pidfd(base::KeepOffStandardFds(base::UniqueFd(pidfd_open(pid, 0))));
  if (!pidfd.valid()) {
    const int err = errno;  // before the message is built
    return base::ErrnoError("pidfd_open of the spawned program", err);
  }
  return SpawnedProcess{pid, std::move(pidfd)};
}

}  // namespace ncp::core
