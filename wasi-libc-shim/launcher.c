/* launcher.c: main() of the executables `wasmc build` makes.
 *
 *   APP [--dir HOST[::GUEST]]... [--env K=V | --env K]... [--tcplisten HOST:PORT]...
 *       [--gc-heap-limit SIZE] -- ARGS...
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
 * Grants baked in at build time (`wasmc build --dir/--env/--tcplisten/
 * --gc-heap-limit`) come as the array WASMC_LAUNCHER_ARGS_SYMBOL in the
 * module's object; they are put before the ones given at run time, so
 * both apply (a run-time --gc-heap-limit replaces a baked one).
 *
 * Exit codes of its own: 2 for a launcher argument or set-up error (the
 * message names the argument; this includes a program built with --cpu or
 * --features for CPU features this machine lacks, which the runtime
 * refuses before any of its code runs: runtime/cpu_check.c),
 * WASI_EXIT_TRAP (134) when the program trapped (the trap and its Wasm
 * function are printed on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi.h"

/* The descriptor wasmc emitted; named through the ABI's macro so that the
 * launcher and the compiler cannot disagree on the symbol. */
extern const wasmrt_module_desc wasmc_linked_module __asm__(WASMRT_MODULE_SYMBOL);

/* Weak: executables built without baked grants do not define it. */
extern const char wasmc_launcher_args[] __asm__(WASMC_LAUNCHER_ARGS_SYMBOL)
    __attribute__((weak));

/* argv with the baked arguments spliced in after argv[0]:
 *   argv[0] BAKED... [run-time options before `--`] -- [ARGS...]
 * A `--` is always added, because without one at run time every argument
 * is the program's. Returns argv itself when nothing is baked in. */
static char **with_baked(int argc, char **argv, int *out_argc) {
  *out_argc = argc;
  if (!wasmc_launcher_args || !wasmc_launcher_args[0]) return argv;
  int nbaked = 0;
  for (const char *p = wasmc_launcher_args; *p; p += strlen(p) + 1) nbaked++;
  char **out = calloc((size_t)argc + (size_t)nbaked + 2, sizeof *out);
  if (!out) return NULL;
  int n = 0, dd = 0;
  for (int i = 1; i < argc && !dd; i++)
    if (strcmp(argv[i], "--") == 0) dd = i;
  out[n++] = argc > 0 ? argv[0] : (char *)"wasm-app";
  for (const char *p = wasmc_launcher_args; *p; p += strlen(p) + 1) out[n++] = (char *)p;
  for (int i = 1; i < dd; i++) out[n++] = argv[i];
  out[n++] = (char *)"--";
  for (int i = dd ? dd + 1 : 1; i < argc; i++) out[n++] = argv[i];
  *out_argc = n;
  return out;
}

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
  int nargc;
  char **nargv = with_baked(argc, argv, &nargc);
  if (!nargv) {
    fprintf(stderr, "%s: out of memory\n", self);
    wasmrt_module_free(mod);
    return 2;
  }
  int code = wasi_launch(mod, nargc, nargv, self);
  if (nargv != argv) free(nargv);
  wasmrt_module_free(mod);
  return code;
}
