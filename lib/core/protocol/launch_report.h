// What an isolated start tells the fork server, and what a child tells whoever started it about
// its entry. Shared by ncp-launch (which sends the records on its control socket), the fork
// server (which reads them) and the child runtime (which writes the entry records to
// ncp_child_hooks::entry_report_fd). Header-only and free of launcher/ so every side can use it.
//
// The control socket is an AF_UNIX SOCK_SEQPACKET socket given to
// `ncp-launch --request-fd=3 --control-fd=N`: one LaunchReport per datagram. Exactly one of
// kReady / kFailed is sent; nothing follows kFailed; kEntryFound / kEntryMissing follow kReady
// only under --report-entry. In warm mode (--warm) the fork server sends one datagram the other
// way: a WarmRequestHeader with SCM_RIGHTS [request memfd, named fds..., IPC socket].
#pragma once

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace ncp::core {

inline constexpr uint32_t kLaunchReportVersion = 1;

enum class LaunchReportType : uint32_t {
  kReady = 1,         // the sandbox is built; the library is not loaded yet
  kFailed = 2,        // ncp-launch failed before the sandboxed entry ran
  kEntryFound = 3,    // the child loaded its library and found its entry symbol(s)
  kEntryMissing = 4,  // it could not; it exits with exit_status
  // ncp-launch, right before it exits after its sandbox ended: why (exit_status: an ExitCause;
  // err: the refused syscall's number or -1; message: "NAME\tFILE:LINE" for kSeccomp). Only
  // ncp-launch's own control socket carries it; the fork server adds it to the exit record.
  kEnded = 5,
};

struct LaunchReport {
  uint32_t version;
  LaunchReportType type;
  int32_t err;          // errno of the failing call, 0 when none
  int32_t exit_status;  // kFailed: ncp-launch's (125, 126, 127); kEntryMissing: 120 or 121
  // NUL-terminated, one line: "step: message: strerror", a profile's "file:line: reason", or
  // (kEntryMissing) the loader's message.
  char message[1024];
};

// A warm ncp-launch's one request: this header, then SCM_RIGHTS with fd_count fds.
struct WarmRequestHeader {
  uint32_t version;   // kLaunchReportVersion
  uint32_t fd_count;  // 1 (request memfd) + named fds + (1 if the request has an IPC fd)
};

// A shape's builder (`ncp-launch ... --warm --builder`, launcher/warm_builder.h): the fork server
// sends it one WarmBuildRequest per sandbox it wants, with SCM_RIGHTS [the new sandbox's control
// socket]. The builder forks a warm ncp-launch for it as the fork server's child (CLONE_PARENT)
// and answers with a WarmBuildReply and SCM_RIGHTS [that child's pidfd]; pid -1 and no fd when
// it could not (err). Before its first reply it sends kReady (or kFailed) as a LaunchReport.
struct WarmBuildRequest {
  uint32_t version;  // kLaunchReportVersion
  uint32_t reserved;
  uint64_t build_id;  // echoed in the reply
};

struct WarmBuildReply {
  uint32_t version;  // kLaunchReportVersion
  int32_t pid;
  uint64_t build_id;
  int32_t err;
  uint32_t reserved;
};

// The fds a warm request can carry: the request, 16 named fds (4..19), the IPC socket (<= 20).
inline constexpr int kMaxWarmRequestFds = 18;
// The highest fd number a request can place anything at (the IPC socket's limit).
inline constexpr int kHighestRequestFd = 20;

inline LaunchReport MakeLaunchReport(LaunchReportType type, int err, int exit_status,
                                     std::string_view message) {
  LaunchReport report{};
  report.version = kLaunchReportVersion;
  report.type = type;
  report.err = err;
  report.exit_status = exit_status;
  size_t n =
      message.size() < sizeof(report.message) - 1 ? message.size() : sizeof(report.message) - 1;
  // One line: the reader shows it as an error message.
  const size_t newline = message.substr(0, n).find('\n');
  if (newline != std::string_view::npos) n = newline;
  std::memcpy(report.message, message.data(), n);
  report.message[n] = '\0';
  return report;
}

// kEnded: "NAME\tFILE:LINE" when the filter killed it, else "".
inline LaunchReport MakeEndedReport(int32_t cause, int32_t syscall_nr, std::string_view syscall,
                                    std::string_view profile_line) {
  std::string detail;
  if (!syscall.empty() || !profile_line.empty()) {
    detail.append(syscall).append("\t").append(profile_line);
  }
  return MakeLaunchReport(LaunchReportType::kEnded, syscall_nr, cause, detail);
}

// One record, whole or not at all: a pipe takes writes of at most PIPE_BUF atomically, a
// SOCK_SEQPACKET socket one datagram. MSG_NOSIGNAL where it is a socket: a reader that went
// away must not kill the writer with SIGPIPE. Returns false on any failure (errno set).
inline bool WriteLaunchReport(int fd, const LaunchReport& report) {
  ssize_t n;
  do {
    n = send(fd, &report, sizeof(report), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == ENOTSOCK) {
    do {
      n = write(fd, &report, sizeof(report));
    } while (n < 0 && errno == EINTR);
  }
  return n == static_cast<ssize_t>(sizeof(report));
}

// Checks a record that came from an untrusted writer (the sandbox): exact size, version, a known
// type, a NUL inside the message. nullopt: not a record.
inline std::optional<LaunchReport> ParseLaunchReport(const void* bytes, size_t size) {
  if (size != sizeof(LaunchReport)) return std::nullopt;
  LaunchReport report;
  std::memcpy(&report, bytes, sizeof(report));
  if (report.version != kLaunchReportVersion) return std::nullopt;
  switch (report.type) {
    case LaunchReportType::kReady:
    case LaunchReportType::kFailed:
    case LaunchReportType::kEntryFound:
    case LaunchReportType::kEntryMissing:
    case LaunchReportType::kEnded:
      break;
    default:
      return std::nullopt;
  }
  if (std::memchr(report.message, '\0', sizeof(report.message)) == nullptr) return std::nullopt;
  return report;
}

}  // namespace ncp::core
