#!/usr/bin/env bash
# deb-chroot.sh: the Debian packages (scripts/package-deb) installed with
# apt-get into a fresh, minimal Debian 12 root (mmdebstrap --variant=apt
# bookworm), and used there:
#   - apt-get install ./wasmc_*.deb ./wasmc-dev_*.deb resolves every
#     dependency from the archive (Depends are right and sufficient);
#   - wasmc --version; wasmc build hello.wasm -o hello && ./hello;
#     wasmc run hello.wasm (a compile, then the cache);
#   - the embedding example built with pkg-config and with
#     find_package(wasmrt) (shared and static), running a module compiled
#     there by wasmc compile --shared (exact output, exit 0);
#   - cross: apt-get install gcc-aarch64-linux-gnu (then
#     gcc-riscv64-linux-gnu), then wasmc build --target aarch64 (riscv64)
#     makes an executable for it (its ELF header says so), which runs
#     under the host's qemu-user with the root's cross C library.
#
#   tests/install/deb-chroot.sh [--keep] [--mirror URL] [--examples DIR] [DEB...]
#
# DEB... default to the newest wasmc_*.deb and wasmc-dev_*.deb in the
# repository (scripts/package-deb's default output); --examples is the
# folder of the built examples hello.wasm and calc.wasm (default
# build/examples: wat2wasm --debug-names keeps the function names the
# trap messages show). Runs as
# root (chroot, mount), needs mmdebstrap and network access to a Debian
# mirror. /proc and /dev are mounted in the root and unmounted on every
# way out; the root (in /var/tmp) is removed unless --keep.
# Prints "N passed, N failed, N skipped"; exits non-zero when anything
# failed.
set -o pipefail # not -u: check.sh reads WANT_ERR and IN unset
here="$(cd "$(dirname "$0")" && pwd)"
root_src="$(cd "$here/../.." && pwd)"

usage() { sed -n 's/^#   \(tests\/install.*\)/usage: \1/p' "$0"; }
keep=0 mirror='' examples=$root_src/build/examples debs=()
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --keep) keep=1; shift ;;
    --mirror) [ $# -ge 2 ] || { usage >&2; exit 2; }; mirror=$2; shift 2 ;;
    --examples) [ $# -ge 2 ] || { usage >&2; exit 2; }; examples=$2; shift 2 ;;
    -*) echo "deb-chroot.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) debs+=("$1"); shift ;;
  esac
