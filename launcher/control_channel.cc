#include "base/monotonic_clock.h"
#include "launcher/control_channel.h"
#include "launcher/warm_forward.h"

#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "base/log.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::launcher {
namespace {

using base::Code;
using base::Error;


// The entry-mode process writes one record (atomically: it is smaller than PIPE_BUF). What
// comes from the sandbox is untrusted: the library's constructors have run by then.
base::Status RelayEntryReport(int read_fd, ControlChannel* control) {
  char buffer[sizeof(core::LaunchReport) + 1];
  ssize_t n;
  do {
    n = read(read_fd, buffer, sizeof(buffer));
  } while (n < 0 && errno == EINTR);
  if (n == 0) {
    control->Send(core::MakeLaunchReport(core::LaunchReportType::kEntryMissing, 0, -1,
                                         "the child ended before it reported its entry"));
    return Error(Code::kUnavailable, "the child ended before it reported its entry");
  }
  const auto report = n > 0 ? core::ParseLaunchReport(buffer, static_cast<size_t>(n))
                            : std::optional<core::LaunchReport>();
  const bool missing = report && report->type == core::LaunchReportType::kEntryMissing &&
                       (report->exit_status == NCP_CHILD_EXIT_LIBRARY_NOT_LOADED ||
                        report->exit_status == NCP_CHILD_EXIT_SYMBOL_NOT_FOUND);
  const bool found = report && report->type == core::LaunchReportType::kEntryFound;
  if (!missing && !found) {
    control->Send(core::MakeLaunchReport(core::LaunchReportType::kEntryMissing, 0, -1,
                                         "malformed entry report from the sandbox"));
    return Error(Code::kInvalidArgument, "malformed entry report from the sandbox");
  }
  // Rebuilt, not passed on: only the fields that mean something for its type.
  control->Send(core::MakeLaunchReport(report->type, 0, found ? 0 : report->exit_status,
                                       found ? "" : report->message));
  return base::Status::Ok();
}

}  // namespace

void ControlChannel::Ready() {
  if (fd_ < 0 || settled_) return;
  settled_ = ready_ = true;
  (void)core::WriteLaunchReport(fd_,
                                core::MakeLaunchReport(core::LaunchReportType::kReady, 0, 0, ""));
}

void ControlChannel::Failed(int exit_status, int err, const std::string& message) {
  if (fd_ < 0 || settled_) return;
  settled_ = true;
  (void)core::WriteLaunchReport(
      fd_, core::MakeLaunchReport(core::LaunchReportType::kFailed, err, exit_status, message));
}

void ControlChannel::RefuseRequest(int err, const std::string& message) {
  if (fd_ < 0) return;
  settled_ = true;
  (void)core::WriteLaunchReport(
      fd_, core::MakeLaunchReport(core::LaunchReportType::kFailed, err, 125, message));
}

void ControlChannel::Send(const core::LaunchReport& report) {
  if (fd_ < 0 || !ready_) return;
  (void)core::WriteLaunchReport(fd_, report);
}

base::Status OnSandboxReady(SandboxReadyWork* work) {
  work->entry_report_child_end.reset();
  work->forward_child_end.reset();
  work->control->Ready();
  if (work->warm) {
    bool sandbox_ended = false;
    auto start = ReceiveWarmRequest(work->control->fd(), work->forward_host_end.get(),
                                    work->warm_template, &sandbox_ended);
    if (!start.ok()) {
      work->control->RefuseRequest(start.status().err(), start.status().ToString());
      return start.status();
    }
    // The sandbox ended while it waited (a forwarded signal): its end is mirrored as usual.
    if (sandbox_ended) return base::Status::Ok();
    if (!start->has_value()) {
      work->abandoned = true;
      return Error(Code::kUnavailable, "the control socket closed before a request came");
    }
    // The fork server then builds this start afresh and drops the shape's other sandboxes.
    if (base::Status s = CheckBuiltFrom(work->warm_template); !s.ok()) {
      work->control->RefuseRequest(s.err(), s.message());
      return s;
    }
    if (base::Status s = ForwardWarmRequest(work->forward_host_end.get(), **start); !s.ok()) {
      work->control->RefuseRequest(s.err(), s.ToString());
      return s;
    }
    // Accepted: the fork server reports the start to the application on this second kReady.
    work->control->Send(core::MakeLaunchReport(core::LaunchReportType::kReady, 0, 0, ""));
    if (work->verbose) {
      base::LogLine("parent %-24s %6lld us", "warm-check-and-forward",
                    static_cast<long long>(base::MonotonicMicros() - (*start)->arrived_us));
    }
    work->forward_host_end.reset();
  }
  if (work->entry_report_read) {
    base::Status s = RelayEntryReport(work->entry_report_read.get(), work->control);
    work->entry_report_read.reset();
    return s;
  }
  return base::Status::Ok();
}

}  // namespace ncp::launcher
