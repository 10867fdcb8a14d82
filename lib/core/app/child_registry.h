// ChildRegistry: the one record of this process's children, shared by every start path
// (normal and isolated, args-type and IPC-type). It enforces the limits, answers kill
// requests, and is the only place that learns how a child ended.
//
// Children are forked by this process's fork server (see server/fork_server.cc), which reports
// each end as a record. The registry owns the server's client (fork_server_client.h: spawning
// the server, its socket, the messages); one monitor thread reads the server's replies through
// it, keeps the records, and runs the exit callbacks. A pidfd per child (sent by the server)
// makes kill race-free.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "core/app/caller_snapshot.h"
#include "core/app/child_request.h"
#include "core/app/exit_callbacks.h"
#include "core/app/exit_record.h"
#include "core/app/fork_server_client.h"
#include "core/app/long_lived_thread.h"
#include "core/app/started_callbacks.h"
#include "core/app/warm_children.h"
#include "core/protocol/fork_server_protocol.h"

namespace ncp::core {

inline constexpr int kMaxLiveChildren = 512;
inline constexpr int kMaxLiveIpcChildren = 50;

using ExitHook = std::function<void(const ExitRecord&)>;

class ChildRegistry {
 public:
  // The registry of the calling process (a fresh one in a process made by fork()).
  static ChildRegistry& Instance();

  // Starts a child in the fork server: `fds[0]` is the launch request (unless it is inline:
  // kStartInlineRequest), the rest the named fds (all still owned by the caller; the server
  // gets copies). kResourceExhausted at a limit.
  // `on_exit` (may be empty) runs on the monitor thread after the exit callbacks.
  // A start the server refuses is an error with its reason: kInternal for a sandbox that
  // could not be built (the step or the profile's file:line in the message), kLibraryNotLoaded
  // for an entry that was not found (kStartWaitForEntry).
  base::StatusOr<pid_t> Start(ChildKind kind, const std::vector<int>& fds, ExitHook on_exit,
                              const StartOptions& options = {});

  // Whether StartWarm may find a warm child now (another thread may take it first).
  bool HoldsWarmChildren();

  // A normal start a warm child serves (warm_children.h), tried before Start. The request
  // (inline, or the memfd first in `fds`) goes first, with a placeholder umask; the caller's
  // umask and credentials are read while the child wakes and decodes it, into `caller`, and
  // the child is then let run the request, or withdrawn when the credentials are not the
  // server's. `pid` when it runs; else the start goes Start's way, with `caller` when
  // `caller_read`. `error`: the caller's credentials could not be read (the start fails).
  // `on_exit` is taken only when it runs. A thread whose last start found its credentials not
  // the server's reads them first, and sends only when they now are: it does not take a
  // prepared child at every start only to withdraw it. A child sent a request and not let run
  // (also when the read throws) is withdrawn.
  struct WarmStart {
    std::optional<pid_t> pid;
    bool caller_read = false;
    base::Status error;
  };
  WarmStart StartWarm(ChildKind kind, const std::vector<int>& fds,
                      const std::string* inline_request, ExitHook* on_exit, CallerSnapshot* caller);

  // NCP_SetWarmPool: sent to the fork server now if it runs, else given to it when it starts.
  base::Status ConfigureWarmPool(int size, int idle_timeout_ms);

  // SIGKILL to a live child recorded here. kNotFound when `pid` is not one (or was killed
  // through here already: OpenHarmony drops the record at kill time).
  base::Status Kill(pid_t pid);

  // NCP_WaitForChildExit: the end of `pid`, a live child or one whose record is still kept
  // (the kKeptExitRecords most recent ends). `timeout_ms` < 0: no limit; 0: only look.
  enum class WaitResult { kEnded, kTimedOut, kUnknown, kWouldDeadlock };
  WaitResult WaitForExit(pid_t pid, int timeout_ms, ExitRecord* record);
  static constexpr size_t kKeptExitRecords = 1024;

