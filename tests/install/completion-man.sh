#!/usr/bin/env bash
# completion-man.sh: checks the man page (dist/wasmc.1) and the bash
# completion (dist/wasmc.bash-completion) against a built wasmc.
#
#   tests/install/completion-man.sh BUILD/compiler/wasmc
#
# (a) every command and option that `wasmc help [COMMAND]` lists, and
#     every option compiler/options.c's table gives each command, is in
#     that command's section of the man page and among the completions
#     of `wasmc COMMAND -`: an option added without documenting it fails
#     here;
# (b) drives the completion function as bash would (COMP_WORDS,
#     COMP_CWORD, COMP_LINE, COMP_POINT) and checks COMPREPLY: commands,
#     options, --target values, -O levels, platforms, files after -o,
#     modules, directories after --dir; once in plain bash and once with
#     bash-completion's helpers loaded (when it is installed);
# (c) groff -man -ww -z, mandoc -Tlint (when installed) and man
#     --warnings (when installed) report nothing on the man page.
# Prints "N passed, N failed"; exits non-zero when anything failed.
set -euo pipefail

if [[ $# -ne 1 || ! -x $1 ]]; then
  echo "usage: $0 BUILD/compiler/wasmc" >&2
  exit 2
fi
WASMC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MAN=$SRC/dist/wasmc.1
COMP=$SRC/dist/wasmc.bash-completion
OPTIONS_C=$SRC/compiler/options.c
BASH_COMPLETION=/usr/share/bash-completion/bash_completion

pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() {
  pass=$((pass + 1))
  echo "PASS $1"
}
bad() {
  fail=$((fail + 1))
  echo "FAIL $1"
  if [[ $# -gt 1 ]]; then printf '%s\n' "$2"; fi
}

for f in "$MAN" "$COMP"; do
  [[ -f $f ]] || { echo "FAIL missing $f"; echo "0 passed, 1 failed"; exit 1; }
done

# ---- the man page, as text ---------------------------------------------------

# The source without the escapes that hide words from grep (\- \% \fB ...).
sed -e 's/\\%//g' -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f\[[^]]*\]//g' \
  -e 's/\\(ti/~/g' -e 's/\\&//g' "$MAN" >"$tmp/man.txt"

# man_section CMD: the text of the subsection "wasmc CMD ..." (COMMANDS);
# "-" for the OPTIONS section (the options without a command).
man_section() {
  if [[ $1 == - ]]; then
    awk '/^\.SH /{f = ($0 ~ /^\.SH "?OPTIONS"?$/); next} f' "$tmp/man.txt"
  else
    awk -v c="$1" '/^\.S[SH] /{f = index($0, ".SS \"wasmc " c " ") == 1 ||
                                    $0 == ".SS \"wasmc " c "\""; next} f' \
      "$tmp/man.txt"
  fi
}

# has_word FILE WORD: WORD occurs in FILE as a whole option (a digit may
# follow it: -O matches -O2).
has_word() {
  grep -Eq -e "(^|[^A-Za-z0-9-])$2([^A-Za-z-]|\$)" "$1"
}

# ---- the completion, driven as bash drives it ---------------------------------

# The runner: MODE (plain | bc) and a command line, the cursor at its end;
# prints COMPREPLY one per line.
cat >"$tmp/complete.sh" <<'EOF'
mode=$1 comp=$2 line=$3
if [[ $mode == bc ]]; then
  # shellcheck disable=SC1090
  source "$4"
fi
# shellcheck disable=SC1090
source "$comp"
COMP_LINE=$line
COMP_POINT=${#line}
# Words as bash makes them: split at blanks, and runs of `=` or `:`
# (both in COMP_WORDBREAKS) are words of their own.
COMP_WORDS=()
rest=$line
while [[ $rest =~ ^[[:space:]]*([=:]+|[^=:[:space:]]+) ]]; do
  COMP_WORDS+=("${BASH_REMATCH[1]}")
  rest=${rest:${#BASH_REMATCH[0]}}
done
if [[ ${#COMP_WORDS[@]} -eq 0 || $line =~ [[:space:]]$ ]]; then
  COMP_WORDS+=("")
fi
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMPREPLY=()
_wasmc
if [[ ${#COMPREPLY[@]} -gt 0 ]]; then printf '%s\n' "${COMPREPLY[@]}"; fi
EOF

modes=(plain)
if [[ -f $BASH_COMPLETION ]]; then
  modes+=(bc)
else
  echo "note: $BASH_COMPLETION not found: the completion is checked in plain bash only"
fi

# complete MODE LINE: the candidates (sorted, one a line) in $tmp/reply,
# run in $tmp/files.
complete_line() {
  { (cd "$tmp/files" &&
    bash --norc --noprofile "$tmp/complete.sh" "$1" "$COMP" "$2" \
      "$BASH_COMPLETION") 2>"$tmp/reply.err" || true; } |
    LC_ALL=C sort >"$tmp/reply"
}

show_reply() {
  echo "completions of '$1' ($2):"
  sed 's/^/  /' "$tmp/reply"
  if [[ -s $tmp/reply.err ]]; then echo "stderr:"; cat "$tmp/reply.err"; fi
}

# expect NAME LINE [+WORD | -WORD | =WORD]...: in every mode, the
# completions of LINE hold each +WORD and no -WORD; with =WORDs, they are
# exactly the =WORDs; with no WORD at all, there are none.
expect() {
  local name=$1 line=$2 mode w why
  shift 2
  for mode in "${modes[@]}"; do
    complete_line "$mode" "$line"
    why=
    : >"$tmp/want"
    for w in "$@"; do
      case $w in
        +*) grep -Fxq -- "${w:1}" "$tmp/reply" || why+=" lacks '${w:1}'" ;;
        -*) ! grep -Fxq -- "${w:1}" "$tmp/reply" || why+=" has '${w:1}'" ;;
        =*) printf '%s\n' "${w:1}" >>"$tmp/want" ;;
      esac
    done
    if [[ $# -eq 0 && -s $tmp/reply ]]; then
      why+=" is not empty"
    elif [[ -s $tmp/want ]]; then
      LC_ALL=C sort -o "$tmp/want" "$tmp/want"
      cmp -s "$tmp/want" "$tmp/reply" ||
        why+=" is not exactly: $(tr '\n' ' ' <"$tmp/want")"
    fi
    [[ -s $tmp/reply.err ]] && why+=" (stderr)"
    if [[ -z $why ]]; then
      ok "completion_${name}_$mode"
    else
      bad "completion_${name}_$mode:$why" "$(show_reply "$line" "$mode")"
    fi
  done
}

mkdir -p "$tmp/files/sub dir" "$tmp/files/sub"
: >"$tmp/files/app.wasm"
: >"$tmp/files/lib.wat"
: >"$tmp/files/notes.txt"
: >"$tmp/files/other.wasm"

# ---- (a) what the help texts list ---------------------------------------------

"$WASMC" help >"$tmp/help.txt"
mapfile -t commands < <(awk '/^Commands:/{f = 1; next} f && /^$/{f = 0}
                              f && /^  [a-z]/{print $1}' "$tmp/help.txt")
if [[ " ${commands[*]} " == *" validate "* && " ${commands[*]} " == *" help "* ]]; then
  ok help_lists_commands
else
  bad "help_lists_commands: wasmc help lists: ${commands[*]}"
fi

# help_options TEXT_FILE: the options of a help text's Options: block,
# from its first column (up to two blanks), one a line.
help_options() {
  awk '/^Options:/{f = 1; next} f && /^$/{f = 0} f && /^  -/' "$1" |
    sed -E 's/^  //; s/  .*//' | tr ' ,|' '\n' |
    grep -E '^--?[A-Za-z][A-Za-z0-9-]*$' | sort -u
}

mapfile -t opts < <(help_options "$tmp/help.txt")
man_section - >"$tmp/man.section"
for o in "${opts[@]}"; do
  if has_word "$tmp/man.section" "$o"; then ok "man_global_$o"; else
    bad "man_global_$o: not in the OPTIONS section of dist/wasmc.1"; fi
done
expect global_options "wasmc -" "${opts[@]/#/+}"

for c in "${commands[@]}"; do
  if [[ -n $(man_section "$c") ]]; then ok "man_command_$c"; else
    bad "man_command_$c: no subsection .SS \"wasmc $c ...\" in dist/wasmc.1"; fi
  if awk '/^\.SH /{f = ($0 == ".SH SYNOPSIS"); next} f' "$tmp/man.txt" |
    grep -q "^\.B $c\$"; then ok "man_synopsis_$c"; else
    bad "man_synopsis_$c: the SYNOPSIS has no wasmc $c"; fi
done
expect commands "wasmc " "${commands[@]/#/=}"
expect help_commands "wasmc help " "${commands[@]/#/=}"

for c in "${commands[@]}"; do
  [[ $c == help ]] && continue
  "$WASMC" help "$c" >"$tmp/help.$c"
  mapfile -t opts < <(help_options "$tmp/help.$c")
  if [[ " ${opts[*]} " != *" --help "* ]]; then
    bad "help_options_$c: no --help found in wasmc help $c (is the extraction broken?)"
  fi
  man_section "$c" >"$tmp/man.section"
  for o in "${opts[@]}"; do
    if has_word "$tmp/man.section" "$o"; then ok "man_${c}_$o"; else
      bad "man_${c}_$o: wasmc help $c lists $o, the man page's section on $c does not"
    fi
  done
  expect "${c}_options" "wasmc $c -" "${opts[@]/#/+}"
done

# ---- (a) what the parser accepts ---------------------------------------------

# The rows of compiler/options.c's table: NAME ALIAS COMMANDS... per line
# (NULL for a missing form), the macros of command bits expanded.
if [[ -f $OPTIONS_C ]]; then
  declare -A macro=()
  while IFS= read -r l; do
    if [[ $l =~ ^#define\ ([A-Z_]+)\ \(([A-Z_ |]+)\)$ ]]; then
      macro[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]//|/ }
    fi
  done <"$OPTIONS_C"
  # expand_bits WORDS...: the CLI_* bits, one a line
  expand_bits() {
    local t sub
    for t in "$@"; do
      if [[ -n ${macro[$t]-} ]]; then
        read -ra sub <<<"${macro[$t]}"
        expand_bits "${sub[@]}"
      else
        echo "$t"
      fi
    done
  }
  rows=0
  while IFS= read -r l; do
    re='^ *\{(NULL|"(-[^"]*)"), (NULL|"(-[^"]*)"), ([A-Z_ |]+), (true|false), O_[A-Z_]+\},'
    [[ $l =~ $re ]] || continue
    rows=$((rows + 1))
    names=("${BASH_REMATCH[2]}" "${BASH_REMATCH[4]}")
    read -ra bits <<<"${BASH_REMATCH[5]//|/ }"
    for bit in $(expand_bits "${bits[@]}"); do
      c=${bit#CLI_}
      c=${c,,}
      man_section "$c" >"$tmp/man.section"
      complete_line plain "wasmc $c -"
      for o in "${names[@]}"; do
        [[ -n $o ]] || continue
        if has_word "$tmp/man.section" "$o"; then ok "man_parser_${c}_$o"; else
          bad "man_parser_${c}_$o: compiler/options.c gives $c the option $o, the man page's section on $c does not"
        fi
        if grep -Eqx -- "${o}[0-9]?" "$tmp/reply"; then ok "completion_parser_${c}_$o"; else
          bad "completion_parser_${c}_$o: compiler/options.c gives $c the option $o, the completion of 'wasmc $c -' does not"
        fi
      done
    done
  done <"$OPTIONS_C"
  if [[ $rows -ge 10 ]]; then ok options_c_rows; else
    bad "options_c_rows: only $rows rows read from $OPTIONS_C (has the table's layout changed?)"
  fi
else
  bad "options_c: $OPTIONS_C not found"
fi

# ---- (b) the completion's values ----------------------------------------------

if bash -n "$COMP" 2>"$tmp/err"; then ok completion_syntax; else
  bad completion_syntax "$(cat "$tmp/err")"; fi

expect command_prefix "wasmc b" =build
expect build_long "wasmc build --" +--target +--static +--strip +--dir \
  +--env +--tcplisten +--gc-heap-limit +--output ---platform ---shared
expect image_long "wasmc image --" +--platform +--tag +--gc-heap-limit ---target
expect run_long "wasmc run --" +--dir +--verbose +--gc-heap-limit ---target \
  ---output
expect wasm_first "wasmc app.wasm --s" =--static =--strip

mapfile -t targets < <("$WASMC" --print-targets | cut -f1)
if [[ ${#targets[@]} -gt 0 ]]; then
  expect targets "$WASMC build --target " "${targets[@]/#/+}"
else
  bad "targets: wasmc --print-targets printed nothing"
fi
expect targets_eq "$WASMC compile --target=aa" +aarch64 -x86_64 -riscv64
expect opt_levels "wasmc run -O" =-O0 =-O1 =-O2 =-O3
expect opt_level_values "wasmc build -O " =0 =1 =2 =3

# the platforms wasmc builds, as its error message names them
"$WASMC" image app.wasm -o "$tmp/img" --platform nosuch/os 2>"$tmp/err" || true
mapfile -t platforms < <(grep -Eo 'linux/[a-z0-9]+' "$tmp/err" | sort -u)
if [[ ${#platforms[@]} -gt 0 ]]; then
  expect platforms "wasmc image --platform " "${platforms[@]/#/+}"
else
  bad "platforms: wasmc image --platform nosuch/os named no platform" "$(cat "$tmp/err")"
fi
expect platform_list "wasmc image --platform linux/amd64,linux/a" \
  +linux/amd64,linux/arm64 -linux/amd64,linux/amd64

expect output_files "wasmc build app.wasm -o " +app.wasm +lib.wat +notes.txt +sub
expect output_files_eq "wasmc compile --output=n" =notes.txt
expect modules "wasmc build " +app.wasm +lib.wat +other.wasm +sub -notes.txt
expect modules_prefix "wasmc validate app.wasm o" =other.wasm
expect modules_first "wasmc a" =app.wasm
expect dirs "wasmc run --dir " +sub "+sub dir" -app.wasm -notes.txt
expect dirs_eq "wasmc build --dir=s" +sub "+sub dir" -app.wasm
expect dir_guest "wasmc run --dir sub::"
expect tcplisten "wasmc run --tcplisten 127.0.0.1:"
expect gc_heap_limit "wasmc run --gc-heap-limit "
expect gc_heap_limit_eq "wasmc build --gc-heap-limit=6"
expect program_args "wasmc run app.wasm -- " +notes.txt +app.wasm
expect help_prefix "wasmc help i" =image =inspect
expect version_nothing "wasmc --version "

# ---- (c) the man page's lint ---------------------------------------------------

if ! command -v groff >/dev/null; then
  bad "groff: not installed (apt-get install groff)"
elif out=$(groff -man -ww -z "$MAN" 2>&1) && [[ -z $out ]]; then
  ok groff_ww
else
  bad "groff_ww: groff -man -ww -z dist/wasmc.1 warns" "$out"
fi
if command -v mandoc >/dev/null; then
  if out=$(mandoc -Tlint "$MAN" 2>&1) && [[ -z $out ]]; then ok mandoc_lint; else
    bad "mandoc_lint: mandoc -Tlint dist/wasmc.1 warns" "$out"; fi
else
  echo "note: mandoc not installed: mandoc -Tlint not run"
fi
if command -v man >/dev/null && man --help 2>&1 | grep -q -- --warnings; then
  if out=$(man --warnings -l "$MAN" 2>&1 >/dev/null) && [[ -z $out ]]; then
    ok man_warnings
  else
    bad "man_warnings: man --warnings -l dist/wasmc.1 warns" "$out"
  fi
else
  echo "note: man-db not installed: man --warnings not run"
fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
