// A C++ static object in the child's library: its destructor runs at exit(), not at quick_exit.
#include <atomic>

#include "exit_entries.h"

namespace {

struct StaticWithDestructor {
  std::atomic<bool> armed{false};
  ~StaticWithDestructor() {
    if (armed) ExitHookWrite("static destructor\n");
  }
};

StaticWithDestructor g_static;

}  // namespace

extern "C" void ExitHookArmStatic(void) { g_static.armed = true; }
