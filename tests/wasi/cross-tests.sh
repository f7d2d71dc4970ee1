#!/bin/sh
# cross-tests.sh ARCH WASMC WASM_DIR CROSS_BUILD [PYTHON_WASM]: the WASI
# tests for a foreign architecture under qemu-user. The test programs
# (WASM_DIR/*.wasm, built for the host's tests) are compiled by the build
# machine's wasmc with --target ARCH --shared, then run-tests.sh,
# run-fd-tests.sh, run-fs-tests.sh and run-threads-tests.sh run them
# through the target's runner (CROSS_BUILD/tests/wasi/wasi-run, from
# scripts/cross-build) under qemu-ARCH with the cross sysroot (-L
# /usr/ARCH-linux-gnu; no binfmt); the threads program also as an ARCH
# executable under qemu. python.wasm is built as an ARCH executable
# (wasmc build --target ARCH -O0) and must print 5050: a PYTHON_WASM that
# is not there fails, naming it; without the argument that check is
# SKIPPED. cpu-check-tests.sh checks that programs built beyond the
# baseline CPU refuse to start on qemu CPU models without the features
# and run on those with them. A -g executable's trap prints its Wasm call
# stack (trap_backtrace). gdb_qemu debugs a -g executable (the real C
# program tests/debug/progs/calls.c, built with clang -g) with
# gdb-multiarch through qemu's gdbstub: a breakpoint by source line stops
# in divide with its arguments, and bt lists divide, level2, level1, main,
# innermost first.
# Prints each script's lines but its passes (SKIPPED lines included) and a
# final "N passed, N failed, N skipped"; exits 1 when anything failed.
ARCH=$1 WASMC=$2 WASM_DIR=$3 CROSS=$4 PY=${5:-}
if [ -z "$CROSS" ]; then
  echo "usage: cross-tests.sh ARCH WASMC WASM_DIR CROSS_BUILD [PYTHON_WASM]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
