/*
 * IPC Kit skeleton (OpenHarmony API 12): caller identity and the IPC worker pool.
 * Library: libipc_capi.so.
 */
#ifndef CAPI_INCLUDE_IPC_CSKELETON_H
#define CAPI_INCLUDE_IPC_CSKELETON_H

#include <stdint.h>

#include "ipc_cparcel.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The calling thread serves IPC requests until OH_IPCSkeleton_StopWorkThread. @since 12 */
void OH_IPCSkeleton_JoinWorkThread(void);

/** @brief Makes a thread that joined the worker pool leave it. @since 12 */
void OH_IPCSkeleton_StopWorkThread(void);

/** @brief The caller's token id during a request, else this process's. @since 12 */
uint64_t OH_IPCSkeleton_GetCallingTokenId(void);

/** @brief The first caller's token id; 0 outside a request. @since 12 */
uint64_t OH_IPCSkeleton_GetFirstTokenId(void);

/** @brief This process's token id. @since 12 */
uint64_t OH_IPCSkeleton_GetSelfTokenId(void);

/** @brief The caller's pid during a request, else this process's. @since 12 */
uint64_t OH_IPCSkeleton_GetCallingPid(void);

/** @brief The caller's uid during a request, else this process's. @since 12 */
uint64_t OH_IPCSkeleton_GetCallingUid(void);

/** @brief 1 when the caller is this process (always so outside a request). @since 12 */
int OH_IPCSkeleton_IsLocalCalling(void);

/**
 * @brief Sets the largest number of IPC worker threads.
 * @param maxThreadNum In [1, 32]; the default is 16.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR or OH_IPC_INNER_ERROR.
 * @since 12
 */
int OH_IPCSkeleton_SetMaxWorkThreadNum(const int maxThreadNum);

/**
 * @brief Resets the calling identity to this process's and returns the previous one as a string
 *     in memory from allocator (*len counts the NUL), for OH_IPCSkeleton_SetCallingIdentity.
 *     Outside a transaction there is none: "" (*len 1).
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR, OH_IPC_MEM_ALLOCATOR_ERROR or
 *     OH_IPC_INNER_ERROR.
 * @since 12
 */
int OH_IPCSkeleton_ResetCallingIdentity(char **identity, int32_t *len,
                                        OH_IPC_MemAllocator allocator);

/**
 * @brief Restores a calling identity returned by OH_IPCSkeleton_ResetCallingIdentity.
 *     Outside a transaction any text succeeds and changes nothing.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR or OH_IPC_INNER_ERROR.
 * @since 12
 */
int OH_IPCSkeleton_SetCallingIdentity(const char *identity);

/** @brief 1 while the calling thread is serving a request, else 0. @since 12 */
int OH_IPCSkeleton_IsHandlingTransaction(void);

#ifdef __cplusplus
}
#endif

#endif /* CAPI_INCLUDE_IPC_CSKELETON_H */
