// Replacing a file in a folder that others may write too (a sandbox's writable bind, a cache
// that concurrent starts fill): the bytes go to a new file of a random name, created with
// O_EXCL|O_NOFOLLOW (never an existing file, link or FIFO), which then replaces `name` by
// renameat (a link planted at `name` is replaced, never followed). Readers see the old file or
// the new one whole. On failure nothing is left behind.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/status.h"

namespace ncp::base {

// `sync_first`: fsync the new file before the rename, so that after a crash `name` holds the
// old bytes or the new ones, not an empty file (a cache does without: it can be rebuilt).
Status ReplaceFileAt(int dir_fd, const std::string& name, std::string_view bytes, mode_t mode,
                     bool sync_first);

}  // namespace ncp::base
