#include "core/child_starter.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "base/unique_fd.h"
#include "core/child_registry.h"
#include "core/child_state.h"
#include "core/wire.h"

namespace ncp::core {
namespace {

std::atomic<unsigned> g_request_counter{0};

// The request travels in a memfd rather than a pipe: the parent never blocks on a child that
// has not started reading yet, there is no SIGPIPE to provoke, and 1 MB of params costs one
// write.
base::StatusOr<base::UniqueFd> WriteRequestMemfd(const std::string& bytes) {
  base::UniqueFd fd(memfd_create("ncp-request", MFD_CLOEXEC));
  if (!fd.valid()) return base::ErrnoError("memfd_create");
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return base::ErrnoError("write launch request");
    done += static_cast<size_t>(n);
  }
  return fd;
}

std::string CurrentDirectory() {
  char buf[4096];
  return getcwd(buf, sizeof buf) != nullptr ? buf : "";
}

// umask(2) can only be read by setting it; glibc's getumask is not in Debian 12's headers.
// /proc/self/status has it without a race.
uint32_t CurrentUmask() {
  FILE* f = fopen("/proc/self/status", "re");
  unsigned value = 022;
  if (f == nullptr) return value;
  char line[256];
  while (fgets(line, sizeof line, f) != nullptr) {
    if (sscanf(line, "Umask: %o", &value) == 1) break;
  }
  fclose(f);
  return value;
}

}  // namespace

std::string ChildProcessName(const std::string& custom, const std::string& library) {
  const unsigned n = g_request_counter.fetch_add(1);
  const std::string parent = program_invocation_short_name;
  if (!custom.empty()) return parent + ":" + custom;
  return parent + ":Native_" + LibraryStem(library) + std::to_string(n);
}

base::StatusOr<pid_t> StartChild(const ChildRequest& request,
                                 std::function<void(const ExitRecord&)> on_exit) {
  if (InChildProcess()) {
    return base::Error(base::Code::kFailedPrecondition, "a child process cannot start children");
  }
  if (request.isolated) {
    return base::Error(base::Code::kNotSupported,
                       "isolated children need ncp-launch, which this build does not wire in");
  }
  WireRequest wire{request.kind, request.library, request.symbol, request.params,
                   request.process_name, {}, -1, {}, {}, 022};
  std::vector<int> fds{-1};  // the request memfd, filled in below
  for (const NamedFd& fd : request.fds) {
    wire.fd_names.push_back(fd.name);
    fds.push_back(fd.fd.get());
  }
  for (char** env = environ; *env != nullptr; ++env) wire.environment.emplace_back(*env);
  wire.working_directory = CurrentDirectory();
  wire.umask = CurrentUmask();
  auto memfd = WriteRequestMemfd(EncodeRequest(wire));
  if (!memfd.ok()) return memfd.status();
  fds[0] = memfd->get();
  return ChildRegistry::Instance().Start(request.kind, fds, std::move(on_exit));
}

}  // namespace ncp::core
