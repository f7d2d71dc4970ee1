/* eh_bench.c: the driver of bench/exceptions (see bench/README.md). Loads
 * eh_bench.wat compiled by wasmc, runs each kernel several times through
 * the embedding API and prints the best time per operation and the
 * ratios: the non-throwing cost of handlers around calls (fib: ~1 ns
 * calls; a quicksort whose frames have cleanup handlers: real work per
 * call), and the cost of a throw + catch compared with a plain return. Not a test: it fails only
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

static wasmrt_funcref *export_func(const char *name) {
  wasmrt_extern e;
  if (!wasmrt_instance_export(inst, name, strlen(name), &e)) {
    fprintf(stderr, "eh-bench: no export %s\n", name);
    exit(1);
  }
  return e.of.func;
}

/* export `name`(arg), untimed */
static int32_t call1(const char *name, int32_t arg) {
  wasmrt_val v[1] = {{.i32 = arg}};
  wasmrt_error err;
  if (!wasmrt_call(inst, export_func(name), v, 1, &err)) {
    fprintf(stderr, "eh-bench: %s: %s\n", name, err.message);
    exit(1);
  }
  return v[0].i32;
}

/* Best of `reps` runs of export `name`(arg), in seconds; `setup`(arg),
 * when not NULL, runs untimed before each. */
static double best_after(const char *setup, const char *name, int32_t arg, int reps,
                         int32_t *result) {
  wasmrt_funcref *f = export_func(name);
  double t = 1e30;
  for (int r = 0; r < reps; r++) {
    if (setup) call1(setup, arg);
    wasmrt_val v[1] = {{.i32 = arg}};
    wasmrt_error err;
    double t0 = now();
    if (!wasmrt_call(inst, f, v, 1, &err)) {
      fprintf(stderr, "eh-bench: %s: %s\n", name, err.message);
      exit(1);
    }
    double dt = now() - t0;
    if (dt < t) t = dt;
    *result = v[0].i32;
  }
  return t;
}

static double best(const char *name, int32_t arg, int reps, int32_t *result) {
  return best_after(NULL, name, arg, reps, result);
}

/* The sort kernel `name` on n elements: best time, and its check. */
static double sort_run(const char *name, int32_t n, int reps, int32_t *check) {
  int32_t live;
  double t = best_after("sort_fill", name, n, reps, &live);
  *check = live == 0 ? call1("sort_check", n) : -1;
  if (*check == -1) {
    fprintf(stderr, "eh-bench: %s did not sort (or left frames live)\n", name);
    exit(1);
  }
  return t;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum { MAX_LAYOUTS = 16 };

int main(int argc, char **argv) {
  int reps = 21, first = 1;
  if (argc > 2 && strcmp(argv[1], "-r") == 0) {
    reps = atoi(argv[2]);
    first = 3;
  }
  int nlayouts = argc - first;
  if (nlayouts < 1 || nlayouts > MAX_LAYOUTS || reps < 1) {
    fprintf(stderr, "usage: eh-bench [-r REPS] MODULE.so... (at most %d)\n", MAX_LAYOUTS);
    return 2;
  }
  /* The kernels' ~1 ns calls and short loops move by 10-30% with the
   * code's position alone (instructions meeting 32- and 64-byte
   * boundaries), more than anything measured here: bench/exceptions/run
   * builds the same module at several offsets (layouts), and the summary
   * is the median over them. */
  const int fib_n = 32;
  double calls = 2 * (2 * 3524578.0 - 1); /* fib(32) makes 2 fib(33) - 1 calls; two kernels */
  const int sort_n = 65536;
  double fplain[MAX_LAYOUTS], ftry[MAX_LAYOUTS], fratio[MAX_LAYOUTS];
  double splain[MAX_LAYOUTS], seh[MAX_LAYOUTS], sratio[MAX_LAYOUTS];
  double ret = 0, thr = 0, loc = 0;
  const int n = 1000000;
  printf("layout   fib: plain   in try   ratio    sort: plain  cleanups   ratio\n");
  for (int l = 0; l < nlayouts; l++) {
    wasmrt_error err;
    wasmrt_module *m = wasmrt_module_load(argv[first + l], &err);
    if (!m || !(inst = wasmrt_instantiate(m, NULL, 0, &err))) {
      fprintf(stderr, "eh-bench: %s\n", err.message);
      return 1;
    }
    /* each kernel twice, at two places in the code (eh_bench.wat) */
    int32_t r1, r2, r3, r4;
    fplain[l] = best("fib_plain", fib_n, reps, &r1) + best("fib_plain2", fib_n, reps, &r3);
    ftry[l] = best("fib_try", fib_n, reps, &r2) + best("fib_try2", fib_n, reps, &r4);
    if (r1 != r2 || r1 != r3 || r1 != r4) {
      fprintf(stderr, "eh-bench: fib results differ (%d, %d, %d, %d)\n", r1, r2, r3, r4);
      return 1;
    }
    /* real work per call: quicksort, every frame with a destructor run by
     * a cleanup handler (eh_bench.wat), vs the same without handlers */
    splain[l] = sort_run("sort_plain", sort_n, reps, &r1) + sort_run("sort_plain2", sort_n, reps, &r3);
    seh[l] = sort_run("sort_eh", sort_n, reps, &r2) + sort_run("sort_eh2", sort_n, reps, &r4);
    if (r1 != r2 || r1 != r3 || r1 != r4) {
      fprintf(stderr, "eh-bench: sort results differ (%d, %d, %d, %d)\n", r1, r2, r3, r4);
      return 1;
    }
    fratio[l] = ftry[l] / fplain[l];
    sratio[l] = seh[l] / splain[l];
    printf("%6d  %6.2f ns %6.2f ns  %6.3fx   %7.2f ms %7.2f ms  %6.3fx\n", l,
           fplain[l] / calls * 1e9, ftry[l] / calls * 1e9, fratio[l], splain[l] * 1e3,
           seh[l] * 1e3, sratio[l]);
    if (l == 0) { /* round trips: far above placement effects */
      ret = best("return_loop", n, reps, &r1);
      thr = best("throw_loop", n, reps, &r2);
      loc = best("local_throw_loop", n, reps, &r3);
      if (r1 != r2 || r1 != r3) {
        fprintf(stderr, "eh-bench: round-trip results differ (%d, %d, %d)\n", r1, r2, r3);
        return 1;
      }
    }
    wasmrt_instance_free(inst);
    wasmrt_module_free(m);
  }
  printf("median over %d layout%s:\n", nlayouts, nlayouts > 1 ? "s" : "");
  printf("  call-heavy (recursive fib(%d), %.0f calls): plain %.2f ns/call, in try %.2f ns/call\n",
         fib_n, calls, median(fplain, nlayouts) / calls * 1e9,
         median(ftry, nlayouts) / calls * 1e9);
  printf("  work per call (quicksort of %d i32s, a destructor per frame): plain %.2f ms, "
         "cleanup handlers %.2f ms\n",
         sort_n, median(splain, nlayouts) * 1e3, median(seh, nlayouts) * 1e3);
  printf("  ratio with/without handlers: fib %.3fx, sort %.3fx\n", median(fratio, nlayouts),
         median(sratio, nlayouts));
  printf("round trips (%d, callee through call_indirect, layout 0):\n", n);
  printf("  return               %8.2f ns\n", ret / n * 1e9);
  printf("  throw + catch        %8.2f ns  (%.0fx a return)\n", thr / n * 1e9, thr / ret);
  printf("  throw + catch in the same function (no unwinding) %.2f ns  (%.1fx a return)\n",
         loc / n * 1e9, loc / ret);
  return 0;
}
