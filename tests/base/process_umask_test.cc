#include "base/process_umask.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace ncp::base {
namespace {

TEST(CurrentUmask, IsTheProcessUmaskAndLeavesItAlone) {
  const mode_t old = umask(0027);
  EXPECT_EQ(CurrentUmask(), 0027u);
  umask(0);
  EXPECT_EQ(CurrentUmask(), 0u);
  EXPECT_EQ(umask(old), 0u);  // reading it did not change it
}

}  // namespace
}  // namespace ncp::base
