// Known answers for the seccomp cache's SHA-256 (policy/sha256.h): FIPS 180-4's examples and
// two longer inputs. A different hash would orphan every cache file already written.
#include "policy/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace ncp::policy::internal {
namespace {

std::string Hex(std::string_view data) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : Sha256(data)) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 15]);
  }
  return out;
}

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, BinaryInputWithZeroBytes) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7));
  EXPECT_EQ(Hex(data), "89f4ff56a25dd1db06a4ce6033603775d705fb96f30f8693733fef602a1ca532");
}

}  // namespace
}  // namespace ncp::policy::internal
