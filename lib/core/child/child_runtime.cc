#include "core/child/child_runtime.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "base/log.h"
#include "base/path_list.h"
#include "core/child/child_ipc_runtime.h"
#include "core/child/child_state.h"
#include "core/child/process_title.h"
#include "core/protocol/caller_context.h"
#include "core/protocol/launch_report.h"
#include "core/protocol/wire.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::core {
namespace {

using EntryFunction = void (*)(NativeChildProcess_Args);

[[noreturn]] void Fail(int status, const char* fmt, const char* a, const char* b) {
  base::LogLine(fmt, static_cast<int>(getpid()), a, b);
  _exit(status);
}

}  // namespace

// A fresh process starts with default signal dispositions and nothing blocked; exec keeps
// "ignored" dispositions and the blocked mask of the spawning thread, so undo both.
void ResetSignals() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) {
      sigaction(sig, &dfl, nullptr);
    }
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

namespace {

// A bare name is looked up in NCP_LIBRARY_PATH first; anything else goes to dlopen as is, so
// paths work and bare names fall back to the normal search (LD_LIBRARY_PATH, RUNPATH, ld.so.conf).
// The first candidate that exists is the answer, loaded or not (dlerror says why not). Each is
// tried with dlopen at once, and asked whether it exists only when that fails: a found library
// costs no extra system call.
void* LoadLibrary(const std::string& library) {
  const char* search =
      library.find('/') == std::string::npos ? getenv("NCP_LIBRARY_PATH") : nullptr;
  if (search != nullptr) {
    for (const std::string& dir : base::SplitPathList(search)) {
      const std::string candidate = dir + "/" + library;
      if (void* handle = dlopen(candidate.c_str(), RTLD_LAZY)) return handle;
      if (access(candidate.c_str(), F_OK) == 0) return nullptr;
    }
  }
  return dlopen(library.c_str(), RTLD_LAZY);
}

// OpenHarmony hands the entry fresh copies it never frees; so do we.
NativeChildProcess_Args BuildArgs(const WireRequest& request) {
  NativeChildProcess_Args args{};
  args.entryParams = new char[request.params.size() + 1];
  memcpy(args.entryParams, request.params.c_str(), request.params.size() + 1);
  NativeChildProcess_Fd** tail = &args.fdList.head;
  for (size_t i = 0; i < request.fd_names.size(); ++i) {
    auto* node = new NativeChildProcess_Fd{};
    node->fdName = new char[request.fd_names[i].size() + 1];
    memcpy(node->fdName, request.fd_names[i].c_str(), request.fd_names[i].size() + 1);
    node->fd = kFirstNamedFd + static_cast<int32_t>(i);
    *tail = node;
    tail = &node->next;
  }
  return args;
}

// At most one entry report per child; the fd is closed at once so user code never holds it.
void ReportEntry(const ncp_child_hooks& hooks, LaunchReportType type, int status,
                 const char* message) {
  static bool reported = false;
  if (hooks.report_entry == 0 || reported) return;
  reported = true;
  (void)WriteLaunchReport(hooks.entry_report_fd,
                          MakeLaunchReport(type, 0, status, message != nullptr ? message : ""));
  close(hooks.entry_report_fd);
}

// The last step before user code; a hook that refuses ends the child with its status.
void RunBeforeUserCode(const ncp_child_hooks& hooks) {
  if (hooks.before_user_code == nullptr) return;
  const int status = hooks.before_user_code(hooks.context);
  if (status != 0) _exit(status);
}

}  // namespace
}  // namespace ncp::core

extern "C" void ncp_internal_child_main(int request_fd) {
  ncp_internal_child_main_with_hooks(request_fd, nullptr);
}

extern "C" void ncp_internal_child_main_with_hooks(int request_fd, const ncp_child_hooks* hooks) {
  using namespace ncp::core;
  const ncp_child_hooks none{};
  if (hooks == nullptr) hooks = &none;
  if (hooks->signals_reset == 0) ResetSignals();
  MarkAsChildProcess();
  auto decoded = ReadRequest(request_fd);
  close(request_fd);
  RunChildRuntime(std::move(decoded), *hooks);
}

