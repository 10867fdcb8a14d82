#include "base/memfd.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace ncp::base {
namespace {

std::string ReadAll(int fd) {
  std::string out(1 << 16, '\0');
  const ssize_t n = pread(fd, out.data(), out.size(), 0);
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

TEST(MemfdWithContents, HoldsTheBytesAndIsCloseOnExec) {
  const std::string bytes("request\0with a NUL", 18);
  auto fd = MemfdWithContents("test", bytes, MemfdSeal::kNone);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  EXPECT_EQ(ReadAll(fd->get()), bytes);
  EXPECT_EQ(fcntl(fd->get(), F_GETFD), FD_CLOEXEC);
}

TEST(MemfdWithContents, EmptyContentsGiveAnEmptyFile) {
  auto fd = MemfdWithContents("test", "", MemfdSeal::kSealed);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  EXPECT_EQ(ReadAll(fd->get()), "");
}

TEST(MemfdWithContents, UnsealedStaysWritable) {
  auto fd = MemfdWithContents("test", "abc", MemfdSeal::kNone);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  EXPECT_EQ(fcntl(fd->get(), F_GET_SEALS), F_SEAL_SEAL);
  EXPECT_EQ(pwrite(fd->get(), "x", 1, 0), 1);
}

TEST(MemfdWithContents, SealedRefusesWritesAndResizes) {
  auto fd = MemfdWithContents("test", "abc", MemfdSeal::kSealed);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  EXPECT_EQ(fcntl(fd->get(), F_GET_SEALS),
            F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
  errno = 0;
  EXPECT_EQ(pwrite(fd->get(), "x", 1, 0), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(ftruncate(fd->get(), 0), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(ReadAll(fd->get()), "abc");
}

}  // namespace
}  // namespace ncp::base
