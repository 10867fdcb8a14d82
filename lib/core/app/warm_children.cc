#include "core/app/warm_children.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/pidfd.h"
#include "core/protocol/unix_message.h"
#include "core/protocol/warm_child_handoff.h"

namespace ncp::core {
namespace {

// Errors that say the child cannot take a request (any more): its end is shut down (it was
// let go) or closed (it died), or its queue is full. Any other is about what was sent.
bool ChildIsGone(int err) {
  return err == EPIPE || err == ECONNRESET || err == ECONNREFUSED || err == ENOTCONN ||
         err == EAGAIN;
}

}  // namespace

void WarmChildren::Add(pid_t pid, uint32_t id, base::UniqueFd pidfd, base::UniqueFd channel,
                       uint32_t configure_count, const Credentials& server_credentials) {
  if (configure_count != configures_sent_) return;
  if (server_credentials_ == nullptr) {
    server_credentials_ = std::make_unique<Credentials>(server_credentials);
  }
  slots_.push_back(Slot{pid, id, std::move(pidfd), std::move(channel)});
}

void WarmChildren::Forget(pid_t pid) {
  std::erase_if(slots_, [pid](const Slot& slot) { return slot.pid == pid; });
}

void WarmChildren::OnConfigureSent() {
  ++configures_sent_;
  slots_.clear();
}

void WarmChildren::Reset() {
  configures_sent_ = 0;
  slots_.clear();
  server_credentials_.reset();
}

void WarmChildren::CloseFdsInForkedChild() {
  for (Slot& slot : slots_) {
    close(slot.pidfd.release());
    close(slot.channel.release());
  }
}

bool WarmChildren::CanServe(const Credentials& caller) const {
  return server_credentials_ != nullptr && SameCredentials(caller, *server_credentials_);
}

std::optional<WarmChildren::Started> WarmChildren::Start(const std::string* inline_request,
                                                         const std::vector<int>& fds) {
  const size_t request_bytes = inline_request != nullptr ? inline_request->size() : 0;
  WarmChildHandoff handoff{WarmChildMessage::kRequest, static_cast<uint32_t>(fds.size()),
                           static_cast<uint32_t>(request_bytes), 0};
  const iovec parts[] = {
      {&handoff, sizeof handoff},
      {const_cast<char*>(request_bytes != 0 ? inline_request->data() : ""), request_bytes}};
  while (!slots_.empty()) {
    Slot& slot = slots_.front();
    if (SendMessageParts(slot.channel.get(), parts, request_bytes != 0 ? 2 : 1, fds.data(),
                         fds.size())) {
      Started started{slot.pid, slot.id, std::move(slot.pidfd), std::move(slot.channel)};
      slots_.pop_front();
      return started;
    }
    if (!ChildIsGone(errno)) return std::nullopt;
    slots_.pop_front();
  }
  return std::nullopt;
}

namespace {

bool SendToChild(const WarmChildren::Started& child, WarmChildMessage type, uint32_t umask) {
  const WarmChildHandoff message{type, 0, 0, umask};
  // The caller holds the registry's lock: a full queue (never, but for a flooded channel)
  // fails at once rather than waits.
  return send(child.channel.get(), &message, sizeof message, MSG_DONTWAIT | MSG_NOSIGNAL) ==
         static_cast<ssize_t>(sizeof message);
}

}  // namespace

bool WarmChildren::Go(const Started& child, mode_t umask) {
  return SendToChild(child, WarmChildMessage::kGo, static_cast<uint32_t>(umask));
}

void WarmChildren::Withdraw(const Started& child) {
  if (SendToChild(child, WarmChildMessage::kWithdraw, 0)) return;
  // It cannot be told, and must not wait for ever with a request it may not run.
  (void)pidfd_send_signal(child.pidfd.get(), SIGKILL, nullptr, 0);
}

}  // namespace ncp::core
