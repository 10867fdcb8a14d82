// The anchors the start benchmarks measure against, and the spawning they share: posix_spawn of
// /bin/true, and bubblewrap running `true` in all-new namespaces. Every helper exits the
// benchmark when a program cannot run or fails, so a broken setup is never measured.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ncp::bench {

// posix_spawn + waitpid of /bin/true, in microseconds.
double TimePosixSpawnTrue();

// The bubblewrap anchor: `bwrap --unshare-all --die-with-parent --ro-bind /usr /usr`, the
// /bin /lib /lib64 /sbin of this host (symlinks into /usr on a merged-/usr system such as
// Debian 12, read-only binds otherwise), `--proc /proc --dev /dev true`. Empty when bwrap is not
// in PATH.
std::vector<std::string> BwrapTrueCommand();

// Spawns `args` with stdout on `out_fd` (or /dev/null when it is -1) and returns its pid.
pid_t SpawnProgram(const std::vector<std::string>& args, int out_fd = -1);

// Waits for `pid` (spawned by SpawnProgram); exits the benchmark unless it exited with 0.
void WaitProgram(pid_t pid, const std::string& what);

// Spawn → exit of `args`, in microseconds.
double TimeRun(const std::vector<std::string>& args);

}  // namespace ncp::bench
