#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "policy/seccomp_cache.h"
#include "policy/seccomp_compiler.h"
#include "policy/syscall_names.h"
#include "test_util.h"
#include "testing/testing.h"

namespace ncp::policy {
namespace {

SeccompPolicy TestPolicy(const std::string& extra = "") {
  Plan plan = testing::PlanFrom("include = default\n" + extra);
  return plan.seccomp.policy;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(SeccompCache, MemoryHitReturnsIdenticalBytesWithoutCompiling) {
  SeccompCache cache;
  SeccompPolicy policy = TestPolicy();
  uint64_t before = SeccompCompileCount();
  auto first = cache.GetOrCompile(policy, NativeArch());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(SeccompCompileCount(), before + 1);
  auto second = cache.GetOrCompile(policy, NativeArch());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(SeccompCompileCount(), before + 1);
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(cache.stats().memory_hits, 1u);
  // A different policy is a different key.
  ASSERT_TRUE(cache.GetOrCompile(TestPolicy("seccomp-allow = kill\n"), NativeArch()).ok());
  EXPECT_EQ(SeccompCompileCount(), before + 2);
}

TEST(SeccompCache, KeyDependsOnRulesAndArchButNotOnSourceLines) {
  SeccompPolicy a = TestPolicy();
  SeccompPolicy b = a;
  for (SeccompRule& rule : b.rules) rule.loc = {"elsewhere.profile", 99};
  EXPECT_EQ(ComputeSeccompCacheKey(a, NativeArch()), ComputeSeccompCacheKey(b, NativeArch()));
  EXPECT_NE(ComputeSeccompCacheKey(a, NativeArch()), ComputeSeccompCacheKey(a, 0x40000003));
  b.default_action = {SeccompActionKind::kErrno, EACCES};
  EXPECT_NE(ComputeSeccompCacheKey(a, NativeArch()), ComputeSeccompCacheKey(b, NativeArch()));
  EXPECT_EQ(KeyToHex(ComputeSeccompCacheKey(a, NativeArch())).size(), 64u);
}

class DiskCache : public ::testing::Test {
 protected:
  ncp::testing::TempDir tmp_;
  std::string dir_ = tmp_.path() + "/ncp/seccomp";  // only ncp/seccomp is ever created
  SeccompPolicy policy_ = TestPolicy();
  SeccompCacheKey key_ = ComputeSeccompCacheKey(policy_, NativeArch());
};

TEST_F(DiskCache, SecondProcessLoadsFromDiskWithoutCompiling) {
  std::vector<sock_filter> compiled;
  {
    SeccompCache first(dir_);
    auto program = first.GetOrCompile(policy_, NativeArch());
    ASSERT_TRUE(program.ok());
    compiled = *program;
    EXPECT_EQ(first.stats().disk_writes, 1u);
  }
  const std::string file = SeccompCache(dir_).DiskPath(key_);
  EXPECT_EQ(ModeOf(dir_), 0700u);
  EXPECT_EQ(ModeOf(file), 0600u);
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_size % 8, 0);

  SeccompCache second(dir_);  // a fresh ncp-launch process, in effect
  uint64_t before = SeccompCompileCount();
  auto loaded = second.GetOrCompile(policy_, NativeArch());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(SeccompCompileCount(), before);
  EXPECT_EQ(second.stats().disk_hits, 1u);
  EXPECT_EQ(*loaded, compiled);
}

TEST_F(DiskCache, CorruptedFilesAreIgnoredAndReplaced) {
  ASSERT_TRUE(SeccompCache(dir_).GetOrCompile(policy_, NativeArch()).ok());
  const std::string file = SeccompCache(dir_).DiskPath(key_);
  std::string good;
  {
    std::ifstream in(file, std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto corrupt_and_check = [&](const std::string& content, const char* what) {
    testing::WriteFile(file, content);
    ::chmod(file.c_str(), 0600);
    SeccompCache cache(dir_);
    uint64_t before = SeccompCompileCount();
    auto program = cache.GetOrCompile(policy_, NativeArch());
    ASSERT_TRUE(program.ok());
    EXPECT_EQ(SeccompCompileCount(), before + 1) << what;
    EXPECT_EQ(cache.stats().disk_rejects, 1u) << what;
  };
  corrupt_and_check(good.substr(0, good.size() - 8), "truncated by one instruction");
  corrupt_and_check(good.substr(0, good.size() - 3), "size not a multiple of 8");
  std::string wrong_key = good;
  wrong_key[8] ^= 1;
  corrupt_and_check(wrong_key, "another key's content");
  std::string wrong_magic = good;
  wrong_magic[0] = 'X';
  corrupt_and_check(wrong_magic, "bad magic");
  corrupt_and_check("", "empty");
  // After each rejection the good program was written back.
  SeccompCache cache(dir_);
  ASSERT_TRUE(cache.GetOrCompile(policy_, NativeArch()).ok());
  EXPECT_EQ(cache.stats().disk_hits, 1u);
}

TEST_F(DiskCache, FilesOthersCouldWriteOrThatAreNotOursAreIgnored) {
  ASSERT_TRUE(SeccompCache(dir_).GetOrCompile(policy_, NativeArch()).ok());
  const std::string file = SeccompCache(dir_).DiskPath(key_);

  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  SeccompCache group_readable(dir_);
  ASSERT_TRUE(group_readable.GetOrCompile(policy_, NativeArch()).ok());
  EXPECT_EQ(group_readable.stats().disk_hits, 0u);
  EXPECT_EQ(group_readable.stats().compiles, 1u);

  // A cache that expects another owner sees every file here as foreign.
  SeccompCache foreign(dir_, ::geteuid() + 1);
  ASSERT_TRUE(foreign.GetOrCompile(policy_, NativeArch()).ok());
  EXPECT_EQ(foreign.stats().disk_hits, 0u);
  EXPECT_EQ(foreign.stats().compiles, 1u);

  // A directory others may enter is not used at all.
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  SeccompCache open_dir(dir_);
  ASSERT_TRUE(open_dir.GetOrCompile(policy_, NativeArch()).ok());
  EXPECT_EQ(open_dir.stats().disk_hits, 0u);
  EXPECT_EQ(open_dir.stats().disk_writes, 0u);
}

TEST_F(DiskCache, SymlinkedFileIsNotFollowed) {
  ASSERT_TRUE(SeccompCache(dir_).GetOrCompile(policy_, NativeArch()).ok());
  const std::string file = SeccompCache(dir_).DiskPath(key_);
  const std::string elsewhere = tmp_.path() + "/elsewhere.bpf";
  ASSERT_EQ(::rename(file.c_str(), elsewhere.c_str()), 0);
  ASSERT_EQ(::symlink(elsewhere.c_str(), file.c_str()), 0);
  SeccompCache cache(dir_);
  ASSERT_TRUE(cache.GetOrCompile(policy_, NativeArch()).ok());
  EXPECT_EQ(cache.stats().disk_hits, 0u);
}

// An environment variable must not move it: a start with another environment would trust a
// folder this one's sandboxes were free to write.
TEST(SeccompCacheDir, IsInThePasswdHomeWhateverTheEnvironmentSays) {
  const struct passwd* entry = ::getpwuid(::geteuid());
  const std::string expected = entry != nullptr && entry->pw_dir[0] == '/'
                                   ? std::string(entry->pw_dir) + "/.cache/ncp/seccomp"
                                   : "";
  const std::string before = SeccompCache::UserDiskDir();
  EXPECT_EQ(before, expected);
  for (const char* name : {"XDG_CACHE_HOME", "HOME"}) {
    const char* old = std::getenv(name);
    const std::string saved = old ? old : "";
    ::setenv(name, "/x/elsewhere", 1);
    EXPECT_EQ(SeccompCache::UserDiskDir(), expected) << name;
    if (old) {
      ::setenv(name, saved.c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
}

TEST(SeccompCache, ResolveUsesTheCache) {
  SeccompCache cache;
  ResolveOptions options;
  options.cache = &cache;
  Plan a = testing::PlanFrom("include = strict\n", options);
  uint64_t before = SeccompCompileCount();
  Plan b = testing::PlanFrom("include = strict\n", options);
  EXPECT_EQ(SeccompCompileCount(), before);
  EXPECT_EQ(a.seccomp.program, b.seccomp.program);
}

}  // namespace
}  // namespace ncp::policy
