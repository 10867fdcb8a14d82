// The one conversion of an ExitRecord into the public NCP_ChildExitInfo, for the exit callbacks
// and NCP_WaitForChildExit.
#pragma once

#include <cstddef>

#include "core/app/exit_record.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::core {

// The size of NCP_ChildExitInfo before `cause` was added (0.1): the smallest structSize taken.
inline constexpr size_t kFirstExitInfoSize = offsetof(NCP_ChildExitInfo, cause);

// Fills the first `size` bytes of *info (kFirstExitInfoSize <= size <= sizeof) and sets its
// structSize to `size`: a caller built against an older header gets the fields it knows.
void FillExitInfo(const ExitRecord& record, size_t size, NCP_ChildExitInfo* info);

}  // namespace ncp::core
