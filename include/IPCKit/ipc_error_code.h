/*
 * IPC Kit error codes (OpenHarmony API 12), as returned by every OH_IPC* function of
 * libipc_capi.so. Names and values match OpenHarmony's <IPCKit/ipc_error_code.h>.
 */
#ifndef CAPI_INCLUDE_IPC_ERROR_CODE_H
#define CAPI_INCLUDE_IPC_ERROR_CODE_H

/**
 * @brief IPC error codes.
 * @since 12
 */
typedef enum {
  /** The call succeeded. */
  OH_IPC_SUCCESS = 0,
  /** First IPC error code. */
  OH_IPC_ERROR_CODE_BASE = 1901000,
  /** An argument is NULL, invalid or out of range. */
  OH_IPC_CHECK_PARAM_ERROR = OH_IPC_ERROR_CODE_BASE,
  /** Writing into a parcel failed (for example the 204,800-byte cap was reached). */
  OH_IPC_PARCEL_WRITE_ERROR = OH_IPC_ERROR_CODE_BASE + 1,
  /** Reading from a parcel failed (not enough readable bytes, no object there). */
  OH_IPC_PARCEL_READ_ERROR = OH_IPC_ERROR_CODE_BASE + 2,
  /** The caller-supplied allocator returned NULL. */
  OH_IPC_MEM_ALLOCATOR_ERROR = OH_IPC_ERROR_CODE_BASE + 3,
  /** A request code outside [0x01, 0x00ffffff]. */
  OH_IPC_CODE_OUT_OF_RANGE = OH_IPC_ERROR_CODE_BASE + 4,
  /** The remote object (its process or connection) is gone. */
  OH_IPC_DEAD_REMOTE_OBJECT = OH_IPC_ERROR_CODE_BASE + 5,
  /** A stub callback returned a value outside the IPC and user ranges. */
  OH_IPC_INVALID_USER_ERROR_CODE = OH_IPC_ERROR_CODE_BASE + 6,
  /** Any other internal failure. */
  OH_IPC_INNER_ERROR = OH_IPC_ERROR_CODE_BASE + 7,
  /** Upper bound of the IPC error range. */
  OH_IPC_ERROR_CODE_MAX = OH_IPC_ERROR_CODE_BASE + 1000,
  /** Lowest code a stub callback may return for its own errors. */
  OH_IPC_USER_ERROR_CODE_MIN = 1909000,
  /** Highest code a stub callback may return for its own errors. */
  OH_IPC_USER_ERROR_CODE_MAX = 1909999,
} OH_IPC_ErrorCode;

#endif /* CAPI_INCLUDE_IPC_ERROR_CODE_H */
