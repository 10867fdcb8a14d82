#include "core/protocol/wire.h"

#include <cstring>

#include "base/read_whole_fd.h"
#include "core/protocol/byte_fields.h"

namespace ncp::core {
namespace {

constexpr char kMagic[4] = {'N', 'C', 'P', 'R'};
// 3: the launcher's argv left the request; 4: the environment travels as one block
constexpr uint32_t kVersion = 4;
constexpr uint32_t kMaxFdNames = 16;

}  // namespace

std::string EncodeRequest(const WireRequest& r) {
  std::string out;
  // One allocation: every field's length and bytes, counted first.
  size_t size = sizeof kMagic + 12 * 4 + r.library.size() + r.symbol.size() + r.params.size() +
                r.process_name.size() + r.environment.bytes().size() + r.working_directory.size();
  for (const std::string& name : r.fd_names) size += 4 + name.size();
  out.reserve(size);
  out.append(kMagic, sizeof kMagic);
  PutU32(&out, kVersion);
  PutU32(&out, static_cast<uint32_t>(r.kind));
  PutString(&out, r.library);
  PutString(&out, r.symbol);
  PutString(&out, r.params);
  PutString(&out, r.process_name);
  PutU32(&out, static_cast<uint32_t>(r.fd_names.size()));
  for (const std::string& name : r.fd_names) PutString(&out, name);
  PutU32(&out, static_cast<uint32_t>(r.ipc_fd));
  PutU32(&out, r.environment.size());
  PutString(&out, r.environment.bytes());
  PutString(&out, r.working_directory);
  PutU32(&out, r.umask);
  return out;
}

base::StatusOr<WireRequest> DecodeRequest(std::string_view bytes) {
  auto bad = [](const char* what) {
    return base::Error(base::Code::kInvalidArgument,
                       std::string("malformed launch request: ") + what);
  };
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return bad("bad magic");
  }
  FieldReader in(bytes, sizeof kMagic);
  uint32_t version = 0, kind = 0, count = 0, ipc_fd = 0;
  if (!in.U32(&version)) return bad("truncated");
  // Another version comes from a library of another package version (an upgrade while the
  // application ran): say so, rather than misread it.
  if (version != kVersion) {
    return base::Error(base::Code::kInvalidArgument,
                       "launch request version " + std::to_string(version) + ", this ncp reads " +
                           std::to_string(kVersion) +
                           ": the library and ncp-launch/ncp-child come from different versions "
                           "of ncp (upgraded while the application ran?); restart the "
                           "application");
  }
  if (!in.U32(&kind) || (kind != static_cast<uint32_t>(ChildKind::kArgs) &&
                         kind != static_cast<uint32_t>(ChildKind::kIpc))) {
    return bad("unknown kind");
  }
  WireRequest r;
  r.kind = static_cast<ChildKind>(kind);
  if (!in.String(&r.library) || !in.String(&r.symbol) || !in.String(&r.params) ||
      !in.String(&r.process_name)) {
    return bad("truncated");
  }
  if (!in.U32(&count) || count > kMaxFdNames) return bad("fd count");
  r.fd_names.resize(count);
  for (std::string& name : r.fd_names) {
    if (!in.String(&name)) return bad("truncated fd name");
  }
  if (!in.U32(&ipc_fd)) return bad("truncated");
  r.ipc_fd = static_cast<int32_t>(ipc_fd);
  uint32_t env_count = 0;
  std::string_view env_bytes;
  if (!in.U32(&env_count) || !in.View(&env_bytes)) return bad("truncated environment");
  std::optional<EnvironmentBlock> environment = EnvironmentBlock::FromBytes(env_bytes, env_count);
  if (!environment) return bad("environment entries");
  r.environment = std::move(*environment);
  if (!in.String(&r.working_directory) || !in.U32(&r.umask)) return bad("truncated");
  if (!in.AtEnd()) return bad("trailing bytes");
  return r;
}

base::StatusOr<WireRequest> ReadRequest(int fd) {
  auto bytes = base::ReadWholeFd(fd, "the launch request", kMaxRequestBytes);
  if (!bytes.ok()) return bytes.status();
  return DecodeRequest(*bytes);
}

}  // namespace ncp::core
