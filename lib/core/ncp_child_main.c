/* ncp-child: started once per application as its fork server, which forks every normal-mode
   child. All the work is in libchild_process.so, so the user's library and the runtime share
   one instance of it. */
#include <string.h>

#include "core/child_runtime.h"

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "--fork-server") == 0) ncp_internal_fork_server_main(3, argv);
  ncp_internal_child_main(3);
}
