#!/bin/sh
# run-tests.sh WASI_RUN DIR: runs the WASI test programs (DIR/*.so, built
# by tests/wasi/CMakeLists.txt) under the runner and checks stdout, exit
# code and, where given, a stderr pattern. Prints "N passed, N failed,
# N skipped"; exits 1 when anything failed.
RUN=$1
DIR=$2
. "$(dirname "$0")/check.sh"

check hello 0 "hello, wasi" "$RUN" "$DIR/hello.so"

check args_env 0 "argc=4${NL}argv[1]=one${NL}argv[2]=two words${NL}argv[3]=${NL}env:A=1${NL}env:B=x=y${NL}nenv=2" \
  "$RUN" "$DIR/args_env.so" --env A=1 --env B=x=y -- one "two words" ""
# The host's environment is not visible to the guest.
check env_isolated 0 "argc=1${NL}nenv=0" env SECRET=1 "$RUN" "$DIR/args_env.so"

check exit_3 3 "exiting with 3" "$RUN" "$DIR/exit_code.so" -- exit 3
check exit_0 0 "exiting with 0" "$RUN" "$DIR/exit_code.so" -- exit 0
check exit_255 255 "exiting with 255" "$RUN" "$DIR/exit_code.so" -- exit 255
check return_7 7 "returning 7" "$RUN" "$DIR/exit_code.so" -- return 7
check return_0 0 "returning 0" "$RUN" "$DIR/exit_code.so" -- return 0

check clock 0 "monotonic increases: yes${NL}res ok: yes${NL}realtime after 2020: yes${NL}bad clock id: 28" \
  "$RUN" "$DIR/clock.so"
check random 0 "differ: yes${NL}nonzero: yes" "$RUN" "$DIR/random.so"

printf 'hello\nstdin\n' >"$tmp/in"
IN="$tmp/in" check stdin 0 "HELLO${NL}STDIN${NL}bytes=12" "$RUN" "$DIR/stdin.so"
check stdin_empty 0 "bytes=0" "$RUN" "$DIR/stdin.so"

mkdir -p "$tmp/bp"
check badptr 0 "fd_write bad iovs: 21${NL}fd_write bad buf: 21${NL}fd_write bad nwritten: 21${NL}fd_read bad buf: 21${NL}random_get bad: 21${NL}random_get huge: 21${NL}args_sizes_get bad: 21${NL}environ_get bad: 21${NL}clock_time_get bad: 21${NL}fd_fdstat_get bad: 21${NL}fd_write closed fd: 8${NL}fd_prestat_get stdout: 8${NL}fd_filestat_get: 0${NL}\
fd_filestat_get bad: 21${NL}fd_pread bad iovs: 21${NL}fd_pread bad buf: 21${NL}fd_pread bad nread: 21${NL}fd_pwrite bad buf: 21${NL}fd_pwrite bad nwritten: 21${NL}\
fd_readdir bad buf: 21${NL}fd_readdir huge len: 21${NL}fd_readdir bad bufused: 21${NL}poll_oneoff bad in: 21${NL}poll_oneoff bad out: 21${NL}poll_oneoff bad nevents: 21${NL}poll_oneoff huge count: 21${NL}\
sock_accept bad: 21${NL}sock_recv bad iovs: 21${NL}sock_recv bad buf: 21${NL}sock_recv bad roflags: 21${NL}sock_send bad buf: 21${NL}sock_send bad size: 21${NL}still alive" \
  "$RUN" "$DIR/badptr.so" --dir "$tmp/bp::/d" --tcplisten 127.0.0.1:0 --

mkdir -p "$tmp/d1" "$tmp/d2"
printf 'abcdefgh' >"$tmp/seekable"
IN="$tmp/seekable" check fdops 0 "fdstat(1): 0${NL}seek stdin: ok, read 'def', tell=6${NL}preopen fd 3: /sandbox (filetype 3)${NL}preopen fd 4: data (filetype 3)${NL}close(3): 0, again: 8${NL}prestat_dir_name short: 37" \
  "$RUN" "$DIR/fdops.so" --dir "$tmp/d1::/sandbox" --dir "$tmp/d2::data" --