  // NCP_OpenChildPidfd: a close-on-exec copy of a live child's pidfd. kNotFound when `pid` is
  // not a live child; kInternal when no fd is free.
  base::StatusOr<base::UniqueFd> OpenPidfd(pid_t pid);

  ExitCallbacks& callbacks() { return callbacks_; }

  // fork(): the registry's lock is held across it; the child closes every fd of the registry
  // it inherited (InstallForkHandlers).
  void LockForFork();
  void UnlockAfterFork();
  void CloseFdsInForkedChild();
  // The started-callbacks of IPC-type children (Create*).
  StartedCallbacks& started_callbacks() { return started_callbacks_; }

 private:
  struct Child {
    base::UniqueFd pidfd;
    ChildKind kind = ChildKind::kArgs;
    bool killed = false;
    ExitHook on_exit;
    uint32_t start_flags = 0;  // ForkServerStartFlags of its start
    uint64_t serial = 0;       // tells a child from a later one with the same pid
  };
  // A kept exit record (for NCP_WaitForChildExit after the end).
  struct Ended {
    ExitRecord record;
    uint64_t serial = 0;
  };
  // A start waiting for the fork server's answer; the caller waits on `answered`.
  struct Pending {
    ChildKind kind;
    ExitHook on_exit;
    uint32_t start_flags = 0;
    bool answered = false;
    base::StatusOr<pid_t> result = base::Status();
  };

  ChildRegistry();
  ~ChildRegistry() = delete;  // lives as long as the process

  // kResourceExhausted at a limit; else counts a start of `kind`.
  base::Status TakeSlotLocked(ChildKind kind);
  void ReleaseSlotLocked(ChildKind kind);
  // Records a child that runs, before anyone can hear of its end.
  void RecordChildLocked(pid_t pid, base::UniqueFd pidfd, ChildKind kind, ExitHook on_exit,
                         uint32_t start_flags);
  void MonitorLoop();
  // Each returns the exits to report (outside the lock).
  void OnServerReadable(int socket);
  void OnServerGone(int socket);
  void OnStartedWithoutPidfd(int socket, const ForkServerMessage& m);
  void OnStartFailed(uint32_t request_id, base::Status failure);
  void OnExited(const ExitRecord& record);
  void OnWarmChild(int socket, ForkServerReply& reply);
  void AnswerLocked(uint32_t request_id, base::StatusOr<pid_t> result);
  void Report(ChildKind kind, ExitHook hook, const ExitRecord& record);
  // Keeps the record of a child that ended and wakes its waiters.
  void RememberEndLocked(const Child& child, const ExitRecord& record);

  std::mutex mu_;
  std::map<pid_t, Child> children_;
  std::map<uint32_t, Pending> pending_;
  std::condition_variable answered_;
  uint32_t next_request_id_ = 1;
  int live_ = 0;             // pending + running, all kinds
  int live_ipc_ = 0;         // pending + running IPC-type
  ForkServerClient client_;  // its *Locked members run under mu_
  WarmChildren warm_children_;
  ExitCallbacks callbacks_;
  StartedCallbacks started_callbacks_;
  // Ends kept for NCP_WaitForChildExit, oldest first in `ended_order_` (pid, serial).
  std::map<pid_t, Ended> ended_;
  std::deque<std::pair<pid_t, uint64_t>> ended_order_;
  std::condition_variable ended_cv_;
  uint64_t next_serial_ = 1;
  std::thread::id monitor_thread_;  // runs the exit callbacks: it must never wait for an end
  // The monitor thread's own (no lock): whether it runs callbacks now, and the ends whose
  // callbacks are still to run (those read by a start made from a callback wait here: Report).
  struct QueuedReport {
    ChildKind kind;
    ExitHook hook;
    ExitRecord record;
  };
  bool reporting_ = false;
  std::deque<QueuedReport> reports_to_run_;
};

}  // namespace ncp::core
