// Kernel interfaces glibc 2.36 (Debian 12) does not name yet.
#pragma once

#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3  // waitid(2) on a pidfd, Linux 5.4
#endif
