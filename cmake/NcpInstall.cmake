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
#   share/ncp/profiles/*.profile  share/ncp/docker-seccomp.json (docs/containers.md)
#   share/man/man1/ncp-launch.1  share/man/man5/ncp-profile.5
#   share/man/man3/*.3                    (the C API: one page per group, a .so link per name)
#   share/bash-completion/completions/ncp-launch  share/zsh/vendor-completions/_ncp-launch
#   lib/cmake/ncp/ (find_package(ncp): ncp::child_process, ncp::ipc_capi)
#   lib/pkgconfig/child_process.pc  lib/pkgconfig/ipc_capi.pc  (and 0.1.0's ncp-child-process.pc,
#                                   ncp-ipc-capi.pc as aliases)
include(CMakePackageConfigHelpers)

set(NCP_CMAKE_PACKAGE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/ncp")

# Installed programs find the libraries through $ORIGIN, never through an absolute path, so a
# moved prefix keeps working without LD_LIBRARY_PATH. A distribution's package installs into the
# system's library directory and sets NCP_RELOCATABLE=OFF: no run path at all (Debian policy,
# lintian's custom-library-search-path).
option(NCP_RELOCATABLE "Installed programs find the libraries relative to themselves ($ORIGIN)"
       ON)
function(ncp_relative_rpath target dest_dir)
  if(NOT NCP_RELOCATABLE)
    return()
  endif()
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
# The seccomp profile a container needs to run ncp's sandboxes (docs/containers.md).
install(FILES scripts/docker-seccomp.json DESTINATION ${CMAKE_INSTALL_DATADIR}/ncp)

# --- manual pages ------------------------------------------------------------------------------
install(FILES docs/man/ncp-launch.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES docs/man/ncp-profile.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
# The C API's pages (include/man/man3: group pages and ".so man3/GROUP.3" links, one per
# function) belong with the headers, in the Development component.
install(DIRECTORY include/man/man3 DESTINATION ${CMAKE_INSTALL_MANDIR} COMPONENT Development
        FILES_MATCHING PATTERN "*.3")

# --- CMake package -----------------------------------------------------------------------------
install(EXPORT ncpTargets NAMESPACE ncp:: DESTINATION ${NCP_CMAKE_PACKAGE_DIR}
        COMPONENT Development)
configure_package_config_file(cmake/ncpConfig.cmake.in
  "${PROJECT_BINARY_DIR}/ncpConfig.cmake" INSTALL_DESTINATION ${NCP_CMAKE_PACKAGE_DIR})
# A 0.x series promises nothing across minor versions (0.1 -> 0.2 may break the API), so only
# the same minor version is compatible there; from 1.0 on, the same major version.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(ncp_version_compatibility SameMinorVersion)
else()
  set(ncp_version_compatibility SameMajorVersion)
endif()
write_basic_package_version_file("${PROJECT_BINARY_DIR}/ncpConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY ${ncp_version_compatibility})
install(FILES "${PROJECT_BINARY_DIR}/ncpConfig.cmake" "${PROJECT_BINARY_DIR}/ncpConfigVersion.cmake"
        DESTINATION ${NCP_CMAKE_PACKAGE_DIR} COMPONENT Development)

# --- pkg-config --------------------------------------------------------------------------------
# prefix is computed from the .pc file's own location, so a moved prefix needs no edit.
file(RELATIVE_PATH NCP_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" NCP_PC_TO_PREFIX "${NCP_PC_TO_PREFIX}")
# Named as the libraries people link (-lchild_process, -lipc_capi); 0.1.0's names stay as
# aliases that require them.
foreach(pc child_process ipc_capi)
  configure_file(cmake/${pc}.pc.in "${PROJECT_BINARY_DIR}/${pc}.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/${pc}.pc" DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
          COMPONENT Development)
endforeach()
foreach(alias_and_target "ncp-child-process:child_process" "ncp-ipc-capi:ipc_capi")
  string(REPLACE ":" ";" pair "${alias_and_target}")
  list(GET pair 0 NCP_PC_ALIAS)
  list(GET pair 1 NCP_PC_TARGET)
  configure_file(cmake/pc-alias.pc.in "${PROJECT_BINARY_DIR}/${NCP_PC_ALIAS}.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/${NCP_PC_ALIAS}.pc"
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT Development)
endforeach()