void ncp::core::RunChildRuntimeOnInlineRequest(const char* request, size_t size,
                                               const ncp_child_hooks& hooks) {
  if (hooks.signals_reset == 0) ResetSignals();
  MarkAsChildProcess();
  RunChildRuntime(DecodeRequest(std::string_view(request, size)), hooks);
}

void ncp::core::SayCannotEnterDirectory(const WireRequest& request, int err) {
  ncp::base::LogLine("child %d: cannot enter %s: %s", static_cast<int>(getpid()),
                     request.working_directory.c_str(), strerror(err));
}

void ncp::core::RunChildRuntime(base::StatusOr<WireRequest> decoded,
                                const ncp_child_hooks& hook_set) {
  const ncp_child_hooks* hooks = &hook_set;
  if (!decoded.ok()) {
    Fail(NCP_CHILD_EXIT_BAD_REQUEST, "child %d: %s%s", decoded.status().ToString().c_str(), "");
  }
  WireRequest& request = *decoded;
  // The fork server's environment, directory and umask are those of the application when it
  // started the server; the request carries the caller's current ones.
  if (hooks->keep_own_context == 0 && !AdoptCallerContext(request)) {
    SayCannotEnterDirectory(request, errno);
  }
  SetProcessTitle(request.process_name.c_str());

  void* handle = hooks->library_path != nullptr ? dlopen(hooks->library_path, RTLD_LAZY)
                                                : LoadLibrary(request.library);
  if (handle == nullptr) {
    const std::string error = dlerror();
    ReportEntry(*hooks, LaunchReportType::kEntryMissing, NCP_CHILD_EXIT_LIBRARY_NOT_LOADED,
                error.c_str());
    Fail(NCP_CHILD_EXIT_LIBRARY_NOT_LOADED, "child %d: cannot load library \"%s\": %s",
         request.library.c_str(), error.c_str());
  }
  if (request.kind == ChildKind::kArgs) {
    dlerror();  // so that a NULL below is explained by this lookup's message only
    auto entry = reinterpret_cast<EntryFunction>(dlsym(handle, request.symbol.c_str()));
    if (entry == nullptr) {
      const char* error = dlerror();
      const std::string message =
          error != nullptr ? error : "entry function \"" + request.symbol + "\" is NULL";
      ReportEntry(*hooks, LaunchReportType::kEntryMissing, NCP_CHILD_EXIT_SYMBOL_NOT_FOUND,
                  message.c_str());
      Fail(NCP_CHILD_EXIT_SYMBOL_NOT_FOUND, "child %d: no entry function \"%s\" in %s",
           request.symbol.c_str(), request.library.c_str());
    }
    NativeChildProcess_Args args = BuildArgs(request);
    SetCurrentArgs(args);
    ReportEntry(*hooks, LaunchReportType::kEntryFound, 0, "");
    RunBeforeUserCode(*hooks);
    entry(args);
    // As OpenHarmony ends every app-spawned process once its entry returns (startup_appspawn
    // common/appspawn_server.c, ProcessExit: quick_exit(0)): no atexit handlers, no static
    // destructors of the child's libraries. quick_exit does not flush stdio; the child's own
    // output would be lost, so flush it first (ncp's addition, see the README's table).
    fflush(nullptr);
    quick_exit(0);
  }
  IpcChildHooks ipc_hooks;
  ipc_hooks.entry_found = [hooks] { ReportEntry(*hooks, LaunchReportType::kEntryFound, 0, ""); };
  ipc_hooks.entry_missing = [hooks](int status, const char* message) {
    ReportEntry(*hooks, LaunchReportType::kEntryMissing, status, message);
  };
  ipc_hooks.before_user_code = [hooks] { RunBeforeUserCode(*hooks); };
  RunIpcChild(handle, request, ipc_hooks);
}
