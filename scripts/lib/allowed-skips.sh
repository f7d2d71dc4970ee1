# allowed-skips.sh: reads tests/allowed-skips.txt, the one list of checks
# that may be skipped without failing the test suite (README "Tests").
# Sourced (bash) by scripts/test, tests/containers/run and
# tests/containers/registry:
#
#   allowed_skips_load [FILE]  reads the list into ALLOWED_SKIPS (key
#                              "SUITE NAME", value the reason) and
#                              ALLOWED_SKIPS_ORDER (the keys in file order);
#                              false + a message on stderr when the file is
#                              missing or an entry has no reason
#   allowed_skip SUITE NAME    true when the list has that entry
#
# An entry is a line "SUITE NAME # reason": SUITE is a suite name of
# scripts/test (unit+robust for ctest, whose NAME is TEST or TEST/CHECK),
# NAME the name in the check's "SKIPPED: NAME: reason" line. Blank lines
# and lines starting with '#' are comments.
ALLOWED_SKIPS_FILE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/allowed-skips.txt
declare -A ALLOWED_SKIPS=()
ALLOWED_SKIPS_ORDER=()

allowed_skips_load() {
  local file=${1:-$ALLOWED_SKIPS_FILE} line suite name rest n=0 ok=0
  ALLOWED_SKIPS=() ALLOWED_SKIPS_ORDER=()
  if [[ ! -f $file ]]; then
    echo "allowed-skips: $file is missing" >&2
    return 1
  fi
  while IFS= read -r line || [[ -n $line ]]; do
    n=$((n + 1))
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    read -r suite name rest <<<"${line%%#*}"
    if [[ -z $name || -n $rest || $line != *"#"* || -z ${line#*#} ]]; then
      echo "allowed-skips: $file:$n: want \"SUITE NAME # reason\", got: $line" >&2
      ok=1
      continue
    fi
    rest=${line#*#}
    rest=${rest#"${rest%%[![:space:]]*}"}
    ALLOWED_SKIPS["$suite $name"]=$rest
    ALLOWED_SKIPS_ORDER+=("$suite $name")
  done <"$file"
  return "$ok"
}

allowed_skip() {
  [[ -n ${ALLOWED_SKIPS["$1 $2"]+x} ]]
}
