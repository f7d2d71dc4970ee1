#!/usr/bin/env bash
# tsan-threads.sh: the thread tests under ThreadSanitizer (README
# "Testing"). Builds build-tsan/ (RelWithDebInfo, -DWASMC_TSAN=ON: the
# runtime, the WASI shim, the launcher, the harnesses and wasmc itself
# instrumented) and runs
#   - run-threads-tests.sh: the wasi-threads programs (progs/threads/)
#     under wasi-run, and threads.wasm as a `wasmc build` executable;
#   - the same programs in every mode under `wasmc run`, and as `wasmc
#     build` executables;
#   - tests/spec/threads/run (the harness's thread/wait commands) at -O2,
#     -O0 and with --bounds-checks;
#   - the threads proposal's spec files (proposals/threads/ of the spec
#     suite beside the checkout), where 3 MVP-era "multiple tables"
#     assertions, which Wasm 2.0 made valid, are the known failures.
# A check fails on a wrong exit code or output, or when ThreadSanitizer
# reported anything in any process it ran (reports go to files via
# TSAN_OPTIONS log_path, so forked harness children and `wasmc build`'s
# executables are covered too; they are printed under the check). The
# last line is "N passed, N failed".
#
# Coverage: the code wasmc generates is not instrumented, so races between
# Wasm threads on linear memory (the program's business: Wasm permits
# racy programs) are never reported; races in our C (runtime, WASI host,
# harness) are, including those reached from generated code (wait/notify,
# memory.grow, traps, WASI calls, thread-spawn). No suppressions are
# needed (see README "Testing").
#
#   tests/wasi/tsan-threads.sh            (WASMC_TSAN_BUILD: another dir)
set -o pipefail # not -u: check.sh tests WANT_ERR unset
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build=${WASMC_TSAN_BUILD:-$root/build-tsan}
spec_threads="$(cd "$root/.." && pwd)/shared/spec-testsuite/wasm-3.0/proposals/threads"
jobs=${WASMC_TSAN_JOBS:-$(nproc)}

echo "== build: $build (RelWithDebInfo, WASMC_TSAN=ON)"
start=$SECONDS
mkdir -p "$build"
if ! cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWASMC_TSAN=ON \
       -DWASMC_TESTS=ON >"$build/tsan-configure.log" 2>&1 ||
   ! cmake --build "$build" -j"$jobs" --target wasmc wasi-run wasmc-spec wasmc-wast2json \
       wasi_test_programs >"$build/tsan-build.log" 2>&1; then
  cat "$build/tsan-configure.log" "$build/tsan-build.log" 2>/dev/null | tail -40
  echo "tsan-threads: the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "built in $((SECONDS - start)) s"
start=$SECONDS

# shellcheck source=tests/wasi/check.sh disable=SC2154
. "$here/check.sh" # $tmp, check, pass/fail
bin=$build/tests/wasi
wasmc=$build/compiler/wasmc
logs=$tmp/tsan
mkdir -p "$logs"
# halt_on_error=0: every report of a run, not just the first.
tsan_base="halt_on_error=0:second_deadlock_stack=1"
export XDG_CACHE_HOME="$tmp/cache" # wasmc run's compile cache, private
export WASMC_RUN_WAIT=1 # no background compiles outliving the test

# tsan NAME: from now on, reports go to files of NAME's. tsan_end NAME
# HOW prints NAME's reports, if any, and counts them as a failure: HOW
# "passed" turns the check that just passed into one, "failed" only
# prints (the check failed already: TSan's exit code 66), "extra" adds one.
tsan() { export TSAN_OPTIONS="$tsan_base:log_path=$logs/$1"; }
tsan_end() {
  local reports
  reports=$(grep -l "ThreadSanitizer" "$logs/$1".* 2>/dev/null)
  [ -z "$reports" ] && return
  if [ "$2" = failed ]; then echo "   ($1: ThreadSanitizer reports)"
  else echo "FAIL $1: ThreadSanitizer reports"; fi
  # shellcheck disable=SC2086
  cat $reports
  case $2 in
    passed) pass=$((pass - 1)) fail=$((fail + 1)) ;;
    extra) fail=$((fail + 1)) ;;
  esac
}
# tcheck NAME WANT_RC WANT_OUT CMD...: check, under tsan.
tcheck() {
  local name=$1 before=$fail
  tsan "$name"
  check "$@"
  if [ "$fail" = "$before" ]; then tsan_end "$name" passed; else tsan_end "$name" failed; fi
}