# A pipe does not seek: ESPIPE (70).
out=$(printf 'abcdefgh' | "$RUN" "$DIR/fdops.so" 2>&1 | sed -n 2p)
if [ "$out" = "seek stdin: errno 70" ]; then pass=$((pass + 1)); echo "PASS fdops_pipe"
else fail=$((fail + 1)); echo "FAIL fdops_pipe: $out"; fi
WANT_ERR="--dir '.*nonexistent': No such file or directory" check missing_dir 2 "" "$RUN" "$DIR/hello.so" --dir "$tmp/nonexistent" --

# --gc-heap-limit SIZE: bytes, or K/M/G in either case (powers of 1024),
# more than 0; anything else exits 2 naming it. (Its effect on a GC
# program: build-tests.sh and run-cache-tests.sh.)
check gc_limit_bytes 0 "hello, wasi" "$RUN" "$DIR/hello.so" --gc-heap-limit 65536 --
check gc_limit_suffixes 0 "hello, wasi" "$RUN" "$DIR/hello.so" --gc-heap-limit 4M \
  --gc-heap-limit=512k --gc-heap-limit 1g --gc-heap-limit=17179869183G --
gc_syntax="expected a number of bytes with an optional suffix K, M or G"
WANT_ERR="^wasi-run: --gc-heap-limit '0': must be more than 0\$" \
  check gc_limit_zero 2 "" "$RUN" "$DIR/hello.so" --gc-heap-limit 0 --
WANT_ERR="--gc-heap-limit '0K': must be more than 0" \
  check gc_limit_zero_k 2 "" "$RUN" "$DIR/hello.so" --gc-heap-limit 0K --
WANT_ERR="--gc-heap-limit '-1': $gc_syntax" \
  check gc_limit_negative 2 "" "$RUN" "$DIR/hello.so" --gc-heap-limit -1 --
WANT_ERR="--gc-heap-limit '12X': $gc_syntax" \
  check gc_limit_bad_suffix 2 "" "$RUN" "$DIR/hello.so" --gc-heap-limit 12X --
WANT_ERR="--gc-heap-limit '4MB': $gc_syntax" \
  check gc_limit_suffix_b 2 "" "$RUN" "$DIR/hello.so" --gc-heap-limit=4MB --
WANT_ERR="--gc-heap-limit '': $gc_syntax" \
  check gc_limit_empty 2 "" "$RUN" "$DIR/hello.so" --gc-heap-limit "" --
WANT_ERR="--gc-heap-limit '': $gc_syntax" \
  check gc_limit_empty_eq 2 "" "$RUN" "$DIR/hello.so" --gc-heap-limit= --
# 2^64 bytes, in bytes and in G: one past the most (17179869183G is below it)
WANT_ERR="--gc-heap-limit '18446744073709551616': too large" \
  check gc_limit_overflow 2 "" "$RUN" "$DIR/hello.so" --gc-heap-limit 18446744073709551616 --
WANT_ERR="--gc-heap-limit '17179869184G': too large" \
  check gc_limit_overflow_g 2 "" "$RUN" "$DIR/hello.so" --gc-heap-limit 17179869184G --
WANT_ERR="--gc-heap-limit needs a value" \
  check gc_limit_missing 2 "" "$RUN" "$DIR/hello.so" --gc-heap-limit --
WANT_ERR="unknown launcher option '--gc-heap'.*--gc-heap-limit SIZE" \
  check gc_limit_unknown_prefix 2 "" "$RUN" "$DIR/hello.so" --gc-heap 4M --

# (From bad_import.wat, bad_sig.wat and trap.wat by wat2wasm: a missing
# .so fails its check, naming the file.)
WANT_ERR="unknown WASI import wasi_snapshot_preview1\.fd_frobnicate" \
  check unknown_import 2 "" "$RUN" "$DIR/bad_import.so"
WANT_ERR="fd_write has type \[i32 i32\] -> \[i32\], expected \[i32 i32 i32 i32\] -> \[i32\]" \
  check bad_signature 2 "" "$RUN" "$DIR/bad_sig.so"
WANT_ERR="trap: unreachable" check trap 134 "" "$RUN" "$DIR/trap.so"

finish
