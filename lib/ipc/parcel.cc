#include "ipc/parcel.h"

#include <fcntl.h>

#include <algorithm>

namespace ncp::ipc {
namespace {

constexpr size_t kGrowthThreshold = 4096;
constexpr size_t kFirstCapacity = 64;
constexpr uint32_t kFdSlotTag = 0x66640000;      // "fd"
constexpr uint32_t kObjectSlotTag = 0x6f620000;  // "ob"

// c_utils' growth rule: double from 64 up to 4096; past it, the next 4096 multiple strictly above
// the need, clamped to the maximum. Applications observe this through GetWritableBytes.
size_t CapacityFor(size_t needed) {
  if (needed == kGrowthThreshold) return kGrowthThreshold;
  if (needed > kGrowthThreshold) {
    size_t rounded = needed / kGrowthThreshold * kGrowthThreshold;
    if (rounded > Parcel::kMaxCapacity - kGrowthThreshold) return Parcel::kMaxCapacity;
    return rounded + kGrowthThreshold;
  }
  size_t capacity = kFirstCapacity;
  while (capacity < needed) capacity *= 2;
  return capacity;
}

base::UniqueFd DupCloexec(int fd) { return base::UniqueFd(::fcntl(fd, F_DUPFD_CLOEXEC, 0)); }

}  // namespace

bool Parcel::RewindRead(size_t position) const {
  if (position > data_size_) return false;
  read_pos_ = position;
  return true;
}

bool Parcel::RewindWrite(size_t position) {
  if (position > data_size_) return false;
  data_size_ = position;
  while (!objects_.empty() && objects_.back().offset + kObjectSlotSize > data_size_) {
    objects_.pop_back();
  }
  return true;
}

bool Parcel::EnsureWritable(size_t len) {
  if (len <= writable_bytes()) return true;
  size_t needed = data_size_ + len;
  if (needed > kMaxCapacity) return false;
  size_t new_capacity = CapacityFor(needed);
  std::unique_ptr<uint8_t[]> grown(new (std::nothrow) uint8_t[new_capacity]);
  if (!grown) return false;
  if (data_size_ > 0) std::memcpy(grown.get(), data_.get(), data_size_);
  data_ = std::move(grown);
  capacity_ = new_capacity;
  return true;
}

bool Parcel::WriteRaw(const void* bytes, size_t len) {
  if (!EnsureWritable(len)) return false;
  std::memcpy(data_.get() + data_size_, bytes, len);
  data_size_ += len;
  return true;
}

bool Parcel::WritePadded(const void* bytes, size_t len) {
  size_t padded = AlignTo4(len);
  if (padded < len || !EnsureWritable(padded)) return false;
  std::memcpy(data_.get() + data_size_, bytes, len);
  std::memset(data_.get() + data_size_ + len, 0, padded - len);
  data_size_ += padded;
  return true;
}

const uint8_t* Parcel::ReadInPlace(size_t len) const {
  if (len > readable_bytes()) return nullptr;
  const uint8_t* at = data_.get() + read_pos_;
  read_pos_ += len;
  return at;
}

bool Parcel::WriteCString(std::string_view str) {
  size_t len = str.size() + 1;
  size_t padded = AlignTo4(len);
  if (!EnsureWritable(padded)) return false;
  std::memcpy(data_.get() + data_size_, str.data(), str.size());
  std::memset(data_.get() + data_size_ + str.size(), 0, padded - str.size());
  data_size_ += padded;
  return true;
}

const char* Parcel::ReadCString() const {
  size_t readable = readable_bytes();
  if (readable == 0) return nullptr;
  const char* at = reinterpret_cast<const char*>(data_.get() + read_pos_);
  size_t len = strnlen(at, readable);
  if (len == readable) return nullptr;  // no NUL inside the readable bytes
  // A peer-built parcel may end right after the NUL; never step past the data.
  read_pos_ += std::min(AlignTo4(len + 1), readable);
  return at;
}

bool Parcel::WriteString16(std::u16string_view str) {
  size_t saved = data_size_;
  size_t bytes = (str.size() + 1) * sizeof(char16_t);
  if (str.size() > kMaxCapacity || !Write<int32_t>(static_cast<int32_t>(str.size())) ||
      !EnsureWritable(AlignTo4(bytes))) {
    RewindWrite(saved);
    return false;
  }
  std::memcpy(data_.get() + data_size_, str.data(), str.size() * sizeof(char16_t));
  std::memset(data_.get() + data_size_ + str.size() * sizeof(char16_t), 0,
              AlignTo4(bytes) - str.size() * sizeof(char16_t));
  data_size_ += AlignTo4(bytes);
  return true;
}

bool Parcel::ReadString16(std::u16string* out) const {
  size_t saved = read_pos_;
  int32_t units = 0;
  if (!Read(&units) || units < 0) {
    read_pos_ = saved;
    return false;
  }
  size_t bytes = AlignTo4((static_cast<size_t>(units) + 1) * sizeof(char16_t));
  if (bytes > readable_bytes()) {
    read_pos_ = saved;
    return false;
  }
  out->resize(static_cast<size_t>(units));
  std::memcpy(out->data(), data_.get() + read_pos_, out->size() * sizeof(char16_t));
  read_pos_ += bytes;
  return true;
}

bool Parcel::WriteObjectSlot(uint32_t tag, ParcelObject object) {
  if (!EnsureWritable(kObjectSlotSize)) return false;
  object.offset = static_cast<uint32_t>(data_size_);
  uint8_t slot[kObjectSlotSize] = {};
  std::memcpy(slot, &tag, sizeof(tag));
  std::memcpy(data_.get() + data_size_, slot, sizeof(slot));
  objects_.reserve(objects_.size() + 1);  // so a failed push_back cannot leave a half write
  data_size_ += kObjectSlotSize;
  objects_.push_back(std::move(object));
  return true;
}

bool Parcel::WriteFileDescriptor(int fd) {
  if (fd < 0) return false;
  ParcelObject object;
  object.fd = DupCloexec(fd);
  if (!object.fd.valid()) return false;
  return WriteObjectSlot(kFdSlotTag, std::move(object));
}

bool Parcel::WriteObject(std::shared_ptr<RemoteObject> remote) {
  if (!remote) return false;
  ParcelObject object;
  object.object = std::move(remote);
  return WriteObjectSlot(kObjectSlotTag, std::move(object));
}

const ParcelObject* Parcel::ObjectAtReadPosition() const {
  if (readable_bytes() < kObjectSlotSize) return nullptr;
  auto it = std::lower_bound(
      objects_.begin(), objects_.end(), read_pos_,
      [](const ParcelObject& object, size_t offset) { return object.offset < offset; });
  if (it == objects_.end() || it->offset != read_pos_) return nullptr;
  return &*it;
}

base::UniqueFd Parcel::ReadFileDescriptor() const {
  const ParcelObject* object = ObjectAtReadPosition();
  if (object == nullptr || !object->fd.valid()) return base::UniqueFd();
  base::UniqueFd dup = DupCloexec(object->fd.get());
  if (dup.valid()) read_pos_ += kObjectSlotSize;
  return dup;
}

std::shared_ptr<RemoteObject> Parcel::ReadObject() const {
  const ParcelObject* object = ObjectAtReadPosition();
  if (object == nullptr || object->object == nullptr) return nullptr;
  read_pos_ += kObjectSlotSize;
  return object->object;
}

bool Parcel::Append(const Parcel& other) {
  if (other.data_size_ == 0) return true;
  // Duplicate the objects first, so a failure leaves this parcel untouched.
  std::vector<ParcelObject> copies;
  copies.reserve(other.objects_.size());
  for (const ParcelObject& source : other.objects_) {
    ParcelObject copy;
    copy.offset = static_cast<uint32_t>(data_size_ + source.offset);
    if (source.fd.valid()) {
      copy.fd = DupCloexec(source.fd.get());
      if (!copy.fd.valid()) return false;
    }
    copy.object = source.object;
    copies.push_back(std::move(copy));
  }
  if (!EnsureWritable(other.data_size_)) return false;
  objects_.reserve(objects_.size() + copies.size());
  std::memcpy(data_.get() + data_size_, other.data_.get(), other.data_size_);
  data_size_ += other.data_size_;
  for (ParcelObject& copy : copies) objects_.push_back(std::move(copy));
  return true;
}

Parcel Parcel::FromReceived(const uint8_t* bytes, size_t size, std::vector<ParcelObject> objects) {
  Parcel parcel;
  if (size > 0) {
    parcel.data_.reset(new uint8_t[size]);
    std::memcpy(parcel.data_.get(), bytes, size);
  }
  parcel.capacity_ = size;
  parcel.data_size_ = size;
  parcel.objects_ = std::move(objects);
  return parcel;
}

}  // namespace ncp::ipc
