#!/bin/sh
# build-tests.sh [--static] WASMC DIR HELLO_WASM: `wasmc build` turns WASI
# programs (DIR/*.wasm, built by tests/wasi/CMakeLists.txt, and the
# example HELLO_WASM) into standalone executables; checks their stdout,
# the launcher's --env/--dir/`--` handling, grants baked in with build
# --dir/--env, exit codes (exit(n), trap -> 134, launcher errors -> 2),
# and --gc-heap-limit on a GC program (gc_grow.wat, which wasmc reads
# itself), given at run time and baked in.
# With --static every executable is built with `wasmc build --static`
# and must have no program interpreter: the same checks, on fully static
# executables. A sanitizer build cannot link those (there is no static
# ASan runtime), so the ctest test wasi_build_static exists only in
# builds without sanitizers, and scripts/test runs it in a plain build
# (suite "static": tests/wasi/static-tests.sh).
# Prints "N passed, N failed"; exits non-zero when anything failed.
STATIC=
if [ "$1" = --static ]; then
  STATIC=--static
  shift
fi
WASMC=$1
DIR=$2
HELLO=$3
. "$(dirname "$0")/check.sh"

# build NAME ARGS...: wasmc build (with --static in that mode), counted as
# a test of its own; in --static mode the output (-o) must be static.
build() {
  name=$1
  shift
  out= prev=
  for a in "$@"; do
    [ "$prev" = -o ] && out=$a
    prev=$a
  done
  if "$WASMC" build $STATIC "$@" >"$tmp/err" 2>&1; then
    static_ok "build_$name" "$out"
  else
    fail=$((fail + 1)); echo "FAIL build_$name"; cat "$tmp/err"
  fi
}

# static_ok NAME EXE: passes NAME unless --static and EXE is missing or
# asks for a program interpreter (ld.so), i.e. is not fully static.
static_ok() {
  if [ -n "$STATIC" ] && { [ ! -f "$2" ] || readelf -lW "$2" | grep -q 'program interpreter'; }; then
    fail=$((fail + 1)); echo "FAIL $1: built with --static, but $2 is not a static executable"
    readelf -lW "$2" 2>&1 | grep -i interpreter
  else
    pass=$((pass + 1)); echo "PASS $1${STATIC:+ (static)}"
  fi
}

build hello "$DIR/hello.wasm" -o "$tmp/hello"
check hello 0 "hello, wasi" "$tmp/hello"

build args_env "$DIR/args_env.wasm" -o "$tmp/args_env"
check args_dashdash 0 "argc=4${NL}argv[1]=one${NL}argv[2]=two words${NL}argv[3]=--env${NL}env:A=1${NL}env:B=x=y${NL}nenv=2" \
  "$tmp/args_env" --env A=1 --env B=x=y -- one "two words" --env
# --env K passes the host's K through; an unset K is left out; nothing
# else of the host's environment is visible.
check env_passthrough 0 "argc=1${NL}env:PASSME=v 1${NL}nenv=1" \
  env PASSME="v 1" SECRET=1 "$tmp/args_env" --env PASSME --env UNSET_XYZ --
# Without `--`, every argument is the program's, options included.
check args_no_dashdash 0 "argc=3${NL}argv[1]=--env${NL}argv[2]=A=1${NL}nenv=0" \
  "$tmp/args_env" --env A=1
# A granted directory is accepted and is not an argument.
check launcher_dir 0 "argc=2${NL}argv[1]=x${NL}nenv=0" \
  "$tmp/args_env" --dir "$tmp::/sandbox" -- x
WANT_ERR="unknown launcher option '--bogus'" check bad_option 2 "" "$tmp/args_env" --bogus --
WANT_ERR="--dir '$tmp/nonexistent'" check missing_dir 2 "" \
  "$tmp/args_env" --dir "$tmp/nonexistent" --

# Grants baked in at build time apply to every run; run-time ones add to
# them, and a baked --env K takes the host's K when the program runs.
build baked "$DIR/args_env.wasm" -o "$tmp/baked" --env A=baked --env PASSME --dir "$tmp"
check baked_env 0 "argc=2${NL}argv[1]=x${NL}env:A=baked${NL}env:PASSME=at run${NL}nenv=2" \
  env PASSME="at run" "$tmp/baked" x
check baked_plus_runtime 0 "argc=2${NL}argv[1]=--env${NL}env:A=baked${NL}env:B=2${NL}nenv=2" \
  "$tmp/baked" --env B=2 -- --env
build baked_missing "$DIR/args_env.wasm" -o "$tmp/baked_missing" --dir "$tmp/gone::/g"
WANT_ERR="--dir '$tmp/gone::/g': No such file" check baked_missing_dir 2 "" "$tmp/baked_missing"
WANT_ERR="--dir '::/g': empty host directory" check baked_bad_dir 2 "" \
  "$WASMC" build $STATIC "$DIR/args_env.wasm" -o "$tmp/x" --dir ::/g

