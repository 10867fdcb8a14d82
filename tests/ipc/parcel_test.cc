// Parcel cases of OpenHarmony's IpcCApiParcelUnitTest (ohos-api.md §10.3), written anew, plus the
// layout rules of §8.4 that applications observe (sizes, positions, the 204,800-byte cap).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "IPCKit/ipc_kit.h"

extern "C" int NcpIpcHeaderCheckLinked(void);

namespace {

constexpr int kMaxParcel = 204800;

struct ParcelDeleter {
  void operator()(OHIPCParcel* parcel) const { OH_IPCParcel_Destroy(parcel); }
};
using ParcelPtr = std::unique_ptr<OHIPCParcel, ParcelDeleter>;
ParcelPtr NewParcel() { return ParcelPtr(OH_IPCParcel_Create()); }

void* MallocAllocator(int32_t len) { return std::malloc(static_cast<size_t>(len)); }
void* FailingAllocator(int32_t) { return nullptr; }

int NoopRequest(uint32_t, const OHIPCParcel*, OHIPCParcel*, void*) { return OH_IPC_SUCCESS; }

TEST(IpcHeaders, CompileAsC) { EXPECT_EQ(NcpIpcHeaderCheckLinked(), 1); }

TEST(IpcParcel, CreateAndDestroy) {
  OHIPCParcel* parcel = OH_IPCParcel_Create();
  ASSERT_NE(parcel, nullptr);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel), 0);
  EXPECT_EQ(OH_IPCParcel_GetWritableBytes(parcel), 0);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel), 0);
  EXPECT_EQ(OH_IPCParcel_GetWritePosition(parcel), 0);
  OH_IPCParcel_Destroy(parcel);
  OH_IPCParcel_Destroy(nullptr);
}

TEST(IpcParcel, GetDataSize) {
  EXPECT_EQ(OH_IPCParcel_GetDataSize(nullptr), -1);
  ParcelPtr parcel = NewParcel();
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 0);
  for (int i = 0; i < 6; ++i) ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), i), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 24);
}

TEST(IpcParcel, GetWritableBytesFollowsCapacityGrowth) {
  EXPECT_EQ(OH_IPCParcel_GetWritableBytes(nullptr), -1);
  ParcelPtr parcel = NewParcel();
  EXPECT_EQ(OH_IPCParcel_GetWritableBytes(parcel.get()), 0);
  ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), 1), OH_IPC_SUCCESS);
  int before = OH_IPCParcel_GetWritableBytes(parcel.get());
  EXPECT_EQ(before, 60);  // first capacity is 64
  for (int i = 0; i < 10; ++i) ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), i), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetWritableBytes(parcel.get()), before - 40);
  // 64 -> 128 on the 17th int32.
  for (int i = 0; i < 5; ++i) ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), i), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 64);
  EXPECT_EQ(OH_IPCParcel_GetWritableBytes(parcel.get()), 0);
  ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), 0), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetWritableBytes(parcel.get()), 128 - 68);
}

TEST(IpcParcel, CapacityStepsOf4096AboveThreshold) {
  ParcelPtr parcel = NewParcel();
  std::string chunk(4095, 'x');  // 4096 bytes with the NUL: capacity exactly 4096
  ASSERT_EQ(OH_IPCParcel_WriteString(parcel.get(), chunk.c_str()), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetWritableBytes(parcel.get()), 0);
  ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), 1), OH_IPC_SUCCESS);  // needs 4100 -> 8192
  EXPECT_EQ(OH_IPCParcel_GetWritableBytes(parcel.get()), 8192 - 4100);
}

TEST(IpcParcel, GetReadableBytes) {
  EXPECT_EQ(OH_IPCParcel_GetReadableBytes(nullptr), -1);
  ParcelPtr parcel = NewParcel();
  EXPECT_EQ(OH_IPCParcel_GetReadableBytes(parcel.get()), 0);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), i), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetReadableBytes(parcel.get()), 40);
}

