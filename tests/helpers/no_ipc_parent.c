/* ncp_test_no_ipc_parent LIBCHILD_PROCESS: a parent that does not link libipc_capi.so loads
   libchild_process.so from the path given (a copy with no libipc_capi.so beside it) and calls
   OH_Ability_CreateNativeChildProcess twice. Prints "rc=<first> rc=<second>". */
#include <dlfcn.h>
#include <stdio.h>

typedef int (*CreateFunction)(const char*, void (*)(int, void*));

static void Started(int code, void* proxy) {
  (void)code;
  (void)proxy;
  printf("callback\n");
}

int main(int argc, char** argv) {
  if (argc != 2) return 64;
  void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    fprintf(stderr, "%s\n", dlerror());
    return 65;
  }
  CreateFunction create = (CreateFunction)dlsym(library, "OH_Ability_CreateNativeChildProcess");
  if (create == NULL) return 66;
  int first = create("libncp_test_ipc_child.so", Started);
  int second = create("libncp_test_ipc_child.so", Started);
  printf("rc=%d rc=%d\n", first, second);
  fflush(stdout);
  return 0;
}