done
die() { echo "deb-chroot.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "run as root (mmdebstrap, chroot, mount)"
command -v mmdebstrap >/dev/null || die "mmdebstrap not found (apt-get install mmdebstrap)"
if [ ${#debs[@]} -eq 0 ]; then
  for p in wasmc wasmc-dev; do
    d=$(ls -t "$root_src"/"${p}"_*.deb 2>/dev/null | head -n 1)
    [ -n "$d" ] || die "no ${p}_*.deb in $root_src (scripts/package-deb)"
    debs+=("$d")
  done
fi
for d in "${debs[@]}"; do [ -f "$d" ] || die "no such package: $d"; done
for f in hello.wasm calc.wasm; do
  [ -f "$examples/$f" ] || die "no $examples/$f (build the examples, or --examples DIR)"
done

# shellcheck source-path=SCRIPTDIR source=../wasi/check.sh
. "$root_src/tests/wasi/check.sh" # check, finish, $tmp

chroot_dir=$(mktemp -d /var/tmp/wasmc-deb-chroot.XXXXXX)
R=$chroot_dir/root
cleanup() {
  for m in "$R/dev/pts" "$R/dev" "$R/proc"; do
    mountpoint -q "$m" 2>/dev/null && umount -l "$m"
  done
  if [ $keep = 1 ]; then echo "deb-chroot.sh: kept $R"
  else rm -rf "$chroot_dir"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== mmdebstrap --variant=apt bookworm $R"
if ! mmdebstrap --variant=apt --include=pkgconf,cmake,make,file bookworm "$R" ${mirror:+"$mirror"} \
     >"$tmp/mmdebstrap.log" 2>&1; then
  tail -n 30 "$tmp/mmdebstrap.log"
  echo "FAIL mmdebstrap (log above)"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
mount -t proc proc "$R/proc"
mount --bind /dev "$R/dev"
mount --bind /dev/pts "$R/dev/pts" 2>/dev/null || true
cp /etc/resolv.conf "$R/etc/resolv.conf"
mkdir -p "$R/t"
cp "${debs[@]}" "$R/t/"
cp "$examples/hello.wasm" "$examples/calc.wasm" "$root_src/examples/embed.c" "$R/t/"

# inroot CMD: a command in the root (in /t), in a clean environment.
inroot() {
  chroot "$R" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root \
    DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 bash -c "cd /t && $1"
}
step() {
  local name=$1
  shift
  if "$@" >"$tmp/step.log" 2>&1; then pass=$((pass + 1)); echo "PASS $name"
  else fail=$((fail + 1)); echo "FAIL $name"; tail -n 30 "$tmp/step.log"; fi
}

names=$(cd "$R/t" && ls ./*.deb | tr '\n' ' ')
step apt_install inroot "apt-get update -q && apt-get install -y -q $names"
check installed 0 "install ok installed" inroot "dpkg-query -W -f='\${Status}' wasmc"
check version 0 "ok" inroot "wasmc --version | head -n 1 | grep -Eq '^wasmc [0-9.]+ [(]LLVM 19[.]' && echo ok"
check version_abi 0 "runtime ABI version: $(sed -n 's/^#define WASMRT_ABI_VERSION \([0-9]*\)u$/\1/p' "$root_src/runtime/wasmrt_abi.h")" \
  inroot "wasmc --version | grep '^runtime ABI'"

hello_want="Hello, deb, from WebAssembly!
fib(0..15): 0 1 1 2 3 5 8 13 21 34 55 89 144 233 377 610"
step build_hello inroot "wasmc build hello.wasm -o hello"
check run_hello 0 "$hello_want" inroot "./hello deb | sed -n 1,2p"
check wasmc_run 0 "$hello_want" inroot "wasmc run hello.wasm -- deb | sed -n 1,2p"
WANT_ERR="cache hit" check wasmc_run_cached 0 "$hello_want" \
  inroot "wasmc run -v hello.wasm -- deb | sed -n 1,2p"

embed_want="fib(90) = 2880067194370816120
div(7, 0) trapped: integer divide by zero in function \$div (func[1])
peek(70000) trapped: out of bounds memory access in function \$peek (func[2])
div(84, 2) = 42 (after two traps, same instance)"
step compile_calc inroot "wasmc compile --shared calc.wasm -o calc.so"
step pkgconfig_build inroot 'cc -Wall $(pkg-config --cflags wasmrt) embed.c -o embed_pc $(pkg-config --libs wasmrt)'
check pkgconfig_embed 0 "$embed_want" inroot "./embed_pc ./calc.so"
mkdir -p "$R/t/proj"
cat >"$R/t/proj/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(embed_deb C)
find_package(wasmrt 0.1 REQUIRED)
add_executable(embed_shared ../embed.c)
target_link_libraries(embed_shared PRIVATE wasmrt::wasmrt)
add_executable(embed_static ../embed.c)
target_link_libraries(embed_static PRIVATE wasmrt::wasmrt_static)
EOF
step cmake_build inroot "cmake -S proj -B proj/build && cmake --build proj/build"
check cmake_embed_shared 0 "$embed_want" inroot "proj/build/embed_shared ./calc.so"
check cmake_embed_static 0 "$embed_want" inroot "proj/build/embed_static ./calc.so"

# cross: the aarch64 archives are in the package; the cross gcc is not.
WANT_ERR="aarch64-linux-gnu-gcc" check cross_without_gcc 1 "" \
  inroot "wasmc build --target aarch64 hello.wasm -o hello-arm64"
step cross_gcc_install inroot "apt-get install -y -q gcc-aarch64-linux-gnu"
step cross_build inroot "wasmc build --target aarch64 hello.wasm -o hello-arm64"
check cross_elf 0 "AArch64" inroot "readelf -h hello-arm64 | sed -n 's/^ *Machine: *//p'"
step cross_gcc_install_riscv64 inroot "apt-get install -y -q gcc-riscv64-linux-gnu"
step cross_build_riscv64 inroot "wasmc build --target riscv64 hello.wasm -o hello-riscv64"
check cross_elf_riscv64 0 "RISC-V" inroot "readelf -h hello-riscv64 | sed -n 's/^ *Machine: *//p'"
# The cross executables run (under the host's qemu-user, with the root's
# cross C libraries, which the cross gcc packages pulled in).
for arch in aarch64 riscv64; do
  exe=$R/t/hello-$arch
  [ "$arch" = aarch64 ] && exe=$R/t/hello-arm64
  if command -v "qemu-$arch" >/dev/null; then
    check "cross_run_$arch" 0 "$(printf '%s\n' "$hello_want" | sed 's/deb/qemu/')" \
      bash -c "qemu-$arch -L '$R/usr/$arch-linux-gnu' '$exe' qemu | sed -n 1,2p"
  else
    fail=$((fail + 1)); echo "FAIL cross_run_$arch: qemu-$arch not found (Debian package qemu-user)"
  fi
done

finish