TEST(IpcParcel, GetReadPosition) {
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(nullptr), -1);
  ParcelPtr parcel = NewParcel();
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.get()), 0);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), i), OH_IPC_SUCCESS);
  for (int i = 0; i < 5; ++i) {
    int32_t value = -1;
    ASSERT_EQ(OH_IPCParcel_ReadInt32(parcel.get(), &value), OH_IPC_SUCCESS);
    EXPECT_EQ(value, i);
  }
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.get()), 20);
}

TEST(IpcParcel, GetWritePosition) {
  EXPECT_EQ(OH_IPCParcel_GetWritePosition(nullptr), -1);
  ParcelPtr parcel = NewParcel();
  EXPECT_EQ(OH_IPCParcel_GetWritePosition(parcel.get()), 0);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), i), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetWritePosition(parcel.get()), 40);
}

TEST(IpcParcel, RewindReadPosition) {
  EXPECT_EQ(OH_IPCParcel_RewindReadPosition(nullptr, 0), OH_IPC_CHECK_PARAM_ERROR);
  ParcelPtr parcel = NewParcel();
  for (int i = 0; i < 10; ++i) ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), i), OH_IPC_SUCCESS);
  // Beyond the data size: INNER_ERROR (OpenHarmony's code; its doc says CHECK_PARAM_ERROR).
  EXPECT_EQ(OH_IPCParcel_RewindReadPosition(parcel.get(), static_cast<uint32_t>(-1)),
            OH_IPC_INNER_ERROR);
  EXPECT_EQ(OH_IPCParcel_RewindReadPosition(parcel.get(), 41), OH_IPC_INNER_ERROR);
  EXPECT_EQ(OH_IPCParcel_RewindReadPosition(parcel.get(), 12), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.get()), 12);
  int32_t value = 0;
  ASSERT_EQ(OH_IPCParcel_ReadInt32(parcel.get(), &value), OH_IPC_SUCCESS);
  EXPECT_EQ(value, 3);
  EXPECT_EQ(OH_IPCParcel_RewindReadPosition(parcel.get(), 40), OH_IPC_SUCCESS);
}

TEST(IpcParcel, RewindWritePositionTruncates) {
  EXPECT_EQ(OH_IPCParcel_RewindWritePosition(nullptr, 0), OH_IPC_CHECK_PARAM_ERROR);
  ParcelPtr parcel = NewParcel();
  for (int i = 0; i < 30; ++i) ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), i), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_RewindWritePosition(parcel.get(), static_cast<uint32_t>(-1)),
            OH_IPC_INNER_ERROR);
  EXPECT_EQ(OH_IPCParcel_RewindWritePosition(parcel.get(), 121), OH_IPC_INNER_ERROR);
  EXPECT_EQ(OH_IPCParcel_RewindWritePosition(parcel.get(), 20), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetWritePosition(parcel.get()), 20);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 20);
  ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), 99), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_RewindReadPosition(parcel.get(), 20), OH_IPC_SUCCESS);
  int32_t value = 0;
  ASSERT_EQ(OH_IPCParcel_ReadInt32(parcel.get(), &value), OH_IPC_SUCCESS);
  EXPECT_EQ(value, 99);
}

TEST(IpcParcel, DataInfoStateMachine) {
  ParcelPtr parcel = NewParcel();
  ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), 7), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 4);
  EXPECT_EQ(OH_IPCParcel_GetWritePosition(parcel.get()), 4);
  EXPECT_EQ(OH_IPCParcel_GetReadableBytes(parcel.get()), 4);
  int32_t value = 0;
  ASSERT_EQ(OH_IPCParcel_ReadInt32(parcel.get(), &value), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.get()), 4);
  EXPECT_EQ(OH_IPCParcel_GetReadableBytes(parcel.get()), 0);
  EXPECT_EQ(OH_IPCParcel_ReadInt32(parcel.get(), &value), OH_IPC_PARCEL_READ_ERROR);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.get()), 4);  // a failed read does not move
  EXPECT_EQ(OH_IPCParcel_RewindReadPosition(parcel.get(), 0), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_RewindWritePosition(parcel.get(), 0), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 0);
  EXPECT_EQ(OH_IPCParcel_GetReadableBytes(parcel.get()), 0);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.get()), 0);
  EXPECT_EQ(OH_IPCParcel_GetWritePosition(parcel.get()), 0);
  EXPECT_EQ(OH_IPCParcel_GetWritableBytes(parcel.get()), 64);
}

