#!/usr/bin/env bash
# install-prefix.sh: `cmake --install` into a fresh temporary prefix, then
# only the installed wasmc and libwasmrt (PATH with PREFIX/bin first,
# WASMC_LIBDIR and LD_LIBRARY_PATH unset, nothing pointing into the build
# tree, a private compile cache):
#   - the layout (wasmc, private archives, libwasmrt.so.0 soname,
#     libwasmrt.a, headers, wasmrt.pc, the CMake package; no tests, no
#     benches);
#   - wasmc --version; wasmc build hello.wasm + run it; wasmc run (a
#     compile, then the cache);
#   - the embedding example (examples/embed.c) built against wasmrt.pc
#     (pkg-config) and through find_package(wasmrt) in a small CMake
#     project (shared and static), each running a module compiled by the
#     installed `wasmc compile --shared` (exact output and exit status,
#     as examples/check_embed.cmake wants);
#   - the prefix moved (mv P P2): wasmc build + run, wasmc run, pkg-config;
#   - archives removed from the private folder: wasmc build fails, naming
#     them, and writes no executable.
#
#   tests/install/install-prefix.sh [--no-build] [BUILD]
#
# BUILD (default $WASMC_PLAIN_BUILD, else build/) is a build without
# sanitizers (an installed sanitized libwasmrt would need the sanitizer
# runtime preloaded); it is configured (RelWithDebInfo) when it is not yet
# and built (the installed targets and the examples) unless --no-build.
# Needs cc, pkg-config, cmake, readelf.
# Prints "N passed, N failed, N skipped"; exits non-zero when anything
# failed.
set -o pipefail # not -u: check.sh reads WANT_ERR and IN unset
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

usage() {
  sed -n 's/^#   \(tests\/install.*\)/usage: \1/p' "$0"
}
do_build=1
build=
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --no-build) do_build=0; shift ;;
    -*) echo "install-prefix.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [ -z "$build" ] || { usage >&2; exit 2; }; build=$1; shift ;;
  esac
done
build=${build:-${WASMC_PLAIN_BUILD:-$root/build}}
if [ ! -f "$build/CMakeCache.txt" ] && [ $do_build = 1 ]; then
  echo "== configuring $build"
  mkdir -p "$build"
  if ! cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/install-configure.log" 2>&1; then
    tail -n 30 "$build/install-configure.log"
    echo "install-prefix.sh: configuring $build failed"
    echo "0 passed, 1 failed"
    exit 1
  fi
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "install-prefix.sh: $build is not a configured build (cmake -S $root -B $build)" >&2
  exit 2
fi
build=$(cd "$build" && pwd)
if grep -Eq '^WASMC_(SANITIZE|TSAN):BOOL=ON' "$build/CMakeCache.txt"; then
  echo "install-prefix.sh: $build is a sanitizer build; use a plain one" >&2
  exit 2
fi
for tool in cc pkg-config cmake readelf; do
  command -v "$tool" >/dev/null || { echo "install-prefix.sh: $tool not found" >&2; exit 2; }
done

# shellcheck source-path=SCRIPTDIR source=../wasi/check.sh
. "$root/tests/wasi/check.sh" # check, skip, finish, $tmp (removed on exit)

# step NAME CMD...: CMD must exit 0 (its output is shown when it fails).
step() {
  local name=$1 rc
  shift
  "$@" >"$tmp/step.log" 2>&1
  rc=$?
  if [ $rc = 0 ]; then
    pass=$((pass + 1)); echo "PASS $name"
  else
    fail=$((fail + 1)); echo "FAIL $name: exit $rc from $*"; tail -n 30 "$tmp/step.log"
  fi
}
# ok NAME COND_CMD...: a condition (test, grep -q, ...) that must hold.
ok() {
  local name=$1
  shift
  if "$@"; then pass=$((pass + 1)); echo "PASS $name"
  else fail=$((fail + 1)); echo "FAIL $name: $*"; fi
}

