#include "core/app/child_request.h"

#include <fcntl.h>

#include <cstring>
#include <map>

namespace ncp::core {
namespace {
constexpr size_t kMaxFdNameLength = 20;
constexpr size_t kMaxFds = 16;
}  // namespace

bool SplitEntry(const char* entry, std::string* library, std::string* symbol) {
  const char* colon = std::strrchr(entry, ':');
  if (colon == nullptr) return false;
  library->assign(entry, colon);
  symbol->assign(colon + 1);
  return true;
}

base::Status CollectFdNames(const NativeChildProcess_FdList& list,
                            std::vector<std::pair<std::string, int>>* sorted_out) {
  // std::map gives OpenHarmony's order (byte-wise by name) and its first-wins emplace.
  std::map<std::string, int> by_name;
  for (const NativeChildProcess_Fd* node = list.head; node != nullptr; node = node->next) {
    if (node->fdName == nullptr) {
      return base::Error(base::Code::kInvalidArgument, "an fd in the list has no name");
    }
    if (std::strlen(node->fdName) > kMaxFdNameLength) {
      return base::Error(base::Code::kInvalidArgument,
                         std::string("fd name longer than 20 characters: ") + node->fdName);
    }
    by_name.emplace(node->fdName, node->fd);
  }
  if (by_name.size() > kMaxFds) {
    return base::Error(base::Code::kInvalidArgument,
                       "more than 16 distinct fd names (" + std::to_string(by_name.size()) + ")");
  }
  sorted_out->assign(by_name.begin(), by_name.end());
  return base::Status::Ok();
}

base::Status DuplicateFds(const std::vector<std::pair<std::string, int>>& named,
                          std::vector<NamedFd>* out) {
  out->clear();
  out->reserve(named.size());
  for (const auto& [name, fd] : named) {
    int copy = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0) {
      return base::Status(base::Code::kUnavailable,
                          "fd \"" + name + "\" (" + std::to_string(fd) + ") is not open",
                          fd < 0 ? EBADF : errno);
    }
    out->push_back({name, base::UniqueFd(copy)});
  }
  return base::Status::Ok();
}

std::string LibraryStem(const std::string& library) {
  std::string base = library.substr(library.rfind('/') + 1);  // npos + 1 == 0
  size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot != 0) base.resize(dot);
  return base;
}

}  // namespace ncp::core
