/* wasi-run.c: the test host for WASI programs compiled by wasmc.
 *
 *   wasi-run MODULE.so [--env K=V | --env K]... [--dir HOST[::GUEST]]...
 *            [--tcplisten HOST:PORT]... [--gc-heap-limit SIZE] -- ARGS...
 *
 * (as for executables: without `--`, every argument is the program's)
 *
 * Loads a module compiled with `wasmc compile --shared` and hands it to
 * wasi_launch (the same code the executables of `wasmc build` and
 * `wasmc run` use): the guest's argv[0] is the module path, ARGS follow,
 * and it sees only the granted variables and directories. Exit code: the
 * program's; 2 for usage, load or set-up errors; WASI_EXIT_TRAP (134) after
 * a trap, which is printed on stderr. */
#include <stdio.h>

#include "wasi.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr,
            "usage: %s MODULE.so [--env K=V]... [--dir HOST[::GUEST]]... "
            "[--tcplisten HOST:PORT]... [--gc-heap-limit SIZE] [-- ARGS...]\n",
            argv[0]);
    return 2;
  }
  wasmrt_error err;
  wasmrt_module *mod = wasmrt_module_load(argv[1], &err);
  if (!mod) {
    fprintf(stderr, "wasi-run: %s\n", err.message);
    return 2;
  }
  fflush(stdout);
  int code = wasi_launch(mod, argc - 1, argv + 1, "wasi-run");
  wasmrt_module_free(mod);
  return code;
}