template <typename T, int (*Write)(OHIPCParcel*, T), int (*Read)(const OHIPCParcel*, T*)>
void CheckRoundTrip(const std::vector<T>& values, int bytes_each) {
  EXPECT_EQ(Write(nullptr, values[0]), OH_IPC_CHECK_PARAM_ERROR);
  T out{};
  EXPECT_EQ(Read(nullptr, &out), OH_IPC_CHECK_PARAM_ERROR);
  ParcelPtr parcel = NewParcel();
  EXPECT_EQ(Read(parcel.get(), nullptr), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(Read(parcel.get(), &out), OH_IPC_PARCEL_READ_ERROR);
  for (T value : values) ASSERT_EQ(Write(parcel.get(), value), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), bytes_each * static_cast<int>(values.size()));
  for (T value : values) {
    ASSERT_EQ(Read(parcel.get(), &out), OH_IPC_SUCCESS);
    EXPECT_EQ(out, value);
  }
  EXPECT_EQ(Read(parcel.get(), &out), OH_IPC_PARCEL_READ_ERROR);
}

TEST(IpcParcel, ReadWriteInt8) {
  CheckRoundTrip<int8_t, OH_IPCParcel_WriteInt8, OH_IPCParcel_ReadInt8>(
      {0, 1, -1, INT8_MIN, INT8_MAX}, 4);
}
TEST(IpcParcel, ReadWriteInt16) {
  CheckRoundTrip<int16_t, OH_IPCParcel_WriteInt16, OH_IPCParcel_ReadInt16>(
      {0, -2, INT16_MIN, INT16_MAX}, 4);
}
TEST(IpcParcel, ReadWriteInt32) {
  CheckRoundTrip<int32_t, OH_IPCParcel_WriteInt32, OH_IPCParcel_ReadInt32>(
      {0, -3, INT32_MIN, INT32_MAX}, 4);
}
TEST(IpcParcel, ReadWriteInt64) {
  CheckRoundTrip<int64_t, OH_IPCParcel_WriteInt64, OH_IPCParcel_ReadInt64>(
      {0, -4, INT64_MIN, INT64_MAX}, 8);
}
TEST(IpcParcel, ReadWriteUint8) {
  CheckRoundTrip<uint8_t, OH_IPCParcel_WriteUint8, OH_IPCParcel_ReadUint8>({0, 1, 0x7f, UINT8_MAX},
                                                                           4);
}
TEST(IpcParcel, ReadWriteUint16) {
  CheckRoundTrip<uint16_t, OH_IPCParcel_WriteUint16, OH_IPCParcel_ReadUint16>({0, 2, UINT16_MAX},
                                                                              4);
}
TEST(IpcParcel, ReadWriteUint32) {
  CheckRoundTrip<uint32_t, OH_IPCParcel_WriteUint32, OH_IPCParcel_ReadUint32>({0, 3, UINT32_MAX},
                                                                              4);
}
TEST(IpcParcel, ReadWriteUint64) {
  CheckRoundTrip<uint64_t, OH_IPCParcel_WriteUint64, OH_IPCParcel_ReadUint64>({0, 4, UINT64_MAX},
                                                                              8);
}

// The _002 cases: 204,800 bytes fill the parcel exactly; the next write fails and changes nothing.
template <typename T, int (*Write)(OHIPCParcel*, T)>
void CheckFillToMaximum(int count) {
  ParcelPtr parcel = NewParcel();
  for (int i = 0; i < count; ++i) {
    ASSERT_EQ(Write(parcel.get(), static_cast<T>(i)), OH_IPC_SUCCESS) << "write " << i;
  }
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), kMaxParcel);
  EXPECT_EQ(OH_IPCParcel_GetWritableBytes(parcel.get()), 0);
  EXPECT_EQ(Write(parcel.get(), static_cast<T>(1)), OH_IPC_PARCEL_WRITE_ERROR);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), kMaxParcel);
}
TEST(IpcParcel, Uint8FillsToMaximum) {
  CheckFillToMaximum<uint8_t, OH_IPCParcel_WriteUint8>(51200);
}
TEST(IpcParcel, Uint16FillsToMaximum) {
  CheckFillToMaximum<uint16_t, OH_IPCParcel_WriteUint16>(51200);
}
TEST(IpcParcel, Uint32FillsToMaximum) {
  CheckFillToMaximum<uint32_t, OH_IPCParcel_WriteUint32>(51200);
}
TEST(IpcParcel, Uint64FillsToMaximum) {
  CheckFillToMaximum<uint64_t, OH_IPCParcel_WriteUint64>(25600);
}

