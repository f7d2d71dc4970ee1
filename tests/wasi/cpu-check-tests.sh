#!/bin/sh
# cpu-check-tests.sh ARCH WASMC HELLO_WASM: programs built
# with --cpu/--features beyond ARCH's baseline check the CPU at start-up
# (runtime/cpu_check.c): on a machine without a feature they exit 2 with
# a message naming it and how the program was built, never SIGILL; where
# the features are there they run. HELLO_WASM prints "hello, wasi"
# (tests/wasi/progs/hello.c).
#   x86_64   natively: a table feature this machine lacks is picked from
#            /proc/cpuinfo (if none is missing, that test is SKIPPED by
#            name and not counted as passed; exit 77 for ctest), built
#            with --features +IT as an executable and run through
#            `wasmc run`; --cpu native and --cpu x86-64-v2 run.
#   aarch64  under qemu-aarch64 (-L /usr/aarch64-linux-gnu) with chosen
#            -cpu models: --cpu neoverse-n1 on a cortex-a53, +sve on a
#            neoverse-n1, both on `max`.
#   riscv64  under qemu-riscv64: +v without and with V, +zvl256b with a
#            128- and a 256-bit VLEN, and +zba,+zbb, which a kernel
#            without riscv_hwprobe (qemu-user before 8.1) cannot confirm.
# aarch64 and riscv64 executables link the archives of scripts/cross-build
# (build-ARCH/), which wasmc finds itself.
# Prints "N passed, N failed, N skipped"; exits 1 when anything failed,
# 77 when something was skipped.
ARCH=$1 WASMC=$2 HELLO=$3
if [ -z "$HELLO" ]; then
  echo "usage: cpu-check-tests.sh ARCH WASMC HELLO_WASM" >&2
  exit 2
fi
. "$(dirname "$0")/check.sh"
REFUSE='this program was compiled for CPU features this machine'

# build NAME ARGS...: wasmc build for ARCH, counted as a test of its own.
build() {
  name=$1
  shift
  if "$WASMC" build --target "$ARCH" "$@" >"$tmp/err" 2>&1; then
    pass=$((pass + 1)); echo "PASS build_$name"
  else
    fail=$((fail + 1)); echo "FAIL build_$name"; cat "$tmp/err"
  fi
}

# on CPU EXE...: runs EXE natively (CPU "-") or under qemu-ARCH -cpu CPU.
on() {
  cpu=$1
  shift
  if [ "$cpu" = - ]; then "$@"
  else "qemu-$ARCH" -L "/usr/$ARCH-linux-gnu" -cpu "$cpu" "$@"; fi
}

# runs NAME CPU EXE: starts and prints "hello, wasi".
runs() {
  check "$1" 0 "hello, wasi" on "$2" "$3"
}

# refuses NAME CPU EXE BUILT_WITH FEATURE...: exit 2 (the launcher's
# set-up error), nothing on stdout, and one message naming every FEATURE
# and the options the program was built with.
refuses() {
  name=$1 cpu=$2 exe=$3 built=$4
  shift 4
  pat="^$(basename "$exe"): $REFUSE (lacks|cannot confirm): "
  for f in "$@"; do pat="$pat.*\\b$f\\b"; done
  WANT_ERR="$pat.* \\(built with $built\\); rebuild it" check "$name" 2 "" on "$cpu" "$exe"
}

