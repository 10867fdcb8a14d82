// The launch request's format (core/protocol/wire.h) and the environment block it carries
// (core/protocol/environment_block.h): what is sent is what is read, and a block whose entries
// do not match its count is refused, never half read.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/protocol/byte_fields.h"
#include "core/protocol/caller_context.h"
#include "core/protocol/environment_block.h"
#include "core/protocol/wire.h"

extern char** environ;

namespace ncp::core {
namespace {

WireRequest SampleRequest() {
  WireRequest r;
  r.kind = ChildKind::kIpc;
  r.library = "libworker.so";
  r.symbol = "Main";
  r.params = std::string("with\0nul", 8);
  r.process_name = "worker";
  r.fd_names = {"in", "out"};
  r.ipc_fd = 6;
  r.environment = {"PATH=/usr/bin", "EMPTY=", "LANG=C.UTF-8"};
  r.working_directory = "/tmp";
  r.umask = 027;
  return r;
}

TEST(LaunchRequest, DecodesWhatWasEncoded) {
  const WireRequest sent = SampleRequest();
  const std::string bytes = EncodeRequest(sent);
  auto got = DecodeRequest(bytes);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->kind, sent.kind);
  EXPECT_EQ(got->library, sent.library);
  EXPECT_EQ(got->symbol, sent.symbol);
  EXPECT_EQ(got->params, sent.params);
  EXPECT_EQ(got->process_name, sent.process_name);
  EXPECT_EQ(got->fd_names, sent.fd_names);
  EXPECT_EQ(got->ipc_fd, sent.ipc_fd);
  EXPECT_EQ(got->environment.ToVector(),
            (std::vector<std::string>{"PATH=/usr/bin", "EMPTY=", "LANG=C.UTF-8"}));
  EXPECT_EQ(got->working_directory, sent.working_directory);
  EXPECT_EQ(got->umask, sent.umask);
  EXPECT_EQ(EncodeRequest(*got), bytes);
}

// The environment's fields sit at the end, before the directory and the umask: count, then the
// block as a length and bytes.
std::string WithEnvironment(uint32_t count, const std::string& block) {
  WireRequest r = SampleRequest();
  r.environment = {};
  std::string bytes = EncodeRequest(r);
  const size_t tail = 4 + 4 + r.working_directory.size() + 4;  // block length, dir, umask
  std::string env;
  PutU32(&env, count);
  PutString(&env, block);
  std::string out = bytes.substr(0, bytes.size() - tail - 4);  // without the count as well
  out += env;
  out += bytes.substr(bytes.size() - tail + 4);
  return out;
}

TEST(LaunchRequest, ReadsAnEnvironmentWhoseEntriesMatchItsCount) {
  auto got = DecodeRequest(WithEnvironment(2, std::string("A=1\0B=2\0", 8)));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->environment.ToVector(), (std::vector<std::string>{"A=1", "B=2"}));
  EXPECT_EQ(got->working_directory, "/tmp");
}

TEST(LaunchRequest, RefusesAnEnvironmentThatDoesNotMatchItsCount) {
  const std::vector<std::pair<uint32_t, std::string>> bad = {
      {3, std::string("A=1\0B=2\0", 8)},  // fewer entries than counted
      {1, std::string("A=1\0B=2\0", 8)},  // more
      {2, std::string("A=1\0B=2", 7)},    // the last one not ended
      {0, std::string("A=1", 3)},         // bytes without an entry
  };
  for (const auto& [count, block] : bad) {
    SCOPED_TRACE(count);
    auto got = DecodeRequest(WithEnvironment(count, block));
    ASSERT_FALSE(got.ok());
    EXPECT_NE(got.status().message().find("environment"), std::string::npos)
        << got.status().ToString();
  }
}

TEST(EnvironmentBlock, HoldsEnvironAsItIs) {
  const EnvironmentBlock block = EnvironmentBlock::Of(environ);
  std::vector<std::string> expected;
  for (char** entry = environ; *entry != nullptr; ++entry) expected.emplace_back(*entry);
  EXPECT_EQ(block.size(), expected.size());
  EXPECT_EQ(block.ToVector(), expected);
  EXPECT_EQ(block, EnvironmentBlock(expected));
}

TEST(EnvironmentBlock, PointersFormAnEnviron) {
  EnvironmentBlock block{"A=1", "", "B=two"};
  const std::vector<char*> pointers = block.Pointers();
  ASSERT_EQ(pointers.size(), 4u);
  EXPECT_STREQ(pointers[0], "A=1");
  EXPECT_STREQ(pointers[1], "");
  EXPECT_STREQ(pointers[2], "B=two");
  EXPECT_EQ(pointers[3], nullptr);
  EXPECT_EQ(EnvironmentBlock().Pointers(), std::vector<char*>{nullptr});
}

// Another thread's putenv between the two passes of Of (one sizes, one copies): the block must
// never be written past its end (ASan sees such a write; a plain build may not). The race on
// environ itself is the program's, and ThreadSanitizer would report it: not run there.
TEST(EnvironmentBlock, AnotherThreadsPutenvNeverOverflowsIt) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "setenv racing a reader of environ is a data race by design here";
#else
  const pid_t pid = fork();  // the environment is changed in a process of its own
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // putenv of two strings that live throughout: the entry's slot in environ changes between
    // a short and a long string, and environ itself is never reallocated (the name exists
    // before the writer starts), so every pointer a reader sees stays valid.
    static std::string shorter = "NCP_RACE=";
    static std::string longer = "NCP_RACE=" + std::string(4096, 'x');
    putenv(shorter.data());
    std::atomic<bool> stop{false};
    std::thread writer([&stop] {
      for (int i = 0; !stop.load(); ++i) putenv(i % 2 != 0 ? longer.data() : shorter.data());
    });
    size_t seen = 0;
    for (int i = 0; i < 20000; ++i) seen += EnvironmentBlock::Of(environ).size();
    stop = true;
    writer.join();
    _exit(seen > 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
#endif
}

// C's environ cannot hold a '\0' inside an entry: such an entry ends there, and the count stays
// right.
TEST(EnvironmentBlock, CutsAnEntryAtANul) {
  const EnvironmentBlock block{std::string_view("A=1\0B=2", 7), "C=3"};
  EXPECT_EQ(block.size(), 2u);
  EXPECT_EQ(block.ToVector(), (std::vector<std::string>{"A=1", "C=3"}));
}

// The adopted environment is exactly the request's, for getenv, in a process of its own.
TEST(AdoptCallerContext, MakesTheRequestsEnvironmentThisProcesss) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    WireRequest request;
    request.environment = {"NCP_ADOPTED=yes", "PATH=/nowhere"};
    request.umask = 077;
    if (!AdoptCallerContext(request)) _exit(1);
    const char* adopted = getenv("NCP_ADOPTED");
    const char* path = getenv("PATH");
    int count = 0;
    for (char** entry = environ; *entry != nullptr; ++entry) ++count;
    const mode_t mask = umask(0);
    _exit(adopted != nullptr && strcmp(adopted, "yes") == 0 && path != nullptr &&
                  strcmp(path, "/nowhere") == 0 && count == 2 && mask == 077
              ? 0
              : 2);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace ncp::core
