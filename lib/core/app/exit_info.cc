#include "core/app/exit_info.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace ncp::core {

void FillExitInfo(const ExitRecord& record, size_t size, NCP_ChildExitInfo* info) {
  NCP_ChildExitInfo full{};
  full.structSize = static_cast<uint32_t>(std::min(size, sizeof full));
  full.pid = record.pid;
  full.exitCode = record.exit_code;
  full.signal = record.signal;
  full.coreDumped = record.core_dumped;
  full.userTimeUs = record.user_time_us;
  full.systemTimeUs = record.system_time_us;
  full.maxRssKiB = record.max_rss_kib;
  full.cause = static_cast<int32_t>(record.cause);
  full.syscallNumber = record.syscall_nr;
  snprintf(full.syscallName, sizeof full.syscallName, "%s", record.syscall_name.c_str());
  snprintf(full.profileLine, sizeof full.profileLine, "%s", record.profile_line.c_str());
  std::memcpy(info, &full, full.structSize);
}

}  // namespace ncp::core
