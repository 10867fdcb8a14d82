#include "parcel_reads.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "IPCKit/ipc_cparcel.h"
#include "IPCKit/ipc_cremote_object.h"
#include "IPCKit/ipc_error_code.h"

namespace ncp::fuzz {
namespace {

using ipc::FromC;
using ipc::Parcel;
using ipc::ToC;

// Stands in for a RemoteProxy: what the reads care about is only that it is a proxy.
class StandInProxy final : public ipc::RemoteObject {
 public:
  bool IsProxy() const override { return true; }
  int SendRequest(uint32_t, const Parcel&, Parcel*, bool) override {
    return OH_IPC_DEAD_REMOTE_OBJECT;
  }
  int GetDescriptor(std::string*) override { return OH_IPC_DEAD_REMOTE_OBJECT; }
  bool IsDead() const override { return true; }
  int AddDeathRecipient(std::shared_ptr<ipc::DeathRecipient>) override {
    return OH_IPC_INNER_ERROR;
  }
  int RemoveDeathRecipient(const ipc::DeathRecipient*) override { return OH_IPC_INNER_ERROR; }
};

// Folds bytes into a value the compiler cannot drop, so every byte is really read.
volatile uint8_t g_sink;
void Touch(const void* bytes, size_t len) {
  uint8_t sum = 0;
  for (size_t i = 0; i < len; ++i) sum ^= static_cast<const uint8_t*>(bytes)[i];
  g_sink = sum;
}

void* Allocate(int32_t len) { return std::malloc(static_cast<size_t>(len)); }

template <typename T>
void ReadOne(int (*read)(const OHIPCParcel*, T*), const OHIPCParcel* parcel) {
  T value{};
  if (read(parcel, &value) == OH_IPC_SUCCESS) Touch(&value, sizeof(value));
}

}  // namespace

void DriveParcelReads(const Parcel& parcel, std::span<const uint8_t> script) {
  const OHIPCParcel* in = ToC(&parcel);
  Parcel own;  // the application's own parcel, which received data may be appended to
  // NCP_FUZZ_TRACE=1 shows each step, for reading what a reproducer does.
  static const bool trace = std::getenv("NCP_FUZZ_TRACE") != nullptr;
  for (size_t i = 0; i < script.size(); ++i) {
    uint8_t step = script[i];
    uint8_t arg = i + 1 < script.size() ? script[i + 1] : 0;
    if (trace) {
      std::fprintf(stderr, "step %u (arg %u) at %zu of %zu, %zu objects\n", step % 23, arg,
                   parcel.read_position(), parcel.data_size(), parcel.objects().size());
    }
    switch (step % 23) {
      case 0:
        ReadOne(OH_IPCParcel_ReadInt8, in);
        break;
      case 1:
        ReadOne(OH_IPCParcel_ReadInt16, in);
        break;
      case 2:
        ReadOne(OH_IPCParcel_ReadInt32, in);
        break;
      case 3:
        ReadOne(OH_IPCParcel_ReadInt64, in);
        break;
      case 4:
        ReadOne(OH_IPCParcel_ReadUint8, in);
        break;
      case 5:
        ReadOne(OH_IPCParcel_ReadUint16, in);
        break;
      case 6:
        ReadOne(OH_IPCParcel_ReadUint32, in);
        break;
      case 7:
        ReadOne(OH_IPCParcel_ReadUint64, in);
        break;
      case 8:
        ReadOne(OH_IPCParcel_ReadFloat, in);
        break;
      case 9:
        ReadOne(OH_IPCParcel_ReadDouble, in);
        break;
      case 10:
        if (const char* s = OH_IPCParcel_ReadString(in)) Touch(s, std::strlen(s) + 1);
        break;
      case 11: {  // lengths around the readable size and a few fixed ones, incl. the odd ones
        int32_t len = arg == 0 ? OH_IPCParcel_GetReadableBytes(in) : arg;
        if (arg == 255) len = OH_IPCParcel_GetReadableBytes(in) + 1;
        if (const uint8_t* b = OH_IPCParcel_ReadBuffer(in, len)) Touch(b, len);
        ++i;
        break;
      }
      case 12:
        if (OHIPCRemoteStub* stub = OH_IPCParcel_ReadRemoteStub(in)) OH_IPCRemoteStub_Destroy(stub);
        break;
      case 13:
        if (OHIPCRemoteProxy* p = OH_IPCParcel_ReadRemoteProxy(in)) OH_IPCRemoteProxy_Destroy(p);
        break;
      case 14: {
        int32_t fd = -1;
        if (OH_IPCParcel_ReadFileDescriptor(in, &fd) == OH_IPC_SUCCESS) {
          if (::fcntl(fd, F_GETFD) < 0) std::abort();  // must be a real, owned fd
          ::close(fd);
        }
        break;
      }
      case 15: {
        char* token = nullptr;
        int32_t len = 0;
        if (OH_IPCParcel_ReadInterfaceToken(in, &token, &len, Allocate) == OH_IPC_SUCCESS) {
          if (len < 1 || token[len - 1] != '\0') std::abort();
          Touch(token, static_cast<size_t>(len));
          std::free(token);
        }
        break;
      }
      case 16:  // rewind to a 4-aligned spot, or just past the data
        OH_IPCParcel_RewindReadPosition(const_cast<OHIPCParcel*>(in),
                                        arg == 255 ? parcel.data_size() + 1 : arg * 4u);
        ++i;
        break;
      case 17:
        OH_IPCParcel_Append(ToC(&own), in);
        break;
      case 18:  // then read from the application's parcel instead, as a stub would a copy
        if (own.data_size() > 0) {
          DriveParcelReads(own, script.subspan(i + 1, std::min<size_t>(8, script.size() - i - 1)));
        }
        break;
      case 19: {  // the sizes must stay consistent whatever was read
        // A read position past the data (RewindWritePosition leaves it, as OpenHarmony's
        // Parcel::RewindWrite does) has nothing readable.
        const int position = OH_IPCParcel_GetReadPosition(in);
        const int size = OH_IPCParcel_GetDataSize(in);
        const int readable = OH_IPCParcel_GetReadableBytes(in);
        if (position < 0 || readable != (position <= size ? size - position : 0)) std::abort();
        break;
      }
      case 20:
        OH_IPCParcel_RewindWritePosition(ToC(&own), arg);
        ++i;
        break;
      case 21:
        OH_IPCParcel_WriteInt32(ToC(&own), arg);
        break;
      case 22:  // a parcel appended to itself: the source grows while it is copied
        // Small parcels only: each step doubles the parcel and its fds, and a few dozen steps of
        // copying 200 KiB and thousands of fds find nothing new but slow every run down.
        if (own.data_size() <= 4096) OH_IPCParcel_Append(ToC(&own), ToC(&own));
        break;
    }
  }
}

Parcel BuildReceivedParcel(ipc::ReceivedFrame& frame) {
  std::vector<ipc::ParcelObject> objects;
  for (const ipc::WireObject& wire : frame.objects) {
    ipc::ParcelObject object;
    object.offset = wire.offset;
    switch (static_cast<ipc::WireObjectKind>(wire.kind)) {
      case ipc::WireObjectKind::kFd:
        object.fd = std::move(frame.fds[wire.value]);
        break;
      case ipc::WireObjectKind::kSenderObject:
        object.object = std::make_shared<StandInProxy>();
        break;
      case ipc::WireObjectKind::kReceiverObject:
        object.object = std::make_shared<ipc::Stub>("fuzz", nullptr, nullptr, nullptr);
        break;
    }
    objects.push_back(std::move(object));
  }
  return Parcel::FromReceived(frame.data.data(), frame.data.size(), std::move(objects));
}

int LowestFreeFd() {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) std::abort();
  ::close(fd);
  return fd;
}

void CheckNoFdLeak(int baseline) {
  int now = LowestFreeFd();
  if (now != baseline) {
    std::fprintf(stderr, "fd leak: the lowest free fd is %d, was %d\n", now, baseline);
    std::abort();
  }
}

}  // namespace ncp::fuzz
