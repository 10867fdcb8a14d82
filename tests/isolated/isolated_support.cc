#include "isolated/isolated_support.h"

namespace ncp::testing {

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
