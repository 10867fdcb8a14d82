// Writes the binary seed corpora and the generated dictionaries into OUT_DIR, so that the repo
// keeps no binary seeds that could drift from the code: encoded launch requests, IPC frames (in
// ipc_frame_fuzzer's packet format) and received parcels (in ipc_parcel_fuzzer's format), built
// with the real encoders; and the profile dictionary from the option table and syscall groups
// (group names and every syscall they name).
//
// Usage: ncp_fuzz_seeds OUT_DIR   (makes OUT_DIR/<harness>/seed-N and OUT_DIR/<harness>.dict)
#include <fcntl.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "IPCKit/ipc_cparcel.h"
#include "core/protocol/wire.h"
#include "ipc/parcel.h"
#include "ipc/remote_object.h"
#include "ipc/wire.h"
#include "policy/option_table.h"
#include "policy/syscall_groups.h"

namespace {

using ncp::ipc::FrameHeader;
using ncp::ipc::Parcel;
using ncp::ipc::WireObject;

std::string g_out;

void WriteSeed(const std::string& harness, int index, const std::string& bytes) {
  std::string dir = g_out + "/" + harness;
  ::mkdir(dir.c_str(), 0755);
  std::ofstream(dir + "/seed-" + std::to_string(index), std::ios::binary) << bytes;
}

template <typename T>
void Append(std::string* out, const T& value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(value));
}

void LaunchRequests() {
  ncp::core::WireRequest args;
  args.library = "libentry.so";
  args.symbol = "Main";
  args.params = "hello";
  args.process_name = "worker";
  args.fd_names = {"input", "output"};
  args.environment = {"PATH=/usr/bin", "LANG=C.UTF-8"};
  args.working_directory = "/tmp";
  WriteSeed("launch_request", 0, ncp::core::EncodeRequest(args));
  ncp::core::WireRequest ipc;
  ipc.kind = ncp::core::ChildKind::kIpc;
  ipc.library = "/usr/lib/libipc_child.so";
  ipc.ipc_fd = 5;
  WriteSeed("launch_request", 1, ncp::core::EncodeRequest(ipc));
  WriteSeed("launch_request", 2, ncp::core::EncodeRequest({}));
}

// A parcel as applications fill one, with an fd and a stub; its wire object table as the
// connection encodes it (the stub exported as handle 1).
struct SampleParcel {
  Parcel parcel;
  std::vector<WireObject> objects;
  size_t fds = 0;
};

void FillSample(SampleParcel* sample, bool with_objects) {
  OHIPCParcel* p = ncp::ipc::ToC(&sample->parcel);
  OH_IPCParcel_WriteInterfaceToken(p, "ohos.fuzz.IService");
  OH_IPCParcel_WriteInt32(p, 42);
  OH_IPCParcel_WriteInt64(p, -7);
  OH_IPCParcel_WriteDouble(p, 2.5);
  OH_IPCParcel_WriteString(p, "a string");
  const uint8_t buffer[5] = {1, 2, 3, 4, 5};
  OH_IPCParcel_WriteBuffer(p, buffer, sizeof buffer);
  if (!with_objects) return;
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  OH_IPCParcel_WriteFileDescriptor(p, fd);
  ::close(fd);
  sample->parcel.WriteObject(std::make_shared<ncp::ipc::Stub>("fuzz", nullptr, nullptr, nullptr));
  for (const ncp::ipc::ParcelObject& object : sample->parcel.objects()) {
    WireObject wire;
    wire.offset = object.offset;
    if (object.fd.valid()) {
      wire.kind = static_cast<uint16_t>(ncp::ipc::WireObjectKind::kFd);
      wire.value = static_cast<uint32_t>(sample->fds++);
    } else {
      wire.kind = static_cast<uint16_t>(ncp::ipc::WireObjectKind::kSenderObject);
      wire.value = 1;
    }
    sample->objects.push_back(wire);
  }
}

// A read script that walks the sample parcel in order (see parcel_reads.cc for the steps).
// ReadBuffer does not skip padding, so the 5-byte buffer is read as its padded 8 bytes.
const std::string kSampleScript = {15, 2, 3, 9, 10, 11, 8, 14, 13, 19, 16, 0, 17, 18, 2, 3, 14, 12};

