#!/usr/bin/env bash
# install_tree_test.sh SOURCE_DIR BUILD_DIR C_COMPILER
# Installs the build into a fresh prefix and uses it the way an application would. Each check
# prints what it checks; the first failure stops the test with a non-zero exit.
set -euo pipefail
src=$1 build=$2 cc=$3
work=$(mktemp -d "${TMPDIR:-/var/tmp}/ncp-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }
check() { echo "check: $*"; }

echo "== cmake --install into $prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

check "layout"
for f in bin/ncp-launch libexec/ncp/ncp-child libexec/ncp/ncp-entry \
         lib/libchild_process.so lib/libipc_capi.so \
         include/AbilityKit/native_child_process.h include/IPCKit/ipc_kit.h \
         include/ncp/native_child_process_ext.h \
         share/ncp/profiles/default.profile share/ncp/profiles/audit.profile \
         share/man/man1/ncp-launch.1 share/man/man5/ncp-profile.5 \
         share/man/man3/OH_Ability_StartNativeChildProcess.3 \
         share/man/man3/OH_Ability_StartNativeChildProcessWithConfigs.3 \
         share/bash-completion/completions/ncp-launch share/zsh/vendor-completions/_ncp-launch \
         lib/cmake/ncp/ncpConfig.cmake lib/cmake/ncp/ncpConfigVersion.cmake \
         lib/pkgconfig/child_process.pc lib/pkgconfig/ipc_capi.pc \
         lib/pkgconfig/ncp-child-process.pc lib/pkgconfig/ncp-ipc-capi.pc; do
  [ -e "$prefix/$f" ] || fail "missing $f"
done
[ -x "$prefix/bin/ncp-launch" ] && [ -x "$prefix/libexec/ncp/ncp-child" ] &&
  [ -x "$prefix/libexec/ncp/ncp-entry" ] || fail "not executable"

check "sonames and version links"
for lib in child_process ipc_capi; do
  soname=$(objdump -p "$prefix/lib/lib$lib.so" | awk '$1 == "SONAME" {print $2}')
  [ "$soname" = "lib$lib.so.0" ] || fail "lib$lib.so has soname '$soname'"
  [ -L "$prefix/lib/lib$lib.so" ] && [ -L "$prefix/lib/lib$lib.so.0" ] &&
    [ -f "$prefix/lib/lib$lib.so.0.1.0" ] || fail "lib$lib.so version links"
done

check "no absolute run paths into the build tree"
for f in bin/ncp-launch libexec/ncp/ncp-child libexec/ncp/ncp-entry lib/libchild_process.so \
         lib/libipc_capi.so; do
  if objdump -p "$prefix/$f" | grep -E 'R(UN)?PATH' | grep -q "$build"; then
    fail "$f has a run path into the build tree"
  fi
done

echo "== build examples/ against the installed tree (find_package(ncp))"
cmake -S "$src/examples" -B "$work/examples" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$work/examples" >/dev/null
grep -q "$prefix/include" "$work/examples/CMakeFiles/ncp-demo.dir/flags.make" ||
  fail "the demo did not compile against the installed headers"

check "the CMake package: 0.1 and 0.1.0 are found, 0.0, 0.2 and 1.0 are not (a 0.x series)"
mkdir -p "$work/version-probe"
for asked in 0.1 0.1.0 0.0 0.2 1.0; do
  cat >"$work/version-probe/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(probe LANGUAGES C)
find_package(ncp $asked QUIET)
if(NOT ncp_FOUND)
  message(FATAL_ERROR "not found")
endif()
CMAKE
  found=yes
  cmake -S "$work/version-probe" -B "$work/version-probe/build-$asked" \
        -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" >/dev/null 2>&1 || found=no
  case "$asked" in
    0.1 | 0.1.0) [ "$found" = yes ] || fail "find_package(ncp $asked) failed" ;;
    *) [ "$found" = no ] || fail "find_package(ncp $asked) accepted 0.1.0" ;;
  esac
done

echo "== compile the demo with pkg-config"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
pkg-config --exists child_process ipc_capi || fail "pkg-config cannot find ncp"
[ "$(pkg-config --modversion child_process)" = "0.1.0" ] || fail "pkg-config version"
for lib in child_process ipc_capi; do
  [ "$(pkg-config --libs-only-l $lib | xargs)" = "-l$lib" ] &&
    [ "$(pkg-config --libs-only-L $lib | sed 's/^-L//; s/ *$//')" -ef "$prefix/lib" ] ||
    fail "pkg-config --libs $lib: $(pkg-config --libs $lib)"
