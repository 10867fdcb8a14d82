// The public headers compile as C11 with OpenHarmony's layouts (checked at compile time in
// helpers/layout_check.c) and as C++ with the same layouts.
#include <gtest/gtest.h>

#include <cstddef>

#include "AbilityKit/native_child_process.h"

extern "C" int ncp_layout_check_c(void);

TEST(Layout, CTranslationUnitSeesEveryFunction) { EXPECT_EQ(ncp_layout_check_c(), 14); }

TEST(Layout, CxxSeesTheSameLayouts) {
  EXPECT_EQ(sizeof(NativeChildProcess_Fd), 24u);
  EXPECT_EQ(offsetof(NativeChildProcess_Fd, fd), 8u);
  EXPECT_EQ(offsetof(NativeChildProcess_Fd, next), 16u);
  EXPECT_EQ(sizeof(NativeChildProcess_Options), 16u);
  EXPECT_EQ(offsetof(NativeChildProcess_Options, reserved), 8u);
  EXPECT_EQ(sizeof(NativeChildProcess_Args), 16u);
  EXPECT_EQ(offsetof(NativeChildProcess_Args, fdList), 8u);
}
