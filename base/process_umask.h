// The calling process's umask, read without changing it.
#pragma once

#include <sys/types.h>

namespace ncp::base {

// umask(2) can only be read by setting it, and a set-and-restore races every other thread that
// creates files in between (glibc's getumask is not in Debian 12's headers). The "Umask:" line of
// /proc/self/status (Linux 4.7+) has it without a race. A process whose main thread has ended
// has no such line there (the line is the main thread's), so /proc/thread-self/status is read
// then. 022 when neither can be read.
mode_t CurrentUmask();

// The same, for a process that asks at every child start (the library): /proc/self/status is
// opened once and kept (one close-on-exec fd for the life of the process) and reread from its
// start, which skips the path walk and costs about half of an open, read and close when the
// caches are cold. A child of fork() closes the inherited one (at the fork) and opens its own.
// A number the process closed and reused (another device or inode than the one opened) is
// neither read nor closed: it is the process's file now, and a new fd is opened.
mode_t CurrentUmaskThroughKeptFd();

}  // namespace ncp::base