# --gc-heap-limit: gc_grow keeps about 8.5 MiB alive in a global. Under
# 4 MiB it traps "out of memory" (134); under the default (1 GiB) or a
# larger limit it finishes. Baked in, it applies to every run; one given
# at run time replaces it.
SRC=$(cd "$(dirname "$0")" && pwd)
build gc_grow "$SRC/gc_grow.wat" -o "$tmp/gc_grow"
check gc_default 0 "kept 8192 nodes" "$tmp/gc_grow"
WANT_ERR="^gc_grow: trap: out of memory" \
  check gc_limit_4M 134 "" "$tmp/gc_grow" --gc-heap-limit 4M --
check gc_limit_64M 0 "kept 8192 nodes" "$tmp/gc_grow" --gc-heap-limit=64m --
WANT_ERR="^gc_grow: --gc-heap-limit '12X': expected a number of bytes" \
  check gc_limit_bad 2 "" "$tmp/gc_grow" --gc-heap-limit 12X --
build gc_baked "$SRC/gc_grow.wat" -o "$tmp/gc_baked" --gc-heap-limit 4M
WANT_ERR="^gc_baked: trap: out of memory" check gc_baked_4M 134 "" "$tmp/gc_baked"
check gc_baked_runtime_64M 0 "kept 8192 nodes" "$tmp/gc_baked" --gc-heap-limit 64M --
build gc_baked_large "$SRC/gc_grow.wat" -o "$tmp/gc_baked_large" --gc-heap-limit=1G
check gc_baked_1G 0 "kept 8192 nodes" "$tmp/gc_baked_large"
WANT_ERR="^gc_baked_large: trap: out of memory" \
  check gc_baked_runtime_4M 134 "" "$tmp/gc_baked_large" --gc-heap-limit 4096K --
# A bad SIZE to build is a usage error, the launcher's words.
for v in 0 -1 12X "" 18446744073709551616 17179869184G; do
  case $v in
    0) why="must be more than 0" ;;
    18446744073709551616 | 17179869184G) why="too large" ;;
    *) why="expected a number of bytes with an optional suffix K, M or G" ;;
  esac
  WANT_ERR="^wasmc: error: --gc-heap-limit '$v': $why" \
    check "gc_build_bad_'$v'" 2 "" "$WASMC" build $STATIC "$SRC/gc_grow.wat" \
    -o "$tmp/x" --gc-heap-limit "$v"
done
WANT_ERR="--gc-heap-limit needs a value" check gc_build_missing 2 "" \
  "$WASMC" build $STATIC "$SRC/gc_grow.wat" -o "$tmp/x" --gc-heap-limit
# `image` bakes it the same way (checked before anything is compiled;
# images themselves: tests/containers/run).
WANT_ERR="^wasmc: error: --gc-heap-limit '4MB': expected a number of bytes" \
  check gc_image_bad 2 "" "$WASMC" image "$SRC/gc_grow.wat" -o "$tmp/x.tar" \
  --gc-heap-limit 4MB

build exit_code "$DIR/exit_code.wasm" -o "$tmp/exit_code"
check exit_3 3 "exiting with 3" "$tmp/exit_code" -- exit 3
check return_7 7 "returning 7" "$tmp/exit_code" return 7

# Plain `wasmc FILE.wasm -o OUT` builds too. (trap.wasm comes from
# trap.wat by wat2wasm: a missing one fails here, naming it.)
if "$WASMC" "$DIR/trap.wasm" $STATIC -o "$tmp/trap" >"$tmp/err" 2>&1; then
  static_ok "build_trap (wasmc FILE.wasm)" "$tmp/trap"
else
  fail=$((fail + 1)); echo "FAIL build_trap"; cat "$tmp/err"
fi
WANT_ERR='trap: unreachable in function \$boom' check trap 134 "" "$tmp/trap"

# The example.
hello_out="Hello, world, from WebAssembly!${NL}fib(0..15): 0 1 1 2 3 5 8 13 21 34 55 89 144 233 377 610"
build example_hello "$HELLO" -o "$tmp/example"
"$tmp/example" >"$tmp/out" 2>&1
rc=$?
if [ $rc = 0 ] && [ "$(head -n 2 "$tmp/out")" = "$hello_out" ] && grep -q '^seconds since 1970: [0-9]' "$tmp/out"; then
  pass=$((pass + 1)); echo "PASS example_hello"
else
  fail=$((fail + 1)); echo "FAIL example_hello: exit $rc"; cat "$tmp/out"
fi

# Driver errors name the file.
WANT_ERR="cannot open '$tmp/nope.wasm'" check missing_input 1 "" "$WASMC" build $STATIC "$tmp/nope.wasm" -o "$tmp/x"
WANT_ERR="cannot find libwasmc_launcher.a in WASMC_LIBDIR" check bad_libdir 1 "" \
  env WASMC_LIBDIR="$tmp" "$WASMC" build $STATIC "$DIR/hello.wasm" -o "$tmp/x"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
