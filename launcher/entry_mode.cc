#include "launcher/entry_mode.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "base/exit_status.h"
#include "base/log.h"
#include "base/monotonic_clock.h"
#include "base/read_whole_fd.h"
#include "core/child/child_runtime.h"
#include "core/protocol/wire.h"
#include "launcher/steps.h"
#include "launcher/warm_forward.h"

// LeakSanitizer's end-of-process check stops the world with ptrace, which the entry's seccomp
// filter refuses. In sanitizer builds the check runs here instead, before the filter (it then
// does not run again at exit); plain builds have no such symbol.
extern "C" void __lsan_do_leak_check() __attribute__((weak));
// Present only in sanitizer builds: their shadow memory (terabytes of address space, mapped
// writable) counts against RLIMIT_DATA and RLIMIT_AS, so such a runtime can run under neither.
extern "C" void __asan_init() __attribute__((weak));
extern "C" void __tsan_init() __attribute__((weak));
extern "C" void __msan_init() __attribute__((weak));

namespace ncp::launcher {
namespace {

struct EntryState {
  std::vector<sock_filter> filter;
  bool install_filter = false;  // in the hook, right before user code
  bool verbose = false;
  int supervisor_fd = -1;          // a supervised filter's socket to ncp-launch
  int64_t request_arrived_us = 0;  // warm: when the host took the request
};

[[noreturn]] void Fail(const base::Status& status) {
  base::LogLine("ncp-entry: %s", status.ToString().c_str());
  _exit(base::kSandboxFailedExit);
}

base::StatusOr<std::vector<sock_filter>> ReadFilter(int fd) {
  auto bytes = base::ReadWholeFd(fd, "the seccomp filter", BPF_MAXINSNS * sizeof(sock_filter));
  if (!bytes.ok()) return bytes.status();
  if (bytes->empty() || bytes->size() % sizeof(sock_filter) != 0) {
    return base::Error(base::Code::kInvalidArgument, "malformed seccomp filter fd");
  }
  std::vector<sock_filter> program(bytes->size() / sizeof(sock_filter));
  std::memcpy(program.data(), bytes->data(), bytes->size());
  return program;
}

int InstallFilter(const EntryState& state) {
  const int64_t start = state.verbose ? base::MonotonicMicros() : 0;
  if (base::Status s = InstallSeccomp(state.filter, state.supervisor_fd); !s.ok()) {
    base::LogLine("ncp-entry: install-seccomp: %s", s.ToString().c_str());
    return base::kSandboxFailedExit;
  }
  if (state.verbose) {
    base::LogLine("entry  %-24s %6lld us", "install-seccomp",
                  static_cast<long long>(base::MonotonicMicros() - start));
  }
  return 0;
}

int BeforeUserCodeHook(void* context) {
  const EntryState& state = *static_cast<EntryState*>(context);
  if (state.install_filter) {
    if (const int status = InstallFilter(state); status != 0) return status;
  }
  if (state.verbose && state.request_arrived_us != 0) {
    base::LogLine("entry  %-24s %6lld us", "warm-request-to-entry",
                  static_cast<long long>(base::MonotonicMicros() - state.request_arrived_us));
  }
  return 0;
}

base::Status ApplyMemoryLimits(const char* text) {
  if (std::strcmp(text, "-") == 0) return base::Status::Ok();
  const char* p = text;
  while (*p != '\0') {
    char* end = nullptr;
    const long resource = std::strtol(p, &end, 10);
    if (*end != '=' || (resource != RLIMIT_AS && resource != RLIMIT_DATA)) break;
    const unsigned long long soft = std::strtoull(end + 1, &end, 10);
    if (*end != ':') break;
    const unsigned long long hard = std::strtoull(end + 1, &end, 10);
    if (*end != ',' && *end != '\0') break;
    const rlimit value{static_cast<rlim_t>(soft), static_cast<rlim_t>(hard)};
    if (setrlimit(static_cast<__rlimit_resource>(resource), &value) != 0) {
      return base::ErrnoError("setrlimit " + std::to_string(resource));
    }
    p = *end == ',' ? end + 1 : end;
  }
  if (*p != '\0') {
    return base::Error(base::Code::kInvalidArgument, std::string("bad memory limits: ") + text);
  }
  return base::Status::Ok();
}

int ParseFd(const char* text) {
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return end != text && *end == '\0' && value >= -1 && value < (1 << 20) ? static_cast<int>(value)
                                                                         : -2;
}

}  // namespace

void RunEntryMode(int argc, char** argv) {
  if (argc != 10) {
    Fail(base::Error(base::Code::kInvalidArgument, "internal entry mode: wrong arguments"));
  }
  const int report_fd = ParseFd(argv[6]);
  const int warm_fd = ParseFd(argv[7]);
  const int supervisor_fd = ParseFd(argv[9]);
  if (report_fd < -1 || warm_fd < -1 || supervisor_fd < -1) {
    Fail(base::Error(base::Code::kInvalidArgument, "internal entry mode: wrong arguments"));
  }
  const int filter_fd = std::atoi(argv[2]);
  const bool before_load = argv[3][0] == '1';
  // Never freed: the runtime does not return.
  static EntryState state;
  state.verbose = argv[4][0] == '1';
  state.supervisor_fd = supervisor_fd;
  static std::string library_path = argv[5];
  if (filter_fd >= 0) {
    auto filter = ReadFilter(filter_fd);
    if (!filter.ok()) Fail(filter.status());
    state.filter = std::move(*filter);
    // The entry must see only its named fds.
    close(filter_fd);
  }
  // Warm: after the filter is read (its fd sits above every request number) and before it is
  // installed (receiving needs recvmsg, which a filter need not allow).
  if (warm_fd >= 0) {
    const int keep[] = {report_fd, supervisor_fd};
    auto arrived = TakeForwardedRequest(warm_fd, keep);
    // The launcher let the sandbox go before any request came (the pool was trimmed, or the
    // application ended): nothing to say, nobody asked for this child.
    if (!arrived.ok() && arrived.status().code() == base::Code::kUnavailable) _exit(0);
    if (!arrived.ok()) Fail(arrived.status());
    state.request_arrived_us = *arrived;
    if (state.verbose) {
      base::LogLine("entry  %-24s %6lld us", "warm-request-received",
                    static_cast<long long>(base::MonotonicMicros() - *arrived));
    }
  }
  if (&__lsan_do_leak_check != nullptr) __lsan_do_leak_check();
  // Now that this runtime is in place, before the library. A sanitizer build of ncp-launch
  // cannot have them at all (see above): its tests skip what needs them.
  const bool sanitized =
      &__asan_init != nullptr || &__tsan_init != nullptr || &__msan_init != nullptr;
  if (!sanitized) {
    if (base::Status s = ApplyMemoryLimits(argv[8]); !s.ok()) Fail(s);
  } else if (state.verbose && std::strcmp(argv[8], "-") != 0) {
    base::LogLine("entry  memory limits not applied: this is a sanitizer build");
  }
  ncp_child_hooks hooks{};
  hooks.library_path = library_path.c_str();
  hooks.keep_own_context = 1;
  if (report_fd >= 0) {
    hooks.report_entry = 1;
    hooks.entry_report_fd = report_fd;
  }
  if (filter_fd >= 0 && before_load) {
    if (const int status = InstallFilter(state); status != 0) _exit(status);
  } else if (filter_fd >= 0) {
    state.install_filter = true;
  }
  hooks.before_user_code = &BeforeUserCodeHook;
  hooks.context = &state;
  ncp_internal_child_main_with_hooks(core::kRequestFd, &hooks);
}

}  // namespace ncp::launcher
