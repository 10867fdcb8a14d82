// The calling process's umask, read without changing it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>

namespace ncp::base {

// umask(2) can only be read by setting it, and a set-and-restore races every other thread that
// creates files in between (glibc's getumask is not in Debian 12's headers). The "Umask:" line of
// /proc/self/status (Linux 4.7+) has it without a race. A process whose main thread has ended
// has no such line there (the line is the main thread's), so /proc/thread-self/status is read
// then. 022 when neither can be read.
mode_t CurrentUmask();

// The same, for a process that asks at every child start (the library): /proc/self/status is
// read through the fd base/own_status_file.h keeps.
mode_t CurrentUmaskThroughKeptFd();

// The umask in a status text (its "Umask:" line); nullopt when the text is not a status file
// or has no such line.
std::optional<mode_t> UmaskInStatus(std::string_view status);

// The umask in `status` (the kept fd's text, base/own_status_file.h); without one (no text, or
// the main thread has ended), the calling thread's status file's; 022 when that fails too.
mode_t UmaskFromOwnStatus(std::optional<std::string_view> status);

}  // namespace ncp::base
