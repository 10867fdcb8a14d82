// Every synchronous error path of the C API, with OpenHarmony's codes and check order.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "AbilityKit/native_child_process.h"
#include "core/child_test_support.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::testing {
namespace {

NativeChildProcess_Options Normal() { return {NCP_ISOLATION_MODE_NORMAL, 0}; }
NativeChildProcess_Args NoArgs() { return {nullptr, {nullptr}}; }

TEST(Configs, CreateAndDestroy) {
  Ability_ChildProcessConfigs* configs = OH_Ability_CreateChildProcessConfigs();
  ASSERT_NE(configs, nullptr);
  EXPECT_EQ(OH_Ability_DestroyChildProcessConfigs(configs), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_DestroyChildProcessConfigs(nullptr), NCP_ERR_INVALID_PARAM);
}

TEST(Configs, NullConfigsIsInvalidForEverySetter) {
  EXPECT_EQ(OH_Ability_ChildProcessConfigs_SetIsolationMode(nullptr, NCP_ISOLATION_MODE_ISOLATED),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_ChildProcessConfigs_SetIsolationUid(nullptr, true), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_ChildProcessConfigs_SetProcessName(nullptr, "abc_123"),
            NCP_ERR_INVALID_PARAM);
}

TEST(Configs, ProcessNameRules) {
  Ability_ChildProcessConfigs* c = OH_Ability_CreateChildProcessConfigs();
  EXPECT_EQ(OH_Ability_ChildProcessConfigs_SetProcessName(c, nullptr), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_ChildProcessConfigs_SetProcessName(c, ""), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_ChildProcessConfigs_SetProcessName(c, "abc_123"), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_ChildProcessConfigs_SetProcessName(c, "abc_123([]"), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_ChildProcessConfigs_SetProcessName(c, "a name with spaces"),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_ChildProcessConfigs_SetProcessName(c, std::string(64, 'x').c_str()),
            NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_ChildProcessConfigs_SetProcessName(c, std::string(65, 'x').c_str()),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_ChildProcessConfigs_SetIsolationMode(
                c, static_cast<NativeChildProcess_IsolationMode>(7)),
            NCP_NO_ERROR);  // stored unchecked; anything but ISOLATED means NORMAL
  EXPECT_EQ(OH_Ability_ChildProcessConfigs_SetIsolationUid(c, true), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_DestroyChildProcessConfigs(c), NCP_NO_ERROR);
}

TEST(StartValidation, EntryChecksComeFirst) {
  int32_t pid = -42;
  EXPECT_EQ(OH_Ability_StartNativeChildProcess(nullptr, NoArgs(), Normal(), nullptr),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_StartNativeChildProcess("", NoArgs(), Normal(), &pid), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_StartNativeChildProcess("libx.so", NoArgs(), Normal(), &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_NE(std::string(NCP_GetLastErrorMessage()).find("':'"), std::string::npos);
  EXPECT_EQ(OH_Ability_StartNativeChildProcess("libx.so:Main", NoArgs(), Normal(), nullptr),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_StartNativeChildProcess("../libx.so:Main", NoArgs(), Normal(), &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_StartNativeChildProcess("/a/../libx.so:Main", NoArgs(), Normal(), &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(pid, -42) << "*pid is written on success only";
}

TEST(StartValidation, WithConfigsNeedsConfigs) {
  int32_t pid = -42;
  EXPECT_EQ(OH_Ability_StartNativeChildProcessWithConfigs("libx.so:Main", NoArgs(), nullptr, &pid),
            NCP_ERR_INVALID_PARAM);
  Ability_ChildProcessConfigs* c = OH_Ability_CreateChildProcessConfigs();
  EXPECT_EQ(OH_Ability_StartNativeChildProcessWithConfigs(nullptr, NoArgs(), c, &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_StartNativeChildProcessWithConfigs("libx.so:Main", NoArgs(), c, nullptr),
            NCP_ERR_INVALID_PARAM);
  OH_Ability_DestroyChildProcessConfigs(c);
  EXPECT_EQ(pid, -42);
}

TEST(StartValidation, FdListRules) {
  int32_t pid = -42;
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  NativeChildProcess_Fd unnamed{nullptr, devnull, nullptr};
  NativeChildProcess_Args args{nullptr, {&unnamed}};
  EXPECT_EQ(OH_Ability_StartNativeChildProcess("libx.so:Main", args, Normal(), &pid),
            NCP_ERR_INVALID_PARAM);

  FdList too_long;
  too_long.Add(std::string(21, 'n'), devnull);
  args.fdList = too_long.list();
  EXPECT_EQ(OH_Ability_StartNativeChildProcess("libx.so:Main", args, Normal(), &pid),
            NCP_ERR_INVALID_PARAM);

  FdList seventeen;
  for (int i = 0; i < 17; ++i) seventeen.Add("fd" + std::to_string(i), devnull);
  args.fdList = seventeen.list();
  EXPECT_EQ(OH_Ability_StartNativeChildProcess("libx.so:Main", args, Normal(), &pid),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(pid, -42);
  close(devnull);
}

TEST(StartValidation, ClosedFdIsAServiceError) {
  int32_t pid = -42;
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  close(fd);
  FdList fds;
  fds.Add("gone", fd);
  EXPECT_EQ(StartEntry("EchoParams", nullptr, &fds, &pid), NCP_ERR_SERVICE_ERROR);
  EXPECT_NE(std::string(NCP_GetLastErrorMessage()).find("gone"), std::string::npos);
  EXPECT_EQ(pid, -42);
}

TEST(ConfigsValidation, SetProfile) {
  Ability_ChildProcessConfigs* c = OH_Ability_CreateChildProcessConfigs();
  EXPECT_EQ(NCP_ChildProcessConfigs_SetProfile(nullptr, "default"), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(NCP_ChildProcessConfigs_SetProfile(c, nullptr), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(NCP_ChildProcessConfigs_SetProfile(c, ""), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(NCP_ChildProcessConfigs_SetProfile(c, std::string(4096, 'p').c_str()),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(NCP_ChildProcessConfigs_SetProfile(c, std::string(4095, 'p').c_str()), NCP_NO_ERROR);
  EXPECT_EQ(NCP_ChildProcessConfigs_SetProfile(c, "strict"), NCP_NO_ERROR);
  OH_Ability_DestroyChildProcessConfigs(c);
}

void Noop(int32_t, int32_t) {}
void Noop2(int32_t, int32_t) {}

TEST(ExitCallbackRegistration, NullAndUnknown) {
  EXPECT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(nullptr), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(nullptr), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(&Noop2), NCP_ERR_CALLBACK_NOT_EXIST);
  EXPECT_EQ(NCP_RegisterChildExitCallback(nullptr, nullptr), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(NCP_UnregisterChildExitCallback(nullptr, nullptr), NCP_ERR_INVALID_PARAM);
}

TEST(ExitCallbackRegistration, XtsSequences) {
  // register, register, unregister → 0, 0, 0 (one entry); then unregister again → 16010009.
  EXPECT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&Noop), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_RegisterNativeChildProcessExitCallback(&Noop), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(&Noop), NCP_NO_ERROR);
  EXPECT_EQ(OH_Ability_UnregisterNativeChildProcessExitCallback(&Noop), NCP_ERR_CALLBACK_NOT_EXIST);
}

TEST(Kill, NotAChild) {
  EXPECT_EQ(OH_Ability_KillChildProcess(-1), NCP_ERR_INVALID_PID);
  EXPECT_EQ(OH_Ability_KillChildProcess(0), NCP_ERR_INVALID_PID);
  EXPECT_EQ(OH_Ability_KillChildProcess(getpid()), NCP_ERR_INVALID_PID);
  EXPECT_EQ(OH_Ability_KillChildProcess(1), NCP_ERR_INVALID_PID);
}

void Started(int, OHIPCRemoteProxy*) {}

TEST(CreateValidation, SynchronousChecks) {
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess(nullptr, &Started), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess("", &Started), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess("libentry.so", nullptr), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess(nullptr, nullptr), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess("../libentry.so", &Started), NCP_ERR_INVALID_PARAM);
  Ability_ChildProcessConfigs* c = OH_Ability_CreateChildProcessConfigs();
  EXPECT_EQ(OH_Ability_CreateNativeChildProcessWithConfigs("libentry.so", nullptr, &Started),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_CreateNativeChildProcessWithConfigs("../libentry.so", c, &Started),
            NCP_ERR_INVALID_PARAM);
  OH_Ability_DestroyChildProcessConfigs(c);
}

TEST(Supported, TrueInAParentWithTheRuntimeInstalled) {
  EXPECT_TRUE(OH_Ability_IsNativeChildProcessSupported());
}

TEST(CurrentArgs, NullInTheParent) { EXPECT_EQ(OH_Ability_GetCurrentChildProcessArgs(), nullptr); }

}  // namespace
}  // namespace ncp::testing
