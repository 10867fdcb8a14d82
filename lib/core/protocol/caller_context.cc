#include "core/protocol/caller_context.h"

#include <sys/stat.h>
#include <unistd.h>

#include <vector>

extern char** environ;

namespace ncp::core {

namespace {

// The adopted environment: kept for the life of the process (getenv returns pointers into it),
// which adopts one request in its life. Held here, so a leak checker sees it reachable. The
// request's own block, copied once: two allocations, not one per entry, on the way to the entry.
EnvironmentBlock* g_environment_block = nullptr;
std::vector<char*>* g_environment = nullptr;

}  // namespace

bool AdoptCallerContext(const WireRequest& request) {
  g_environment_block = new EnvironmentBlock(request.environment);
  g_environment = new std::vector<char*>(g_environment_block->Pointers());
  environ = g_environment->data();
  umask(static_cast<mode_t>(request.umask & 0777));
  return request.working_directory.empty() || chdir(request.working_directory.c_str()) == 0;
}

}  // namespace ncp::core
