// ncp-launch's end of the fork server's control socket (`--control-fd=N`, request mode only):
// the one kReady or kFailed record, the relayed entry report (`--report-entry`), and in warm
// mode the wait for the real request. Records: core/protocol/launch_report.h.
#pragma once

#include <string>

#include "base/status.h"
#include "base/unique_fd.h"
#include "core/protocol/launch_report.h"
#include "launcher/warm_request.h"

namespace ncp::launcher {

class ControlChannel {
 public:
  ControlChannel() = default;  // no control socket until Open: every call is a no-op
  ControlChannel(const ControlChannel&) = delete;
  ControlChannel& operator=(const ControlChannel&) = delete;

  // A builder's sandbox (warm_builder.h) opens its own socket afresh: nothing sent on it yet.
  void Open(int fd) {
    fd_ = fd;
    settled_ = ready_ = false;
  }
  bool active() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Exactly one of Ready / Failed goes out: whichever comes first; later calls send nothing.
  void Ready();
  void Failed(int exit_status, int err, const std::string& message);
  bool settled() const { return settled_; }
  // Warm mode: kFailed for a refused request, although kReady went out for the template.
  void RefuseRequest(int err, const std::string& message);
  // After Ready only (kEntryFound / kEntryMissing).
  void Send(const core::LaunchReport& report);

 private:
  int fd_ = -1;  // never closed: it stays open until ncp-launch exits
  bool settled_ = false;
  bool ready_ = false;
};

// What the host side does once the sandbox is built (the setup pipe's EOF), before ncp-launch
// waits for the child's end: the child ends of the entry-report pipe and the warm forwarding
// socket are the sandbox's copies, closed here so a hang-up means the sandbox let go.
struct SandboxReadyWork {
  ControlChannel* control = nullptr;
  bool verbose = false;
  // --report-entry: the pipe's read end (and the child's write end, closed here).
  base::UniqueFd entry_report_read;
  base::UniqueFd entry_report_child_end;
  // --warm: the forwarding socket's host end (and the sandbox's end, closed here).
  bool warm = false;
  WarmTemplate warm_template;
  base::UniqueFd forward_host_end;
  base::UniqueFd forward_child_end;
  // Set when the control socket reached EOF before a warm request came: exit 0, say nothing.
  bool abandoned = false;
};

// kReady, then (warm) the one request, checked and forwarded, then (--report-entry) the relayed
// entry report. A non-ok Status (or `abandoned`) makes the launch kill the sandbox; a refused
// warm request or a broken entry report has been sent as kFailed / kEntryMissing already.
base::Status OnSandboxReady(SandboxReadyWork* work);

}  // namespace ncp::launcher
