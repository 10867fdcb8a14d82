#include "core/protocol/caller_context.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace ncp::core {

namespace {

// The adopted environment: kept for the life of the process (getenv returns pointers into it),
// which adopts one request in its life. Held here, so a leak checker sees it reachable. One
// block for every entry: two allocations, not one per entry, on the way to the entry.
char* g_environment_block = nullptr;
std::vector<char*>* g_environment = nullptr;

}  // namespace

bool AdoptCallerContext(const WireRequest& request) {
  size_t total = 0;
  for (const std::string& entry : request.environment) total += entry.size() + 1;
  g_environment_block = new char[total];
  g_environment = new std::vector<char*>();
  g_environment->reserve(request.environment.size() + 1);
  char* next = g_environment_block;
  for (const std::string& entry : request.environment) {
    std::memcpy(next, entry.c_str(), entry.size() + 1);
    g_environment->push_back(next);
    next += entry.size() + 1;
  }
  g_environment->push_back(nullptr);
  environ = g_environment->data();
  umask(static_cast<mode_t>(request.umask & 0777));
  return request.working_directory.empty() || chdir(request.working_directory.c_str()) == 0;
}

}  // namespace ncp::core
