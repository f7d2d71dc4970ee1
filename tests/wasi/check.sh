# check.sh: the assertion helper shared by the WASI test scripts (sourced).
# Sets up $tmp (removed on exit), $NL, the pass/fail/skipped counters and
#   check NAME WANT_RC WANT_STDOUT CMD...
# which runs CMD (stdin: $IN or /dev/null), compares exit code and stdout,
# and, when $WANT_ERR is set, requires stderr to match that grep -E
# pattern;
#   skip NAME REASON
# for a check that cannot run here (never for a missing tool or file:
# that is a failure, naming it); and `finish`, which prints the counts and
# exits (some callers print "N passed, N failed" themselves).
pass=0
fail=0
skipped=0
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

# skip NAME REASON: printed as "SKIPPED: NAME: REASON" and counted, never
# as passed. scripts/test fails on it unless tests/allowed-skips.txt
# lists NAME for the suite.
skip() {
  skipped=$((skipped + 1))
  echo "SKIPPED: $1: $2"
}

# finish: "N passed, N failed, N skipped", then exit 1 if anything failed,
# else 77 if anything was skipped (the SKIP_RETURN_CODE of these tests in
# tests/wasi/CMakeLists.txt, so ctest reports them as skipped), else 0.
finish() {
  echo "$pass passed, $fail failed, $skipped skipped"
  [ "$fail" = 0 ] || exit 1
  [ "$skipped" = 0 ] || exit 77
  exit 0
}