// The _003 cases: small types are widened on write and truncated on read, type-exactly.
TEST(IpcParcel, UnsignedTypeExactRoundTrip) {
  ParcelPtr parcel = NewParcel();
  ASSERT_EQ(OH_IPCParcel_WriteUint8(parcel.get(), 0xab), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_WriteUint16(parcel.get(), 0xabcd), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_WriteUint32(parcel.get(), 0xabcdef01u), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_WriteUint64(parcel.get(), 0x0123456789abcdefull), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 4 + 4 + 4 + 8);
  uint8_t u8 = 0;
  uint16_t u16 = 0;
  uint32_t u32 = 0;
  uint64_t u64 = 0;
  ASSERT_EQ(OH_IPCParcel_ReadUint8(parcel.get(), &u8), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadUint16(parcel.get(), &u16), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadUint32(parcel.get(), &u32), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadUint64(parcel.get(), &u64), OH_IPC_SUCCESS);
  EXPECT_EQ(u8, 0xab);
  EXPECT_EQ(u16, 0xabcd);
  EXPECT_EQ(u32, 0xabcdef01u);
  EXPECT_EQ(u64, 0x0123456789abcdefull);
  // An int32 read back as uint8 keeps the low byte.
  ParcelPtr wide = NewParcel();
  ASSERT_EQ(OH_IPCParcel_WriteInt32(wide.get(), 0x1234), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadUint8(wide.get(), &u8), OH_IPC_SUCCESS);
  EXPECT_EQ(u8, 0x34);
}

TEST(IpcParcel, ReadWriteFloat) {
  EXPECT_EQ(OH_IPCParcel_WriteFloat(nullptr, 1.0f), OH_IPC_CHECK_PARAM_ERROR);
  ParcelPtr parcel = NewParcel();
  ASSERT_EQ(OH_IPCParcel_WriteFloat(parcel.get(), 3.1415f), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 4);
  float value = 0;
  EXPECT_EQ(OH_IPCParcel_ReadFloat(parcel.get(), nullptr), OH_IPC_CHECK_PARAM_ERROR);
  ASSERT_EQ(OH_IPCParcel_ReadFloat(parcel.get(), &value), OH_IPC_SUCCESS);
  EXPECT_LT(std::fabs(value - 3.1415f), 1e-6);
}

TEST(IpcParcel, ReadWriteDouble) {
  EXPECT_EQ(OH_IPCParcel_WriteDouble(nullptr, 1.0), OH_IPC_CHECK_PARAM_ERROR);
  ParcelPtr parcel = NewParcel();
  ASSERT_EQ(OH_IPCParcel_WriteDouble(parcel.get(), 3.1415926), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 8);
  double value = 0;
  ASSERT_EQ(OH_IPCParcel_ReadDouble(parcel.get(), &value), OH_IPC_SUCCESS);
  EXPECT_LT(std::fabs(value - 3.1415926), 1e-6);
}

