// ncp-launch's side of a supervised filter (policy/seccomp_supervision.h). It receives the
// sandbox's listener from the program's process (seccomp_install.cc) and, for every call the
// filter would have killed, kills the calling process as the kernel's kill-process action
// would: the whole thread group, before it runs another instruction. The first such call made
// by the program itself is kept, so that the sandbox's end can name it. It lives outside the
// sandbox, in the process that waits for the sandbox's end; nothing inside can reach it.
#pragma once

#include <linux/seccomp.h>
#include <poll.h>
#include <sys/types.h>

#include <optional>
#include <set>
#include <vector>

#include "base/unique_fd.h"
#include "policy/learned_profile.h"
#include "policy/seccomp_supervision.h"

namespace ncp::launcher {

// --learn: the filter notifies every call (policy::LearningPolicy) and the supervisor answers
// each as `base` would, recording it: an allowed call (or one the caller named) runs on
// (SECCOMP_USER_NOTIF_FLAG_CONTINUE: the base's decision reads only the call's registers, so
// letting it run is what the base's filter would have done); an errno refusal gets its errno;
// a trap sends the calling thread SIGSYS and answers ENOSYS; a kill kills as above.
struct LearnSession {
  policy::SeccompPolicy base;
  std::set<int> also;  // numbers the caller lets the run make beyond the base
  policy::LearnedCalls calls;
};

class SeccompSupervisor {
 public:
  // `socket`: our end of the pair whose other end went into the sandbox. `sandbox`: its first
  // process, killed (and with it everything in the sandbox) when a caller cannot be.
  // `learn`: answer every call as its base would (above), or nullptr: only kills notify.
  SeccompSupervisor(base::UniqueFd socket, pid_t sandbox, LearnSession* learn = nullptr)
      : socket_(std::move(socket)), sandbox_(sandbox), learn_(learn) {}

  // What to poll for, appended to `fds`; Serve takes them back in the same order.
  void AddPollFds(std::vector<pollfd>* fds) const;
  // After a poll: receives the listener, answers the notifications that are ready.
  void Serve(const pollfd* fds, size_t count);

  // The call of the program (the sandbox's pid 2) that the filter refused, if any.
  const std::optional<policy::SeccompCall>& program_call() const { return program_call_; }

 private:
  void ReceiveListener();
  void AnswerNotification();
  // --learn: answers `notification` unless the base kills for it; true when answered.
  bool AnswerAsTheBase(const seccomp_notif& notification);
  void Respond(uint64_t id, int error, bool run_on);
  void SignalThread(const seccomp_notif& notification, int signal);

  base::UniqueFd socket_;
  pid_t sandbox_;
  LearnSession* learn_;
  base::UniqueFd listener_;
  std::optional<policy::SeccompCall> program_call_;
};

}  // namespace ncp::launcher