std::string Frame(ncp::ipc::FrameType type, uint64_t id, uint32_t target, uint32_t code,
                  const SampleParcel* sample) {
  FrameHeader header;
  header.type = static_cast<uint16_t>(type);
  header.id = id;
  header.target = target;
  header.code = code;
  std::string bytes;
  if (sample != nullptr) {
    header.data_size = static_cast<uint32_t>(sample->parcel.data_size());
    header.object_count = static_cast<uint32_t>(sample->objects.size());
    header.fd_count = static_cast<uint32_t>(sample->fds);
  }
  Append(&bytes, header);
  if (sample != nullptr) {
    bytes.append(reinterpret_cast<const char*>(sample->parcel.data()), sample->parcel.data_size());
    for (const WireObject& object : sample->objects) Append(&bytes, object);
  }
  return bytes;
}

// ipc_frame_fuzzer's input: [fd count][flags] then [u16 length][bytes] per packet.
std::string Packets(uint8_t fds, uint8_t flags, const std::vector<std::string>& packets) {
  std::string out = {static_cast<char>(fds), static_cast<char>(flags)};
  for (const std::string& packet : packets) {
    Append(&out, static_cast<uint16_t>(packet.size()));
    out += packet;
  }
  return out;
}

void IpcFrames() {
  using ncp::ipc::FrameType;
  SampleParcel plain, with_objects;
  FillSample(&plain, false);
  FillSample(&with_objects, true);
  // The bytes of the request id, target and code are the read script (ipc_frame_fuzzer), in
  // the sample's order: token, int32, int64, double, string, 8-byte buffer, fd, then the stub.
  constexpr uint64_t kScript = 0x0e080b0a0903020f;
  std::string request = Frame(FrameType::kRequest, kScript, 1, 1, &plain);
  std::string with_fd = Frame(FrameType::kRequest, kScript, 13, 2, &with_objects);
  std::string hello = Frame(FrameType::kHello, 0, 1, 0, nullptr);
  std::string reply = Frame(FrameType::kReply, kScript, 12, 0, &with_objects);
  std::string release = Frame(FrameType::kRelease, 0, 1, 1, nullptr);
  WriteSeed("ipc_frame", 0, Packets(0, 4 | 1, {hello, request}));
  WriteSeed("ipc_frame", 1, Packets(1, 0, {with_fd}));
  WriteSeed("ipc_frame", 2, Packets(1, 2, {reply, release}));
  // One frame cut into three packets, as a frame larger than a datagram travels.
  size_t third = with_fd.size() / 3;
  WriteSeed(
      "ipc_frame", 3,
      Packets(1, 0,
              {with_fd.substr(0, third), with_fd.substr(third, third), with_fd.substr(2 * third)}));

  // ipc_parcel_fuzzer's input: [table byte][table][u16 data length][data][script], with the
  // table raw (top bit of the table byte) and compact ([offset / 4][kind - 1]).
  int index = 0;
  for (const SampleParcel* sample : {&plain, &with_objects}) {
    for (bool raw : {true, false}) {
      std::string out = {static_cast<char>(sample->objects.size() | (raw ? 0x80 : 0))};
      for (const WireObject& object : sample->objects) {
        if (raw) {
          Append(&out, object);
        } else {
          out += static_cast<char>(object.offset / 4);
          out += static_cast<char>(object.kind - 1);
        }
      }
      Append(&out, static_cast<uint16_t>(sample->parcel.data_size()));
      out.append(reinterpret_cast<const char*>(sample->parcel.data()), sample->parcel.data_size());
      out += kSampleScript;
      WriteSeed("ipc_parcel", index++, out);
    }
  }
}

std::string Quoted(const std::string& word) {
  std::string out = "\"";
  for (char c : word) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void ProfileDictionary() {
  std::ofstream dict(g_out + "/profile.dict");
  for (const ncp::policy::OptionSpec& option : ncp::policy::AllOptions()) {
    dict << Quoted(option.name) << "\n" << Quoted(std::string(option.name) + " = ") << "\n";
  }
  std::set<std::string> words;
  for (const ncp::policy::SyscallGroup& group : ncp::policy::AllSyscallGroups()) {
    words.insert(group.name);
    std::istringstream members(group.members);  // syscall names and other groups
    for (std::string member; members >> member;) words.insert(member);
  }
  for (const std::string& word : words) dict << Quoted(word) << "\n";
  for (const char* word :
       {"errno:", "kill",  "trap",    "log",    "allow",     "(arg0 == ", "(arg1 & 0xffffffff == ",
        ")",      "EPERM", "ENOSYS",  "inf",    "unlimited", "nofile=",   "=64M",
        "/usr",   "/tmp",  "default", "strict", "network",   "audit"}) {
    dict << Quoted(word) << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  g_out = argv[1];
  ::mkdir(g_out.c_str(), 0755);
  LaunchRequests();
  IpcFrames();
  ProfileDictionary();
  return 0;
}
