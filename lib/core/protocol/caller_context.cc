#include "core/protocol/caller_context.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace ncp::core {

bool AdoptCallerContext(const WireRequest& request) {
  // Never freed: the environment stays this process's until it ends (getenv returns pointers
  // into it), and a process adopts one request in its life.
  auto* strings = new std::vector<std::string>(request.environment);
  auto* pointers = new std::vector<char*>();
  for (std::string& entry : *strings) pointers->push_back(entry.data());
  pointers->push_back(nullptr);
  environ = pointers->data();
  umask(static_cast<mode_t>(request.umask & 0777));
  return request.working_directory.empty() || chdir(request.working_directory.c_str()) == 0;
}

}  // namespace ncp::core
