// The synchronous part of Create* (ohos-api.md §3.2-3.3), with OpenHarmony's XTS case names
// (§10.2). A refused call must never call back.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <filesystem>
#include <string>

#include "create_support.h"
#include "testing/testing.h"

namespace ncp::testing {
namespace {

class CreateValidation : public ::testing::Test {
 protected:
  void SetUp() override {
    configs_ = OH_Ability_CreateChildProcessConfigs();
    ASSERT_NE(configs_, nullptr);
    ASSERT_EQ(OH_Ability_ChildProcessConfigs_SetProcessName(configs_, "abc_123"), NCP_NO_ERROR);
    started_before_ = StartedCount();
  }
  void TearDown() override {
    OH_Ability_DestroyChildProcessConfigs(configs_);
    // Refused calls start nothing, so nothing can call back later either.
    EXPECT_EQ(StartedCount(), started_before_);
    EXPECT_EQ(ForkServerPid() == 0 || WaitUntilNoChildren(), true);
  }
  Ability_ChildProcessConfigs* configs_ = nullptr;
  int started_before_ = 0;
};

TEST_F(CreateValidation, NativeStartChildProcess_0200_EmptyName) {
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess("", CollectStarted), NCP_ERR_INVALID_PARAM);
}

TEST_F(CreateValidation, NativeStartChildProcess_0300_DotDotSlash) {
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess("../libentry.so", CollectStarted),
            NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess("a/../libncp_test_ipc_child.so", CollectStarted),
            NCP_ERR_INVALID_PARAM);
}

TEST_F(CreateValidation, NativeStartChildProcess_0500_NullCallback) {
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess(kIpcChildLib, nullptr), NCP_ERR_INVALID_PARAM);
}

TEST_F(CreateValidation, NativeStartChildProcess_1100_NullName) {
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess(nullptr, CollectStarted), NCP_ERR_INVALID_PARAM);
}

TEST_F(CreateValidation, NativeStartChildProcess_1200_BothNull) {
  EXPECT_EQ(OH_Ability_CreateNativeChildProcess(nullptr, nullptr), NCP_ERR_INVALID_PARAM);
}

TEST_F(CreateValidation, NativeChildProcessWithConfigs_1700_DotDotSlash) {
  EXPECT_EQ(
      OH_Ability_CreateNativeChildProcessWithConfigs("../libentry.so", configs_, CollectStarted),
      NCP_ERR_INVALID_PARAM);
}

TEST_F(CreateValidation, NativeChildProcessWithConfigs_1800_NullName) {
  EXPECT_EQ(OH_Ability_CreateNativeChildProcessWithConfigs(nullptr, configs_, CollectStarted),
            NCP_ERR_INVALID_PARAM);
}

TEST_F(CreateValidation, NativeChildProcessWithConfigs_1900_EmptyName) {
  EXPECT_EQ(OH_Ability_CreateNativeChildProcessWithConfigs("", configs_, CollectStarted),
            NCP_ERR_INVALID_PARAM);
}

TEST_F(CreateValidation, NativeChildProcessWithConfigs_2300_NullCallback) {
  EXPECT_EQ(OH_Ability_CreateNativeChildProcessWithConfigs(kIpcChildLib, configs_, nullptr),
            NCP_ERR_INVALID_PARAM);
}

TEST_F(CreateValidation, WithConfigsNullConfigs) {
  EXPECT_EQ(OH_Ability_CreateNativeChildProcessWithConfigs(kIpcChildLib, nullptr, CollectStarted),
            NCP_ERR_INVALID_PARAM);
}

// "../" is checked after the NULL/empty checks: the first condition wins.
TEST_F(CreateValidation, NullCallbackWinsOverDotDotSlash) {
  EXPECT_EQ(OH_Ability_CreateNativeChildProcessWithConfigs("../x.so", nullptr, nullptr),
            NCP_ERR_INVALID_PARAM);
  EXPECT_STREQ(NCP_GetLastErrorMessage(), "libName is empty, or callback or configs is NULL");
}

// Without libipc_capi.so (not loaded, not beside libchild_process.so) Create* fails closed with
// NCP_ERR_SERVICE_ERROR, logs one line once, starts nothing and never calls back.
TEST(CreateWithoutIpcLibrary, FailsWithServiceErrorAndOneLogLine) {
  TempDir dir;
  namespace fs = std::filesystem;
  const std::string lib =
      dir.path() + "/" + fs::path(NCP_TEST_CHILD_PROCESS_LIB).filename().string();
  fs::copy_file(NCP_TEST_CHILD_PROCESS_LIB, lib);
  fs::copy_file(NCP_TEST_CHILD_RUNTIME, dir.path() + "/ncp-child");
  const std::string command =
      std::string(NCP_TEST_NO_IPC_PARENT) + " " + lib + " 2>" + dir.path() + "/stderr";
  FILE* out = popen(command.c_str(), "r");
  ASSERT_NE(out, nullptr);
  char buffer[256] = {};
  std::string printed;
  while (fgets(buffer, sizeof buffer, out) != nullptr) printed += buffer;
  const int status = pclose(out);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(printed, "rc=16010003 rc=16010003\n");  // and no "callback" line
  std::string logged;
  FILE* err = fopen((dir.path() + "/stderr").c_str(), "r");
  ASSERT_NE(err, nullptr);
  while (fgets(buffer, sizeof buffer, err) != nullptr) logged += buffer;
  fclose(err);
  size_t lines = 0;
  for (size_t at = logged.find("IPC-type children are unavailable"); at != std::string::npos;
       at = logged.find("IPC-type children are unavailable", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << logged;
}

}  // namespace
}  // namespace ncp::testing
