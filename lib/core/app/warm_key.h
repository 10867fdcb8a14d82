// The shape of an isolated start: a hash of everything that decides how its sandbox is built,
// so that a warm sandbox serves only starts a cold build would have built identically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/protocol/credentials.h"
#include "core/protocol/environment_block.h"

namespace ncp::core {

struct SandboxShapeInputs {
  const std::vector<std::string>* launcher_argv;  // profile, uid mode
  const EnvironmentBlock* environment;            // profile search, library search, env rules
  const std::string* working_directory;           // relative profile paths
  uint32_t umask;                                 // the sandbox's own files
  const std::string* library;                     // what is bound, and loaded
  uint8_t kind;                                   // ChildKind: args-type or IPC-type
  bool wait_for_entry;                            // what the sandbox reports
};

// Never 0 (0 means "no warm sandbox may serve this start"). Without the credentials: the
// fork-server client adds them (WithCredentials) where it captures them for the start anyway.
uint64_t SandboxShapeKey(const SandboxShapeInputs& in);

// `key` with the caller's ids, groups and capabilities folded in; 0 stays 0.
uint64_t WithCredentials(uint64_t key, const Credentials& credentials);

// Whether a warm sandbox may take these fds: only path-less ones (pipes, sockets). Its Landlock
// rules were made before the fds existed, and a cold start would give a path-backed fd a rule.
bool WarmSandboxCanTake(const std::vector<int>& fds);

}  // namespace ncp::core
