#include "isolated/isolated_support.h"

#include <fstream>
#include <sstream>

namespace ncp::testing {

std::string ShippedProfile(const std::string& name) {
  return std::string(NCP_SOURCE_PROFILES_DIR) + "/" + name + ".profile";
}

std::string WriteProfile(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
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

std::map<std::string, std::string> ParseProbe(const std::string& out) {
  std::map<std::string, std::string> values;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

}  // namespace ncp::testing