echo "== run-threads-tests.sh (wasi-run; threads as an executable)"
tsan run-threads-tests
out=$(bash "$here/run-threads-tests.sh" "$bin/wasi-run" "$bin" "$wasmc" 2>&1)
# (its SKIPPED lines, if any, pass through: scripts/test checks them)
echo "$out" | grep -v '^[0-9]* passed, [0-9]* failed, [0-9]* skipped$'
p=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, [0-9]* skipped$/\1/p')
f=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, [0-9]* skipped$/\2/p')
pass=$((pass + ${p:-0})) fail=$((fail + ${f:-1}))
if [ "${f:-1}" = 0 ]; then tsan_end run-threads-tests extra; else tsan_end run-threads-tests failed; fi

# Each program and mode: the exit code, stdout and (for traps) stderr
# that run-threads-tests.sh wants.
threads_want="counters: 400000 1200000${NL}mutex: 100000 50000${NL}queue: 20000 items, sum 200010000${NL}ok"
modes() { # modes run|exe: every program and mode through that runner
  local pre=$1
  prog() { # P: the command running program $1
    if [ "$pre" = run ]; then P=("$wasmc" run "$bin/$1.wasm"); else P=("$tmp/$1"); fi
  }
  prog threads
  tcheck "${pre}_threads" 0 "$threads_want" timeout 120 "${P[@]}"
  prog thread_end
  tcheck "${pre}_thread_proc_exit" 7 "" timeout 60 "${P[@]}" -- exit
  WANT_ERR='trap in thread 1: unreachable' \
    tcheck "${pre}_thread_trap" 134 "" timeout 60 "${P[@]}" -- trap
  tcheck "${pre}_thread_main_returns" 3 "" timeout 60 "${P[@]}" -- main
  prog stress
  tcheck "${pre}_stress_wasi" 0 "wasi: ok" timeout 120 "${P[@]}" -- wasi
  tcheck "${pre}_stress_exit_all" 5 "" timeout 60 "${P[@]}" -- exit_all
  WANT_ERR='trap in thread 1: out of bounds memory access' \
    tcheck "${pre}_stress_oob" 134 "" timeout 60 "${P[@]}" -- oob
}

echo "== wasmc run"
modes run

echo "== wasmc build executables"
for p in threads thread_end stress; do
  tsan "build_$p"
  if ! "$wasmc" build "$bin/$p.wasm" -o "$tmp/$p" >"$tmp/err" 2>&1; then
    fail=$((fail + 1)); echo "FAIL build_$p: wasmc build"; cat "$tmp/err"
    tsan_end "build_$p" failed
  else
    tsan_end "build_$p" extra
  fi
done
modes exe

echo "== tests/spec/threads/run (thread/wait commands)"
for mode in "-O 2" "-O 0" "--bounds-checks"; do
  name="spec_threads_$(echo "$mode" | tr -d ' -')"
  # shellcheck disable=SC2086
  tcheck "$name" 0 "" sh -c "WASMC_BUILD='$build' '$root/tests/spec/threads/run' $mode \
    >'$tmp/spec.out' 2>&1 || { cat '$tmp/spec.out'; exit 1; }"
done

echo "== proposals/threads spec files"
if [ ! -d "$spec_threads" ]; then
  fail=$((fail + 1)); echo "FAIL spec_proposal_threads: no $spec_threads"
else
  tsan spec_proposal_threads
  WASMC_BUILD="$build" "$root/scripts/spectest" -j "$jobs" "$spec_threads" >"$tmp/prop.out" 2>&1
  # Known: the 3 "multiple tables" assert_invalid of imports.wast (MVP
  # rules; Wasm 2.0 allows several tables). Anything else fails.
  failed=$(sed -n 's/^[^ ]*: [0-9]* passed, \([0-9]*\) failed.*/\1/p' "$tmp/prop.out" | tail -n 1)
  known=$(grep -c 'was accepted (expected: "multiple tables")' "$tmp/prop.out")
  if [ -n "$failed" ] && [ "$failed" = "$known" ] && [ "$known" -le 3 ]; then
    pass=$((pass + 1)); echo "PASS spec_proposal_threads ($(tail -n 1 "$tmp/prop.out"); $known known)"
    tsan_end spec_proposal_threads passed
  else
    fail=$((fail + 1)); echo "FAIL spec_proposal_threads"; cat "$tmp/prop.out"
    tsan_end spec_proposal_threads failed
  fi
fi

echo "tests took $((SECONDS - start)) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
