/* calls.c: a call chain that traps (tests/debug/run). main -> level1 ->
 * level2 -> divide; level1 calls level2 with n, n-1 and n-2, so with
 * n = 2 (the default) the third call divides by zero: the trap's Wasm
 * call stack, gdb's breakpoints and backtrace, and addr2line have known
 * functions to find. `calls raise` and `calls abort` end the run from
 * other functions (see below). `calls hot [ROUNDS]` runs a loop instead, for
 * perf. noinline: the chain is four Wasm functions, whatever clang's
 * optimiser would do; wasmc's own inliner may still merge them (-O2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) int divide(int a, int b) { return a / b; }

__attribute__((noinline)) int level2(int x) {
  int r = divide(100, x);
  printf("level2(%d) = %d\n", x, r);
  return r + 1;
}

__attribute__((noinline)) int level1(int n) {
  int s = 0;
  for (int i = 0; i < 3; i++)
    s += level2(n - i);
  return s;
}

/* A loop perf can sample: a linear congruential generator's sum. */
__attribute__((noinline)) unsigned hot_loop(unsigned rounds) {
  unsigned x = 1, sum = 0;
  for (unsigned i = 0; i < rounds; i++) {
    x = x * 1103515245u + 12345u;
    sum += x >> 16;
  }
  return sum;
}

/* WASI's proc_raise, which wasi-libc no longer declares: `calls raise`
 * ends the run with SIGTERM from raiser, `calls abort` with abort()
 * (wasi-libc's is an `unreachable`) from aborter. */
__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("proc_raise"))) int wasi_proc_raise(int sig);

__attribute__((noinline)) void raiser(int sig) {
  wasi_proc_raise(sig);
  printf("proc_raise(%d) returned\n", sig);
}

__attribute__((noinline)) void aborter(int why) {
  if (why)
    abort();
}

/* Called through a pointer (a call_indirect), so that wasmc's inliner
 * keeps hot_loop a function of its own for perf to name. */
static unsigned (*volatile hot)(unsigned) = hot_loop;

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "hot") == 0) {
    printf("%u\n", hot(argc > 2 ? (unsigned)atoi(argv[2]) : 400000000u));
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "raise") == 0)
    raiser(15);
  if (argc > 1 && strcmp(argv[1], "abort") == 0)
    aborter(argc);
  int n = argc > 1 ? atoi(argv[1]) : 2;
  printf("%d\n", level1(n));
  return 0;
}
