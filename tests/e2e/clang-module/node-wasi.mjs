// node-wasi.mjs: runs a WASI preview1 command module under node's
// node:wasi, with /usr and /work preopened, for tests/e2e/clang-module
// (the reference engine whose output ours must equal byte for byte).
//   node node-wasi.mjs FILE.wasm USR_DIR WORK_DIR ARGV0 [ARGS...]
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv, exit } from 'node:process';

const [file, usr, work, ...args] = argv.slice(2);
const wasi = new WASI({ version: 'preview1', args, env: {},
                        preopens: { '/usr': usr, '/work': work }, returnOnExit: true });
const mod = await WebAssembly.compile(await readFile(file));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
exit(wasi.start(inst));
