// ForkServerClient: the application's end of the fork server. It spawns the server, holds its
// socket, encodes the start, configure and cancel messages, and decodes the server's replies.
//
// It has no lock of its own: ChildRegistry owns it and calls the *Locked members under the
// registry's mutex, because the socket is replaced when a server dies and the registry's
// pending starts and live children must change in the same step. The static members touch only
// a socket the caller holds, and run without the lock (a full socket must not stop the monitor
// thread from draining replies).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "core/app/exit_record.h"
#include "core/app/long_lived_thread.h"
#include "core/app/spawner.h"
#include "core/protocol/fork_server_protocol.h"

namespace ncp::core {

// How the fork server is to start a child.
struct StartOptions {
  uint32_t flags = 0;                      // ForkServerStartFlags
  std::vector<std::string> launcher_argv;  // kStartExecLauncher: ncp-launch and its options
  uint64_t shape = 0;  // warm_key.h, without the credentials; 0: no warm sandbox may serve it
  // kStartInlineRequest: the launch request, sent in the message (not owned).
  const std::string* inline_request = nullptr;
  // The calling thread's, taken with the umask (caller_snapshot.h; not owned). Required.
  const Credentials* credentials = nullptr;
};

// One event of the server's socket, as the monitor thread sees it, or the timer that says the
// server is to hear of warm children taken (TellWarmChildrenTakenLocked).
struct ServerSocketEvent {
  int socket = -1;
  bool readable = false;  // otherwise hung up or failed
  bool tell_taken = false;
};

// What one message from the server means to the registry.
struct ForkServerReply {
  enum class Kind {
    kGone,                 // end of stream or a receive error: the server is gone
    kIgnored,              // malformed or of no known use
    kExited,               // `exit` holds how the child `message.pid` ended
    kStarted,              // `pidfd` holds the child's pidfd
    kStartedWithoutPidfd,  // the child's pidfd did not fit our fd table (MSG_CTRUNC)
    kFailed,               // `failure` says why the start failed
    kRefused,              // any other answer to a start: the server cannot start the child
    kWarmChild,            // a warm child: `pidfd`, `channel` and `warm` hold it
    kWarmChildWithoutFds,  // a warm child whose fds did not fit our fd table (MSG_CTRUNC)
  };
  Kind kind = Kind::kIgnored;
  ForkServerMessage message{};
  ExitRecord exit;
  base::UniqueFd pidfd;
  base::Status failure;
  base::UniqueFd channel;                     // kWarmChild
  std::unique_ptr<ForkServerWarmChild> warm;  // kWarmChild
};

class ForkServerClient {
 public:
  // Reads NCP_WARM_POOL for the warm pool's settings the server starts with.
  ForkServerClient();

  // Spawns the fork server unless one runs.
  base::Status EnsureRunningLocked();
  // A close-on-exec reference to the running server's socket of the caller's own: the monitor
  // thread may close the client's when the server dies.
  base::StatusOr<base::UniqueFd> DupSocketLocked() const;
  // NCP_SetWarmPool: sent to the server now if it runs, else given to it when it starts.
  // `*sent`: whether a message went to a running server.
  base::Status ConfigureWarmPoolLocked(int size, int idle_timeout_ms, bool* sent);
  // Warm child `id` (kWarmChildReady's request_id), `pid`, serves a start. The server hears
  // of it by its end (it reaps it, and refills); or, with `pool_empty` (the application holds
  // no prepared child any more, so the next start would be cold), a millisecond from now, by
  // the monitor thread: a timer, armed here, wakes nobody now. Either way, not during the
  // start: a wake of the server then would take the CPU from the starting child.
  void NoteWarmChildTakenLocked(uint32_t id, pid_t pid, bool pool_empty);
  // The child `pid` ended: the server knows.
  void ForgetWarmChildTakenLocked(pid_t pid);
  // False when the timer could not be made: then no warm child is taken (the server could not
  // hear of it, and would never refill).
  bool TakesWarmChildren() const;
  // On the timer: tells the server of the children taken since. Never blocks: what does not
  // fit the socket now is told on the next tick.
  void TellWarmChildrenTakenLocked();
  // In a child made by fork(): closes the inherited fds (its registry is abandoned).
  void CloseFdsInForkedChild();
  // The running server's socket (-1: none). Only the monitor thread closes it.
  int CurrentSocketLocked() const { return socket_.get(); }
  // False for a stale event of an earlier server's socket.
  bool IsCurrentSocketLocked(int socket) const;
  // The server ended: stops watching its socket, closes it and reaps the server, so that the
  // next start spawns a new one.
  void ForgetServerLocked();

  // The monitor thread's wait for the server's socket. Returns the number of events, or -1
  // with errno set.
  int WaitForEvents(ServerSocketEvent* events, int max_events);

  // Builds a start message on the calling thread: its credentials are the ones the child must
  // have (a thread may have changed its own with raw setresuid; the fork server has the
  // process's old ones).
  static base::StatusOr<std::unique_ptr<ForkServerStartMessage>> EncodeStart(
      const StartOptions& options);
  // Returns false with errno set.
  static bool SendStart(int socket, uint32_t request_id, ForkServerStartMessage& message,
                        const std::vector<int>& fds);
  // Asks the server to kill child `pid` if it is still unreaped (best effort).
  static void SendCancel(int socket, pid_t pid);
  // Tells the server that warm child `id` cannot be taken (best effort).
  static void SendWarmChildRefused(int socket, uint32_t id);
  // Reads and decodes one message from `socket`.
  static ForkServerReply Receive(int socket);

 private:
  void ArmTakenTimerLocked();

  base::UniqueFd epoll_;
  base::UniqueFd taken_timer_;  // a timerfd in epoll_
  bool taken_timer_armed_ = false;
  struct Taken {
    uint32_t id;
    pid_t pid;
  };
  std::vector<Taken> taken_;  // warm children serving starts the server has not heard of
  base::UniqueFd socket_;
  SpawnedProcess process_;
  LongLivedThread* spawner_ = nullptr;  // lives as long as the process, like its owner
  int warm_pool_size_;
  int warm_idle_timeout_ms_;
};

}  // namespace ncp::core
