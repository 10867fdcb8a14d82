// Holds off thread cancellation (pthread_cancel) for the length of a library call. Header-only.
//
// The library's calls are not cancellation points. Several wait (for the fork server's answer,
// a child's end, a reply, work), and a cancellation acted on inside one would unwind through
// frames that cannot be left that way: libstdc++'s condition_variable::wait is noexcept, so the
// process would be terminated; a lock or a half-sent start could be left behind. Held off, a
// cancellation requested meanwhile is acted on at the thread's next cancellation point after the
// call returns (POSIX leaves it to each function whether it is one).
#pragma once

#include <pthread.h>

namespace ncp::base {

class NoCancellation {
 public:
  NoCancellation() { pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &previous_); }
  ~NoCancellation() {
    int ignored = 0;
    pthread_setcancelstate(previous_, &ignored);
  }
  NoCancellation(const NoCancellation&) = delete;
  NoCancellation& operator=(const NoCancellation&) = delete;

 private:
  int previous_ = PTHREAD_CANCEL_ENABLE;
};

}  // namespace ncp::base
