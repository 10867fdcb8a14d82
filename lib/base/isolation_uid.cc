#include "base/isolation_uid.h"

#include <pwd.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <optional>
#include <string_view>

namespace ncp::base {
namespace {

std::optional<uint32_t> ParseId(std::string_view text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The first id of the first "NAME:START:COUNT" line for `name` or the numeric `id` with
// COUNT >= 1 (shadow's format; names and numbers both occur in practice).
std::optional<uint32_t> FirstSubordinateId(const char* file, const std::string& name, uint32_t id) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    const size_t a = line.find(':');
    const size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    const std::string owner = line.substr(0, a);
    if (owner != name && owner != std::to_string(id)) continue;
    const std::optional<uint32_t> start = ParseId(std::string_view(line).substr(a + 1, b - a - 1));
    const std::optional<uint32_t> count = ParseId(std::string_view(line).substr(b + 1));
    if (start && count && *count >= 1) return start;
  }
  return std::nullopt;
}

std::string FindHelper(const char* name) {
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/local/bin/", "/usr/sbin/"}) {
    std::string path = std::string(dir) + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

std::string UserName(uid_t uid) {
  passwd pw{};
  passwd* result = nullptr;
  char buffer[1024];
  if (getpwuid_r(uid, &pw, buffer, sizeof(buffer), &result) != 0 || result == nullptr) return "";
  return pw.pw_name;
}

}  // namespace

StatusOr<IsolationIds> ChooseIsolationIds() {
  const uid_t uid = geteuid();
  const std::string name = UserName(uid);
  const std::optional<uint32_t> sub_uid = FirstSubordinateId("/etc/subuid", name, uid);
  const std::optional<uint32_t> sub_gid = FirstSubordinateId("/etc/subgid", name, uid);
  IsolationIds ids;
  if (uid == 0) {
    ids.host_uid = sub_uid.value_or(kFallbackIsolationId);
    ids.host_gid = sub_gid.value_or(kFallbackIsolationId);
    return ids;
  }
  const std::string who = name.empty() ? "uid " + std::to_string(uid) : "user '" + name + "'";
  if (!sub_uid) return Error(Code::kUnavailable, "no range for " + who + " in /etc/subuid");
  if (!sub_gid) return Error(Code::kUnavailable, "no range for " + who + " in /etc/subgid");
  ids.via_helpers = true;
  ids.newuidmap = FindHelper("newuidmap");
  ids.newgidmap = FindHelper("newgidmap");
  if (ids.newuidmap.empty() || ids.newgidmap.empty()) {
    return Error(Code::kUnavailable,
                 "newuidmap/newgidmap not found (install the uidmap package)");
  }
  ids.host_uid = *sub_uid;
  ids.host_gid = *sub_gid;
  return ids;
}

Status IsolationUidAvailable() {
  StatusOr<IsolationIds> ids = ChooseIsolationIds();
  return ids.ok() ? Status::Ok() : ids.status();
}

}  // namespace ncp::base
