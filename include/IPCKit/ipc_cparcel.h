/* Placeholder until the IPC Kit headers land: the opaque types native_child_process.h needs. */
#ifndef CAPI_INCLUDE_IPC_CPARCEL_H
#define CAPI_INCLUDE_IPC_CPARCEL_H
#ifdef __cplusplus
extern "C" {
#endif
struct OHIPCParcel;
struct OHIPCRemoteProxy;
struct OHIPCRemoteStub;
typedef struct OHIPCParcel OHIPCParcel;
typedef struct OHIPCRemoteProxy OHIPCRemoteProxy;
typedef struct OHIPCRemoteStub OHIPCRemoteStub;
#ifdef __cplusplus
}
#endif
#endif
