#!/usr/bin/env bash
# man_pages_test.sh SOURCE_DIR
# Checks the manual pages: include/man/man3 (the C API, installed to share/man/man3) and
# docs/man (ncp-launch(1), ncp-profile(5)). Prints every problem, then exits 1 if there was any;
# exits 77 (skipped) when groff is not installed (scripts/install-deps installs groff-base).
set -uo pipefail
src=$1
man3=$src/include/man/man3
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
check() { echo "check: $*"; }

if ! command -v groff >/dev/null 2>&1; then
  echo "SKIP: groff is not installed (apt-get install groff-base)"
  exit 77
fi
shopt -s nullglob
pages=("$man3"/*.3)
[ "${#pages[@]}" -gt 0 ] || { echo "FAIL: no pages in $man3" >&2; exit 1; }

# Each page's lines, read once: a link page is one ".so" line, anything else is a real page.
declare -A have link_of
real=()
for page in "${pages[@]}"; do
  name=${page##*/}
  name=${name%.3}
  have[$name]=1
  mapfile -t lines <"$page"
  if [[ ${lines[0]:-} == .so* ]]; then
    if [ "${#lines[@]}" -ne 1 ] || [[ ! ${lines[0]} =~ ^\.so\ man3/([^/]+)\.3$ ]]; then
      fail "$name.3: a link page must be the single line '.so man3/GROUP.3'"
      link_of[$name]=""
    else
      link_of[$name]=${BASH_REMATCH[1]}
    fi
  else
    real+=("$page")
  fi
done

# --- 1. every page formats without a warning -------------------------------------------------
# -ww enables every warning; -z discards the output. Two line lengths: groff's default for a
# terminal, and the 80 columns man(1) formats for ("cannot adjust line" depends on it). From the
# directory above man3/, so that ".so man3/X.3" resolves as man(1) resolves it. Link pages are
# not formatted again: check 2 makes sure each is the ".so" of a page formatted here.
check "groff -ww on every page"
format() {  # format DIR PAGE: prints the warnings
  (cd "$1" && groff -ww -z -man -Tutf8 "$2" 2>&1 && \
     groff -ww -z -man -Tutf8 -rLL=80n -rLT=80n "$2" 2>&1)
}
for page in "${real[@]}" "$src"/docs/man/*.[1-9]; do
  case $page in
    "$man3"/*) dir=$src/include/man rel=man3/${page##*/} ;;
    *) dir=${page%/*} rel=${page##*/} ;;
  esac
  if ! out=$(format "$dir" "$rel"); then
    fail "$rel: groff failed:"$'\n'"$out"
  elif [ -n "$out" ]; then
    fail "$rel: groff warnings:"$'\n'"$out"
  fi
done

# --- 2. link pages and NAME sections agree ---------------------------------------------------
# A link's target is a real page whose NAME section lists the link's name; every name a NAME
# section lists has a page of that name; .TH names the page itself.
check "link pages and NAME sections"
declare -A listed_by
for page in "${real[@]}"; do
  name=${page##*/}
  name=${name%.3}
  grep -q "^\.TH $name 3 " "$page" || fail "$name.3: .TH does not name '$name' in section 3"
  # The NAME section: the lines after ".SH NAME" up to the next request, before "\-".
  names=$(awk '/^\.SH +"?NAME"?/ {on = 1; next} /^\./ {on = 0} on' "$page" | tr '\n' ' ')
  names=${names%%\\-*}
  names=${names//\\/}
  IFS=', ' read -r -a listed <<<"$names"
  [ "${#listed[@]}" -gt 0 ] || fail "$name.3: empty NAME section"
  for n in "${listed[@]}"; do
    [ -n "$n" ] || continue
    [ -z "${listed_by[$n]:-}" ] || fail "'$n' is listed by both ${listed_by[$n]}.3 and $name.3"
    listed_by[$n]=$name
    [ -n "${have[$n]:-}" ] || fail "$name.3 lists '$n', which has no page or link"
  done
done
for name in "${!link_of[@]}"; do
  target=${link_of[$name]}
  [ -n "$target" ] || continue
  if [ -z "${have[$target]:-}" ] || [ -n "${link_of[$target]+x}" ]; then
    fail "$name.3: links to '$target.3', which is not a page"
  elif [ "${listed_by[$name]:-}" != "$target" ]; then
    fail "$name.3: the NAME section of $target.3 does not list '$name'"
  fi
done
echo "  ${#pages[@]} pages, ${#link_of[@]} of them links"

# --- 3. every public function has a page name ------------------------------------------------
# Declarations in include/**/*.h: comments and preprocessor lines (macros) removed, then every
# OH_* or NCP_* identifier followed by "(" is a function (function-pointer typedefs read
# "(*NAME)(" and are not matched).
check "every function in the public headers has a man page"
mapfile -t headers < <(find "$src/include" -name '*.h' | sort)
[ "${#headers[@]}" -gt 0 ] || fail "no headers under $src/include"
mapfile -t functions < <(perl -0777 -ne '
    s{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g; s{^[ \t]*#(?:[^\n]*\\\n)*[^\n]*}{}gm;
    print "$1\n" while /\b((?:OH|NCP)_\w+)\s*\(/g;' "${headers[@]}" | sort -u)
[ "${#functions[@]}" -ge 80 ] ||
  fail "found only ${#functions[@]} functions in the headers: the parser is broken"
missing=0
for fn in "${functions[@]}"; do
  if [ -z "${have[$fn]:-}" ]; then
    fail "$fn is declared in include/ but has no man page: add it to a page's NAME section and add include/man/man3/$fn.3 (.so man3/GROUP.3)"
    missing=$((missing + 1))
  fi
done
echo "  ${#functions[@]} functions, $missing without a page"

if [ "$failures" -ne 0 ]; then
  echo "$failures problem(s)" >&2
  exit 1
fi
echo "PASS"
