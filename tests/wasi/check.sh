# check.sh: the assertion helper shared by the WASI test scripts (sourced).
# Sets up $tmp (removed on exit), $NL, the pass/fail counters and
#   check NAME WANT_RC WANT_STDOUT CMD...
# which runs CMD (stdin: $IN or /dev/null), compares exit code and stdout,
# and, when $WANT_ERR is set, requires stderr to match that grep -E
# pattern. The caller prints the counts with `summary`.
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
NL='
'

check() {
  name=$1 want_rc=$2 want_out=$3
  shift 3
  out=$("$@" <"${IN:-/dev/null}" 2>"$tmp/err")
  rc=$?
  ok=1
  [ "$rc" = "$want_rc" ] || ok=0
  [ "$out" = "$want_out" ] || ok=0
  if [ -n "$WANT_ERR" ] && ! grep -Eq -e "$WANT_ERR" "$tmp/err"; then ok=0; fi
  if [ $ok = 1 ]; then
    pass=$((pass + 1))
    echo "PASS $name"
  else
    fail=$((fail + 1))
    echo "FAIL $name: exit $rc (want $want_rc)"
    echo "--- stdout:"; echo "$out"
    echo "--- want:"; echo "$want_out"
    echo "--- stderr:"; cat "$tmp/err"
  fi
  unset WANT_ERR IN
}
