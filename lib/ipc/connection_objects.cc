// Connection's object tables: our stubs the peer holds references to (exports), the peer's
// objects we hold proxies for (imports), and the translation of a parcel's objects to and from
// their wire form.
#include "ipc/connection.h"
#include "ipc/remote_proxy.h"
#include "ipc/result_codes.h"

namespace ncp::ipc {

uint32_t Connection::ExportLocked(const std::shared_ptr<Stub>& stub) {
  auto known = export_handles_.find(stub.get());
  if (known != export_handles_.end()) {
    ++exports_[known->second].peer_references;
    return known->second;
  }
  uint32_t handle = next_handle_++;
  if (next_handle_ == 0) next_handle_ = 1;  // handle 0 means "none" on the wire
  exports_[handle] = Export{stub, 1};
  export_handles_[stub.get()] = handle;
  return handle;
}

int Connection::EncodeObjects(const Parcel& parcel, std::vector<WireObject>* objects,
                              std::vector<int>* fds) {
  size_t fd_count = 0;
  for (const ParcelObject& object : parcel.objects()) {
    if (object.fd.valid()) {
      ++fd_count;
    } else if (object.object->IsProxy() &&
               static_cast<const RemoteProxy*>(object.object.get())->connection() != this) {
      return OH_IPC_PARCEL_WRITE_ERROR;  // objects of a third process cannot be forwarded
    }
  }
  if (fd_count > kMaxFdsPerFrame) return OH_IPC_PARCEL_WRITE_ERROR;
  objects->reserve(parcel.objects().size());
  std::lock_guard lock(mutex_);
  for (const ParcelObject& object : parcel.objects()) {
    WireObject wire;
    wire.offset = object.offset;
    if (object.fd.valid()) {
      wire.kind = static_cast<uint16_t>(WireObjectKind::kFd);
      wire.value = static_cast<uint32_t>(fds->size());
      fds->push_back(object.fd.get());
    } else if (object.object->IsProxy()) {
      wire.kind = static_cast<uint16_t>(WireObjectKind::kReceiverObject);
      wire.value = static_cast<const RemoteProxy*>(object.object.get())->handle();
    } else {
      wire.kind = static_cast<uint16_t>(WireObjectKind::kSenderObject);
      wire.value = ExportLocked(std::static_pointer_cast<Stub>(object.object));
    }
    objects->push_back(wire);
  }
  return OH_IPC_SUCCESS;
}

std::shared_ptr<RemoteProxy> Connection::Import(uint32_t handle) {
  {
    std::lock_guard lock(mutex_);
    auto it = imports_.find(handle);
    if (it != imports_.end()) {
      if (std::shared_ptr<RemoteProxy> live = it->second.lock()) {
        live->AddPeerReference();
        return live;
      }
    }
  }
  // Only the reader imports, so nobody else can create this handle's proxy meanwhile.
  auto proxy = std::make_shared<RemoteProxy>(shared_from_this(), handle);
  std::lock_guard lock(mutex_);
  imports_[handle] = proxy;
  return proxy;
}

base::StatusOr<Parcel> Connection::BuildParcel(ReceivedFrame& frame) {
  std::vector<ParcelObject> objects;
  objects.reserve(frame.objects.size());
  for (const WireObject& wire : frame.objects) {
    ParcelObject object;
    object.offset = wire.offset;
    switch (static_cast<WireObjectKind>(wire.kind)) {
      case WireObjectKind::kFd:
        object.fd = std::move(frame.fds[wire.value]);
        break;
      case WireObjectKind::kSenderObject:
        object.object = Import(wire.value);
        break;
      case WireObjectKind::kReceiverObject: {
        std::lock_guard lock(mutex_);
        auto it = exports_.find(wire.value);
        if (it == exports_.end()) {
          return base::Error(base::Code::kInvalidArgument, "unknown handle in a parcel");
        }
        object.object = it->second.stub;
        break;
      }
    }
    objects.push_back(std::move(object));
  }
  return Parcel::FromReceived(frame.data.data(), frame.data.size(), std::move(objects));
}

void Connection::ReleaseImport(uint32_t handle, uint32_t references) {
  {
    std::lock_guard lock(mutex_);
    auto it = imports_.find(handle);
    if (it != imports_.end() && it->second.expired()) imports_.erase(it);
    if (dead_ || shut_down_) return;
  }
  FrameHeader header;
  header.type = static_cast<uint16_t>(FrameType::kRelease);
  header.target = handle;
  header.code = references;
  Send(header, nullptr);
}

base::Status Connection::OnRelease(const ReceivedFrame& frame) {
  if (frame.header.object_count != 0) {
    return base::Error(base::Code::kInvalidArgument, "RELEASE with objects");
  }
  std::shared_ptr<Stub> released;
  {
    std::lock_guard lock(mutex_);
    auto it = exports_.find(frame.header.target);
    if (it == exports_.end() || frame.header.code == 0 ||
        frame.header.code > it->second.peer_references) {
      return base::Error(base::Code::kInvalidArgument, "release of an unknown reference");
    }
    it->second.peer_references -= frame.header.code;
    if (it->second.peer_references == 0) {
      released = std::move(it->second.stub);
      export_handles_.erase(released.get());
      exports_.erase(it);
    }
  }
  released.reset();  // may run the stub's destroy callback: outside the lock
  ShutdownIfUnused();
  return base::Status::Ok();
}

}  // namespace ncp::ipc
