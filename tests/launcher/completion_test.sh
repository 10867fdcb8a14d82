#!/usr/bin/env bash
# completion_test.sh COMPLETION_FILE NCP_LAUNCH TEST_ENTRIES_SO
# Drives scripts/completion/ncp-launch.bash the way bash does: COMP_WORDS split at
# COMP_WORDBREAKS, COMP_CWORD, COMP_LINE, COMP_POINT set, the function called, COMPREPLY checked
# exactly. Without the bash-completion package (and once more with it, where it is installed).
# Each check prints what it checks; the first failure stops the test with a non-zero exit.
set -uo pipefail
completion=$1 launch=$2 entries=$3
work=$(mktemp -d "${TMPDIR:-/var/tmp}/ncp-completion-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
check() { echo "check: $*"; }

# A user profile folder of our own (the completion must list what ncp-launch finds there), and
# an empty working directory (file name completions find nothing unexpected).
export XDG_CONFIG_HOME=$work/config
mkdir -p "$XDG_CONFIG_HOME/ncp/profiles" "$work/cwd"
echo 'unshare-net' >"$XDG_CONFIG_HOME/ncp/profiles/mine.profile"
echo 'unshare-net' >"$work/elsewhere.profile"
# A symlink in the user's folder is refused by ncp-launch, so it is no name to offer.
ln -s "$work/elsewhere.profile" "$XDG_CONFIG_HOME/ncp/profiles/evil.profile"
cd "$work/cwd" || fail "cd"
# The command word is plain `ncp-launch`, found on PATH as a user's would be.
PATH=$(dirname "$launch"):$PATH

# shellcheck source=/dev/null
source "$completion" || fail "sourcing $completion"
declare -F _ncp_launch >/dev/null || fail "no _ncp_launch function"

# complete LINE: sets the COMP_* variables for the cursor at the end of LINE, split as bash
# splits them (at blanks, then at runs of the COMP_WORDBREAKS characters), and runs the
# completion function. `reply` gets COMPREPLY, one item a line.
complete_line() {
  local line=$1 breaks=${COMP_WORDBREAKS//[[:space:]\"\']/} word rest fragment
  local -a blank_words
  COMP_LINE=$line
  COMP_POINT=${#line}
  read -ra blank_words <<<"$line"
  [[ -z $line || $line == *[[:space:]] ]] && blank_words+=("")
  COMP_WORDS=()
  for word in "${blank_words[@]}"; do
    if [[ -z $word || -z $breaks ]]; then
      COMP_WORDS+=("$word")
      continue
    fi
    rest=$word
    while [[ -n $rest ]]; do
      fragment=${rest%%["$breaks"]*}
      if [[ -z $fragment ]]; then  # a run of break characters
        fragment=${rest%%[!"$breaks"]*}
      fi
      COMP_WORDS+=("$fragment")
      rest=${rest:${#fragment}}
    done
  done
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _ncp_launch ncp-launch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}" ||
    fail "'$line': the function failed"
  reply=$(printf '%s\n' "${COMPREPLY[@]}")
  [[ ${#COMPREPLY[@]} -eq 0 ]] && reply=
}

# expect LINE EXPECTED...: COMPREPLY is exactly EXPECTED, in that order.
expect() {
  local line=$1
  shift
  local want=
  (($# > 0)) && want=$(printf '%s\n' "$@")
  complete_line "$line"
  [[ $reply == "$want" ]] ||
    fail "'$line' (COMP_WORDBREAKS '$COMP_WORDBREAKS'): got [${reply//$'\n'/ }], want [${want//$'\n'/ }]"
}

# expect_has LINE ITEM...: COMPREPLY holds each ITEM.
expect_has() {
  local line=$1 item
  shift
  complete_line "$line"
  for item in "$@"; do
    grep -qxF -- "$item" <<<"$reply" ||
      fail "'$line' (COMP_WORDBREAKS '$COMP_WORDBREAKS'): no '$item' in [${reply//$'\n'/ }]"
  done
}

run_checks() {
  local L=$launch
  COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'  # bash's default

  check "the option list is ncp-launch's own (--list-options), in its order"
  local listed help_names
  local -a names
  listed=$("$L" --list-options) || fail "--list-options failed"
  grep -qxF -- '--profile=profile' <<<"$listed" || fail "--list-options: no --profile=profile"
  grep -qxF -- '--landlock=off|best-effort|required' <<<"$listed" ||
    fail "--list-options: no --landlock choices"
  grep -qxF -- '--json-status-fd=fd' <<<"$listed" || fail "--list-options: no --json-status-fd=fd"
  grep -qxF -- '--unshare-net' <<<"$listed" || fail "--list-options: no --unshare-net flag"
  grep -q -- '^--include' <<<"$listed" && fail "--list-options lists the profile-only include"
  # The same names as --help, which prints the option table (`-h [ --help ]`, `--NAME ARG`).
  help_names=$("$L" --help | grep -E '^  (-h \[ )?--[a-z]' |
    sed -E 's/^  (-h \[ )?(--[a-z0-9-]+).*/\2/' | grep -vxF -- '--include')
  mapfile -t names <<<"$listed"
  names=("${names[@]%%=*}")
  [[ $help_names == "$(printf '%s\n' "${names[@]}")" ]] ||
    fail "--list-options and --help name different options"
  expect "ncp-launch --" "${names[@]}"

  check "an option prefix"
  expect "ncp-launch --prof" --profile
  expect "ncp-launch --unshare-n" --unshare-net
  expect "ncp-launch --no-such"

  check "any option the program lists is offered (nothing is hand-kept)"
  cat >"$work/fake-launch" <<'EOF'
#!/bin/sh
[ "$1" = --list-options ] && printf '%s\n' '--made-up-option=a|b' --flag-x
EOF
  chmod +x "$work/fake-launch"
  expect "$work/fake-launch --ma" --made-up-option
  expect "$work/fake-launch --made-up-option=" a b
  expect "$work/fake-launch --f" --flag-x
  expect "ncp-launch --ma"

  check "profile names from ncp-launch's search path (--list-profiles)"
  "$L" --list-profiles | grep -qxF default || fail "--list-profiles: no default"
  expect "ncp-launch --profile d" default
  expect "ncp-launch --profile=d" default
  expect "ncp-launch --profile m" mine
  expect "ncp-launch --profile e"
  expect "ncp-launch --unshare-net --profile=default --profile n" network
  expect_has "ncp-launch --profile " audit default mine network strict

  check "a choice list, as --NAME=VALUE and as --NAME VALUE"
  expect "ncp-launch --landlock=" off best-effort required
  expect "ncp-launch --landlock=r" required
  expect "ncp-launch --profile default --landlock b" best-effort
  expect "ncp-launch --cgroup=" best-effort required
  expect "ncp-launch --hostname "

  check "paths and descriptors"
  mkdir -p "$work/cwd/somedir"
  expect "ncp-launch --chdir=som" somedir
  expect "ncp-launch --learn so" somedir
  expect_has "ncp-launch --json-status-fd=" 0 1 2

  check "LIB.so:ENTRY lists the library's exported functions"
  expect_has "ncp-launch $entries:Pro" Probe
  expect_has "ncp-launch --profile default $entries:" Probe
  complete_line "ncp-launch $entries:Pro"
  grep -qv '^Pro' <<<"$reply" && fail "'$entries:Pro' offers names without the prefix: $reply"
  expect "ncp-launch $entries:NoSuchEntryAnywhere"
  expect "ncp-launch $work/none.so:Pro"
  expect "ncp-launch $entries:Probe --pa" --params

  check "after -- a command, then its arguments; options after the command are its own"
  expect_has "ncp-launch -- bas" bash
  expect_has "ncp-launch --profile default -- bas" bash
  expect "ncp-launch -- bash som" somedir
  expect "ncp-launch -- bash --prof"
  expect "ncp-launch $entries:Probe --params --prof"

  check "the same with '=' and ':' not in COMP_WORDBREAKS: whole words"
  COMP_WORDBREAKS=$' \t\n"\'><;|&('
  expect "ncp-launch --landlock=b" --landlock=best-effort
  expect "ncp-launch --profile=d" --profile=default
  expect_has "ncp-launch $entries:Pro" "$entries:Probe"
  expect "ncp-launch --prof" --profile
}

echo "== without bash-completion"
run_checks

bash_completion=/usr/share/bash-completion/bash_completion
if [[ -r $bash_completion ]]; then
  echo "== with $bash_completion loaded"
  # shellcheck source=/dev/null
  source "$bash_completion" >/dev/null 2>&1
  # shellcheck source=/dev/null
  source "$completion"
  run_checks
fi
echo "PASS"
