#include "core/protocol/caller_context.h"

#include <sys/stat.h>
#include <unistd.h>

#include <vector>

extern char** environ;

namespace ncp::core {

namespace {

// The adopted environment: the request's block, copied once, and environ's pointers into it
// (a few allocations, not one per entry, on the way to the entry). Kept for the life of the
// process (getenv returns pointers into it), which adopts one request in its life.
struct AdoptedEnvironment {
  EnvironmentBlock block;
  std::vector<char*> pointers;
};

// Held here, so that a leak checker sees it reachable. Volatile: nothing reads the pointer, and
// an optimizer may otherwise drop the store (and the leak checker then reports the object).
AdoptedEnvironment* volatile g_adopted_environment = nullptr;

}  // namespace

bool AdoptCallerContext(const WireRequest& request) {
  auto* adopted = new AdoptedEnvironment{request.environment, {}};
  adopted->pointers = adopted->block.Pointers();
  g_adopted_environment = adopted;
  environ = adopted->pointers.data();
  umask(static_cast<mode_t>(request.umask & 0777));
  return request.working_directory.empty() || chdir(request.working_directory.c_str()) == 0;
}

}  // namespace ncp::core
