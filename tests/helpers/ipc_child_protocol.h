/* Request codes of libncp_test_ipc_child.so, the IPC-type child of the create tests and of
   ipc_bench. Descriptor of the root stub: kIpcChildDescriptor (as OpenHarmony's XTS sample). */
#ifndef NCP_TESTS_HELPERS_IPC_CHILD_PROTOCOL_H
#define NCP_TESTS_HELPERS_IPC_CHILD_PROTOCOL_H

#define NCP_IPC_CHILD_DESCRIPTOR "NativeChildIPCStubSample"

enum NcpIpcChildCode {
  NCP_IPC_CHILD_EXIT = 1,     /* one-way: MainProc returns, the child exits 0 */
  NCP_IPC_CHILD_ADD = 2,      /* int32 a, int32 b -> int32 a + b */
  NCP_IPC_CHILD_CREATE = 3,   /* -> int32 what OH_Ability_CreateNativeChildProcess returns here */
  NCP_IPC_CHILD_ECHO_INT = 4, /* int32 -> the same int32 */
  NCP_IPC_CHILD_ECHO_ALL = 5, /* reply = a copy of the request parcel */
  NCP_IPC_CHILD_GET_PID = 6,  /* -> int32 getpid() */
  NCP_IPC_CHILD_FD_EXCHANGE = 7, /* fd -> string read from it; fd of a pipe holding "from child" */
  NCP_IPC_CHILD_CALL_BACK = 8,   /* proxy, int32 v -> calls proxy ECHO_INT(v + 1): int32 result,
                                    int32 echoed */
  NCP_IPC_CHILD_RETURN_OBJECT = 9,   /* proxy -> the same object written back */
  NCP_IPC_CHILD_RECORD = 10,         /* int32, one-way: added to a sum */
  NCP_IPC_CHILD_GET_RECORDED = 11,   /* -> int32 the sum */
  NCP_IPC_CHILD_NEW_STUB = 12,       /* -> a fresh stub whose requests reply int32 4242 */
  NCP_IPC_CHILD_CRASH = 13,          /* the child dies by SIGSEGV while handling it */
  NCP_IPC_CHILD_PIN_CPU = 14,        /* int32 cpu -> every thread of the child pinned to it */
  NCP_IPC_CHILD_CALLING_PID = 15,    /* -> int64 OH_IPCSkeleton_GetCallingPid() */
  NCP_IPC_CHILD_MAIN_PROC_INFO = 16, /* -> int32 tid running MainProc (0 before it runs),
                                        int32 tid handling this request */
};

#endif
