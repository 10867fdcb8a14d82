// Request handlers that both IPC test peers serve the same way: the tests/ipc server program
// and the IPC-type child library of tests/create. Compiled into each (they link libipc_capi.so
// differently: one through the private adopt interface, one as a Create child).
#pragma once

#include <stdint.h>

#include "IPCKit/ipc_kit.h"

namespace ncp::testing {

// Reads an fd and answers with the text read from it, then a pipe's read end holding `message`.
int ServeFdExchange(const OHIPCParcel* data, OHIPCParcel* reply, const char* message);

// Reads a proxy and an int32 V, sends V + 1 to that proxy with `echo_code`, and answers with
// the SendRequest result and the echoed value: a stub calling back into the other side.
int ServeCallBack(const OHIPCParcel* data, OHIPCParcel* reply, uint32_t echo_code);

// Answers with a new stub (descriptor `descriptor`) whose every request replies 4242.
int ServeNewStub(OHIPCParcel* reply, const char* descriptor);

// Reads a proxy and writes it back into the reply (it resolves to the caller's own stub there).
int ServeReturnObject(const OHIPCParcel* data, OHIPCParcel* reply);

}  // namespace ncp::testing
