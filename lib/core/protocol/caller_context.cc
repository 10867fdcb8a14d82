#include "core/protocol/caller_context.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace ncp::core {

namespace {

// The adopted environment: kept for the life of the process (getenv returns pointers into it),
// which adopts one request in its life. Held here, so a leak checker sees it reachable.
std::vector<std::string>* g_environment_strings = nullptr;
std::vector<char*>* g_environment = nullptr;

}  // namespace

bool AdoptCallerContext(const WireRequest& request) {
  g_environment_strings = new std::vector<std::string>(request.environment);
  g_environment = new std::vector<char*>();
  for (std::string& entry : *g_environment_strings) g_environment->push_back(entry.data());
  g_environment->push_back(nullptr);
  environ = g_environment->data();
  umask(static_cast<mode_t>(request.umask & 0777));
  return request.working_directory.empty() || chdir(request.working_directory.c_str()) == 0;
}

}  // namespace ncp::core
