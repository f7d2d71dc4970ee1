#!/usr/bin/env bash
# static-tests.sh: `wasmc build --static` executables, built and run.
# scripts/test's own build (build-asan/) is sanitized, and a sanitizer
# build cannot link static executables (there is no static ASan
# runtime), so its ctest has no wasi_build_static. This suite builds the
# plain RelWithDebInfo wasmc in build-containers/ (the build
# tests/containers/run makes for the same reason; WASMC_PLAIN_BUILD: another
# dir), with the host runtime archives, the WASI test programs and
# examples/hello.wasm, and runs that build's ctest test wasi_build_static:
# tests/wasi/build-tests.sh --static, every check of `wasmc build`
# (output, launcher options, baked grants, exit codes, a trap) on fully
# static executables (no program interpreter).
# Ends with ctest's summary; exits non-zero when the build failed or the
# test did not pass (ctest's --no-tests=error: a test that is not there
# fails too).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build=${WASMC_PLAIN_BUILD:-$root/build-containers}
jobs=${WASMC_STATIC_JOBS:-$(nproc)}

echo "== build: $build (RelWithDebInfo, no sanitizer)"
mkdir -p "$build"
log=$build/static-build.log
if ! { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$log" 2>&1 &&
       cmake --build "$build" -j"$jobs" --target wasmc wasmrt_static wasmc_wasi \
         wasmc_launcher wasi_test_programs example_hello >>"$log" 2>&1; }; then
  tail -n 40 "$log"
  echo "static: the build failed (log: $log)"
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== ctest --test-dir $build -R ^wasi_build_static\$"
# A test ctest reports as skipped (exit 77) leaves ctest's status 0: its
# "did not run" list fails the suite too.
out=$build/static-ctest.log
status=0
ctest --test-dir "$build" -R '^wasi_build_static$' --no-tests=error -V 2>&1 | tee "$out" || status=$?
if grep -q 'The following tests did not run' "$out"; then
  echo "static: wasi_build_static did not run (see above)"
  status=1
fi
exit "$status"