done
check "0.1.0's pkg-config names are aliases"
[ "$(pkg-config --cflags --libs ncp-child-process)" = "$(pkg-config --cflags --libs child_process)" ] &&
  [ "$(pkg-config --cflags --libs ncp-ipc-capi)" = "$(pkg-config --cflags --libs ipc_capi)" ] ||
  fail "an alias gives other flags than its library's name"
# shellcheck disable=SC2046
"$cc" -o "$work/demo-pkgconfig" "$src/examples/demo_app.c" \
  -DNCP_DEMO_LIB_DIR="\"$work/examples\"" $(pkg-config --cflags --libs child_process)
"$cc" -o "$work/ipc-pkgconfig.o" -c -x c - $(pkg-config --cflags ipc_capi) <<'C'
#include <IPCKit/ipc_kit.h>
int main(void) { return 0; }
C

run_demo() {  # run_demo LABEL DEMO [env...]
  local label=$1 demo=$2
  shift 2
  echo "== run $label"
  local out
  out=$(env "$@" timeout 120 "$demo" 2>&1) || { echo "$out"; fail "$label exited $?"; }
  echo "$out" | sed 's/^/  | /'
  grep -q "5 words in" <<<"$out" || fail "$label: no result from the child"
  grep -q "exit code 120" <<<"$out" || fail "$label: missing library not reported"
  grep -q "signal 9" <<<"$out" || fail "$label: kill not reported"
  grep -q "signal 11" <<<"$out" || fail "$label: crash not reported"
  grep -q "^done: " <<<"$out" || fail "$label: did not finish"
  # The isolated child ran its entry inside the sandbox (pid 2 under the launcher's init).
  grep -q "inside: pid 2, parent 1" <<<"$out" || fail "$label: the isolated child did not run"
  # Isolated starts go through the ncp-launch installed beside the library; the library must
  # find it (and ncp-launch its profiles) wherever the prefix is.
  if grep -q "not found near" <<<"$out"; then fail "$label: a helper was not found"; fi
  # What each start returned, without pids: must not change when the prefix moves.
  grep -E "^start " <<<"$out" | sed -E 's/, pid [0-9]+//' >"$work/starts.$label"
}
# The examples' build tree links the prefix by absolute run path, as CMake does for any build.
run_demo installed "$work/examples/ncp-demo"
run_demo pkg-config "$work/demo-pkgconfig" LD_LIBRARY_PATH="$prefix/lib"

check "installed ncp-launch finds its installed profiles"
"$prefix/bin/ncp-launch" --profile default --check >/dev/null ||
  fail "installed ncp-launch --profile default --check"

echo "== move the prefix: $prefix -> $work/moved"
mv "$prefix" "$work/moved"
moved=$work/moved
check "the moved helper and launcher still find the libraries"
for f in libexec/ncp/ncp-child bin/ncp-launch; do
  resolved=$(ldd "$moved/$f" | awk '$1 == "libchild_process.so.0" {print $3}')
  [ "$resolved" -ef "$moved/lib/libchild_process.so.0" ] ||
    fail "moved $f resolves libchild_process.so.0 to '$resolved', not inside the moved prefix"
done
run_demo relocated "$work/examples/ncp-demo" LD_LIBRARY_PATH="$moved/lib"
diff "$work/starts.installed" "$work/starts.relocated" ||
  fail "the starts' results differ after the move"
check "moved ncp-launch finds its profiles"
HOME=$work XDG_CONFIG_HOME=$work/none "$moved/bin/ncp-launch" --profile default --check \
  >/dev/null || fail "moved ncp-launch --profile default --check"
check "moved ncp-launch lists its profiles for the completions"
[ "$(HOME=$work XDG_CONFIG_HOME=$work/none "$moved/bin/ncp-launch" --list-profiles | xargs)" = \
  "audit default network strict" ] || fail "moved ncp-launch --list-profiles"
check "pkg-config from the moved prefix"
[ "$(PKG_CONFIG_PATH=$moved/lib/pkgconfig pkg-config --variable=libdir child_process)" \
  -ef "$moved/lib" ] || fail "pkg-config libdir after the move"
echo "INSTALLED TREE OK"
