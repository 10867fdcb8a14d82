/* Request codes of libncp_test_ipc_exit_child.so, the IPC-type child of the create tests for how
   a child ends (tests/create/create_exit_test.cc). Code 1 is NCP_IPC_CHILD_EXIT as in
   ipc_child_protocol.h, so ncp::testing::IpcChild can end it the usual way. */
#ifndef NCP_TESTS_HELPERS_IPC_EXIT_CHILD_PROTOCOL_H
#define NCP_TESTS_HELPERS_IPC_EXIT_CHILD_PROTOCOL_H

/* When set in the environment the child inherits, MainProc creates this file as its first act. */
#define NCP_IPC_EXIT_CHILD_MARKER_ENV "NCP_TEST_MAIN_PROC_MARKER"
/* When set, OnConnect creates this file as its last act before it returns the stub. */
#define NCP_IPC_EXIT_CHILD_CONNECT_MARKER_ENV "NCP_TEST_ON_CONNECT_MARKER"

enum NcpIpcExitChildCode {
  NCP_IPC_EXIT_CHILD_EXIT = 1, /* one-way: MainProc returns */
  /* int32 v -> v, but only once MainProc has returned, and a while after: the handler is still
     running when the child begins to exit. */
  NCP_IPC_EXIT_CHILD_SLOW_ECHO = 20,
  /* int32 n -> int32 4242: waits until n SLOW_ECHO handlers are running, makes MainProc return,
     and replies only a while after it has. */
  NCP_IPC_EXIT_CHILD_EXIT_AFTER = 21,
  NCP_IPC_EXIT_CHILD_HANG = 22, /* never returns */
};

#endif
