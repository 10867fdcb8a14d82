// The calling process's umask, read without changing it.
#pragma once

#include <sys/types.h>

namespace ncp::base {

// umask(2) can only be read by setting it, and a set-and-restore races every other thread that
// creates files in between (glibc's getumask is not in Debian 12's headers). The "Umask:" line of
// /proc/self/status (Linux 4.7+) has it without a race. 022 when that cannot be read.
mode_t CurrentUmask();

}  // namespace ncp::base
