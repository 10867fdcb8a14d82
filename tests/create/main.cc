#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>

int main(int argc, char** argv) {
  // The crash tests must not leave core files behind (children inherit the limit).
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  // Children find the test libraries by their bare names, as an application's would be found.
  setenv("NCP_LIBRARY_PATH", NCP_TEST_LIB_DIR, 0);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
