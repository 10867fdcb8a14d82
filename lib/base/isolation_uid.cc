#include "base/isolation_uid.h"

#include <pwd.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace ncp::base {
namespace {

// /etc/subuid lines are "name-or-uid:first:count".
bool HasSubordinateRange(const char* file, uid_t id, const std::string& name) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string owner = line.substr(0, colon);
    if (owner == name || owner == std::to_string(id)) return true;
  }
  return false;
}

}  // namespace

Status IsolationUidAvailable() {
  if (geteuid() == 0) return Status::Ok();
  const uid_t uid = getuid();
  std::string name;
  if (const passwd* pw = getpwuid(uid); pw != nullptr) name = pw->pw_name;
  for (const char* tool : {"/usr/bin/newuidmap", "/usr/bin/newgidmap"}) {
    if (access(tool, X_OK) != 0) {
      return Error(Code::kUnavailable, std::string("isolationUid needs ") + tool +
                                           " (Debian package uidmap) when not run as root");
    }
  }
  if (!HasSubordinateRange("/etc/subuid", uid, name) ||
      !HasSubordinateRange("/etc/subgid", getgid(), name)) {
    return Error(Code::kUnavailable,
                 "isolationUid needs a subordinate id range for uid " + std::to_string(uid) +
                     " in /etc/subuid and /etc/subgid (see usermod --add-subuids)");
  }
  return Status::Ok();
}

}  // namespace ncp::base
