// glibc's pidfd calls (pidfd_open, pidfd_send_signal, pidfd_getfd) for C++. glibc 2.36's
// <sys/pidfd.h> (Debian 12) lacks __BEGIN_DECLS, so C++ would look for C++-mangled names;
// glibc 2.37 fixed it. Include this instead of <sys/pidfd.h>. Header-only.
#pragma once

#include <fcntl.h>
#include <signal.h>

extern "C" {
#include <sys/pidfd.h>
}
