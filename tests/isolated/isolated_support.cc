#include "isolated/isolated_support.h"

#include <unistd.h>

#include <atomic>

namespace ncp::testing {

namespace {

// Written on the library's monitor thread, read on the test's: the pid is stored last.
std::atomic<int> g_oh_exit_pid{0};
std::atomic<int> g_oh_exit_signal{-1};

void OnOhExit(int32_t pid, int32_t signal) {
  g_oh_exit_signal.store(signal);
  g_oh_exit_pid.store(pid);
}

}  // namespace

OhExitCallback::OhExitCallback() {
  g_oh_exit_pid = 0;
  g_oh_exit_signal = -1;
  EXPECT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(OnOhExit), NCP_NO_ERROR);
}

OhExitCallback::~OhExitCallback() {
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(OnOhExit), NCP_NO_ERROR);
}

int OhExitCallback::SignalFor(pid_t pid) {
  for (int i = 0; i < 200 && g_oh_exit_pid.load() != pid; ++i) usleep(10 * 1000);
  return g_oh_exit_pid.load() == pid ? g_oh_exit_signal.load() : -1;
}

IsolatedRun RunIsolated(const std::string& entry, const std::string& params,
                        const std::string& profile, FdList* extra) {
  IsolatedRun run;
  ExitWatcher watcher;
  Pipe out = MakePipe();
  FdList own;
  FdList* fds = extra != nullptr ? extra : &own;
  fds->Add("out", out.write.get());
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
  if (!profile.empty()) NCP_ChildProcessConfigs_SetProfile(configs, profile.c_str());
  const std::string full = std::string(kTestLib) + ":" + entry;
  NativeChildProcess_Args args{const_cast<char*>(params.c_str()), fds->list()};
  int32_t pid = 0;
  run.start_code = OH_Ability_StartNativeChildProcessWithConfigs(full.c_str(), args, configs, &pid);
  OH_Ability_DestroyChildProcessConfigs(configs);
  out.write.reset();
  if (run.start_code != NCP_NO_ERROR) {
    ADD_FAILURE() << "start failed: " << run.start_code << " " << NCP_GetLastErrorMessage();
    return run;
  }
  run.pid = pid;
  run.out = ReadAll(out.read.get());
  run.exit = watcher.Wait(pid);
  return run;
}

}  // namespace ncp::testing
