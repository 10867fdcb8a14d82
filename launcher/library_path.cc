#include "launcher/library_path.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/path_list.h"
#include "core/child/child_runtime.h"
#include "launcher/environment.h"

namespace ncp::launcher {
namespace {

std::string Canonical(const std::string& path) {
  char resolved[PATH_MAX];
  return realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : std::string();
}

bool IsRegularFile(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void AppendDirs(const char* list, std::vector<std::string>* dirs) {
  if (list == nullptr) return;
  for (std::string& dir : base::SplitPathList(list)) dirs->push_back(std::move(dir));
}

std::string DirOf(const std::string& path) {
  return std::filesystem::path(path).parent_path().string();
}

// The directory of the shared object that defines `address`.
std::string ObjectDir(const void* address) {
  Dl_info info{};
  if (dladdr(address, &info) == 0 || info.dli_fname == nullptr) return "";
  return DirOf(Canonical(info.dli_fname));
}

}  // namespace

base::StatusOr<std::string> ResolveLibraryOnHost(const std::string& name,
                                                 const std::vector<std::string>& env) {
  if (name.empty()) return base::Error(base::Code::kInvalidArgument, "empty library name");
  if (name.find('/') != std::string::npos) {
    const std::string path = Canonical(name);
    if (path.empty() || !IsRegularFile(path)) {
      return base::Error(base::Code::kNotFound, "library " + name + " not found");
    }
    return path;
  }
  std::vector<std::string> dirs;
  AppendDirs(FindVariable(env, "NCP_LIBRARY_PATH"), &dirs);
  AppendDirs(FindVariable(env, "LD_LIBRARY_PATH"), &dirs);
  AppendDirs("/lib:/usr/lib:/lib64:/usr/lib64:/usr/local/lib", &dirs);
#if defined(__x86_64__)
  AppendDirs("/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu", &dirs);
#elif defined(__aarch64__)
  AppendDirs("/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu", &dirs);
#endif
  for (const std::string& dir : dirs) {
    const std::string candidate = dir + "/" + name;
    if (IsRegularFile(candidate)) return Canonical(candidate);
  }
  return base::Error(base::Code::kNotFound,
                     "library " + name +
                         " not found in NCP_LIBRARY_PATH, LD_LIBRARY_PATH or the system dirs");
}

namespace {

std::vector<std::string> FindRuntimeLibraryDirs() {
  std::vector<std::string> dirs;
  dirs.push_back(ObjectDir(reinterpret_cast<const void*>(&ncp_internal_child_main_with_hooks)));
  // libipc_capi.so is not linked (the program form would pay for loading it); an entry
  // library that uses it finds it through its own RUNPATH or the system dirs, so look it up
  // the same way ncp-launch's RUNPATH would (RTLD_NOLOAD first: it may already be there).
  void* ipc = dlopen(NCP_IPC_SONAME, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
  if (ipc == nullptr) ipc = dlopen(NCP_IPC_SONAME, RTLD_LAZY | RTLD_LOCAL);
  // Sanitizer runtimes intercept dlopen, so the search above uses *their* RUNPATH, not ours:
  // also try where lib/core's loader looks (beside libchild_process.so; ../ipc in the build tree).
  for (const char* relative : {"/", "/../ipc/"}) {
    if (ipc != nullptr || dirs.front().empty()) break;
    ipc = dlopen((dirs.front() + relative + NCP_IPC_SONAME).c_str(), RTLD_LAZY | RTLD_LOCAL);
  }
  if (ipc != nullptr) {
    if (void* symbol = dlsym(ipc, "OH_IPCParcel_Create"); symbol != nullptr) {
      dirs.push_back(ObjectDir(symbol));
    }
    dlclose(ipc);  // only its place was wanted: the mapping would be copied at every fork
  }
  std::erase(dirs, std::string());
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  return dirs;
}

}  // namespace

// Once per process: where our own libraries are does not change while we run. A builder looks
// before its first fork, so no sandbox launcher pays for the dlopen (a dynamic load, and the
// page tables it maps, copied at the sandbox's clone and torn down at its end).
const std::vector<std::string>& RuntimeLibraryDirs() {
  static const std::vector<std::string> dirs = FindRuntimeLibraryDirs();
  return dirs;
}

base::StatusOr<std::string> OwnExecutablePath() {
  const std::string path = Canonical("/proc/self/exe");
  if (path.empty()) return base::ErrnoError("readlink /proc/self/exe");
  return path;
}

}  // namespace ncp::launcher
