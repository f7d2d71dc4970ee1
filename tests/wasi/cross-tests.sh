#!/bin/sh
# cross-tests.sh ARCH WASMC WASM_DIR CROSS_BUILD [PYTHON_WASM]: the WASI
# tests for a foreign architecture under qemu-user. The test programs
# (WASM_DIR/*.wasm, built for the host's tests) are compiled by the build
# machine's wasmc with --target ARCH --shared, then run-tests.sh,
# run-fd-tests.sh and run-fs-tests.sh run them through the target's
# runner (CROSS_BUILD/tests/wasi/wasi-run, from scripts/cross-build) under
# qemu-ARCH with the cross sysroot (-L /usr/ARCH-linux-gnu; no binfmt).
# With PYTHON_WASM, python.wasm is also built as an ARCH executable
# (wasmc build --target ARCH -O0) and must print 5050. cpu-check-tests.sh
# checks that programs built beyond the baseline CPU refuse to start on
# qemu CPU models without the features and run on those with them.
# Prints each script's lines and a final "N passed, N failed".
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
trap 'rm -rf "$out"' EXIT
# The runner the scripts call: the target's wasi-run under qemu.
cat >"$out/run" <<EOS
#!/bin/sh
exec $qemu -L $sysroot "$CROSS/tests/wasi/wasi-run" "\$@"
EOS
chmod +x "$out/run"

pass=0 fail=0
for w in "$WASM_DIR"/*.wasm; do
  n=$(basename "$w" .wasm)
  if ! "$WASMC" compile --shared --target "$ARCH" "$w" -o "$out/$n.so" >"$out/err" 2>&1; then
    fail=$((fail + 1)); echo "FAIL compile $n for $ARCH"; cat "$out/err"
  fi
done

# Each script ends with "N passed, N failed": add_counts SCRIPT adds its
# log's counts to ours (a log without them is one failure).
add_counts() {
  grep -v '^PASS' "$out/log"
  counts=$(tail -n 1 "$out/log")
  p=$(echo "$counts" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
  f=$(echo "$counts" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
  if [ -z "$p" ]; then fail=$((fail + 1)); echo "FAIL $1: no counts"; return; fi
  pass=$((pass + p)) fail=$((fail + f))
}
for s in run-tests.sh run-fd-tests.sh run-fs-tests.sh run-threads-tests.sh; do
  echo "== $s ($ARCH, qemu)"
  # strace would see qemu's system calls, not the guest's: the scripts'
  # strace checks are for native runs only.
  WASI_TESTS_NO_STRACE=1 bash "$here/$s" "$out/run" "$out" >"$out/log" 2>&1
  add_counts "$s"
done

# Programs built beyond the baseline CPU, under qemu -cpu models with and
# without the features.
echo "== cpu-check-tests.sh ($ARCH, qemu)"
sh "$here/cpu-check-tests.sh" "$ARCH" "$WASMC" "$WASM_DIR/hello.wasm" >"$out/log" 2>&1
add_counts cpu-check-tests.sh

if [ -n "$PY" ]; then
  if "$WASMC" build --target "$ARCH" -O0 "$PY" -o "$out/python" >"$out/err" 2>&1; then
    got=$("$qemu" -L "$sysroot" "$out/python" -c 'print(sum(range(101)))' 2>"$out/err")
    if [ "$got" = 5050 ]; then pass=$((pass + 1)); echo "PASS python_5050 ($ARCH)"
    else fail=$((fail + 1)); echo "FAIL python_5050 ($ARCH): '$got'"; cat "$out/err"; fi
  else
    fail=$((fail + 1)); echo "FAIL build python for $ARCH"; cat "$out/err"
  fi
fi

echo "$ARCH: $pass passed, $fail failed"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
