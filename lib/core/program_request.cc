#include "core/program_request.h"

#include <cerrno>
#include <cstring>

#include "base/read_whole_fd.h"
#include "core/wire.h"

namespace ncp::core {
namespace {

constexpr char kMagic[4] = {'N', 'C', 'P', 'P'};

void PutU32(std::string* out, uint32_t v) { out->append(reinterpret_cast<const char*>(&v), 4); }
void PutString(std::string* out, const std::string& s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}
void PutStrings(std::string* out, const std::vector<std::string>& list) {
  PutU32(out, static_cast<uint32_t>(list.size()));
  for (const std::string& s : list) PutString(out, s);
}

class Reader {
 public:
  explicit Reader(const std::string& bytes) : bytes_(bytes), pos_(sizeof kMagic) {}
  bool U32(uint32_t* v) {
    if (bytes_.size() - pos_ < 4) return false;
    std::memcpy(v, bytes_.data() + pos_, 4);
    pos_ += 4;
    return true;
  }
  bool String(std::string* s) {
    uint32_t n = 0;
    if (!U32(&n) || bytes_.size() - pos_ < n) return false;
    s->assign(bytes_, pos_, n);
    pos_ += n;
    return true;
  }
  // Each entry takes at least 4 bytes: a count larger than what is left is malformed, and is
  // refused before anything is allocated for it.
  bool Strings(std::vector<std::string>* list) {
    uint32_t n = 0;
    if (!U32(&n) || n > (bytes_.size() - pos_) / 4) return false;
    list->resize(n);
    for (std::string& s : *list) {
      if (!String(&s)) return false;
    }
    return true;
  }
  bool AtEnd() const { return pos_ == bytes_.size(); }

 private:
  const std::string& bytes_;
  size_t pos_;
};

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
  Reader in(bytes);
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
