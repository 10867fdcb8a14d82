#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "core/protocol/exit_cause.h"

namespace ncp::core {

// How a child ended, as waitid(2) and its rusage report it.
struct ExitRecord {
  pid_t pid = 0;
  int exit_code = -1;  // WEXITSTATUS, or -1 when killed by a signal or unknown
  int signal = 0;      // terminating signal, or 0
  bool core_dumped = false;
  int64_t user_time_us = 0;
  int64_t system_time_us = 0;
  int64_t max_rss_kib = 0;
  ExitCause cause = ExitCause::kExited;
  int syscall_nr = -1;       // kSeccomp: the refused call
  std::string syscall_name;  // kSeccomp
  std::string profile_line;  // kSeccomp: the rule that refused it, "file:line"
};

}  // namespace ncp::core
