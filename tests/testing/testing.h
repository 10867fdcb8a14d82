// Fixtures shared by every test binary.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace ncp::testing {

// True when NCP_TESTS_MUST_WORK=1: a test that would skip for lack of a kernel feature fails.
bool MustWork();

// Whether this process can create a user namespace (probed once, in a throwaway child).
bool UserNamespacesWork();

// The whole file, as bytes; "" when it cannot be read.
std::string ReadFileText(const std::string& path);

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ncp::testing

// Skips the test when user namespaces are refused, or fails it under NCP_TESTS_MUST_WORK=1.
#define NCP_REQUIRE_USERNS()                                                        \
  do {                                                                              \
    if (!::ncp::testing::UserNamespacesWork()) {                                    \
      if (::ncp::testing::MustWork()) FAIL() << "user namespaces are refused here " \
                                                "and NCP_TESTS_MUST_WORK=1";        \
      GTEST_SKIP() << "user namespaces are refused by this kernel";                 \
    }                                                                               \
  } while (0)
