/* eh_bench.c: the driver of bench/exceptions (see bench/README.md). Loads
 * eh_bench.wat compiled by wasmc, runs each kernel several times through
 * the embedding API and prints the best time per operation and the
 * ratios: the non-throwing cost of try around calls, and the cost of a
 * throw + catch compared with a plain return. Not a test: it fails only
 * when something cannot be loaded or run. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasmrt.h"

static wasmrt_instance *inst;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Best of `reps` runs of export `name`(arg), in seconds. */
static double best(const char *name, int32_t arg, int reps, int32_t *result) {
  wasmrt_extern e;
  if (!wasmrt_instance_export(inst, name, strlen(name), &e)) {
    fprintf(stderr, "eh-bench: no export %s\n", name);
    exit(1);
  }
  double t = 1e30;
  for (int r = 0; r < reps; r++) {
    wasmrt_val v[1] = {{.i32 = arg}};
    wasmrt_error err;
    double t0 = now();
    if (!wasmrt_call(inst, e.of.func, v, 1, &err)) {
      fprintf(stderr, "eh-bench: %s: %s\n", name, err.message);
      exit(1);
    }
    double dt = now() - t0;
    if (dt < t) t = dt;
    *result = v[0].i32;
  }
  return t;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: eh-bench MODULE.so [REPS]\n");
    return 2;
  }
  int reps = argc > 2 ? atoi(argv[2]) : 21;
  wasmrt_error err;
  wasmrt_module *m = wasmrt_module_load(argv[1], &err);
  if (!m || !(inst = wasmrt_instantiate(m, NULL, 0, &err))) {
    fprintf(stderr, "eh-bench: %s\n", err.message);
    return 1;
  }
  int32_t r1, r2;
  const int fib_n = 32;
  double calls = 2 * 3524578.0 - 1; /* fib(32) makes 2 fib(33) - 1 calls */
  /* each kernel twice, at two places in the code (eh_bench.wat) */
  int32_t r3, r4;
  double plain = best("fib_plain", fib_n, reps, &r1) + best("fib_plain2", fib_n, reps, &r3);
  double tried = best("fib_try", fib_n, reps, &r2) + best("fib_try2", fib_n, reps, &r4);
  calls *= 2;
  if (r1 != r2 || r1 != r3 || r1 != r4) {
    fprintf(stderr, "eh-bench: fib results differ (%d, %d)\n", r1, r2);
    return 1;
  }
  printf("call-heavy kernel (recursive fib(%d) at two places, %.0f calls):\n", fib_n, calls);
  printf("  plain calls          %8.2f ms  %6.2f ns/call\n", plain * 1e3, plain / calls * 1e9);
  printf("  calls inside try     %8.2f ms  %6.2f ns/call\n", tried * 1e3, tried / calls * 1e9);
  printf("  ratio try/plain      %8.3fx\n", tried / plain);

  const int n = 1000000;
  double ret = best("return_loop", n, reps, &r1);
  double thr = best("throw_loop", n, reps, &r2);
  double loc = best("local_throw_loop", n, reps, &r3);
  if (r1 != r2 || r1 != r3) {
    fprintf(stderr, "eh-bench: round-trip results differ (%d, %d, %d)\n", r1, r2, r3);
    return 1;
  }
  printf("round trips (%d, callee through call_indirect):\n", n);
  printf("  return               %8.2f ns\n", ret / n * 1e9);
  printf("  throw + catch        %8.2f ns  (%.0fx a return)\n", thr / n * 1e9, thr / ret);
  printf("  throw + catch in the same function (no unwinding) %.2f ns  (%.1fx a return)\n",
         loc / n * 1e9, loc / ret);
  wasmrt_instance_free(inst);
  wasmrt_module_free(m);
  return 0;
}
