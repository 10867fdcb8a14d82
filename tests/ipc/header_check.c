/* Compiles the public IPC Kit headers as C11 and pins OpenHarmony's values and layouts. */
#include <IPCKit/ipc_kit.h>

#include <stddef.h>

_Static_assert(OH_IPC_SUCCESS == 0, "OH_IPC_SUCCESS");
_Static_assert(OH_IPC_ERROR_CODE_BASE == 1901000, "OH_IPC_ERROR_CODE_BASE");
_Static_assert(OH_IPC_CHECK_PARAM_ERROR == 1901000, "OH_IPC_CHECK_PARAM_ERROR");
_Static_assert(OH_IPC_PARCEL_WRITE_ERROR == 1901001, "OH_IPC_PARCEL_WRITE_ERROR");
_Static_assert(OH_IPC_PARCEL_READ_ERROR == 1901002, "OH_IPC_PARCEL_READ_ERROR");
_Static_assert(OH_IPC_MEM_ALLOCATOR_ERROR == 1901003, "OH_IPC_MEM_ALLOCATOR_ERROR");
_Static_assert(OH_IPC_CODE_OUT_OF_RANGE == 1901004, "OH_IPC_CODE_OUT_OF_RANGE");
_Static_assert(OH_IPC_DEAD_REMOTE_OBJECT == 1901005, "OH_IPC_DEAD_REMOTE_OBJECT");
_Static_assert(OH_IPC_INVALID_USER_ERROR_CODE == 1901006, "OH_IPC_INVALID_USER_ERROR_CODE");
_Static_assert(OH_IPC_INNER_ERROR == 1901007, "OH_IPC_INNER_ERROR");
_Static_assert(OH_IPC_ERROR_CODE_MAX == 1902000, "OH_IPC_ERROR_CODE_MAX");
_Static_assert(OH_IPC_USER_ERROR_CODE_MIN == 1909000, "OH_IPC_USER_ERROR_CODE_MIN");
_Static_assert(OH_IPC_USER_ERROR_CODE_MAX == 1909999, "OH_IPC_USER_ERROR_CODE_MAX");
_Static_assert(OH_IPC_REQUEST_MODE_SYNC == 0, "OH_IPC_REQUEST_MODE_SYNC");
_Static_assert(OH_IPC_REQUEST_MODE_ASYNC == 1, "OH_IPC_REQUEST_MODE_ASYNC");

/* #pragma pack(4): no padding before the pointer, so 16 bytes on LP64 and 12 on ILP32. */
_Static_assert(sizeof(OH_IPC_MessageOption) == 8 + sizeof(void*), "OH_IPC_MessageOption size");
_Static_assert(offsetof(OH_IPC_MessageOption, timeout) == 4, "timeout offset");
_Static_assert(offsetof(OH_IPC_MessageOption, reserved) == 8, "reserved offset");
#if defined(__LP64__)
_Static_assert(sizeof(OH_IPC_MessageOption) == 16, "16 bytes on LP64");
#endif

/* The function types are what OpenHarmony declares: assigning to these pointers checks them. */
static int (*const kSendRequest)(const OHIPCRemoteProxy*, uint32_t, const OHIPCParcel*,
                                 OHIPCParcel*, const OH_IPC_MessageOption*) =
    OH_IPCRemoteProxy_SendRequest;
static int (*const kWriteUint8)(OHIPCParcel*, uint8_t) = OH_IPCParcel_WriteUint8;
static int (*const kReadUint64)(const OHIPCParcel*, uint64_t*) = OH_IPCParcel_ReadUint64;

/* Referenced from the C++ tests so the C translation unit is linked and its symbols resolve. */
int NcpIpcHeaderCheckLinked(void) {
  return kSendRequest != NULL && kWriteUint8 != NULL && kReadUint64 != NULL;
}