if [ $do_build = 1 ]; then
  echo "== building $build"
  if ! cmake --build "$build" --target wasmc wasmrt wasmrt_static wasmrt_static_embed \
         wasmc_wasi wasmc_launcher example_hello example_calc >"$tmp/build.log" 2>&1; then
    tail -n 40 "$tmp/build.log"
    echo "install-prefix.sh: the build failed"
    echo "0 passed, 1 failed"
    exit 1
  fi
fi
for f in "$build/examples/hello.wasm" "$build/examples/calc.wasm"; do
  [ -f "$f" ] || { echo "install-prefix.sh: no $f (build the examples)"; echo "0 passed, 1 failed"; exit 1; }
done

P=$tmp/prefix
echo "== cmake --install $build --prefix $P"
step install cmake --install "$build" --prefix "$P"

# ---- the layout ----------------------------------------------------------
pc=$(find "$P" -name wasmrt.pc -path '*/pkgconfig/*' | head -n 1)
ok pc_installed test -n "$pc"
libdir=$(dirname "$(dirname "${pc:-$P/lib/pkgconfig/x}")") # P/lib or P/lib/TRIPLET
ok wasmc_installed test -x "$P/bin/wasmc"
for a in libwasmc_launcher.a libwasmc_wasi.a libwasmrt_static.a; do
  ok "archive_$a" test -f "$libdir/wasmc/$a"
done
# The code generator, dlopened by wasmc; wasmc itself does not link LLVM.
ok libwasmc_llvm_installed test -f "$libdir/wasmc/libwasmc_llvm.so"
ok wasmc_no_libllvm sh -c "! readelf -d '$P/bin/wasmc' | grep -qi 'NEEDED.*LLVM'"
ok libwasmrt_so_links test -L "$libdir/libwasmrt.so" -a -L "$libdir/libwasmrt.so.0" \
  -a -f "$libdir/libwasmrt.so.0.1.0" -a ! -L "$libdir/libwasmrt.so.0.1.0"
