#include "base/shared_memory_clone.h"

#include <sched.h>

#if defined(__GLIBC__)
// Exported by glibc since 2.2.5 (clone is its weak alias); not declared in its headers.
extern "C" int __clone(int (*fn)(void*), void* stack, int flags, void* arg, ...);
#endif

namespace ncp::base {

int CloneSharingMemory(int (*fn)(void*), void* stack_top, int flags, void* arg, int* pidfd) {
#if defined(__GLIBC__)
  return __clone(fn, stack_top, flags, arg, pidfd);
#else
  return clone(fn, stack_top, flags, arg, pidfd);
#endif
}

}  // namespace ncp::base
