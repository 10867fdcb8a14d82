#include "launcher/setup_error.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ncp::launcher {
namespace {

// Fixed size so one write(2) below PIPE_BUF is atomic and the reader needs no framing.
struct WireRecord {
  uint32_t step;
  int32_t err;
  char message[256];
};
static_assert(sizeof(WireRecord) < 512, "must stay below PIPE_BUF");

}  // namespace

const char* StepName(Step step) {
  switch (step) {
    case Step::kWriteOwnIdMaps:
      return "write-own-id-maps";
    case Step::kWaitForParentIdMaps:
      return "wait-for-parent-id-maps";
    case Step::kOpenBindSources:
      return "open-bind-sources";
    case Step::kSwitchToIsolationIds:
      return "switch-to-isolation-ids";
    case Step::kLeaveTerminal:
      return "leave-terminal";
    case Step::kMakeRootPrivate:
      return "make-root-private";
    case Step::kBuildRootfs:
      return "build-rootfs";
    case Step::kPivotRoot:
      return "pivot-root";
    case Step::kSetHostname:
      return "set-hostname";
    case Step::kChangeDirectory:
      return "change-directory";
    case Step::kBringUpLoopback:
      return "bring-up-loopback";
    case Step::kMoveAndCloseFds:
      return "move-and-close-fds";
    case Step::kApplyRlimits:
      return "apply-rlimits";
    case Step::kSetNoNewPrivs:
      return "set-no-new-privs";
    case Step::kDropCapabilities:
      return "drop-capabilities";
    case Step::kSetParentDeathSignal:
      return "set-parent-death-signal";
    case Step::kStartInit:
      return "start-init";
    case Step::kLandlock:
      return "landlock";
    case Step::kApplyMemoryLimits:
      return "apply-memory-limits";
    case Step::kInstallSeccomp:
      return "install-seccomp";
    case Step::kExec:
      return "exec";
  }
  return "unknown-step";
}

std::string SetupError::ToString() const {
  std::string out = StepName(step);
  out += ": ";
  out += message;
  if (err != 0) {
    out += ": ";
    out += std::strerror(err);
  }
  return out;
}

void ReportSetupError(int fd, Step step, const base::Status& status) {
  WireRecord record{};
  record.step = static_cast<uint32_t>(step);
  record.err = status.err();
  std::strncpy(record.message, status.message().c_str(), sizeof(record.message) - 1);
  ssize_t n;
  do {
    n = ::write(fd, &record, sizeof(record));
  } while (n < 0 && errno == EINTR);
}

std::optional<SetupError> ReadSetupError(int fd) {
  WireRecord record{};
  size_t got = 0;
  while (got < sizeof(record)) {
    ssize_t n = ::read(fd, reinterpret_cast<char*>(&record) + got, sizeof(record) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  if (got == 0) return std::nullopt;
  if (got < sizeof(record)) {
    return SetupError{Step::kExec, 0, "truncated setup error record from the child"};
  }
  record.message[sizeof(record.message) - 1] = '\0';
  return SetupError{static_cast<Step>(record.step), record.err, record.message};
}

}  // namespace ncp::launcher
