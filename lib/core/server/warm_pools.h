// The fork server's prepared children: normal-mode children forked in advance, and isolated
// sandboxes built in advance per shape (warm_key.h), each by the shape's builder. Each serves
// exactly one start; an unused one is let go after the idle timeout, and a builder with no
// sandbox to show once it has been idle that long. Bookkeeping only: the server forks, reaps
// and talks.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "core/protocol/credentials.h"
#include "core/protocol/fork_server_protocol.h"

namespace ncp::core {

struct WarmPoolSettings {
  int children = kDefaultWarmChildren;               // normal mode; 0: nothing is prepared
  int sandboxes = kDefaultWarmSandboxes;             // per shape; 0: nothing is prepared
  int64_t idle_timeout_ms = kDefaultWarmPoolIdleMs;  // 0: kept while the application lives
};

// One prepared process: a normal-mode child whose channel's other end is `socket` (the
// application holds a copy, and sends the request: warm_child_handoff.h), a warm ncp-launch
// whose control socket is `socket`, or a shape's builder (warm_builder.h) listening on it.
struct WarmProcess {
  // -1 while its builder has not said which process it is (build_id names it until then).
  pid_t pid = -1;
  base::UniqueFd pidfd;
  base::UniqueFd socket;
  bool ready = false;  // a sandbox reports when it is built; a normal child is ready at once
  int64_t ready_since_ms = 0;
  uint64_t build_id = 0;  // a sandbox asked of a builder
  // A normal-mode child, whose channel the application holds: it is let go by a message on
  // `socket`, not killed (a request may be on its way), and its end is always reported.
  bool application_holds_channel = false;
  uint32_t announced_id = 0;  // such a child's id (ForkServerMessage::request_id)
};

// What a shape's sandboxes are built from: everything a refill needs.
struct SandboxShape {
  std::string template_request;  // the encoded request without params, fds or IPC socket
  std::vector<std::string> launcher_argv;
  Credentials credentials;
  bool report_entry = false;
};

class WarmPools {
 public:
  explicit WarmPools(WarmPoolSettings settings) : settings_(settings) {}

  const WarmPoolSettings& settings() const { return settings_; }
  // New settings: returns the processes no longer wanted (every normal child; sandboxes beyond
  // the size, or all when 0).
  std::vector<WarmProcess> Configure(WarmPoolSettings settings);

  // Normal mode. TakeChildById: the child the application knows as `id`, if any.
  std::optional<WarmProcess> TakeChildById(uint32_t id);
  void AddChild(WarmProcess child) { children_.push_back(std::move(child)); }
  size_t ChildCount() const { return children_.size(); }

  // Isolated mode. TakeSandbox: a ready sandbox of `key` whose pid is known, if any (the
  // shape is used now).
  std::optional<WarmProcess> TakeSandbox(uint64_t key);
  // The shape's builder, or nullptr; SetBuilder gives the shape one.
  WarmProcess* Builder(uint64_t key);
  void SetBuilder(uint64_t key, WarmProcess builder);
  // The shape whose builder listens on `fd`, or has `pid`, if any.
  std::optional<uint64_t> ShapeOfBuilder(int fd) const;
  std::optional<uint64_t> ShapeOfBuilderPid(pid_t pid) const;
  // The shape of the sandbox (ready or being built) whose control socket is `fd`, if any.
  std::optional<uint64_t> ShapeOfSandbox(int fd) const;
  // The sandbox asked for as `build_id`, still in its pool, or nullptr.
  WarmProcess* FindBuild(uint64_t build_id);
  // Remembers `key`'s shape (most recently used); returns the processes of the shape pushed
  // out when there are more than kMaxShapes.
  std::vector<WarmProcess> RememberShape(uint64_t key, SandboxShape shape);
  const SandboxShape* Shape(uint64_t key) const;
  // Sandboxes of `key`, ready or being built; ready ones only.
  size_t SandboxCount(uint64_t key) const;
  size_t ReadyCount(uint64_t key) const;
  void AddSandbox(uint64_t key, WarmProcess sandbox);
  // Takes out `key`'s sandboxes beyond `size`, those being built first (newest first: the
  // least work is lost), and returns them.
  std::vector<WarmProcess> TrimSandboxes(uint64_t key, size_t size);
  // Marks the sandbox whose control socket is `fd` ready; false when it is not one of ours.
  bool MarkReady(int fd, int64_t now_ms);
  // Takes out the process (of any pool) with this control socket or pid.
  std::optional<WarmProcess> RemoveBySocket(int fd);
  std::optional<WarmProcess> RemoveByPid(pid_t pid);
  // Drops a shape and returns its processes (its files changed, or its builds fail).
  std::vector<WarmProcess> ForgetShape(uint64_t key);
  // Processes idle for longer than the timeout; ms until the next one expires (-1: none).
  std::vector<WarmProcess> TakeExpired(int64_t now_ms);
  int64_t MsUntilNextExpiry(int64_t now_ms) const;
  // Sockets of sandboxes being built (the server polls them for their report).
  std::vector<int> SocketsToWatch() const;
  // The builders' sockets (their replies, and EOF when one ends).
  std::vector<int> BuilderSockets() const;

  static constexpr size_t kMaxShapes = 4;

 private:
  struct Pool {
    SandboxShape shape;
    std::vector<WarmProcess> sandboxes;
    WarmProcess builder;  // pid -1: none yet; its ready_since_ms: when it last built
  };
  // Moves the pool's processes, its builder's included, to `to`.
  static void Drain(Pool* pool, std::vector<WarmProcess>* to);
  WarmPoolSettings settings_;
  std::vector<WarmProcess> children_;
  std::map<uint64_t, Pool> pools_;
  std::list<uint64_t> recent_;  // most recently used shape first
};

}  // namespace ncp::core
