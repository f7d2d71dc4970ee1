/* embed.c: the embedding API in a few lines (see README, "Embedding").
 *
 *   wasmc compile --shared calc.wasm -o calc.so
 *   embed calc.so
 *
 * Loads a module compiled by wasmc, instantiates it, calls its exports and
 * shows that a trap comes back as an error while the host carries on. */
#include <stdio.h>
#include <string.h>

#include "wasmrt.h"

/* Looks up an exported function by name; NULL when there is none. */
static wasmrt_funcref *export_func(wasmrt_instance *inst, const char *name) {
  wasmrt_extern ext;
  if (!wasmrt_instance_export(inst, name, strlen(name), &ext) ||
      ext.kind != WASMRT_EXTERN_FUNC)
    return NULL;
  return ext.of.func;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODULE.so (a module compiled with wasmc compile --shared)\n",
            argv[0]);
    return 2;
  }
  wasmrt_error err;
  wasmrt_module *mod = wasmrt_module_load(argv[1], &err);
  if (!mod) {
    fprintf(stderr, "embed: %s\n", err.message);
    return 1;
  }
  wasmrt_instance *inst = wasmrt_instantiate(mod, NULL, 0, &err);
  wasmrt_funcref *fib = inst ? export_func(inst, "fib") : NULL;
  wasmrt_funcref *div = inst ? export_func(inst, "div") : NULL;
  wasmrt_funcref *peek = inst ? export_func(inst, "peek") : NULL;
  if (!fib || !div || !peek) {
    fprintf(stderr, "embed: %s\n", inst ? "module lacks fib/div/peek exports" : err.message);
    return 1;
  }

  wasmrt_val v[2] = {{.i32 = 90}};
  if (wasmrt_call(inst, fib, v, 2, &err))
    printf("fib(90) = %lld\n", (long long)v[0].i64);

  /* Traps: the call returns false with the spec's message and the Wasm
   * function it happened in; the instance stays usable. */
  v[0].i32 = 7, v[1].i32 = 0;
  if (!wasmrt_call(inst, div, v, 2, &err))
    printf("div(7, 0) trapped: %s\n", err.message);
  v[0].i32 = 70000;
  if (!wasmrt_call(inst, peek, v, 2, &err))
    printf("peek(70000) trapped: %s\n", err.message);

  v[0].i32 = 84, v[1].i32 = 2;
  int status = 1;
  if (wasmrt_call(inst, div, v, 2, &err)) {
    printf("div(84, 2) = %d (after two traps, same instance)\n", v[0].i32);
    status = 0;
  }
  wasmrt_instance_free(inst);
  wasmrt_module_free(mod);
  return status;
}
