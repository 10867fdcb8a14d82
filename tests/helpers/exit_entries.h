/* Shared by exit_entries.c and exit_entries_static.cc (internal to libncp_test_entries.so). */
#ifndef NCP_TESTS_HELPERS_EXIT_ENTRIES_H_
#define NCP_TESTS_HELPERS_EXIT_ENTRIES_H_

#ifdef __cplusplus
extern "C" {
#endif

/* Where the exit hooks write; -1 (the default) keeps them silent in every other entry. */
extern int g_exit_hook_fd;
void ExitHookWrite(const char* what);
/* Makes the C++ static object's destructor report too. */
void ExitHookArmStatic(void);

#ifdef __cplusplus
}
#endif

#endif  // NCP_TESTS_HELPERS_EXIT_ENTRIES_H_
