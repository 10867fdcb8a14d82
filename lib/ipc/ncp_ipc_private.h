/*
 * Private interface of libipc_capi.so for libchild_process.so (symbol version NCP_PRIVATE).
 * Not installed, not an API: it exists so that the child-process runtime and the application
 * share ONE IPC runtime (one worker pool, one object model), which a second copy of the IPC code
 * inside libchild_process.so could not give.
 *
 * How libchild_process.so uses it (OH_Ability_CreateNativeChildProcess):
 *
 *   parent                                         child runtime
 *   socketpair(AF_UNIX, SOCK_SEQPACKET|CLOEXEC)
 *   spawn the child with one end                   stub = NativeChildProcess_OnConnect();
 *   adopt(other end, NULL, &c)                     adopt_unannounced(its end, stub, &c)
 *   wait_peer(c, timeout) (or notify_peer)           (stub may be NULL; the connection holds
 *     SUCCESS: proxy = peer_root(c)                  its own reference from here)
 *       proxy == NULL -> child offered no root     announce(c) on a helper thread, while
 *                        (OnConnect returned NULL:  NativeChildProcess_MainProc() runs;
 *                         NCP_ERR_CONNECTION_FAILED) drain(c, grace); release(c); exit
 *       proxy != NULL -> callback(0, proxy)
 *     DEAD_REMOTE_OBJECT: child died before HELLO
 *   release(c)   (the user's proxy keeps the connection open; its death recipients fire when the
 *                 child's end hangs up, i.e. when the child process is gone)
 *
 * Reporting "no root" is the child runtime's choice: adopting with root == NULL is the signal,
 * distinct from the child dying before HELLO. The runtime may still report richer errors (library
 * load failure) over its own status pipe before or instead of adopting.
 *
 * Threading: every function is thread-safe. adopt starts one reader thread per connection;
 * requests from the peer run on the process-wide IPC worker pool (OH_IPCSkeleton_*), death
 * recipients on the reader thread. Nothing here forks or blocks except wait_peer.
 *
 * Return values are OH_IPC_ErrorCode values.
 */
#ifndef NCP_LIB_IPC_NCP_IPC_PRIVATE_H
#define NCP_LIB_IPC_NCP_IPC_PRIVATE_H

#include <stdint.h>

#include "IPCKit/ipc_cparcel.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ncp_ipc_connection ncp_ipc_connection;

/*
 * Turns `fd`, one end of a connected AF_UNIX SOCK_SEQPACKET socket whose other end is (or will
 * be) adopted by the peer process, into a connection, and sends the HELLO. Takes ownership of
 * `fd` in every case (it is closed on failure) and sets FD_CLOEXEC on it. `root`, if not NULL,
 * is the object the peer gets from ncp_ipc_connection_peer_root(); the connection takes its
 * own reference, so the caller keeps and later destroys its wrapper. `*out` receives a handle
 * that the caller must give to ncp_ipc_connection_release().
 * Returns OH_IPC_SUCCESS; OH_IPC_CHECK_PARAM_ERROR (fd < 0, out NULL, fd not a SEQPACKET
 * socket); OH_IPC_INNER_ERROR (no memory, no thread).
 */
int ncp_ipc_connection_adopt(int fd, const OHIPCRemoteStub* root, ncp_ipc_connection** out);

/*
 * ncp_ipc_connection_adopt without the HELLO: the connection serves the peer's frames at once,
 * but the peer learns of it (and gets `root`) only at ncp_ipc_connection_announce(). The child
 * runtime sends it from a helper thread once the main thread is on its way into
 * NativeChildProcess_MainProc, so the parent's started-callback comes after MainProc began.
 */
int ncp_ipc_connection_adopt_unannounced(int fd, const OHIPCRemoteStub* root,
                                         ncp_ipc_connection** out);

/*
 * Sends the HELLO of a connection adopted unannounced; once. Returns OH_IPC_SUCCESS (also when
 * the peer is already gone: that shows as the connection's death), OH_IPC_CHECK_PARAM_ERROR
 * (NULL, or already announced), OH_IPC_INNER_ERROR (the socket refused it).
 */
int ncp_ipc_connection_announce(ncp_ipc_connection* connection);

/*
 * Blocks until the peer's HELLO has arrived. timeout_ms < 0 waits forever.
 * Returns OH_IPC_SUCCESS (HELLO arrived; the peer may have died since), OH_IPC_DEAD_REMOTE_OBJECT
 * (the peer hung up without a HELLO), OH_IPC_INNER_ERROR (timeout), OH_IPC_CHECK_PARAM_ERROR.
 */
int ncp_ipc_connection_wait_peer(ncp_ipc_connection* connection, int timeout_ms);

/*
 * Calls settled(context) once, as soon as ncp_ipc_connection_wait_peer would no longer block (the
 * peer's HELLO arrived, or the peer hung up first): at once on the calling thread if that is
 * already so, else on an io thread of the connection. `settled` must not block or call user
 * code; it exists so that one thread can wait for many peers (libchild_process.so hands the
 * connection to its started-callback thread). A later call replaces a registration that has not
 * run yet. The handle must stay unreleased until `settled` has run.
 * Returns OH_IPC_SUCCESS, OH_IPC_CHECK_PARAM_ERROR (NULL connection or function),
 * OH_IPC_INNER_ERROR (no memory).
 */
int ncp_ipc_connection_notify_peer(ncp_ipc_connection* connection, void (*settled)(void* context),
                                   void* context);

/*
 * After a successful wait: a new proxy for the peer's root object, owned by the caller
 * (OH_IPCRemoteProxy_Destroy), or NULL when the peer adopted with root == NULL, when no HELLO
 * has arrived yet, or when the handle was NULL.
 */
OHIPCRemoteProxy* ncp_ipc_connection_peer_root(ncp_ipc_connection* connection);

/* The peer's pid as proven by SCM_CREDENTIALS on its HELLO; 0 before the HELLO. */
int64_t ncp_ipc_connection_peer_pid(const ncp_ipc_connection* connection);

/* 1 once the peer hung up or broke the protocol (or for NULL), else 0. */
int ncp_ipc_connection_is_dead(const ncp_ipc_connection* connection);

/*
 * For a process about to end: waits until every request read from the peer has been answered
 * (handler returned, reply sent) and no request is left unread on the socket, or until
 * `grace_ms` has passed, or the peer is gone. Requests are still served meanwhile, so a handler
 * that is still running when the child's MainProc returns gets its reply out.
 * Returns OH_IPC_SUCCESS (drained, or the connection is dead), OH_IPC_INNER_ERROR (the grace
 * ran out first), OH_IPC_CHECK_PARAM_ERROR (NULL connection, grace_ms < 0).
 */
int ncp_ipc_connection_drain(ncp_ipc_connection* connection, int grace_ms);

/*
 * Gives up the handle. The connection itself stays open while proxies to the peer's objects
 * exist here or the peer holds objects of ours, and closes when neither is true. NULL is
 * accepted.
 */
void ncp_ipc_connection_release(ncp_ipc_connection* connection);

#ifdef __cplusplus
}
#endif

#endif /* NCP_LIB_IPC_NCP_IPC_PRIVATE_H */
