// Runs python.wasm (a WASI preview1 command) under node's node:wasi with
// one directory preopened, like `--dir HOST::GUEST` of a wasmc executable:
// the node peer of bench/python/run.
//   usage: node node-python.mjs PYTHON.wasm HOST_DIR GUEST_DIR [ARGS...]
// The program sees ARGS as its arguments after argv[0] ("python") and no
// environment variables.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv, exit } from 'node:process';

const [wasmPath, hostDir, guestDir, ...args] = argv.slice(2);
if (!guestDir) {
  console.error('usage: node node-python.mjs PYTHON.wasm HOST_DIR GUEST_DIR [ARGS...]');
  exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: ['python', ...args],
  env: {}, // like a wasmc executable, which passes no variables unless told
  preopens: { [guestDir]: hostDir },
});
const mod = await WebAssembly.compile(await readFile(wasmPath));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
exit(wasi.start(inst));