TEST(IpcParcel, ReadWriteString) {
  EXPECT_EQ(OH_IPCParcel_WriteString(nullptr, "HELLO"), OH_IPC_CHECK_PARAM_ERROR);
  ParcelPtr parcel = NewParcel();
  EXPECT_EQ(OH_IPCParcel_WriteString(parcel.get(), nullptr), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_ReadString(nullptr), nullptr);
  EXPECT_EQ(OH_IPCParcel_ReadString(parcel.get()), nullptr);
  ASSERT_EQ(OH_IPCParcel_WriteString(parcel.get(), "HELLO"), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 8);  // 6 bytes padded to 8
  ASSERT_EQ(OH_IPCParcel_WriteString(parcel.get(), "abc"), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 12);  // exactly 4
  const char* hello = OH_IPCParcel_ReadString(parcel.get());
  ASSERT_NE(hello, nullptr);
  EXPECT_STREQ(hello, "HELLO");
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.get()), 8);
  EXPECT_STREQ(OH_IPCParcel_ReadString(parcel.get()), "abc");
  EXPECT_EQ(OH_IPCParcel_ReadString(parcel.get()), nullptr);
}

TEST(IpcParcel, ReadStringWithoutNulFails) {
  ParcelPtr parcel = NewParcel();
  const uint8_t bytes[4] = {'a', 'b', 'c', 'd'};
  ASSERT_EQ(OH_IPCParcel_WriteBuffer(parcel.get(), bytes, 4), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_ReadString(parcel.get()), nullptr);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.get()), 0);
}

TEST(IpcParcel, StringOfMaximumLength) {
  ParcelPtr parcel = NewParcel();
  std::string big(kMaxParcel - 1, 'z');
  ASSERT_EQ(OH_IPCParcel_WriteString(parcel.get(), big.c_str()), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), kMaxParcel);
  EXPECT_EQ(OH_IPCParcel_WriteString(parcel.get(), ""), OH_IPC_PARCEL_WRITE_ERROR);
  ParcelPtr other = NewParcel();
  std::string too_big(kMaxParcel, 'z');
  EXPECT_EQ(OH_IPCParcel_WriteString(other.get(), too_big.c_str()), OH_IPC_PARCEL_WRITE_ERROR);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(other.get()), 0);
}

TEST(IpcParcel, ReadWriteBuffer) {
  const uint8_t bytes[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(OH_IPCParcel_WriteBuffer(nullptr, bytes, 9), OH_IPC_CHECK_PARAM_ERROR);
  ParcelPtr parcel = NewParcel();
  EXPECT_EQ(OH_IPCParcel_WriteBuffer(parcel.get(), nullptr, 9), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_WriteBuffer(parcel.get(), bytes, -1), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_WriteBuffer(parcel.get(), bytes, 0), OH_IPC_CHECK_PARAM_ERROR);
  ASSERT_EQ(OH_IPCParcel_WriteBuffer(parcel.get(), bytes, 9), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 12);
  EXPECT_EQ(OH_IPCParcel_ReadBuffer(nullptr, 9), nullptr);
  EXPECT_EQ(OH_IPCParcel_ReadBuffer(parcel.get(), -1), nullptr);
  EXPECT_EQ(OH_IPCParcel_ReadBuffer(parcel.get(), 13), nullptr);
  const uint8_t* read = OH_IPCParcel_ReadBuffer(parcel.get(), 9);
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(std::memcmp(read, bytes, 9), 0);
  // ReadBuffer advances by exactly len: the padding is not skipped (OpenHarmony's quirk).
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.get()), 9);
  EXPECT_EQ(OH_IPCParcel_GetReadableBytes(parcel.get()), 3);
}

TEST(IpcParcel, WriteBufferBeyondMaximumRestoresPosition) {
  ParcelPtr parcel = NewParcel();
  ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), 1), OH_IPC_SUCCESS);
  std::vector<uint8_t> big(kMaxParcel, 7);
  EXPECT_EQ(OH_IPCParcel_WriteBuffer(parcel.get(), big.data(), kMaxParcel),
            OH_IPC_PARCEL_WRITE_ERROR);
  EXPECT_EQ(OH_IPCParcel_GetWritePosition(parcel.get()), 4);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 4);
}

