#!/bin/sh
# run-threads-tests.sh WASI_RUN DIR [WASMC]: the wasi-threads programs
# (progs/threads/: threads.c, thread_end.c, built with the thread-start
# shim of that folder) under the runner: atomic counters, a wait/notify
# mutex and a producer/consumer queue across threads; proc_exit and a
# trap in a spawned thread, and main returning, end the whole program
# with their status; stress.c hits the runtime's and the WASI host's
# shared paths from several threads at once (WASI calls while the memory
# grows and threads spawn threads, proc_exit in all threads at once, an
# out-of-bounds fault in a thread). With WASMC, also as a `wasmc build`
# executable (built with the options in $WASI_TESTS_BUILD_OPTS and run
# through the command in $WASI_TESTS_EXEC, if set: cross-tests.sh builds
# for ARCH and runs it under qemu); without, that check is SKIPPED.
# Prints "N passed, N failed, N skipped"; exits 1 when anything failed,
# 77 when something was skipped.
RUN=$1
DIR=$2
WASMC=${3:-}
. "$(dirname "$0")/check.sh"

want="counters: 400000 1200000${NL}mutex: 100000 50000${NL}queue: 20000 items, sum 200010000${NL}ok"
check threads 0 "$want" "$RUN" "$DIR/threads.so"
check thread_proc_exit 7 "" timeout 60 "$RUN" "$DIR/thread_end.so" -- exit
WANT_ERR='trap in thread 1: unreachable' \
  check thread_trap 134 "" timeout 60 "$RUN" "$DIR/thread_end.so" -- trap
check thread_main_returns 3 "" timeout 60 "$RUN" "$DIR/thread_end.so" -- main
check stress_wasi 0 "wasi: ok" timeout 60 "$RUN" "$DIR/stress.so" -- wasi
check stress_exit_all 5 "" timeout 60 "$RUN" "$DIR/stress.so" -- exit_all
WANT_ERR='trap in thread 1: out of bounds memory access' \
  check stress_oob 134 "" timeout 60 "$RUN" "$DIR/stress.so" -- oob
# (the two variables are lists of words: unquoted on purpose)
if [ -z "$WASMC" ]; then
  skip threads_executable "no WASMC argument: the executable was not built"
elif "$WASMC" build ${WASI_TESTS_BUILD_OPTS:-} "$DIR/threads.wasm" -o "$tmp/threads" >"$tmp/err" 2>&1; then
  check threads_executable 0 "$want" ${WASI_TESTS_EXEC:-} "$tmp/threads"
else
  fail=$((fail + 1)); echo "FAIL threads_executable: wasmc build"; cat "$tmp/err"
fi
finish
