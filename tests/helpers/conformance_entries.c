/* Entries for tests/core/conformance_test.cc: calls an application makes from inside a child,
   each reporting its result codes on the "out" fd. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "AbilityKit/native_child_process.h"
#include "entry_io.h"
#include "ncp/native_child_process_ext.h"

#define EXPORT __attribute__((visibility("default")))

static void WriteLine(NativeChildProcess_Args args, const char* line) {
  (void)EntryWriteAll(EntryFd(args, "out"), line, strlen(line));
}

static void OnExit(int32_t pid, int32_t signal) {
  (void)pid;
  (void)signal;
}

static void OnExitRecord(const NCP_ChildExitInfo* info, void* user_data) {
  (void)info;
  (void)user_data;
}

/* "oh=<register> ncp=<register> unregister=<unregister>" */
EXPORT void RegisterExitCallbackInChild(NativeChildProcess_Args args) {
  int oh = OH_Ability_RegisterNativeChildProcessExitCallback(OnExit);
  int ncp = NCP_RegisterChildExitCallback(OnExitRecord, NULL);
  int unregister = OH_Ability_UnregisterNativeChildProcessExitCallback(OnExit);
  char line[96];
  snprintf(line, sizeof line, "oh=%d ncp=%d unregister=%d\n", oh, ncp, unregister);
  WriteLine(args, line);
}

/* Starts a child with a named fd that is closed, then with one that is open. */
EXPORT void StartWithClosedFdInChild(NativeChildProcess_Args args) {
  int closed = open("/dev/null", O_RDONLY | O_CLOEXEC);
  close(closed);
  NativeChildProcess_Fd node = {(char*)"gone", closed, NULL};
  NativeChildProcess_Args with_fd = {NULL, {&node}};
  NativeChildProcess_Options options = {NCP_ISOLATION_MODE_NORMAL, 0};
  int32_t pid = -7;
  int closed_rc = OH_Ability_StartNativeChildProcess("libncp_test_entries.so:EchoParams", with_fd,
                                                     options, &pid);
  node.fd = EntryFd(args, "out");
  int open_rc = OH_Ability_StartNativeChildProcess("libncp_test_entries.so:EchoParams", with_fd,
                                                   options, &pid);
  char line[96];
  snprintf(line, sizeof line, "closed=%d open=%d pid=%d\n", closed_rc, open_rc, pid);
  WriteLine(args, line);
}

/* Starts a child with entryParams of 300,000 bytes. */
EXPORT void StartOversizeInChild(NativeChildProcess_Args args) {
  size_t size = 300000;
  char* params = malloc(size + 1);
  if (params == NULL) return;
  memset(params, 'a', size);
  params[size] = '\0';
  NativeChildProcess_Args big = {params, {NULL}};
  NativeChildProcess_Options options = {NCP_ISOLATION_MODE_NORMAL, 0};
  int32_t pid = -7;
  int rc =
      OH_Ability_StartNativeChildProcess("libncp_test_entries.so:EchoParams", big, options, &pid);
  free(params);
  char line[64];
  snprintf(line, sizeof line, "rc=%d pid=%d\n", rc, pid);
  WriteLine(args, line);
}

/* Writes the length of entryParams and its bytes in hex, so any byte survives the pipe. */
EXPORT void HexParams(NativeChildProcess_Args args) {
  size_t length = strlen(args.entryParams);
  char* line = malloc(length * 2 + 32);
  if (line == NULL) return;
  int used = snprintf(line, 32, "%zu:", length);
  for (size_t i = 0; i < length; ++i) {
    used += snprintf(line + used, 3, "%02x", (unsigned char)args.entryParams[i]);
  }
  line[used++] = '\n';
  line[used] = '\0';
  WriteLine(args, line);
  free(line);
}
