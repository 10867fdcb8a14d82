#include "base/shared_memory_clone.h"

#include <sched.h>

#if defined(__SANITIZE_ADDRESS__)
#define NCP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NCP_ASAN 1
#endif
#endif
#if defined(NCP_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__GLIBC__)
// Exported by glibc since 2.2.5 (clone is its weak alias); not declared in its headers.
extern "C" int __clone(int (*fn)(void*), void* stack, int flags, void* arg, ...);
#endif

namespace ncp::base {

int CloneSharingMemory(int (*fn)(void*), void* stack_top, int flags, void* arg, int* pidfd,
                       int* clear_tid) {
#if defined(__GLIBC__)
  return __clone(fn, stack_top, flags, arg, pidfd, nullptr, clear_tid);
#else
  return clone(fn, stack_top, flags, arg, pidfd, nullptr, clear_tid);
#endif
}

#if defined(NCP_ASAN)
void BeginStackSwitch(StackSwitch* s, const void* bottom, size_t size) {
  __sanitizer_start_switch_fiber(&s->fake_stack, bottom, size);
}
void ArriveOnNewStack(StackSwitch* s) {
  __sanitizer_finish_switch_fiber(s->fake_stack, &s->caller_bottom, &s->caller_size);
}
void ReturnToCallerStack(const StackSwitch& s) {
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, s.caller_bottom, s.caller_size);
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
}
#else
void BeginStackSwitch(StackSwitch*, const void*, size_t) {}
void ArriveOnNewStack(StackSwitch*) {}
void ReturnToCallerStack(const StackSwitch&) {}
#endif

}  // namespace ncp::base