soname=$(readelf -d "$libdir/libwasmrt.so.0.1.0" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
check soname 0 "libwasmrt.so.0" echo "$soname"
ok libwasmrt_a test -f "$libdir/libwasmrt.a"
ok headers test -f "$P/include/wasmrt/wasmrt.h" -a -f "$P/include/wasmrt/wasmrt_abi.h"
ok cmake_package test -f "$libdir/cmake/wasmrt/wasmrtConfig.cmake" \
  -a -f "$libdir/cmake/wasmrt/wasmrtConfigVersion.cmake" -a -f "$libdir/cmake/wasmrt/wasmrtTargets.cmake"
# Nothing else: every installed file is one of these (no tests, benches,
# harnesses, examples).
extra=$(cd "$P" && find . \( -type f -o -type l \) | sed 's|^\./||' | grep -Ev \
  '^(bin/wasmc|lib(/[^/]+)?/(libwasmrt\.(so(\.0(\.1\.0)?)?|a)|wasmc/(([a-z0-9_]+)/)?lib(wasmc_launcher|wasmc_wasi|wasmrt_static)\.a|wasmc/libwasmc_llvm\.so|pkgconfig/wasmrt\.pc|cmake/wasmrt/wasmrt(Config|ConfigVersion|Targets(-[a-z]+)?)\.cmake)|include/wasmrt/wasmrt(_abi)?\.h|share/man/man1/wasmc\.1|share/bash-completion/completions/wasmc)$')
check nothing_else_installed 0 "" echo "$extra"
# wasmc finds libwasmrt relative to itself: an $ORIGIN RUNPATH only.
runpath=$(readelf -d "$P/bin/wasmc" | sed -n 's/.*R\(UN\)\{0,1\}PATH).*\[\(.*\)\]/\2/p')
ok wasmc_runpath_origin sh -c "echo '$runpath' | grep -Eq '^[$]ORIGIN/[^:]*\$'"

# ---- the installed wasmc only ---------------------------------------------
# A clean environment: PATH with the prefix first, a private cache and
# home, no WASMC_LIBDIR, no LD_LIBRARY_PATH; a working folder holding
# copies of the modules.
work=$tmp/work
mkdir -p "$work" "$tmp/home" "$tmp/cache"
cp "$build/examples/hello.wasm" "$build/examples/calc.wasm" "$work/"
cp "$root/examples/embed.c" "$work/"
cd "$work" || exit 1
unset WASMC_LIBDIR LD_LIBRARY_PATH LD_PRELOAD PKG_CONFIG_PATH CMAKE_PREFIX_PATH WASMC_BUILD
export HOME=$tmp/home XDG_CACHE_HOME=$tmp/cache
base_path=/usr/local/bin:/usr/bin:/bin
export PATH="$P/bin:$base_path"

check which_wasmc 0 "$P/bin/wasmc" sh -c 'command -v wasmc'
check ldd_libwasmrt 0 "$libdir/libwasmrt.so.0" \
  sh -c "ldd '$P/bin/wasmc' | sed -n 's/.*libwasmrt\.so\.0 => \(.*\) (.*/\1/p' | xargs realpath -s"

abi=$(sed -n 's/^#define WASMRT_ABI_VERSION \([0-9]*\)u$/\1/p' "$P/include/wasmrt/wasmrt_abi.h")
version=$(sed -n 's/^project(wasmc VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
ok version_line1 sh -c "wasmc --version | head -n 1 | grep -Eq '^wasmc $version \\(LLVM 19\\.[0-9]+\\.[0-9]+\\)\$'"
ok version_revision sh -c "wasmc --version | grep -Eq '^git revision: ([0-9a-f]{7,}(-dirty)?|unknown)\$'"
ok version_llvm sh -c "wasmc --version | grep -Eq '^LLVM version: 19\\.[0-9]+\\.[0-9]+\$'"
check version_abi 0 "runtime ABI version: $abi" sh -c 'wasmc --version | grep "^runtime ABI"'

hello_want="Hello, install, from WebAssembly!
fib(0..15): 0 1 1 2 3 5 8 13 21 34 55 89 144 233 377 610"
step build_hello wasmc build hello.wasm -o hello
check run_hello 0 "$hello_want" sh -c './hello install | head -n 2'
ok hello_time sh -c './hello | grep -Eq "^seconds since 1970: [0-9]+\$"'
check wasmc_run 0 "$hello_want" sh -c 'wasmc run hello.wasm -- install | head -n 2'
WANT_ERR="cache hit" check wasmc_run_cached 0 "$hello_want" \
  sh -c 'wasmc run -v hello.wasm -- install | head -n 2'
ok cache_private sh -c 'ls "$XDG_CACHE_HOME/wasmc" | grep -q .'

step compile_calc wasmc compile --shared calc.wasm -o calc.so
# The embedding example: exact output and exit 0 (check_embed.cmake).
embed_check() { cmake -DEMBED="$1" -DSO="$work/calc.so" -P "$root/examples/check_embed.cmake"; }

export PKG_CONFIG_PATH=$libdir/pkgconfig
check pkgconfig_version 0 "$version" pkg-config --modversion wasmrt
# shellcheck disable=SC2046
step pkgconfig_build sh -c 'cc -Wall -Wextra $(pkg-config --cflags wasmrt) embed.c -o embed_pc \
  $(pkg-config --libs wasmrt) -Wl,-rpath,"$(pkg-config --variable=libdir wasmrt)"'
step pkgconfig_embed_runs embed_check "$work/embed_pc"
unset PKG_CONFIG_PATH

mkdir -p "$work/proj"
cat >"$work/proj/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.25)
project(embed_installed C)
find_package(wasmrt $version REQUIRED)
add_executable(embed_shared "$work/embed.c")
target_link_libraries(embed_shared PRIVATE wasmrt::wasmrt)
add_executable(embed_static "$work/embed.c")
target_link_libraries(embed_static PRIVATE wasmrt::wasmrt_static)
EOF
step cmake_configure cmake -S "$work/proj" -B "$work/proj/build" -DCMAKE_PREFIX_PATH="$P"
step cmake_build cmake --build "$work/proj/build"
step cmake_embed_shared_runs embed_check "$work/proj/build/embed_shared"
step cmake_embed_static_runs embed_check "$work/proj/build/embed_static"
ok cmake_static_no_libwasmrt_so sh -c "! readelf -d '$work/proj/build/embed_static' | grep -q libwasmrt"
# A version the package does not match is refused.
mkdir -p "$work/proj99"
sed "s/find_package(wasmrt $version /find_package(wasmrt 99.0 /" "$work/proj/CMakeLists.txt" \
  >"$work/proj99/CMakeLists.txt"
ok cmake_version_mismatch_refused sh -c "! cmake -S '$work/proj99' -B '$work/proj99/build' \
  -DCMAKE_PREFIX_PATH='$P' >'$tmp/v.log' 2>&1 && grep -qF 'wasmrtConfig.cmake, version: $version' '$tmp/v.log'"

# ---- the prefix moved ------------------------------------------------------
P2=$tmp/moved
mv "$P" "$P2"
libdir2=${libdir/#$P/$P2}
export PATH="$P2/bin:$base_path"
rm -f hello
step moved_build_hello wasmc build hello.wasm -o hello
check moved_run_hello 0 "$hello_want" sh -c './hello install | head -n 2'
rm -rf "$tmp/cache"
check moved_wasmc_run 0 "$hello_want" sh -c 'wasmc run hello.wasm -- install | head -n 2'
export PKG_CONFIG_PATH=$libdir2/pkgconfig
step moved_pkgconfig_build sh -c 'cc $(pkg-config --cflags wasmrt) embed.c -o embed_pc2 \
  $(pkg-config --libs wasmrt) -Wl,-rpath,"$(pkg-config --variable=libdir wasmrt)"'
step moved_pkgconfig_embed_runs embed_check "$work/embed_pc2"
unset PKG_CONFIG_PATH

# ---- archives missing: a clear error -----------------------------------------
mkdir -p "$tmp/away"
mv "$libdir2/wasmc/libwasmc_launcher.a" "$libdir2/wasmc/libwasmrt_static.a" "$tmp/away/"
rm -f hello
WANT_ERR="cannot find libwasmc_launcher\.a, libwasmrt_static\.a in $libdir2/wasmc" \
  check missing_archives 1 "" wasmc build hello.wasm -o hello
ok missing_archives_no_output test ! -e hello
# WASMC_LIBDIR still overrides (only it is looked in).
mkdir -p "$tmp/libs"
cp "$tmp/away/"*.a "$libdir2/wasmc/libwasmc_wasi.a" "$tmp/libs/"
step libdir_override env WASMC_LIBDIR="$tmp/libs" wasmc build hello.wasm -o hello
check libdir_override_runs 0 "$hello_want" sh -c './hello install | head -n 2'
WANT_ERR="cannot find libwasmc_launcher\.a in WASMC_LIBDIR" \
  check libdir_override_only 1 "" env WASMC_LIBDIR="$tmp/away/none" wasmc build hello.wasm -o hello2

# ---- the code generator missing: cached runs work, compiling says why ------
mv "$libdir2/wasmc/libwasmc_llvm.so" "$tmp/away/"
check nollvm_cached_run 0 "$hello_want" sh -c 'wasmc run --quick hello.wasm -- install | head -n 2'
WANT_ERR="cannot find libwasmc_llvm\.so" check nollvm_build 1 "" wasmc build hello.wasm -o hello3
# ... and WASMC_LIBDIR holding it is used.
cp "$tmp/away/libwasmc_llvm.so" "$tmp/libs/"
step nollvm_libdir_override env WASMC_LIBDIR="$tmp/libs" wasmc build hello.wasm -o hello3

finish
