# Every install rule of the project, in one place. Included at the end of the top-level
# CMakeLists.txt, after all targets exist (install(TARGETS) accepts targets made in other
# directories since CMake 3.13).
#
# Installed layout (relative to the prefix, so the tree can be moved as a whole):
#   bin/ncp-launch
#   lib/libchild_process.so{,.0,.0.1.0}   lib/libipc_capi.so{,.0,.0.1.0}
#   libexec/ncp/ncp-child                 (found by the library relative to its own directory)
#   libexec/ncp/ncp-entry                 (found by ncp-launch relative to its own directory)
#   include/AbilityKit  include/IPCKit  include/ncp
#   share/ncp/profiles/*.profile
#   share/man/man1/ncp-launch.1  share/man/man5/ncp-profile.5
#   share/bash-completion/completions/ncp-launch  share/zsh/vendor-completions/_ncp-launch
#   lib/cmake/ncp/ (find_package(ncp): ncp::child_process, ncp::ipc_capi)
#   lib/pkgconfig/ncp-child-process.pc  lib/pkgconfig/ncp-ipc-capi.pc
include(CMakePackageConfigHelpers)

set(NCP_CMAKE_PACKAGE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/ncp")

# Installed programs find the libraries through $ORIGIN, never through an absolute path, so a
# moved prefix keeps working without LD_LIBRARY_PATH.
function(ncp_relative_rpath target dest_dir)
  file(RELATIVE_PATH rel "/${dest_dir}" "/${CMAKE_INSTALL_LIBDIR}")
  set_target_properties(${target} PROPERTIES INSTALL_RPATH "$ORIGIN/${rel}")
endfunction()

# --- libraries and their headers ---------------------------------------------------------------
# The build tree's include directories are absolute; installed consumers use <prefix>/include.
target_include_directories(ipc_capi PUBLIC $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
install(TARGETS child_process ipc_capi EXPORT ncpTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
                NAMELINK_COMPONENT Development)
install(DIRECTORY include/AbilityKit include/IPCKit include/ncp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT Development)

# --- the child runtime helper ------------------------------------------------------------------
ncp_relative_rpath(ncp-child "${NCP_LIBEXEC_SUBDIR}")
install(TARGETS ncp-child RUNTIME DESTINATION ${NCP_LIBEXEC_SUBDIR})

# --- the launcher and its profiles -------------------------------------------------------------
if(TARGET ncp-launch)
  ncp_relative_rpath(ncp-launch "${CMAKE_INSTALL_BINDIR}")
  install(TARGETS ncp-launch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  # What its entry sandboxes run (launcher/entry_mode.h), found relative to ncp-launch.
  ncp_relative_rpath(ncp-entry "${NCP_LIBEXEC_SUBDIR}")
  install(TARGETS ncp-entry RUNTIME DESTINATION ${NCP_LIBEXEC_SUBDIR})
  # Shell completions, where Debian's bash-completion and zsh look for them; they read the
  # options and profiles from ncp-launch itself (--list-options, --list-profiles).
  install(FILES scripts/completion/ncp-launch.bash
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ncp-launch)
  install(FILES scripts/completion/_ncp-launch
          DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
endif()
install(DIRECTORY profiles/ DESTINATION ${CMAKE_INSTALL_DATADIR}/ncp/profiles
        FILES_MATCHING PATTERN "*.profile" PATTERN "*.json")

# --- manual pages ------------------------------------------------------------------------------
install(FILES docs/man/ncp-launch.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES docs/man/ncp-profile.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

# --- CMake package -----------------------------------------------------------------------------
install(EXPORT ncpTargets NAMESPACE ncp:: DESTINATION ${NCP_CMAKE_PACKAGE_DIR}
        COMPONENT Development)
configure_package_config_file(cmake/ncpConfig.cmake.in
  "${PROJECT_BINARY_DIR}/ncpConfig.cmake" INSTALL_DESTINATION ${NCP_CMAKE_PACKAGE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/ncpConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/ncpConfig.cmake" "${PROJECT_BINARY_DIR}/ncpConfigVersion.cmake"
        DESTINATION ${NCP_CMAKE_PACKAGE_DIR} COMPONENT Development)

# --- pkg-config --------------------------------------------------------------------------------
# prefix is computed from the .pc file's own location, so a moved prefix needs no edit.
file(RELATIVE_PATH NCP_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" NCP_PC_TO_PREFIX "${NCP_PC_TO_PREFIX}")
foreach(pc ncp-child-process ncp-ipc-capi)
  configure_file(cmake/${pc}.pc.in "${PROJECT_BINARY_DIR}/${pc}.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/${pc}.pc" DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
          COMPONENT Development)
endforeach()
