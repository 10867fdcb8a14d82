#!/usr/bin/env bash
# symbols_test.sh LIBRARY SYMBOLS_FILE — the library exports exactly the symbols (name and
# version node) the committed Debian symbols file lists (debian/*.symbols), no more, no fewer.
# A new function needs its line there (and a version), a lost one is an ABI break.
set -euo pipefail
lib=$1 symbols=$2
exported=$(nm -D --defined-only --with-symbol-versions "$lib" |
  awk '{ name = $3; sub(/@@/, "@", name); if ($2 == "A") name = name "@" name; print name }' | sort)
listed=$(awk 'NR > 1 && $1 !~ /^\*/ && $1 !~ /^#/ { print $1 }' "$symbols" | sort)
if [ "$exported" != "$listed" ]; then
  echo "$lib and $symbols differ (< exported only, > listed only):"
  diff <(echo "$exported") <(echo "$listed") || true
  exit 1
fi
echo "$(echo "$exported" | wc -l) symbols, as $symbols lists them"
