/*
 * IPC Kit remote objects (OpenHarmony API 12): stubs, proxies, requests and death recipients.
 * Library: libipc_capi.so.
 */
#ifndef CAPI_INCLUDE_IPC_CREMOTE_OBJECT_H
#define CAPI_INCLUDE_IPC_CREMOTE_OBJECT_H

#include <stdint.h>

#include "ipc_cparcel.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Receives the death notification of a remote object. @since 12 */
struct OHIPCDeathRecipient;
typedef struct OHIPCDeathRecipient OHIPCDeathRecipient;

/**
 * @brief Serves one request on an IPC worker thread of the process owning the stub.
 * @param code The request code, in [0x01, 0x00ffffff].
 * @param data The request; valid only during the call.
 * @param reply Where the reply goes; valid only during the call.
 * @param userData The pointer given to OH_IPCRemoteStub_Create.
 * @return OH_IPC_SUCCESS, an IPC error code, or a user code in
 *     [OH_IPC_USER_ERROR_CODE_MIN, OH_IPC_USER_ERROR_CODE_MAX]; anything else reaches the caller
 *     as OH_IPC_INVALID_USER_ERROR_CODE.
 * @since 12
 */
typedef int (*OH_OnRemoteRequestCallback)(uint32_t code, const OHIPCParcel *data,
                                          OHIPCParcel *reply, void *userData);

/** @brief Called once when the stub object is finally released. @since 12 */
typedef void (*OH_OnRemoteDestroyCallback)(void *userData);

/**
 * @brief Creates a stub.
 * @param descriptor Interface descriptor, 1 to 204,800 bytes. Must not be NULL.
 * @param requestCallback Must not be NULL.
 * @param destroyCallback May be NULL.
 * @param userData May be NULL.
 * @return The stub, or NULL on invalid arguments.
 * @since 12
 */
OHIPCRemoteStub* OH_IPCRemoteStub_Create(const char *descriptor,
                                         OH_OnRemoteRequestCallback requestCallback,
                                         OH_OnRemoteDestroyCallback destroyCallback,
                                         void *userData);

/** @brief Drops this reference to the stub. NULL is accepted. @since 12 */
void OH_IPCRemoteStub_Destroy(OHIPCRemoteStub *stub);

/** @brief Drops this reference to the proxy. NULL is accepted. @since 12 */
void OH_IPCRemoteProxy_Destroy(OHIPCRemoteProxy *proxy);

/** @brief Request modes. @since 12 */
typedef enum {
  /** The caller waits for the reply. */
  OH_IPC_REQUEST_MODE_SYNC = 0,
  /** One-way: the call returns once the request is queued. */
  OH_IPC_REQUEST_MODE_ASYNC = 1,
} OH_IPC_RequestMode;

/** @brief Request options. 16 bytes on LP64, 12 on ILP32. @since 12 */
#pragma pack(4)
typedef struct {
  /** The request mode. */
  OH_IPC_RequestMode mode;
  /** Reserved for RPC; ignored. */
  uint32_t timeout;
  /** Must be NULL. */
  void* reserved;
} OH_IPC_MessageOption;
#pragma pack()

/**
 * @brief Sends a request to the remote object.
 * @param reply Required for synchronous requests; may be NULL for asynchronous ones.
 * @param option NULL means a synchronous request.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR, OH_IPC_CODE_OUT_OF_RANGE,
 *     OH_IPC_DEAD_REMOTE_OBJECT, OH_IPC_INNER_ERROR, or the stub's own error code.
 * @since 12
 */
int OH_IPCRemoteProxy_SendRequest(const OHIPCRemoteProxy *proxy, uint32_t code,
                                  const OHIPCParcel *data, OHIPCParcel *reply,
                                  const OH_IPC_MessageOption *option);

/**
 * @brief Copies the remote stub's descriptor into memory from allocator; *len counts the NUL.
 *     Nothing is allocated unless it succeeds. The descriptor is kept once fetched; a dead
 *     proxy answers it, or "" (*len 1) if it was never fetched, with OH_IPC_SUCCESS.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR, OH_IPC_MEM_ALLOCATOR_ERROR, or
 *     OH_IPC_INNER_ERROR (out of memory while fetching it).
 * @since 12
 */
int OH_IPCRemoteProxy_GetInterfaceDescriptor(OHIPCRemoteProxy *proxy, char **descriptor,
                                             int32_t *len, OH_IPC_MemAllocator allocator);

/** @brief Called once when the remote object dies. @since 12 */
typedef void (*OH_OnDeathRecipientCallback)(void *userData);

/** @brief Called once when the recipient object is finally released. @since 12 */
typedef void (*OH_OnDeathRecipientDestroyCallback)(void *userData);

/**
 * @brief Creates a death recipient.
 * @param deathRecipientCallback Must not be NULL.
 * @param destroyCallback May be NULL.
 * @param userData May be NULL.
 * @return The recipient, or NULL on invalid arguments.
 * @since 12
 */
OHIPCDeathRecipient* OH_IPCDeathRecipient_Create(OH_OnDeathRecipientCallback deathRecipientCallback,
                                                 OH_OnDeathRecipientDestroyCallback destroyCallback,
                                                 void *userData);

/** @brief Drops this reference to the recipient. NULL is accepted. @since 12 */
void OH_IPCDeathRecipient_Destroy(OHIPCDeathRecipient *recipient);

/**
 * @brief Registers a recipient for the death of the proxy's remote object.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR or OH_IPC_INNER_ERROR (already dead).
 * @since 12
 */
int OH_IPCRemoteProxy_AddDeathRecipient(OHIPCRemoteProxy *proxy, OHIPCDeathRecipient *recipient);

/**
 * @brief Unregisters a recipient.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR or OH_IPC_INNER_ERROR (already dead, or the
 *     recipient is not registered on this proxy).
 * @since 12
 */
int OH_IPCRemoteProxy_RemoveDeathRecipient(OHIPCRemoteProxy *proxy,
                                           OHIPCDeathRecipient *recipient);

/** @brief 1 if the remote object is dead or proxy is NULL, otherwise 0. @since 12 */
int OH_IPCRemoteProxy_IsRemoteDead(const OHIPCRemoteProxy *proxy);

#ifdef __cplusplus
}
#endif

#endif /* CAPI_INCLUDE_IPC_CREMOTE_OBJECT_H */
