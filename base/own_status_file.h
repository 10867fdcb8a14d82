// This process's /proc/self/status (its main thread's), read through an fd kept open for the
// life of the process: what the library reads at every child start (the umask, and the
// credentials when the caller is the main thread).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace ncp::base {

// Room for the whole file with a few hundred supplementary groups; a longer text is cut, and a
// reader that needs a line past the cut finds none.
inline constexpr size_t kOwnStatusBufferBytes = 4096;

// Rereads the file from its start into `buffer` (kOwnStatusBufferBytes) and returns the text,
// or nullopt when there is none (no /proc, or no fd free). The file is opened once: that skips
// the path walk, which costs about half of an open, read and close when the caches are cold.
// A child of fork() closes the inherited fd (at the fork) and opens its own; so does any other
// copy of the process (a raw clone, told by base/process_generation.h, even with the same pid
// in a pid namespace of its own), which leaves the inherited fd open (one fd). A number
// the process closed and reused (another device or inode than the one opened) is neither read
// nor closed: it is the process's file now, and a new fd is opened. The fd is close-on-exec
// and never takes 0-2; the file must be on a procfs. A process that shares this one's memory
// without being one of its threads (clone with CLONE_VM) gets nullopt: the fd is not its own.
std::optional<std::string_view> ReadOwnStatus(char (&buffer)[kOwnStatusBufferBytes]);

// Installs the fork handler that keeps the kept fd a process's own (ReadOwnStatus does it at
// its first call). Its lock is taken last at a fork (pthread_atfork runs the prepare handlers
// newest first): a caller that reads the file under a lock of its own installs this before
// its own fork handler, so that the fork takes the two locks in the same order it does.
void InstallOwnStatusForkHandler();

// The value of the line "KEY:\t..." in a status text, up to its end of line; nullopt when
// there is no such line or it is cut. Only the Name line holds text a process chooses, and it
// comes first with any newline in it escaped: the line found is the key's own.
std::optional<std::string_view> StatusLine(std::string_view text, std::string_view key);

}  // namespace ncp::base
