#!/usr/bin/env bash
# bench/wasm2c/build.sh: build a WASI preview1 command module into a native
# executable with wabt's wasm2c and a C compiler at -O2: the "wasm2c" peer
# engine of bench/ (README.md here).
#
#   bench/wasm2c/build.sh IN.wasm OUT [CC]     (CC: default $CC, else clang)
#
# Environment: W2C_CFLAGS  extra flags for every C file (e.g. -march=native)
# wabt's default runtime configuration on x86-64: WASM_RT_MEMCHECK_SIGNAL_
# HANDLER=1 (8 GiB reservation with guard pages, no explicit bounds checks;
# SIGSEGV becomes an OOB trap, native stack overflow an exhaustion trap).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
die() { echo "wasm2c/build.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || [ $# -eq 3 ] || die "usage: build.sh IN.wasm OUT [CC]"
in="$1" out="$2" cc="${3:-${CC:-clang}}"
rtdir=/usr/share/wabt/wasm2c
read -ra extra <<<"${W2C_CFLAGS:-}"

[ -f "$in" ] || die "$in: no such file"
command -v wasm2c >/dev/null || die "no wasm2c (Debian package wabt)"
[ -f "$rtdir/wasm-rt-impl.c" ] || die "no $rtdir/wasm-rt-impl.c (Debian package wabt)"
command -v "$cc" >/dev/null || die "no C compiler '$cc'"
version="$(wasm2c --version)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# wasm2c 1.0.32 cannot translate SIMD: it aborts (SIGABRT) without a word.
# A module that validates, but not with SIMD disabled, uses SIMD.
if command -v wasm-validate >/dev/null; then
  wasm-validate "$in" 2>"$tmp/err" || die "$in: not a valid module: $(cat "$tmp/err")"
  wasm-validate --disable-simd "$in" 2>/dev/null ||
    die "$in uses SIMD (v128), which wasm2c $version cannot translate (wasm2c has SIMD from wabt 1.0.33); build it without -msimd128"
fi

# Fixed module name: main.c calls Z_guest_instantiate, Z_guestZ__start, ...
wasm2c "$in" -n guest -o "$tmp/guest.c" 2>"$tmp/err" ||
  die "wasm2c $version failed on $in (exit $?; 1.0.32 aborts silently on SIMD): $(cat "$tmp/err")"

# wasi_host.c provides wasi_snapshot_preview1 and nothing else.
other="$(sed -n "s|^/\* import: '\([^']*\)' '\([^']*\)' \*/\$|\1.\2|p" "$tmp/guest.h" |
  grep -v '^wasi_snapshot_preview1\.' || true)"
[ -z "$other" ] || die "$in imports what this host does not provide: ${other//$'\n'/ }"
grep -q 'Z_guestZ__start(' "$tmp/guest.h" || die "$in exports no _start (not a WASI command)"
grep -q 'Z_guestZ_memory(' "$tmp/guest.h" || die "$in exports no memory"

compile() { # SRC OBJ FLAGS...
  local src="$1" obj="$2"
  shift 2
  "$cc" -std=gnu17 -O2 "${extra[@]}" -I"$tmp" -I"$rtdir" "$@" -c "$src" -o "$obj" ||
    die "$cc failed on $(basename "$src")"
}
# wabt's code (generated and runtime) is not ours: its warnings are silenced.
# The runtime is built from source, not libwasm-rt-impl.a, so that any
# WASM_RT_* setting in W2C_CFLAGS applies to it and to the module alike.
compile "$tmp/guest.c" "$tmp/guest.o" -w
compile "$rtdir/wasm-rt-impl.c" "$tmp/wasm-rt-impl.o" -w
# WASI_HOST_CHECK: the generated prototypes check wasi_host.c's signatures.
compile "$here/wasi_host.c" "$tmp/wasi_host.o" -Wall -Wextra -DWASI_HOST_CHECK
compile "$here/main.c" "$tmp/main.o" -Wall -Wextra
"$cc" "${extra[@]}" "$tmp"/{guest,wasm-rt-impl,wasi_host,main}.o -lm -o "$out" ||
  die "$cc failed to link $out"
