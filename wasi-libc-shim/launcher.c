/* launcher.c: main() of the executables `wasmc build` makes.
 *
 *   APP [--dir HOST[::GUEST]]... [--env K=V | --env K]... -- ARGS...
 *   APP ARGS...                        (no `--`: every argument is the program's)
 *
 * The module's object is linked next to this file; its descriptor is the
 * symbol WASMRT_MODULE_SYMBOL. main() instantiates it statically (no
 * dlopen), binds wasi_snapshot_preview1 with the shim, runs _start and
 * exits with the program's code, all through wasi_launch (launch.c, shared
 * with `wasmc run`). The guest sees only the granted directories, the
 * granted environment variables and ARGS, with argv[0] the name the
 * executable was started under.
 *
 * Exit codes of its own: 2 for a launcher argument or set-up error (the
 * message names the argument), WASI_EXIT_TRAP (134) when the program
 * trapped (the trap and its Wasm function are printed on stderr).
 */
#include <stdio.h>
#include <string.h>

#include "wasi.h"

/* The descriptor wasmc emitted; named through the ABI's macro so that the
 * launcher and the compiler cannot disagree on the symbol. */
extern const wasmrt_module_desc wasmc_linked_module __asm__(WASMRT_MODULE_SYMBOL);

static const char *prog_name(const char *argv0) {
  const char *s = strrchr(argv0, '/');
  return s ? s + 1 : argv0;
}

int main(int argc, char **argv) {
  const char *self = argc > 0 ? prog_name(argv[0]) : "wasm-app";
  wasmrt_error err;
  wasmrt_module *mod = wasmrt_module_from_desc(&wasmc_linked_module, &err);
  if (!mod) {
    fprintf(stderr, "%s: %s\n", self, err.message);
    return 2;
  }
  int code = wasi_launch(mod, argc, argv, self);
  wasmrt_module_free(mod);
  return code;
}
