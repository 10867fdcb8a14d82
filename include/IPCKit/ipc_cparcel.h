/*
 * IPC Kit parcels (OpenHarmony API 12; the unsigned accessors are API 26).
 * Library: libipc_capi.so.
 *
 * A parcel is a growable byte buffer of at most 204,800 bytes with independent read and write
 * positions. 8- and 16-bit values occupy 4 bytes; strings and buffers are padded to 4 bytes.
 * File descriptors and remote objects are stored as objects that travel with the parcel.
 */
#ifndef CAPI_INCLUDE_IPC_CPARCEL_H
#define CAPI_INCLUDE_IPC_CPARCEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A serialisation buffer. @since 12 */
struct OHIPCParcel;
typedef struct OHIPCParcel OHIPCParcel;

/** @brief A reference to a remote object served by another process (or by this one). @since 12 */
struct OHIPCRemoteProxy;
typedef struct OHIPCRemoteProxy OHIPCRemoteProxy;

/** @brief A local object that serves requests. @since 12 */
struct OHIPCRemoteStub;
typedef struct OHIPCRemoteStub OHIPCRemoteStub;

/**
 * @brief Caller-supplied allocator for strings returned by the library.
 * @param len Bytes needed, including the terminating NUL.
 * @return The memory, or NULL (the call then fails with OH_IPC_MEM_ALLOCATOR_ERROR).
 * @since 12
 */
typedef void* (*OH_IPC_MemAllocator)(int32_t len);

/** @brief Creates an empty parcel (capacity 0). NULL only when memory runs out. @since 12 */
OHIPCParcel* OH_IPCParcel_Create(void);

/** @brief Destroys a parcel and closes the fds it owns. NULL is accepted. @since 12 */
void OH_IPCParcel_Destroy(OHIPCParcel *parcel);

/** @brief Bytes of data in the parcel, or -1 for NULL. @since 12 */
int OH_IPCParcel_GetDataSize(const OHIPCParcel *parcel);

/** @brief Capacity minus write position, or -1 for NULL. @since 12 */
int OH_IPCParcel_GetWritableBytes(const OHIPCParcel *parcel);

/** @brief Data size minus read position, or -1 for NULL. @since 12 */
int OH_IPCParcel_GetReadableBytes(const OHIPCParcel *parcel);

/** @brief The read position, or -1 for NULL. @since 12 */
int OH_IPCParcel_GetReadPosition(const OHIPCParcel *parcel);

/** @brief The write position, or -1 for NULL. @since 12 */
int OH_IPCParcel_GetWritePosition(const OHIPCParcel *parcel);

/**
 * @brief Moves the read position.
 * @return OH_IPC_SUCCESS; OH_IPC_CHECK_PARAM_ERROR for NULL; OH_IPC_INNER_ERROR when
 *     newReadPos is beyond the data size.
 * @since 12
 */
int OH_IPCParcel_RewindReadPosition(OHIPCParcel *parcel, uint32_t newReadPos);

/**
 * @brief Moves the write position and truncates the data size to it. The read position stays,
 *     even beyond the new data size (nothing is readable until the data grows past it).
 * @return OH_IPC_SUCCESS; OH_IPC_CHECK_PARAM_ERROR for NULL; OH_IPC_INNER_ERROR when
 *     newWritePos is beyond the data size.
 * @since 12
 */
int OH_IPCParcel_RewindWritePosition(OHIPCParcel *parcel, uint32_t newWritePos);

/*
 * Primitive writes return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR (NULL parcel) or
 * OH_IPC_PARCEL_WRITE_ERROR (the parcel is full). Primitive reads return OH_IPC_SUCCESS,
 * OH_IPC_CHECK_PARAM_ERROR (NULL argument) or OH_IPC_PARCEL_READ_ERROR (not enough readable
 * bytes; the read position does not move).
 */

/** @since 12 */
int OH_IPCParcel_WriteInt8(OHIPCParcel *parcel, int8_t value);
/** @since 12 */
int OH_IPCParcel_ReadInt8(const OHIPCParcel *parcel, int8_t *value);
/** @since 12 */
int OH_IPCParcel_WriteInt16(OHIPCParcel *parcel, int16_t value);
/** @since 12 */
int OH_IPCParcel_ReadInt16(const OHIPCParcel *parcel, int16_t *value);
/** @since 12 */
int OH_IPCParcel_WriteInt32(OHIPCParcel *parcel, int32_t value);
/** @since 12 */
int OH_IPCParcel_ReadInt32(const OHIPCParcel *parcel, int32_t *value);
/** @since 12 */
int OH_IPCParcel_WriteInt64(OHIPCParcel *parcel, int64_t value);
/** @since 12 */
int OH_IPCParcel_ReadInt64(const OHIPCParcel *parcel, int64_t *value);
/** @since 26.0.0 */
int OH_IPCParcel_WriteUint8(OHIPCParcel *parcel, uint8_t value);
/** @since 26.0.0 */
int OH_IPCParcel_ReadUint8(const OHIPCParcel *parcel, uint8_t *value);
/** @since 26.0.0 */
int OH_IPCParcel_WriteUint16(OHIPCParcel *parcel, uint16_t value);
/** @since 26.0.0 */
int OH_IPCParcel_ReadUint16(const OHIPCParcel *parcel, uint16_t *value);
/** @since 26.0.0 */
int OH_IPCParcel_WriteUint32(OHIPCParcel *parcel, uint32_t value);
/** @since 26.0.0 */
int OH_IPCParcel_ReadUint32(const OHIPCParcel *parcel, uint32_t *value);
/** @since 26.0.0 */
int OH_IPCParcel_WriteUint64(OHIPCParcel *parcel, uint64_t value);
/** @since 26.0.0 */
int OH_IPCParcel_ReadUint64(const OHIPCParcel *parcel, uint64_t *value);
/** @since 12 */
int OH_IPCParcel_WriteFloat(OHIPCParcel *parcel, float value);
/** @since 12 */
int OH_IPCParcel_ReadFloat(const OHIPCParcel *parcel, float *value);
/** @since 12 */
int OH_IPCParcel_WriteDouble(OHIPCParcel *parcel, double value);
/** @since 12 */
int OH_IPCParcel_ReadDouble(const OHIPCParcel *parcel, double *value);

