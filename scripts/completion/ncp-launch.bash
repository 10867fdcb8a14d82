# bash completion for ncp-launch                                      -*- shell-script -*-
# Installed as share/bash-completion/completions/ncp-launch; or `source` this file.
#
# No option or profile is listed here: they come from the ncp-launch being completed (the
# command word), through its hidden queries (launcher/README.md):
#   ncp-launch --list-options    one line per option: --NAME (a flag) or --NAME=KIND, KIND one of
#                                profile, file, dir, fd, value, or the choices a|b|c
#   ncp-launch --list-profiles   the names --profile NAME finds
# The options are kept per program in _ncp_launch_options; the profiles are asked for each time.
# LIB.so:ENTRY words list the library's exported functions (nm -D, else objdump -T).
#
# Works with and without the bash-completion package: the words are taken from COMP_WORDS and
# COMP_LINE here, put back together where bash split them at '=' or ':' (COMP_WORDBREAKS), and
# the replies are cut to the part of the word bash replaces.

_ncp_launch_options=()
_ncp_launch_options_of=

# _ncp_launch_load_options PROGRAM: fills _ncp_launch_options from PROGRAM --list-options
# (once per program). Fails when PROGRAM gives no list.
_ncp_launch_load_options() {
  [[ $_ncp_launch_options_of == "$1" && ${#_ncp_launch_options[@]} -gt 0 ]] && return 0
  local out line
  out=$("$1" --list-options 2>/dev/null) || return 1
  _ncp_launch_options=()
  while IFS= read -r line; do
    [[ $line == --?* ]] && _ncp_launch_options+=("$line")
  done <<<"$out"
  _ncp_launch_options_of=$1
  ((${#_ncp_launch_options[@]} > 0))
}

# _ncp_launch_kind NAME: prints the KIND of option --NAME when it takes a value; fails otherwise.
_ncp_launch_kind() {
  local line
  for line in "${_ncp_launch_options[@]}"; do
    if [[ $line == "--$1="* ]]; then
      printf '%s\n' "${line#*=}"
      return 0
    fi
  done
  return 1
}

# _ncp_launch_add PREFIX TYPED CANDIDATE...: adds PREFIX+CANDIDATE for each candidate that
# starts with TYPED (no glob or expansion of the candidates, unlike compgen -W).
_ncp_launch_add() {
  local prefix=$1 typed=$2 candidate
  shift 2
  for candidate in "$@"; do
    [[ $candidate == "$typed"* ]] && COMPREPLY+=("$prefix$candidate")
  done
}

# _ncp_launch_files PREFIX TYPED [-d]: file (or, with -d, directory) names.
_ncp_launch_files() {
  local prefix=$1 typed=$2 name
  local -a names
  mapfile -t names < <(compgen "${3:--f}" -- "$typed")
  for name in "${names[@]}"; do COMPREPLY+=("$prefix$name"); done
  compopt -o filenames 2>/dev/null
}

# _ncp_launch_library NAME: the file ncp-launch would load for LIB.so NAME (a path, or a bare
# name looked up in NCP_LIBRARY_PATH, LD_LIBRARY_PATH and the system dirs).
_ncp_launch_library() {
  local name=$1 dir
  [[ $name == \~/* ]] && name=$HOME/${name#\~/}
  if [[ $name == */* ]]; then
    [[ -f $name ]] && printf '%s\n' "$name"
    return
  fi
  local -a dirs
  IFS=: read -ra dirs <<<"${NCP_LIBRARY_PATH-}:${LD_LIBRARY_PATH-}"
  dirs+=(/lib /usr/lib /lib64 /usr/lib64 /lib/*-linux-gnu* /usr/lib/*-linux-gnu*)
  for dir in "${dirs[@]}"; do
    if [[ -n $dir && -f $dir/$name ]]; then
      printf '%s\n' "$dir/$name"
      return
    fi
  done
}

# _ncp_launch_symbols FILE: the exported (defined) functions of a shared object, one a line.
_ncp_launch_symbols() {
  {
    if type -P nm >/dev/null; then
      LC_ALL=C nm -D --defined-only -- "$1" 2>/dev/null |
        while read -r _ type name _; do
          [[ $type == [TWi] ]] && printf '%s\n' "${name%%@*}"
        done
    elif type -P objdump >/dev/null; then
      LC_ALL=C objdump -T -- "$1" 2>/dev/null |
        while read -r line; do
          [[ $line == *" DF "* && $line != *'*UND*'* ]] && printf '%s\n' "${line##*[[:space:]]}"
        done
    fi
  } | LC_ALL=C sort -u
}

# _ncp_launch_value PROGRAM KIND PREFIX TYPED: the value of an option of that KIND.
_ncp_launch_value() {
  local program=$1 kind=$2 prefix=$3 typed=$4
  local -a items
  case $kind in
    profile)
      mapfile -t items < <("$program" --list-profiles 2>/dev/null)
      _ncp_launch_add "$prefix" "$typed" "${items[@]}"
      [[ $typed == */* ]] && _ncp_launch_files "$prefix" "$typed"
      ;;
    file) _ncp_launch_files "$prefix" "$typed" ;;
    dir) _ncp_launch_files "$prefix" "$typed" -d ;;
    fd)
      local fd
      for fd in "/proc/$$/fd/"*; do
        fd=${fd##*/}
        [[ $fd == [0-9]* ]] && ((fd < 255)) && items+=("$fd")
      done
      _ncp_launch_add "$prefix" "$typed" "${items[@]}"
      ;;
    *'|'*)
      IFS='|' read -ra items <<<"$kind"
      _ncp_launch_add "$prefix" "$typed" "${items[@]}"
      ;;
  esac
}

# Sets `words`, `cword` and `cur` (the current word up to the cursor) of the caller, with the
# words bash split at '=' and ':' joined again where no space separates them.
_ncp_launch_words() {
  local line=$COMP_LINE pos=0 i w start=0 gap joined
  local -a starts
  words=()
  cword=0
  for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
    w=${COMP_WORDS[i]}
    gap=0
    while ((pos < ${#line})) && [[ ${line:pos:1} == [[:space:]] ]]; do
      ((pos++))
      gap=1
    done
    if [[ ${line:pos:${#w}} != "$w" ]]; then
      # COMP_LINE does not match the words (someone rewrote one): take them as they are.
      words=("${COMP_WORDS[@]}")
      cword=$COMP_CWORD
      cur=${COMP_WORDS[COMP_CWORD]}
      return
    fi
    joined=0
    if ((i > 0 && !gap && ${#words[@]} > 0)); then
      [[ $w == [=:]* || ${words[-1]} == *[=:] ]] && joined=1
    fi
    if ((joined)); then
      words[-1]+=$w
    else
      words+=("$w")
      starts+=("$pos")
    fi
    ((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
    ((pos += ${#w}))
  done
  start=${starts[cword]:-0}
  cur=${words[cword]}
  if ((COMP_POINT >= start && COMP_POINT - start < ${#cur})); then
    cur=${line:start:COMP_POINT-start}
  fi
}

_ncp_launch() {
  local -a words
  local cword cur
  COMPREPLY=()
  _ncp_launch_words

  local program=${words[0]}
  [[ $program == \~/* ]] && program=$HOME/${program#\~/}
  _ncp_launch_load_options "$program"

  # Where the command starts: after "--", else at the first word that is not an option or an
  # option's separate value (as policy/command_line.cc reads it).
  local i w command_at=0 dashdash=0 value_of=
  for ((i = 1; i < cword; i++)); do
    w=${words[i]}
    if [[ -n $value_of ]]; then
      value_of=
      continue
    fi
    if [[ $w == -- ]]; then
      dashdash=1
      command_at=$((i + 1))
      break
    fi
    if [[ ${#w} -lt 2 || $w != -* ]]; then
      command_at=$i
      break
    fi
    if [[ $w == --* && $w != *=* ]] && _ncp_launch_kind "${w#--}" >/dev/null; then
      value_of=${w#--}
    fi
  done

  if ((command_at > 0)); then
    local first=${words[command_at]}
    if ((cword == command_at && dashdash)) && [[ $cur != */* ]]; then
      local -a commands
      mapfile -t commands < <(compgen -c -- "$cur" | LC_ALL=C sort -u)
      COMPREPLY=("${commands[@]}")
    elif ((cword == command_at + 1 && !dashdash)) && [[ $first == *.so*:* ]]; then
      _ncp_launch_add "" "$cur" --params
    elif ((cword > command_at || dashdash)) && [[ $first != *.so*:* ]]; then
      _ncp_launch_files "" "$cur"
    fi
  elif [[ -n $value_of ]]; then
    _ncp_launch_value "$program" "$(_ncp_launch_kind "$value_of")" "" "$cur"
  elif [[ $cur == --*=* ]]; then
    local name=${cur%%=*} kind
    if kind=$(_ncp_launch_kind "${name#--}"); then
      _ncp_launch_value "$program" "$kind" "$name=" "${cur#*=}"
    fi
  elif [[ $cur == -* ]]; then
    local line
    for line in "${_ncp_launch_options[@]}"; do
      line=${line%%=*}
      [[ $line == "$cur"* ]] && COMPREPLY+=("$line")
    done
  elif [[ $cur == *.so*:* ]]; then
    local library
    library=$(_ncp_launch_library "${cur%:*}")
    if [[ -n $library ]]; then
      local -a symbols
      mapfile -t symbols < <(_ncp_launch_symbols "$library")
      _ncp_launch_add "${cur%:*}:" "${cur##*:}" "${symbols[@]}"
    fi
  else
    _ncp_launch_files "" "$cur"
  fi

  # Bash replaces only what follows the last of COMP_WORDBREAKS in the word (e.g. after
  # "--landlock=" or "LIB.so:"): the replies lose what comes before it.
  local breaks=${COMP_WORDBREAKS//[[:space:]\"\']/} cut=
  for ((i = ${#cur} - 1; i >= 0; i--)); do
    if [[ -n $breaks && $breaks == *"${cur:i:1}"* ]]; then
      cut=${cur:0:i+1}
      break
    fi
  done
  if [[ -n $cut ]]; then
    for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]=${COMPREPLY[i]#"$cut"}; done
  fi
  return 0
}

complete -F _ncp_launch ncp-launch
