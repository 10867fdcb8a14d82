#include "core/child/process_title.h"

#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace ncp::core {
namespace {
char* g_area = nullptr;
size_t g_area_size = 0;
}  // namespace

void RememberArgumentArea(char** argv) {
  if (argv == nullptr || argv[0] == nullptr) return;
  char* end = argv[0] + strlen(argv[0]) + 1;
  // The kernel lays argv and then envp strings out back to back; take every string that
  // continues the run.
  for (int i = 1; argv[i] != nullptr && argv[i] == end; ++i) end = argv[i] + strlen(argv[i]) + 1;
  for (int i = 0; environ != nullptr && environ[i] != nullptr && environ[i] == end; ++i) {
    end = environ[i] + strlen(environ[i]) + 1;
  }
  g_area = argv[0];
  g_area_size = static_cast<size_t>(end - argv[0]);
}

void SetProcessTitle(const char* name) {
  prctl(PR_SET_NAME, name, 0, 0, 0);
  if (g_area == nullptr) return;
  const size_t len = strnlen(name, g_area_size - 1);
  memcpy(g_area, name, len);
  memset(g_area + len, 0, g_area_size - len);
}

}  // namespace ncp::core
