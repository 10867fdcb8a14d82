#include "base/path_list.h"

#include <gtest/gtest.h>

namespace ncp::base {
namespace {

using List = std::vector<std::string>;

TEST(SplitPathList, AnEmptyListHasNoEntries) { EXPECT_EQ(SplitPathList(""), List{}); }

TEST(SplitPathList, OneEntryIsItself) { EXPECT_EQ(SplitPathList("/usr/lib"), List{"/usr/lib"}); }

TEST(SplitPathList, EntriesKeepTheirOrder) {
  EXPECT_EQ(SplitPathList("/b:/a:/c"), (List{"/b", "/a", "/c"}));
}

// An empty entry would be the working directory to ld.so; here it is nothing.
TEST(SplitPathList, EmptyEntriesAreLeftOut) {
  EXPECT_EQ(SplitPathList(":"), List{});
  EXPECT_EQ(SplitPathList("::"), List{});
  EXPECT_EQ(SplitPathList(":/a"), List{"/a"});
  EXPECT_EQ(SplitPathList("/a::/b"), (List{"/a", "/b"}));
}

TEST(SplitPathList, ATrailingColonAddsNothing) {
  EXPECT_EQ(SplitPathList("/a:"), List{"/a"});
  EXPECT_EQ(SplitPathList("/a:/b:"), (List{"/a", "/b"}));
}

TEST(SplitPathList, RelativeEntriesAreKeptAsWritten) {
  EXPECT_EQ(SplitPathList(".:lib"), (List{".", "lib"}));
}

}  // namespace
}  // namespace ncp::base