qemu=qemu-$ARCH
sysroot=/usr/$ARCH-linux-gnu
command -v "$qemu" >/dev/null || { echo "cross-tests: $qemu not found (Debian package qemu-user)"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$CROSS/tests/wasi/wasi-run" ] ||
  { echo "cross-tests: no $CROSS/tests/wasi/wasi-run (scripts/cross-build $ARCH)"; echo "0 passed, 1 failed"; exit 1; }

out=$(mktemp -d)
# qpid: a qemu waiting for gdb in the background (gdb_qemu), killed if the
# script ends first (with no job control, sh starts it ignoring SIGINT).
qpid=
trap '[ -z "$qpid" ] || kill -KILL "$qpid" 2>/dev/null; rm -rf "$out"' EXIT
trap 'exit 130' INT TERM
# The runner the scripts call: the target's wasi-run under qemu.
cat >"$out/run" <<EOS
#!/bin/sh
exec $qemu -L $sysroot "$CROSS/tests/wasi/wasi-run" "\$@"
EOS
chmod +x "$out/run"

pass=0 fail=0 skipped=0
for w in "$WASM_DIR"/*.wasm; do
  n=$(basename "$w" .wasm)
  cp "$w" "$out/" # beside its .so, where the scripts look for it
  if ! "$WASMC" compile --shared --target "$ARCH" "$w" -o "$out/$n.so" >"$out/err" 2>&1; then
    fail=$((fail + 1)); echo "FAIL compile $n for $ARCH"; cat "$out/err"
  fi
done

# Each script ends with "N passed, N failed[, N skipped]": add_counts
# SCRIPT adds its log's counts to ours (a log without them is one
# failure).
add_counts() {
  grep -v '^PASS' "$out/log"
  counts=$(tail -n 1 "$out/log")
  re='^\([0-9]*\) passed, \([0-9]*\) failed\(, \([0-9]*\) skipped\)\{0,1\}$'
  p=$(echo "$counts" | sed -n "s/$re/\\1/p")
  f=$(echo "$counts" | sed -n "s/$re/\\2/p")
  k=$(echo "$counts" | sed -n "s/$re/\\4/p")
  if [ -z "$p" ]; then fail=$((fail + 1)); echo "FAIL $1: no counts"; return; fi
  pass=$((pass + p)) fail=$((fail + f)) skipped=$((skipped + ${k:-0}))
}
for s in run-tests.sh run-fd-tests.sh run-fs-tests.sh run-threads-tests.sh; do
  echo "== $s ($ARCH, qemu)"
  # strace would see qemu's system calls, not the guest's, and qemu-user
  # 7.2 has no openat2 (the guest gets ENOSYS): the strace checks, named
  # as skipped (tests/allowed-skips.txt), are for native runs.
  # run-threads-tests.sh also builds threads.wasm as an ARCH executable.
  set -- "$out/run" "$out"
  [ "$s" = run-threads-tests.sh ] && set -- "$@" "$WASMC"
  WASI_TESTS_NO_STRACE="under $qemu, strace sees qemu's system calls and qemu has no openat2" \
  WASI_TESTS_BUILD_OPTS="--target $ARCH" WASI_TESTS_EXEC="$qemu -L $sysroot" \
    bash "$here/$s" "$@" >"$out/log" 2>&1
  add_counts "$s"
done

# Programs built beyond the baseline CPU, under qemu -cpu models with and
# without the features.
echo "== cpu-check-tests.sh ($ARCH, qemu)"
sh "$here/cpu-check-tests.sh" "$ARCH" "$WASMC" "$WASM_DIR/hello.wasm" >"$out/log" 2>&1
add_counts cpu-check-tests.sh

# A trap's Wasm call stack on this architecture (-g: unwind tables; the
# fault handler walks out of the signal frame): an out-of-bounds load in
# func[1], called by func[2], called by func[3] (_start).
cat >"$out/chain.wat" <<'EOW'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $inner (param i32) (result i32) (i32.load (local.get 0)))
  (func $middle (param i32) (result i32)
    (i32.add (call $inner (local.get 0)) (i32.const 1)))
  (func $outer (export "_start") (drop (call $middle (i32.const -4)))))
EOW
if "$WASMC" build --target "$ARCH" -O0 -g "$out/chain.wat" -o "$out/chain" >"$out/err" 2>&1; then
  "$qemu" -L "$sysroot" "$out/chain" >/dev/null 2>"$out/err"
  got=$(sed -n 's/^  #[0-9]* *\(func\[[0-9]*\]\).*/\1/p' "$out/err" | tr '\n' ' ')
  if grep -q 'out of bounds memory access' "$out/err" && [ "$got" = "func[1] func[2] func[3] " ]; then
    pass=$((pass + 1)); echo "PASS trap_backtrace ($ARCH): $got"
  else
    fail=$((fail + 1)); echo "FAIL trap_backtrace ($ARCH): frames '$got'"; cat "$out/err"
  fi
else
  fail=$((fail + 1)); echo "FAIL build chain.wat -g for $ARCH"; cat "$out/err"
fi

# gdb on this architecture through qemu-user's gdbstub (qemu -g; issue
# 16): calls.c (tests/debug/progs, as tests/debug/run builds it: compiled
# and linked in two steps, since clang's driver runs wasm-opt when it
# links with -O and that drops the name section, so no function names).
# Run without arguments it traps in main -> level1 -> level2 -> divide
# (the third level2 call divides by zero). Built at -O0 so that wasmc's
# inliner keeps the four functions four frames. The executable is
# dynamic: gdb reads ld.so and libc from the cross sysroot.
# calls.c is built with -g, so its module carries DWARF of the C source,
# which wasmc -g translates: the breakpoint is by source line (divide's),
# and the stop must name divide with its arguments (the first call:
# divide(100, 2)) at calls.c:LINE.
line=$(grep -n '^__attribute__((noinline)) int divide' "$here/../debug/progs/calls.c" | cut -d: -f1)
bp=calls.c:$line
cc=${WASMC_WASI_CC:-clang}
if ! command -v gdb-multiarch >/dev/null; then
  fail=$((fail + 1)); echo "FAIL gdb_qemu ($ARCH): gdb-multiarch not found (Debian package gdb-multiarch, scripts/install-deps)"
elif ! { "$cc" --target=wasm32-wasi -g -O1 -c "$here/../debug/progs/calls.c" -o "$out/calls.o" &&
         "$cc" --target=wasm32-wasi "$out/calls.o" -o "$out/calls.wasm"; } >"$out/err" 2>&1; then
  fail=$((fail + 1)); echo "FAIL gdb_qemu ($ARCH): $cc --target=wasm32-wasi could not build calls.c"; cat "$out/err"
elif ! "$WASMC" build --target "$ARCH" -O0 -g "$out/calls.wasm" -o "$out/calls" >"$out/err" 2>&1; then
  fail=$((fail + 1)); echo "FAIL build calls.wasm -g for $ARCH"; cat "$out/err"
else
  # The gdbstub listens on a Unix socket in our temporary directory (qemu
  # -g takes a path as well as a port): no port to pick that another
  # run could hold (mktemp -d's path is short enough for a socket's).
  # qemu creates it, then waits for gdb before the first guest
  # instruction; a qemu that cannot start ends the wait.
  sock=$out/gdb.sock
  "$qemu" -L "$sysroot" -g "$sock" "$out/calls" >"$out/qemu.out" 2>"$out/qemu.err" &
  qpid=$!
  i=0
  while [ ! -S "$sock" ] && [ $i -lt 100 ] && kill -0 "$qpid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
  # timeout: a gdb that never gets its stop (or a gdbstub that never
  # answers) must not hang the suite; qemu is killed either way (after
  # gdb's kill it has exited already). frame-info location: the stop
  # prints its location only, not the text of the source line (for a
  # function without the module's DWARF that would be a line of the
  # .wasm file, binary).
  timeout 120 gdb-multiarch -batch -nx -ex 'set pagination off' \
    -ex 'set print frame-info location' -ex "set sysroot $sysroot" \
    -ex "file $out/calls" -ex "target remote $sock" -ex "break $bp" \
    -ex continue -ex bt -ex kill >"$out/gdb" 2>&1
  rc=$?
  kill -KILL "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null; qpid=
  # The frames of bt (lines "#N  [0xADDR in ]NAME (ARGS) at FILE:LINE"),
  # innermost first; the launcher's frames follow main's.
  got=$(sed -n 's/^#[0-9]* *\(0x[0-9a-f]* in \)\{0,1\}\([A-Za-z_0-9.]*\) (.*/\2/p' "$out/gdb" | tr '\n' ' ')
  if ! grep -q "^Breakpoint 1, \(0x[0-9a-f]* in \)\{0,1\}divide (a=100, b=2) at [^ ]*calls\.c:$line\$" "$out/gdb"; then
    fail=$((fail + 1)); echo "FAIL gdb_qemu ($ARCH): break $bp did not stop in divide (a=100, b=2) at calls.c:$line (gdb exit $rc; 124: timed out)"
    tail -n 20 "$out/gdb"; cat "$out/qemu.err"
  else
    case $got in
      "divide level2 level1 main "*)
        pass=$((pass + 1)); echo "PASS gdb_qemu ($ARCH): break $bp, bt: $got" ;;
      *)
        fail=$((fail + 1)); echo "FAIL gdb_qemu ($ARCH): bt '$got', expected divide level2 level1 main first"
        tail -n 20 "$out/gdb" ;;
    esac
  fi
fi

if [ -z "$PY" ]; then
  skipped=$((skipped + 1)); echo "SKIPPED: python_5050: no PYTHON_WASM argument"
elif [ ! -f "$PY" ]; then
  fail=$((fail + 1)); echo "FAIL python_5050 ($ARCH): no python.wasm at $PY (tests/e2e/python-validate fetches it with npm)"
else
  if "$WASMC" build --target "$ARCH" -O0 "$PY" -o "$out/python" >"$out/err" 2>&1; then
    got=$("$qemu" -L "$sysroot" "$out/python" -c 'print(sum(range(101)))' 2>"$out/err")
    if [ "$got" = 5050 ]; then pass=$((pass + 1)); echo "PASS python_5050 ($ARCH)"
    else fail=$((fail + 1)); echo "FAIL python_5050 ($ARCH): '$got'"; cat "$out/err"; fi
  else
    fail=$((fail + 1)); echo "FAIL build python for $ARCH"; cat "$out/err"
  fi
fi

echo "$ARCH: $pass passed, $fail failed, $skipped skipped"
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