TEST(IpcParcel, ReadWriteFileDescriptorDuplicates) {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(OH_IPCParcel_WriteFileDescriptor(nullptr, fd), OH_IPC_CHECK_PARAM_ERROR);
  ParcelPtr parcel = NewParcel();
  EXPECT_EQ(OH_IPCParcel_WriteFileDescriptor(parcel.get(), -1), OH_IPC_PARCEL_WRITE_ERROR);
  int32_t out = -1;
  EXPECT_EQ(OH_IPCParcel_ReadFileDescriptor(parcel.get(), &out), OH_IPC_PARCEL_READ_ERROR);
  ASSERT_EQ(OH_IPCParcel_WriteFileDescriptor(parcel.get(), fd), OH_IPC_SUCCESS);
  ::close(fd);  // the parcel holds its own duplicate
  EXPECT_EQ(OH_IPCParcel_ReadFileDescriptor(parcel.get(), nullptr), OH_IPC_CHECK_PARAM_ERROR);
  ASSERT_EQ(OH_IPCParcel_ReadFileDescriptor(parcel.get(), &out), OH_IPC_SUCCESS);
  EXPECT_GT(out, 0);
  struct stat st = {};
  ASSERT_EQ(::fstat(out, &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_NE(::fcntl(out, F_GETFD) & FD_CLOEXEC, 0);
  // A second read of the same slot gives another, distinct duplicate.
  ASSERT_EQ(OH_IPCParcel_RewindReadPosition(parcel.get(), 0), OH_IPC_SUCCESS);
  int32_t again = -1;
  ASSERT_EQ(OH_IPCParcel_ReadFileDescriptor(parcel.get(), &again), OH_IPC_SUCCESS);
  EXPECT_NE(again, out);
  ::close(out);
  ::close(again);
  // A raw int32 is not an fd.
  ParcelPtr plain = NewParcel();
  ASSERT_EQ(OH_IPCParcel_WriteInt32(plain.get(), 3), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_WriteInt32(plain.get(), 3), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_WriteInt32(plain.get(), 3), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_WriteInt32(plain.get(), 3), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_ReadFileDescriptor(plain.get(), &out), OH_IPC_PARCEL_READ_ERROR);
}

TEST(IpcParcel, ReadWriteRemoteStub) {
  OHIPCRemoteStub* stub = OH_IPCRemoteStub_Create("ipc.parcel.stub", NoopRequest, nullptr, nullptr);
  ASSERT_NE(stub, nullptr);
  ParcelPtr parcel = NewParcel();
  EXPECT_EQ(OH_IPCParcel_WriteRemoteStub(nullptr, stub), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_WriteRemoteStub(parcel.get(), nullptr), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_ReadRemoteStub(parcel.get()), nullptr);
  ASSERT_EQ(OH_IPCParcel_WriteRemoteStub(parcel.get(), stub), OH_IPC_SUCCESS);
  OHIPCRemoteStub* read = OH_IPCParcel_ReadRemoteStub(parcel.get());
  ASSERT_NE(read, nullptr);
  OH_IPCRemoteStub_Destroy(read);
  OH_IPCRemoteStub_Destroy(stub);
}

int g_stub_destroyed = 0;
void CountStubDestroy(void*) { ++g_stub_destroyed; }

TEST(IpcParcel, ParcelKeepsStubAlive) {
  g_stub_destroyed = 0;
  OHIPCRemoteStub* stub =
      OH_IPCRemoteStub_Create("ipc.parcel.alive", NoopRequest, CountStubDestroy, nullptr);
  ASSERT_NE(stub, nullptr);
  ParcelPtr parcel = NewParcel();
  ASSERT_EQ(OH_IPCParcel_WriteRemoteStub(parcel.get(), stub), OH_IPC_SUCCESS);
  OH_IPCRemoteStub_Destroy(stub);
  EXPECT_EQ(g_stub_destroyed, 0);
  // Read back as a proxy: a local object, and its descriptor is the stub's.
  OHIPCRemoteProxy* proxy = OH_IPCParcel_ReadRemoteProxy(parcel.get());
  ASSERT_NE(proxy, nullptr);
  EXPECT_EQ(OH_IPCRemoteProxy_IsRemoteDead(proxy), 0);
  parcel.reset();
  EXPECT_EQ(g_stub_destroyed, 0);
  OH_IPCRemoteProxy_Destroy(proxy);
  EXPECT_EQ(g_stub_destroyed, 1);
}

TEST(IpcParcel, AppendConcatenatesDataAndObjects) {
  ParcelPtr first = NewParcel();
  ParcelPtr second = NewParcel();
  EXPECT_EQ(OH_IPCParcel_Append(nullptr, second.get()), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_Append(first.get(), nullptr), OH_IPC_CHECK_PARAM_ERROR);
  ASSERT_EQ(OH_IPCParcel_WriteInt32(first.get(), 1), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_WriteString(first.get(), "first"), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_WriteInt64(second.get(), 2), OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_WriteString(second.get(), "second"), OH_IPC_SUCCESS);
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(OH_IPCParcel_WriteFileDescriptor(second.get(), fd), OH_IPC_SUCCESS);
  ::close(fd);
  int size1 = OH_IPCParcel_GetDataSize(first.get());
  int size2 = OH_IPCParcel_GetDataSize(second.get());
  ASSERT_EQ(OH_IPCParcel_Append(first.get(), second.get()), OH_IPC_SUCCESS);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(first.get()), size1 + size2);
  int32_t i32 = 0;
  int64_t i64 = 0;
  ASSERT_EQ(OH_IPCParcel_ReadInt32(first.get(), &i32), OH_IPC_SUCCESS);
  EXPECT_EQ(i32, 1);
  EXPECT_STREQ(OH_IPCParcel_ReadString(first.get()), "first");
  ASSERT_EQ(OH_IPCParcel_ReadInt64(first.get(), &i64), OH_IPC_SUCCESS);
  EXPECT_EQ(i64, 2);
  EXPECT_STREQ(OH_IPCParcel_ReadString(first.get()), "second");
  int32_t out = -1;
  ASSERT_EQ(OH_IPCParcel_ReadFileDescriptor(first.get(), &out), OH_IPC_SUCCESS);
  ::close(out);
  second.reset();  // the appended copy owns its own fd
  ASSERT_EQ(OH_IPCParcel_RewindReadPosition(first.get(), static_cast<uint32_t>(size1 + 16)),
            OH_IPC_SUCCESS);
  ASSERT_EQ(OH_IPCParcel_ReadFileDescriptor(first.get(), &out), OH_IPC_SUCCESS);
  ::close(out);
}

TEST(IpcParcel, RewindWriteDropsTruncatedObjects) {
  ParcelPtr parcel = NewParcel();
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_EQ(OH_IPCParcel_WriteFileDescriptor(parcel.get(), fd), OH_IPC_SUCCESS);
  ::close(fd);
  ASSERT_EQ(OH_IPCParcel_RewindWritePosition(parcel.get(), 0), OH_IPC_SUCCESS);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(OH_IPCParcel_WriteInt32(parcel.get(), 0), OH_IPC_SUCCESS);
  int32_t out = -1;
  EXPECT_EQ(OH_IPCParcel_ReadFileDescriptor(parcel.get(), &out), OH_IPC_PARCEL_READ_ERROR);
}

TEST(IpcParcel, ReadWriteInterfaceToken) {
  const char* token = "NativeChildIpcTest";
  EXPECT_EQ(OH_IPCParcel_WriteInterfaceToken(nullptr, token), OH_IPC_CHECK_PARAM_ERROR);
  ParcelPtr parcel = NewParcel();
  EXPECT_EQ(OH_IPCParcel_WriteInterfaceToken(parcel.get(), nullptr), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_WriteInterfaceToken(parcel.get(), ""), OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_WriteInterfaceToken(parcel.get(), "\xff\xfe"), OH_IPC_PARCEL_WRITE_ERROR);
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 0);
  ASSERT_EQ(OH_IPCParcel_WriteInterfaceToken(parcel.get(), token), OH_IPC_SUCCESS);
  // policy + work source + length + (18 + 1) UTF-16 units padded to 40 bytes.
  EXPECT_EQ(OH_IPCParcel_GetDataSize(parcel.get()), 4 + 4 + 4 + 40);
  int32_t policy = 0;
  ASSERT_EQ(OH_IPCParcel_ReadInt32(parcel.get(), &policy), OH_IPC_SUCCESS);
  EXPECT_EQ(policy, 0x100);
  ASSERT_EQ(OH_IPCParcel_RewindReadPosition(parcel.get(), 0), OH_IPC_SUCCESS);

  char* read = nullptr;
  int32_t len = 0;
  EXPECT_EQ(OH_IPCParcel_ReadInterfaceToken(nullptr, &read, &len, MallocAllocator),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_ReadInterfaceToken(parcel.get(), nullptr, &len, MallocAllocator),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_ReadInterfaceToken(parcel.get(), &read, nullptr, MallocAllocator),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_ReadInterfaceToken(parcel.get(), &read, &len, nullptr),
            OH_IPC_CHECK_PARAM_ERROR);
  EXPECT_EQ(OH_IPCParcel_ReadInterfaceToken(parcel.get(), &read, &len, FailingAllocator),
            OH_IPC_MEM_ALLOCATOR_ERROR);
  EXPECT_EQ(OH_IPCParcel_GetReadPosition(parcel.get()), 0);
  ASSERT_EQ(OH_IPCParcel_ReadInterfaceToken(parcel.get(), &read, &len, MallocAllocator),
            OH_IPC_SUCCESS);
  EXPECT_STREQ(read, token);
  EXPECT_EQ(len, static_cast<int32_t>(std::strlen(token) + 1));
  EXPECT_EQ(OH_IPCParcel_GetReadableBytes(parcel.get()), 0);
  std::free(read);
}

