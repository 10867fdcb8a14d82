// WarmChildren: the warm normal-mode children the fork server handed this application, each
// with its channel and pidfd (warm_child_handoff.h). A normal start that one can serve is sent
// to it from the caller's thread: the child has its request when the call returns, and
// neither the server nor the monitor thread runs on the way. The request goes first; the
// caller then says kGo (with its umask) or kWithdraw.
//
// Not thread-safe: the registry calls it under its mutex, which is what keeps a child's start
// and the record of its end in order.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "core/protocol/credentials.h"

namespace ncp::core {

class WarmChildren {
 public:
  struct Started {
    pid_t pid;
    uint32_t id;  // the server's name for it (kWarmChildTaken)
    base::UniqueFd pidfd;
    base::UniqueFd channel;  // for kGo or kWithdraw, then closed
  };

  // A child the server announced (kWarmChildReady). `configure_count` is how many pool
  // settings the server had received then: one prepared under settings the application has
  // changed since is not taken (the server lets it go on the new ones).
  void Add(pid_t pid, uint32_t id, base::UniqueFd pidfd, base::UniqueFd channel,
           uint32_t configure_count, const Credentials& server_credentials);
  // The child `pid` ended (or is not ours): forgotten.
  void Forget(pid_t pid);
  // New pool settings were sent: the children held now are the old settings'.
  void OnConfigureSent();
  // A new fork server: everything held was the old one's.
  void Reset();
  // In a child made by fork(): closes the inherited fds (nothing is freed: see the registry).
  void CloseFdsInForkedChild();

  bool empty() const { return slots_.empty(); }
  // Whether a child may serve a caller with `caller`'s credentials: it has the server's.
  bool CanServe(const Credentials& caller) const;
  // Sends the request (inline, or the memfd first in `fds`) and `fds` to a child, which then
  // waits for Go or Withdraw. nullopt when none took it: none held, or a send failed for a
  // reason that is not the child's (the start then goes the server's way, which reports it).
  // A child found gone, or let go, is dropped and the next one tried.
  std::optional<Started> Start(const std::string* inline_request, const std::vector<int>& fds);
  // Lets the child run the request, with the caller's umask. False when it cannot be told: it
  // is gone, or was let go and shut its channel meanwhile. Either way it never runs the
  // request.
  static bool Go(const Started& child, mode_t umask);
  // Ends the child before it runs anything of the request: it is told, or killed when it
  // cannot be told.
  static void Withdraw(const Started& child);

 private:
  struct Slot {
    pid_t pid;
    uint32_t id;
    base::UniqueFd pidfd;
    base::UniqueFd channel;
  };
  std::deque<Slot> slots_;
  std::unique_ptr<Credentials> server_credentials_;  // 4 KiB: only once one was announced
  uint32_t configures_sent_ = 0;
};

}  // namespace ncp::core
