#!/usr/bin/env bash
# deb_install_test.sh DEBS_DIR EXAMPLES_DIR — run as root in a bare debian:bookworm container
# (scripts/docker-test, stage "packages"), which has only what building the examples needs
# (the deb-test stage of the Dockerfile: a C compiler, CMake, make, pkg-config).
#   1. apt-get install ./*.deb (nothing else may be pulled in but what the packages depend on);
#   2. builds the examples with find_package(ncp) and with pkg-config, against /usr;
#   3. runs both (normal and isolated children), as root and as nobody;
#   4. apt-get purge: every file the packages brought, and every file ncp made at run time
#      (the root's filter cache), is gone; nothing else changed on the disk.
set -euo pipefail
debs=$1 examples=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
check() { echo "check: $*"; }
work=$(mktemp -d /tmp/ncp-deb-test.XXXXXX)

# What the disk holds, but for what apt, dpkg and this test themselves keep.
snapshot() {
  find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
       -o -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/cache/apt \
       -o -path /var/cache/debconf -o -path /var/cache/ldconfig -o -path /var/log \
       -o -path /etc/ld.so.cache -o -path /root \) -prune -o -print | sort
}
snapshot >"$work/before"

echo "== apt-get install ./*.deb"
# The packages, not their -dbgsym companions.
debfiles=()
for d in "$debs"/*.deb; do
  case $d in *-dbgsym_*) ;; *) debfiles+=("$d") ;; esac
done
packages=$(for d in "${debfiles[@]}"; do dpkg-deb -f "$d" Package; done | sort | tr '\n' ' ')
echo "packages: $packages"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${debfiles[@]}" \
  >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get install"; }

check "the layout a Debian user expects"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
for f in /usr/bin/ncp-launch "/usr/lib/$multiarch/ncp/ncp-child" "/usr/lib/$multiarch/ncp/ncp-entry" \
         "/usr/lib/$multiarch/libchild_process.so.0" "/usr/lib/$multiarch/libipc_capi.so.0" \
         /usr/include/AbilityKit/native_child_process.h /usr/include/IPCKit/ipc_kit.h \
         /usr/share/ncp/profiles/default.profile /usr/share/man/man1/ncp-launch.1.gz \
         /usr/share/man/man3/OH_Ability_StartNativeChildProcess.3.gz \
         /usr/share/bash-completion/completions/ncp-launch; do
  [ -e "$f" ] || fail "missing $f"
done
for f in /usr/bin/ncp-launch "/usr/lib/$multiarch/ncp/ncp-child" "/usr/lib/$multiarch/ncp/ncp-entry" \
         "/usr/lib/$multiarch/libchild_process.so.0" "/usr/lib/$multiarch/libipc_capi.so.0"; do
  if readelf -d "$f" | grep -qE 'R(UN)?PATH'; then fail "$f has a run path"; fi
done

echo "== build the examples with find_package(ncp)"
cmake -S "$examples" -B "$work/cmake" >/dev/null && cmake --build "$work/cmake" >/dev/null ||
  fail "examples with find_package(ncp)"

echo "== build the examples with pkg-config"
mkdir "$work/pc"
# shellcheck disable=SC2046
cc -shared -fPIC -o "$work/pc/libncp_demo_worker.so" "$examples/demo_worker.c" \
   $(pkg-config --cflags --libs child_process) || fail "worker with pkg-config"
# shellcheck disable=SC2046
cc -o "$work/pc/ncp-demo" "$examples/demo_app.c" -DNCP_DEMO_LIB_DIR="\"$work/pc\"" \
   $(pkg-config --cflags --libs child_process) || fail "demo with pkg-config"
cc -o "$work/pc/ipc.o" -c -x c - $(pkg-config --cflags ipc_capi) <<'C' || fail "ipc_capi cflags"
#include <IPCKit/ipc_kit.h>
int main(void) { return 0; }
C

run_demo() {  # run_demo LABEL COMMAND...
  local label=$1
  shift
  echo "== run $label"
  local out
  out=$(timeout 120 "$@" 2>&1) || { echo "$out"; fail "$label exited $?"; }
  echo "$out" | sed 's/^/  | /'
  grep -q "5 words in" <<<"$out" || fail "$label: no result from the child"
  grep -q "signal 9" <<<"$out" || fail "$label: kill not reported"
  grep -q "inside: pid 2, parent 1" <<<"$out" || fail "$label: the isolated child did not run"
  grep -q "^done: " <<<"$out" || fail "$label: did not finish"
}
run_demo "find_package demo as root" "$work/cmake/ncp-demo"
run_demo "pkg-config demo as root" "$work/pc/ncp-demo"
chmod -R a+rX "$work"
chmod a+x "$work"
run_demo "pkg-config demo as nobody" setpriv --reuid=nobody --regid=nogroup --clear-groups \
  --reset-env env HOME=/nonexistent "$work/pc/ncp-demo"
[ -d /var/cache/ncp/seccomp ] || fail "root's isolated starts left no filter cache to purge"

echo "== apt-get purge $packages"
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $packages >"$work/purge.log" 2>&1 ||
  { cat "$work/purge.log"; fail "apt-get purge"; }
check "nothing left behind"
snapshot >"$work/after"
if ! diff "$work/before" "$work/after" >"$work/diff"; then
  cat "$work/diff"
  fail "the disk differs after the purge"
fi
rm -rf "$work"
echo "PACKAGES OK"
