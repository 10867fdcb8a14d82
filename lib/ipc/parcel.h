// Parcel: the byte buffer behind OHIPCParcel, with OpenHarmony's (c_utils) exact layout rules so
// that sizes, positions and the overflow point match what applications and tests observe:
//   - capacity grows 64, 128, ... 4096, then in 4096-byte steps, never beyond 204,800 bytes;
//   - every primitive occupies a 4-byte multiple (8- and 16-bit values take 4 bytes), with no
//     8-byte alignment padding;
//   - strings and buffers are padded with zeros to a multiple of 4;
//   - fds and remote objects are 24-byte slots in the data (the size of the flat_binder_object
//     OpenHarmony's parcel stores for each, so GetDataSize agrees) plus an entry in a side table
//     that owns the fd or the object reference (the binder "offsets" idea). The transport sends
//     the side table next to the bytes.
// The write position always equals the data size: writes append, and RewindWritePosition
// truncates. RewindWritePosition leaves the read position alone, as c_utils' Parcel::RewindWrite
// does, so it may lie beyond the data (nothing is readable then). Reads are const (the C API reads
// through `const OHIPCParcel*`), so the read cursor is mutable. A Parcel is not thread-safe, like
// OpenHarmony's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/unique_fd.h"

namespace ncp::ipc {

class RemoteObject;

// One fd or remote object stored in a parcel; `offset` is where its slot starts in the data.
struct ParcelObject {
  uint32_t offset = 0;
  base::UniqueFd fd;                     // set for an fd slot
  std::shared_ptr<RemoteObject> object;  // set for an object slot
};

class Parcel {
 public:
  static constexpr size_t kMaxCapacity = 204800;
  static constexpr size_t kObjectSlotSize = 24;

  Parcel() = default;
  Parcel(Parcel&&) noexcept = default;
  Parcel& operator=(Parcel&&) noexcept = default;
  Parcel(const Parcel&) = delete;
  Parcel& operator=(const Parcel&) = delete;

  size_t data_size() const { return data_size_; }
  size_t capacity() const { return capacity_; }
  size_t read_position() const { return read_pos_; }
  size_t write_position() const { return data_size_; }
  size_t readable_bytes() const { return data_size_ > read_pos_ ? data_size_ - read_pos_ : 0; }
  size_t writable_bytes() const { return capacity_ - data_size_; }
  const uint8_t* data() const { return data_.get(); }
  const std::vector<ParcelObject>& objects() const { return objects_; }

  // Both fail (and change nothing) when the position is beyond the data size.
  bool RewindRead(size_t position) const;
  // Also truncates the data (and drops objects) to position; the read position stays.
  bool RewindWrite(size_t position);

  // 4- and 8-byte primitives; smaller integers are widened by the caller, as c_utils does.
  template <typename T>
  bool Write(T value) {
    static_assert(std::is_arithmetic_v<T> && (sizeof(T) == 4 || sizeof(T) == 8));
    return WriteRaw(&value, sizeof(T));
  }
  template <typename T>
  bool Read(T* value) const {
    static_assert(std::is_arithmetic_v<T> && (sizeof(T) == 4 || sizeof(T) == 8));
    if (readable_bytes() < sizeof(T)) return false;
    std::memcpy(value, data_.get() + read_pos_, sizeof(T));
    read_pos_ += sizeof(T);
    return true;
  }

  // `len` bytes then zeros up to a multiple of 4. On failure nothing is written.
  bool WritePadded(const void* bytes, size_t len);
  // Returns a pointer to the next `len` bytes and advances by exactly `len` (no padding skipped:
  // OpenHarmony's ReadBuffer quirk). nullptr when fewer bytes are readable.
  const uint8_t* ReadInPlace(size_t len) const;

  // NUL-terminated string, padded to 4. Read returns a pointer into the buffer.
  bool WriteCString(std::string_view str);
  const char* ReadCString() const;

  // int32 length in code units, the code units, a NUL unit, padded to 4 (c_utils String16).
  bool WriteString16(std::u16string_view str);
  bool ReadString16(std::u16string* out) const;

  // Stores a CLOEXEC duplicate of fd. False when fd is invalid, dup fails or the parcel is full.
  bool WriteFileDescriptor(int fd);
  // Returns a new CLOEXEC duplicate owned by the caller, or an invalid fd.
  base::UniqueFd ReadFileDescriptor() const;

  bool WriteObject(std::shared_ptr<RemoteObject> object);
  // The object in the slot at the read position, or nullptr (the cursor then does not move).
  std::shared_ptr<RemoteObject> ReadObject() const;

  // Appends other's bytes [0, data size) and duplicates of its objects.
  bool Append(const Parcel& other);

  // Builds a received parcel: the bytes are copied, the objects (already validated by the
  // transport: sorted, in range, non-overlapping) are moved in.
  static Parcel FromReceived(const uint8_t* bytes, size_t size, std::vector<ParcelObject> objects);

 private:
  bool EnsureWritable(size_t len);
  bool WriteRaw(const void* bytes, size_t len);
  bool WriteObjectSlot(uint32_t tag, ParcelObject object);
  const ParcelObject* ObjectAtReadPosition() const;

  std::unique_ptr<uint8_t[]> data_;
  size_t capacity_ = 0;
  size_t data_size_ = 0;
  mutable size_t read_pos_ = 0;
  std::vector<ParcelObject> objects_;  // sorted by offset, because writes only append
};

// Rounds up to a multiple of 4, the parcel's alignment unit.
constexpr size_t AlignTo4(size_t n) { return (n + 3) & ~size_t{3}; }

}  // namespace ncp::ipc
