// A parent for the isolated-mode tests that must watch a whole application: it starts one
// isolated child from a short-lived thread (so nothing depends on the starting thread), prints
// "child PID", prints "exit CODE SIGNAL" when the child ends, and exits when its stdin closes.
// The tests read its stderr (the launcher's diagnostics go there) and kill it to check that the
// sandbox dies with its application. PROFILE "--normal" starts a normal-mode child instead.
//   ncp_test_isolated_parent PROFILE ENTRY [PARAMS]
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

#include "AbilityKit/native_child_process.h"
#include "ncp/native_child_process_ext.h"

namespace {

void OnExit(const NCP_ChildExitInfo* info, void*) {
  std::printf("exit %d %d\n", info->exitCode, info->signal);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s PROFILE ENTRY [PARAMS]\n", argv[0]);
    return 2;
  }
  NCP_RegisterChildExitCallback(OnExit, nullptr);
  int32_t pid = 0;
  int code = 0;
  std::string message;  // the last error is per thread: read it on the starting one
  std::thread([&] {
    Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
    if (std::string(argv[1]) != "--normal") {
      OH_Ability_ChildProcessConfigs_SetIsolationMode(configs, NCP_ISOLATION_MODE_ISOLATED);
      NCP_ChildProcessConfigs_SetProfile(configs, argv[1]);
    }
    NativeChildProcess_Args args{argc > 3 ? argv[3] : nullptr, {nullptr}};
    code = OH_Ability_StartNativeChildProcessWithConfigs(argv[2], args, configs, &pid);
    message = NCP_GetLastErrorMessage();
    OH_Ability_DestroyChildProcessConfigs(configs);
  }).join();
  if (code != NCP_NO_ERROR) {
    std::printf("error %d %s\n", code, message.c_str());
    return 1;
  }
  std::printf("child %d\n", pid);
  std::fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {
  }
  return 0;
}
