#include "core/protocol/program_request.h"

#include <cerrno>
#include <cstring>

#include "base/read_whole_fd.h"
#include "core/protocol/byte_fields.h"
#include "core/protocol/wire.h"

namespace ncp::core {
namespace {

constexpr char kMagic[4] = {'N', 'C', 'P', 'P'};

}  // namespace

base::Status ProgramStartFailure(uint32_t stage, int err) {
  switch (static_cast<ProgramStage>(stage)) {
    case ProgramStage::kEnterDirectory:
      return base::Status(base::Code::kInvalidArgument,
                          "the program's working directory cannot be entered", err);
    case ProgramStage::kExec: {
      const bool program_at_fault =
          err != ENOMEM && err != EMFILE && err != ENFILE && err != EAGAIN && err != EIO;
      return base::Status(program_at_fault ? base::Code::kInvalidArgument : base::Code::kInternal,
                          "the program cannot be executed", err);
    }
    case ProgramStage::kPlaceFds:
      return base::Status(base::Code::kInternal, "the program's fds cannot be placed", err);
    case ProgramStage::kReadRequest:
      break;
  }
  return base::Status(base::Code::kInternal, "the program request was not understood", err);
}

std::string EncodeProgramRequest(const ProgramRequest& r) {
  std::string out(kMagic, sizeof kMagic);
  PutString(&out, r.exec_path);
  PutStrings(&out, r.argv);
  PutStrings(&out, r.environment);
  PutString(&out, r.working_directory);
  PutU32(&out, r.umask);
  PutU32(&out, static_cast<uint32_t>(r.child_fds.size()));
  for (int32_t fd : r.child_fds) PutU32(&out, static_cast<uint32_t>(fd));
  return out;
}

base::StatusOr<ProgramRequest> DecodeProgramRequest(const std::string& bytes) {
  auto bad = [](const char* what) {
    return base::Error(base::Code::kInvalidArgument,
                       std::string("malformed program request: ") + what);
  };
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return bad("bad magic");
  }
  FieldReader in(bytes, sizeof kMagic);
  ProgramRequest r;
  if (!in.String(&r.exec_path) || !in.Strings(&r.argv) || !in.Strings(&r.environment) ||
      !in.String(&r.working_directory) || !in.U32(&r.umask)) {
    return bad("truncated");
  }
  uint32_t count = 0;
  if (!in.U32(&count) || count > 64) return bad("fd count");
  r.child_fds.resize(count);
  for (int32_t& fd : r.child_fds) {
    uint32_t v = 0;
    if (!in.U32(&v)) return bad("truncated fd");
    fd = static_cast<int32_t>(v);
  }
  if (!in.AtEnd()) return bad("trailing bytes");
  return r;
}

base::StatusOr<ProgramRequest> ReadProgramRequest(int fd) {
  auto bytes = base::ReadWholeFd(fd, "the program request", kMaxRequestBytes);
  if (!bytes.ok()) return bytes.status();
  return DecodeProgramRequest(*bytes);
}

}  // namespace ncp::core