TEST(IpcParcel, InterfaceTokenNonAscii) {
  ParcelPtr parcel = NewParcel();
  const char* token = "gr\xc3\xbc\xc3\x9f \xf0\x9f\x98\x80";  // "grüß 😀"
  ASSERT_EQ(OH_IPCParcel_WriteInterfaceToken(parcel.get(), token), OH_IPC_SUCCESS);
  char* read = nullptr;
  int32_t len = 0;
  ASSERT_EQ(OH_IPCParcel_ReadInterfaceToken(parcel.get(), &read, &len, MallocAllocator),
            OH_IPC_SUCCESS);
  EXPECT_STREQ(read, token);
  std::free(read);
}

TEST(IpcParcel, ReadInterfaceTokenWithoutTokenGivesEmpty) {
  ParcelPtr parcel = NewParcel();
  char* read = nullptr;
  int32_t len = 0;
  ASSERT_EQ(OH_IPCParcel_ReadInterfaceToken(parcel.get(), &read, &len, MallocAllocator),
            OH_IPC_SUCCESS);
  EXPECT_STREQ(read, "");
  EXPECT_EQ(len, 1);
  std::free(read);
}

// The three *Performance_001 cases, reduced: big strings, buffers and tokens round-trip intact.
TEST(IpcParcel, LargePayloadsRoundTrip) {
  std::string big(204790, 's');
  std::vector<uint8_t> buffer(100000, 0x5a);
  std::string token(99, 't');
  for (int i = 0; i < 20; ++i) {
    ParcelPtr parcel = NewParcel();
    ASSERT_EQ(OH_IPCParcel_WriteString(parcel.get(), big.c_str()), OH_IPC_SUCCESS);
    EXPECT_EQ(std::strlen(OH_IPCParcel_ReadString(parcel.get())), big.size());
    ParcelPtr buf = NewParcel();
    ASSERT_EQ(OH_IPCParcel_WriteBuffer(buf.get(), buffer.data(), 100000), OH_IPC_SUCCESS);
    EXPECT_EQ(std::memcmp(OH_IPCParcel_ReadBuffer(buf.get(), 100000), buffer.data(), 100000), 0);
    ParcelPtr tok = NewParcel();
    ASSERT_EQ(OH_IPCParcel_WriteInterfaceToken(tok.get(), token.c_str()), OH_IPC_SUCCESS);
    char* read = nullptr;
    int32_t len = 0;
    ASSERT_EQ(OH_IPCParcel_ReadInterfaceToken(tok.get(), &read, &len, MallocAllocator),
              OH_IPC_SUCCESS);
    EXPECT_EQ(len, 100);
    std::free(read);
  }
}

}  // namespace
