// ChildRequest: everything a child needs, copied out of the caller's C structs during the
// call (so the caller may free its buffers and close its fds as soon as the call returns).
//
// Application side: the starters fill it during the call, and child_starter encodes it as the
// wire request (protocol/wire.h, which owns the format and ChildKind).

#pragma once

#include <string>
#include <utility>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "base/status.h"
#include "base/unique_fd.h"
#include "core/protocol/wire.h"

namespace ncp::core {

struct NamedFd {
  std::string name;
  base::UniqueFd fd;  // the parent's duplicate, owned until the child has its copy
};

struct ChildRequest {
  ChildKind kind = ChildKind::kArgs;
  std::string library;        // as the caller wrote it (bare name or path)
  std::string symbol;         // entry function (args-type only)
  std::string params;         // entryParams; "" when the caller passed NULL
  std::vector<NamedFd> fds;   // de-duplicated, sorted by name (byte order)
  std::string process_name;   // full name: "parent:Native_libstem3" or "parent:custom"
  bool isolated = false;
  bool isolation_uid = false;
  std::string profile;        // isolated mode: profile name or path ("" = default)
  int ipc_socket = -1;        // kIpc: the child's end of the IPC socket (owned by the caller)
  bool wait_for_entry = false;  // NCP_ChildProcessConfigs_SetWaitForEntry
};

// Splits "lib.so:Entry" at the last ':' (OpenHarmony's rule: ":a:b" gives lib ":a", entry "b").
// Returns false when there is no ':'.
bool SplitEntry(const char* entry, std::string* library, std::string* symbol);

// Walks the caller's fd list with OpenHarmony's rules: NULL name or a name longer than 20
// characters → kInvalidArgument; duplicate names keep the first; more than 16 distinct names →
// kInvalidArgument. Does not touch the fds.
base::Status CollectFdNames(const NativeChildProcess_FdList& list,
                            std::vector<std::pair<std::string, int>>* sorted_out);

// Duplicates each caller fd (close-on-exec). A closed or invalid fd → kUnavailable naming it,
// which the API maps to NCP_ERR_SERVICE_ERROR, as OpenHarmony's marshalling failure does.
base::Status DuplicateFds(const std::vector<std::pair<std::string, int>>& named,
                          std::vector<NamedFd>* out);

// "libentry.so" → "libentry"; "/a/b/libx.so.1" → "libx.so".
std::string LibraryStem(const std::string& library);

}  // namespace ncp::core