case $ARCH in
x86_64)
  # LLVM feature name : /proc/cpuinfo flag, in two groups: AMD-only
  # extensions, and Intel ones from AVX-512 on (then AVX2/AVX for older
  # CPUs). The kernel has named these flags for years, so a missing flag
  # means a missing feature. The first missing one of each group is
  # tested (the Intel one also exercises the XCR0 state check).
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  first_missing() {
    for c in "$@"; do
      case $flags in *" ${c#*:} "*) ;; *) echo "${c%%:*}"; return ;; esac
    done
  }
  amd=$(first_missing xop:xop fma4:fma4 tbm:tbm sse4a:sse4a)
  intel=$(first_missing avx512vp2intersect:avx512_vp2intersect amx-fp16:amx_fp16 \
            cmpccxadd:cmpccxadd avxifma:avx_ifma avx512fp16:avx512_fp16 \
            avx512f:avx512f avx2:avx2 avx:avx)

  build baseline "$HELLO" -o "$tmp/base"
  runs baseline_runs - "$tmp/base"
  for missing in $amd $intel; do
    echo "(this machine lacks $missing)"
    build "missing_$missing" "$HELLO" --features "+$missing" -o "$tmp/app_$missing"
    refuses "refuses_missing_$missing" - "$tmp/app_$missing" "--features \\+$missing" "$missing"
  done
  if [ -n "$amd$intel" ]; then
    # wasmc run: the same check through wasmrt_module_load (the
    # embedding API), with wasmc's own exit code for a failed load.
    missing=${intel:-$amd}
    mkdir -p "$tmp/cache"
    WANT_ERR="^wasmc: error: .*: $REFUSE lacks: .*\\b$missing\\b" \
      check run_refuses_missing_feature 1 "" \
      env XDG_CACHE_HOME="$tmp/cache" WASMC_RUN_WAIT=1 "$WASMC" run --features "+$missing" "$HELLO"
  else
    skip refuses_missing_feature "none of the candidate features is missing on this machine"
  fi
  build native "$HELLO" --cpu native -o "$tmp/native"
  runs native_runs - "$tmp/native"
  build v2 "$HELLO" --cpu x86-64-v2 -o "$tmp/v2"
  # x86-64-v2: SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT (cx16, sahf unchecked).
  v2=yes
  for f in pni ssse3 sse4_1 sse4_2 popcnt; do
    case $flags in *" $f "*) ;; *) v2= ;; esac
  done
  if [ -n "$v2" ]; then runs x86_64_v2_runs - "$tmp/v2"
  else refuses x86_64_v2_refuses - "$tmp/v2" "--cpu x86-64-v2" ""; fi
  ;;
aarch64)
  command -v qemu-aarch64 >/dev/null || { echo "FAIL: qemu-aarch64 not found"; echo "0 passed, 1 failed"; exit 1; }
  build baseline "$HELLO" -o "$tmp/base"
  runs baseline_on_cortex_a53 cortex-a53 "$tmp/base"
  build neoverse_n1 "$HELLO" --cpu neoverse-n1 -o "$tmp/n1"
  refuses n1_refuses_on_cortex_a53 cortex-a53 "$tmp/n1" "--cpu neoverse-n1" lse rdm fullfp16 dotprod rcpc
  runs n1_runs_on_neoverse_n1 neoverse-n1 "$tmp/n1"
  runs n1_runs_on_max max "$tmp/n1"
  build sve "$HELLO" --features +sve -o "$tmp/sve"
  refuses sve_refuses_on_neoverse_n1 neoverse-n1 "$tmp/sve" "--features \\+sve" sve
  runs sve_runs_on_max max "$tmp/sve"
  ;;
riscv64)
  command -v qemu-riscv64 >/dev/null || { echo "FAIL: qemu-riscv64 not found"; echo "0 passed, 1 failed"; exit 1; }
  novec=rv64,v=false
  vec128=rv64,v=true,vext_spec=v1.0,vlen=128
  vec256=rv64,v=true,vext_spec=v1.0,vlen=256
  build baseline "$HELLO" -o "$tmp/base"
  runs baseline_runs_without_v "$novec" "$tmp/base"
  build v "$HELLO" --features +v -o "$tmp/v"
  refuses v_refuses_without_v "$novec" "$tmp/v" "--features \\+v" v zve64d zvl128b
  runs v_runs_with_v "$vec128" "$tmp/v"
  build zvl256b "$HELLO" --features +v,+zvl256b -o "$tmp/zvl"
  refuses zvl256b_refuses_at_vlen_128 "$vec128" "$tmp/zvl" "--features \\+v,\\+zvl256b" zvl256b
  runs zvl256b_runs_at_vlen_256 "$vec256" "$tmp/zvl"
  # riscv_hwprobe came to qemu-user in 8.1: before, zba/zbb cannot be
  # confirmed and must be refused as such; with it, qemu's rv64 has them.
  build zb "$HELLO" --features +zba,+zbb -o "$tmp/zb"
  v=$(qemu-riscv64 --version | sed -n '1s/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
  if [ "${v% *}" -lt 8 ] || { [ "${v% *}" = 8 ] && [ "${v#* }" -lt 1 ]; }; then
    WANT_ERR="^zb: $REFUSE cannot confirm: zba, zbb \\(this kernel has no riscv_hwprobe\\) \\(built with --features \\+zba,\\+zbb\\)" \
      check zb_unconfirmed_without_hwprobe 2 "" on rv64 "$tmp/zb"
  else
    runs zb_runs_with_hwprobe rv64 "$tmp/zb"
  fi
  ;;
*)
  echo "cpu-check-tests: unsupported architecture '$ARCH'" >&2
  exit 2
  ;;
esac

finish
