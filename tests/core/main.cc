// main() of core_tests and isolated_tests: both start the test entries as children.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>

int main(int argc, char** argv) {
  // Crash tests must not leave core files behind (children inherit the limit).
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  // Children find the test library by its bare name, as an application's would be found.
  setenv("NCP_LIBRARY_PATH", NCP_TEST_LIB_DIR, 0);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
