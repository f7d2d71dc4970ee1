#!/usr/bin/env bash
# package-and-install.sh: the "deb" suite of scripts/test. Builds the
# Debian packages (scripts/package-deb, which fails when lintian reports
# an error) into build-deb/debs/, then installs and uses them in a fresh
# Debian 12 root (tests/install/deb-chroot.sh). lintian and mmdebstrap
# are required: a missing one fails the suite, naming it.
#
#   tests/install/package-and-install.sh [EXAMPLES_DIR]
#
# EXAMPLES_DIR holds the built hello.wasm and calc.wasm (default
# build-containers/examples, which the install suite builds).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
examples=${1:-$root/build-containers/examples}
for tool in lintian mmdebstrap dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || {
    echo "package-and-install: $tool is missing (scripts/install-deps installs it)"
    echo "0 passed, 1 failed"
    exit 1
  }
done
out=$root/build-deb/debs
rm -rf "$out"
mkdir -p "$out"
if ! "$root/scripts/package-deb" -j "$(nproc)" --out "$out"; then
  echo "package-and-install: scripts/package-deb failed (above)"
  echo "0 passed, 1 failed"
  exit 1
fi
exec "$root/tests/install/deb-chroot.sh" --examples "$examples" "$out"/wasmc_*.deb "$out"/wasmc-dev_*.deb
