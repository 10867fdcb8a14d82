// Behaviours pinned to OpenHarmony's source (issue 10, items 3 and 5): the size limit of a start
// request, the fd-count limit, and what a child gets when it calls the parent-only functions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "core/child_test_support.h"

namespace ncp::testing {
namespace {

constexpr size_t kParcelLimit = 204800;  // c_utils Parcel's DEFAULT_CPACITY

size_t Align4(size_t n) { return (n + 3) / 4 * 4; }
// c_utils Parcel::WriteString16: int32 length, the units, a NUL unit, padded to 4.
size_t String16Size(size_t units) { return 4 + Align4((units + 1) * 2); }

// The parcel AppMgrProxy::StartChildProcess writes for an entry with ASCII text, one fd named
// `fd_name` and no custom process name, derived here independently of the library's code.
size_t RequestSize(const std::string& entry, size_t params_units, const std::string& fd_name) {
  size_t token = 4 + 4 + String16Size(22);  // policy, work source, u"ohos.appexecfwk.AppMgr"
  size_t request =
      4 + String16Size(entry.size()) + 4 + 4 + 4;  // flag, srcEntry, type, count, debug
  size_t args = 4 + String16Size(params_units) + 4 + String16Size(fd_name.size()) + 24;
  size_t options = 4 + 4 + String16Size(0);  // flag, isolationMode, customProcessName ""
  return token + request + args + options;
}

// The longest all-ASCII entryParams EchoParams (with one fd "out") can take.
size_t LongestAsciiParams() {
  const std::string entry = std::string(kTestLib) + ":EchoParams";
  size_t units = 0;
  while (RequestSize(entry, units + 1, "out") <= kParcelLimit) ++units;
  return units;
}

int StartEcho(const std::string& params, std::string* echoed) {
  Pipe out = MakePipe();
  FdList fds;
  fds.Add("out", out.write.get());
  int32_t pid = -7;
  int rc = StartEntry("EchoParams", params.c_str(), &fds, &pid);
  out.write.reset();
  if (rc == NCP_NO_ERROR) {
    *echoed = ReadAll(out.read.get());
  } else {
    EXPECT_EQ(pid, -7);
  }
  return rc;
}

TEST(StartLimits, EntryParamsUpToOpenHarmonysParcelLimitArriveWhole) {
  const std::string params(LongestAsciiParams(), 'p');
  ASSERT_GT(params.size(), 100000u);
  std::string echoed;
  ASSERT_EQ(StartEcho(params, &echoed), NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  EXPECT_EQ(echoed.size(), params.size());
  EXPECT_EQ(echoed, params);
}

TEST(StartLimits, OneUnitMoreThanTheParcelHoldsIsAServiceError) {
  // The longest length is odd (a String16 of 2k and 2k+1 units pads to the same size), so one
  // more unit takes 4 more bytes and no longer fits.
  size_t longest = LongestAsciiParams();
  ASSERT_EQ(longest % 2, 1u);
  std::string echoed;
  EXPECT_EQ(StartEcho(std::string(longest + 1, 'p'), &echoed), NCP_ERR_SERVICE_ERROR);
  EXPECT_NE(std::string(NCP_GetLastErrorMessage()).find("entryParams too large"), std::string::npos)
      << NCP_GetLastErrorMessage();
}

TEST(StartLimits, TheLimitCountsUtf16UnitsNotBytes) {
  size_t longest = LongestAsciiParams();
  // U+20AC is 3 bytes in UTF-8 and one UTF-16 unit: the bytes exceed the limit, the units fit.
  std::string euros;
  for (size_t i = 0; i < longest; ++i) euros += "\xe2\x82\xac";
  ASSERT_GT(euros.size(), kParcelLimit);
  std::string echoed;
  ASSERT_EQ(StartEcho(euros, &echoed), NCP_NO_ERROR) << NCP_GetLastErrorMessage();
  EXPECT_EQ(echoed, euros);
  // U+1F600 is 4 bytes and two units (a surrogate pair): half as many fit.
  std::string faces;
  for (size_t i = 0; i < longest / 2 + 1; ++i) faces += "\xf0\x9f\x98\x80";
  EXPECT_EQ(StartEcho(faces, &echoed), NCP_ERR_SERVICE_ERROR);
}

TEST(StartLimits, TwoHundredKibibytesOfParamsAreAServiceError) {
  // The size OpenHarmony's XTS helper "EntryParams200K" means to send: 204,800 ASCII bytes are
  // 409,602 bytes of String16, twice what a parcel holds.
  std::string echoed;
  EXPECT_EQ(StartEcho(std::string(200 * 1024, 'a'), &echoed), NCP_ERR_SERVICE_ERROR);
}

TEST(StartLimits, SeventeenNamedFdsAreRefusedBeforeTheSizeCheck) {
  // ConvertNativeChildProcessArgs (native_child_process.cpp) counts distinct names before
  // anything is marshalled: more than 16 → 401, even with oversize params (XTS "FdlistNum17").
  Pipe pipe = MakePipe();
  FdList fds;
  for (int i = 0; i < 17; ++i) fds.Add("fd" + std::to_string(i), pipe.write.get());
  std::string params(200 * 1024, 'a');
  int32_t pid = -7;
  EXPECT_EQ(StartEntry("EchoParams", params.c_str(), &fds, &pid), NCP_ERR_INVALID_PARAM);
  EXPECT_EQ(pid, -7);
  FdList sixteen;
  for (int i = 0; i < 16; ++i) sixteen.Add("fd" + std::to_string(i), pipe.write.get());
  EXPECT_EQ(StartEntry("EchoParams", params.c_str(), &sixteen, &pid), NCP_ERR_SERVICE_ERROR);
}

TEST(StartLimits, EntryParamsThatAreNotUtf8ArriveUnchanged) {
  // OpenHarmony's Str8ToStr16 would turn these bytes into other text; ncp keeps them (README,
  // "differs on purpose").
  const std::string params =
      "a\xff\xfe"
      "b\xc0\xafz\xed\xa0\x80";
  std::string report = RunAndCapture("HexParams", params.c_str());
  EXPECT_EQ(report, "10:61fffe62c0af7aeda080\n");
}

TEST(ChildSide, RegisteringAnExitCallbackInAChildIsAnInternalError) {
  EXPECT_EQ(RunAndCapture("RegisterExitCallbackInChild"),
            "oh=16000050 ncp=16000050 unregister=16010009\n");
}

TEST(ChildSide, AClosedFdIsAServiceErrorEvenInAChild) {
  // The fd fails to marshal in the child before the app manager can say "already in a child";
  // an open fd reaches that check.
  EXPECT_EQ(RunAndCapture("StartWithClosedFdInChild"), "closed=16010003 open=16010005 pid=-7\n");
}

TEST(ChildSide, OversizeParamsAreAServiceErrorEvenInAChild) {
  EXPECT_EQ(RunAndCapture("StartOversizeInChild"), "rc=16010003 pid=-7\n");
}

}  // namespace
}  // namespace ncp::testing
