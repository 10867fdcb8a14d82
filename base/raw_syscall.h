// System calls for code that runs as a process of its own inside another's memory (a
// CLONE_VM clone that does not stop its parent): glibc's syscall() would store a failure in
// the shared thread-local errno, and sanitizers would account the accesses to the parent's
// thread. Header-only.
#pragma once

#include <errno.h>
#include <unistd.h>

// Code of such a process: no sanitizer bookkeeping. Clang's no_sanitize("thread") still emits
// ThreadSanitizer's function-entry and atomic calls, which would run on the other process's
// thread state: clang (14+) is told to instrument nothing at all.
#if defined(__clang__) && __has_attribute(disable_sanitizer_instrumentation)
#define NCP_UNSANITIZED \
  __attribute__((no_sanitize("address", "thread", "undefined"), disable_sanitizer_instrumentation))
#else
#define NCP_UNSANITIZED __attribute__((no_sanitize("address", "thread", "undefined")))
#endif

namespace ncp::base {

// The kernel's own result: the value, or -errno.
NCP_UNSANITIZED inline long RawSyscall(long number, long a = 0, long b = 0, long c = 0, long d = 0,
                                       long e = 0) {
#if defined(__x86_64__)
  long result;
  register long r10 asm("r10") = d;
  register long r8 asm("r8") = e;
  asm volatile("syscall"
               : "=a"(result)
               : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
               : "rcx", "r11", "memory");
  return result;
#elif defined(__aarch64__)
  register long x8 asm("x8") = number;
  register long x0 asm("x0") = a;
  register long x1 asm("x1") = b;
  register long x2 asm("x2") = c;
  register long x3 asm("x3") = d;
  register long x4 asm("x4") = e;
  asm volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
  return x0;
#else
  const long result = syscall(number, a, b, c, d, e);
  return result < 0 ? -errno : result;
#endif
}

}  // namespace ncp::base