/**
 * @brief Writes str with its NUL, padded with zeros to a multiple of 4 bytes.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR (NULL argument) or OH_IPC_PARCEL_WRITE_ERROR.
 * @since 12
 */
int OH_IPCParcel_WriteString(OHIPCParcel *parcel, const char *str);

/**
 * @brief Reads a string written by OH_IPCParcel_WriteString.
 * @return A pointer into the parcel (valid while the parcel lives unchanged; do not free), or
 *     NULL when there is no NUL within the readable bytes.
 * @since 12
 */
const char* OH_IPCParcel_ReadString(const OHIPCParcel *parcel);

/**
 * @brief Writes len bytes, padded to a multiple of 4. On failure the write position is restored.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR (NULL buffer or len <= 0) or
 *     OH_IPC_PARCEL_WRITE_ERROR.
 * @since 12
 */
int OH_IPCParcel_WriteBuffer(OHIPCParcel *parcel, const uint8_t *buffer, int32_t len);

/**
 * @brief Returns a pointer into the parcel to the next len bytes and advances by exactly len
 *     (the padding written by OH_IPCParcel_WriteBuffer is not skipped).
 * @return The pointer, or NULL when len <= 0 or len exceeds the readable bytes.
 * @since 12
 */
const uint8_t* OH_IPCParcel_ReadBuffer(const OHIPCParcel *parcel, int32_t len);

/**
 * @brief Writes a stub object.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR or OH_IPC_PARCEL_WRITE_ERROR.
 * @since 12
 */
int OH_IPCParcel_WriteRemoteStub(OHIPCParcel *parcel, const OHIPCRemoteStub *stub);

/** @brief Reads the object at the read position, a proxy too (as OpenHarmony); the caller
 *  destroys the new wrapper. NULL on failure. @since 12 */
OHIPCRemoteStub* OH_IPCParcel_ReadRemoteStub(const OHIPCParcel *parcel);

/**
 * @brief Writes a proxy object.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR or OH_IPC_PARCEL_WRITE_ERROR.
 * @since 12
 */
int OH_IPCParcel_WriteRemoteProxy(OHIPCParcel *parcel, const OHIPCRemoteProxy *proxy);

/** @brief Reads a proxy object; the caller destroys the new wrapper. NULL on failure. @since 12 */
OHIPCRemoteProxy* OH_IPCParcel_ReadRemoteProxy(const OHIPCParcel *parcel);

/**
 * @brief Writes a duplicate of fd; the parcel owns the duplicate, the caller keeps fd.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR (NULL parcel) or OH_IPC_PARCEL_WRITE_ERROR
 *     (fd < 0, or dup failed).
 * @since 12
 */
int OH_IPCParcel_WriteFileDescriptor(OHIPCParcel *parcel, int32_t fd);

/**
 * @brief Reads a file descriptor as a new duplicate owned by the caller.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR (NULL argument) or OH_IPC_PARCEL_READ_ERROR.
 * @since 12
 */
int OH_IPCParcel_ReadFileDescriptor(const OHIPCParcel *parcel, int32_t *fd);

/**
 * @brief Appends the data of another parcel (bytes 0 to its data size, objects included).
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR (NULL argument) or OH_IPC_PARCEL_WRITE_ERROR.
 * @since 12
 */
int OH_IPCParcel_Append(OHIPCParcel *parcel, const OHIPCParcel *data);

/**
 * @brief Writes an interface token, used by a stub to check who it is talking to.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR (NULL, empty or over-long token) or
 *     OH_IPC_PARCEL_WRITE_ERROR (the write position is then restored).
 * @since 12
 */
int OH_IPCParcel_WriteInterfaceToken(OHIPCParcel *parcel, const char *token);

/**
 * @brief Reads an interface token into memory from allocator; *len counts the NUL.
 * @return OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR (NULL argument), OH_IPC_PARCEL_READ_ERROR,
 *     or OH_IPC_MEM_ALLOCATOR_ERROR (the read position is then restored).
 * @since 12
 */
int OH_IPCParcel_ReadInterfaceToken(const OHIPCParcel *parcel, char **token, int32_t *len,
                                    OH_IPC_MemAllocator allocator);

#ifdef __cplusplus
}
#endif

#endif /* CAPI_INCLUDE_IPC_CPARCEL_H */
