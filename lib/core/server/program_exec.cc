#include "core/server/program_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "core/child/child_runtime.h"
#include "core/protocol/program_request.h"

namespace ncp::core {
namespace {

[[noreturn]] void ReportFailure(int report_fd, ProgramStage stage, int err) {
  const ProgramFailureReport report{static_cast<uint32_t>(stage), err};
  (void)!write(report_fd, &report, sizeof report);
  _exit(127);
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Closes every fd from 3 up except those in `keep` (sorted).
void CloseAllBut(const std::vector<int>& keep) {
  unsigned next = 3;
  for (int fd : keep) {
    if (fd < static_cast<int>(next)) continue;
    if (static_cast<unsigned>(fd) > next) close_range(next, fd - 1U, 0);
    next = static_cast<unsigned>(fd) + 1;
  }
  close_range(next, ~0U, 0);
}

}  // namespace

void ExecProgramInChild(std::vector<base::UniqueFd>& fds, int report_fd) {
  if (fds.empty()) ReportFailure(report_fd, ProgramStage::kReadRequest, EINVAL);
  auto request = ReadProgramRequest(fds[0].get());
  if (!request.ok() || request->child_fds.size() + 1 != fds.size() || request->argv.empty()) {
    ReportFailure(report_fd, ProgramStage::kReadRequest, EINVAL);
  }
  // The fork server is single-threaded, so this forked image may allocate.
  std::vector<char*> argv = Pointers(request->argv);
  std::vector<char*> env = Pointers(request->environment);
  if (chdir(request->working_directory.c_str()) != 0) {
    ReportFailure(report_fd, ProgramStage::kEnterDirectory, errno);
  }
  umask(request->umask);

  // Lift every source (and the report pipe) above all targets first, so that moving one into
  // place can never overwrite another that happens to sit at that number.
  int floor = 3;
  for (int32_t target : request->child_fds) floor = std::max(floor, target + 1);
  const int report = fcntl(report_fd, F_DUPFD_CLOEXEC, floor);
  if (report < 0) ReportFailure(report_fd, ProgramStage::kPlaceFds, errno);
  std::vector<int> lifted;
  for (size_t i = 1; i < fds.size(); ++i) {
    const int copy = fcntl(fds[i].get(), F_DUPFD_CLOEXEC, floor);
    if (copy < 0) ReportFailure(report, ProgramStage::kPlaceFds, errno);
    lifted.push_back(copy);
  }
  std::vector<int> keep{report};
  for (size_t i = 0; i < lifted.size(); ++i) {
    // dup2 leaves the new number without close-on-exec: the program keeps it.
    if (dup2(lifted[i], request->child_fds[i]) < 0) {
      ReportFailure(report, ProgramStage::kPlaceFds, errno);
    }
    keep.push_back(request->child_fds[i]);
  }
  std::sort(keep.begin(), keep.end());
  CloseAllBut(keep);

  ResetSignals();
  execve(request->exec_path.c_str(), argv.data(), env.data());
  ReportFailure(report, ProgramStage::kExec, errno);
}

}  // namespace ncp::core
