// Request codes understood by ipc_test_server, the peer process of the IPC tests and benchmark.
#pragma once

#include <cstdint>

namespace ncp::ipc::testing {

inline constexpr const char* kServerDescriptor = "ncp.test.IpcTestServer";

enum ServerCode : uint32_t {
  kEchoInt = 1,           // int32 -> int32 (same value)
  kEchoAll = 2,           // reply = a copy of the request parcel (objects included)
  kReturnCode = 3,        // int32 -> the callback returns it
  kWhoCalls = 4,          // -> uint64 calling pid, uint64 calling uid, int32 handling, int32 local,
                          //    int32 own pid
  kNewStub = 5,           // -> a fresh stub of the server (descriptor "ncp.test.ServerChild")
  kCallBack = 6,          // proxy, int32 -> calls the proxy with kEchoInt(int32+1): int32 result,
                          //    int32 reply value
  kFdExchange = 7,        // fd -> string read from it; fd of a pipe holding "from server"
  kCrash = 8,             // the server dies with SIGKILL while handling the request
  kReturnObject = 9,      // proxy -> the same object written back
  kRecordAsync = 10,      // int32, one-way: remembered
  kGetRecorded = 11,      // -> int32 sum of everything recorded
  kDropRootAndExit = 12,  // replies, then exits normally 50 ms later
  kWaitForSignal = 13,    // blocks until a kSignal request arrives (5 s at most): int32 1 if so
  kSignal = 14,           // releases kWaitForSignal
};

}  // namespace ncp::ipc::testing
