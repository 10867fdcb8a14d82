#include "core/app/ipc_api.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "base/log.h"
#include "core/app/install_paths.h"

namespace ncp::core {
namespace {

constexpr char kSoname[] = "libipc_capi.so." NCP_IPC_SOVERSION;

void* OpenLibrary(std::string* tried) {
  if (void* handle = dlopen(kSoname, RTLD_NOW | RTLD_NOLOAD)) return handle;
  const std::string dir = LibraryDirectory();
  // Installed: beside libchild_process.so. Build tree: lib/core and lib/ipc are siblings.
  for (const std::string& path : {dir + "/" + kSoname, dir + "/../ipc/" + kSoname}) {
    if (void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) return handle;
    *tried += (tried->empty() ? "" : ", ") + path + " (" + dlerror() + ")";
  }
  return nullptr;
}

template <typename T>
bool Resolve(void* library, const char* name, T* out, std::string* missing) {
  *out = reinterpret_cast<T>(dlsym(library, name));
  if (*out == nullptr) *missing += std::string(missing->empty() ? "" : ", ") + name;
  return *out != nullptr;
}

}  // namespace

base::StatusOr<const IpcApi*> LoadIpcApi() {
  static std::mutex mu;
  static IpcApi api;
  static bool loaded = false;
  static std::string failure;
  std::lock_guard lock(mu);
  if (loaded) return &api;
  if (failure.empty()) {
    std::string tried;
    void* library = OpenLibrary(&tried);
    if (library == nullptr) {
      failure = std::string("cannot load ") + kSoname + ": tried " + tried;
    } else {
      std::string missing;
      Resolve(library, "ncp_ipc_connection_adopt", &api.adopt, &missing);
      Resolve(library, "ncp_ipc_connection_wait_peer", &api.wait_peer, &missing);
      Resolve(library, "ncp_ipc_connection_notify_peer", &api.notify_peer, &missing);
      Resolve(library, "ncp_ipc_connection_peer_root", &api.peer_root, &missing);
      Resolve(library, "ncp_ipc_connection_release", &api.release, &missing);
      Resolve(library, "ncp_ipc_connection_drain", &api.drain, &missing);
      Resolve(library, "ncp_ipc_connection_adopt_unannounced", &api.adopt_unannounced, &missing);
      Resolve(library, "ncp_ipc_connection_announce", &api.announce, &missing);
      if (missing.empty()) {
        loaded = true;
        return &api;
      }
      // Kept loaded: dlclose of a library the application may share gains nothing.
      failure = std::string(kSoname) + " lacks " + missing;
    }
    base::LogLine("IPC-type children are unavailable: %s", failure.c_str());
  }
  return base::Error(base::Code::kUnavailable, "IPC-type children are unavailable: " + failure);
}

}  // namespace ncp::core
