/* calls.c: a call chain that traps (tests/debug/run). main -> level1 ->
 * level2 -> divide; level1 calls level2 with n, n-1 and n-2, so with
 * n = 2 (the default) the third call divides by zero: the trap's Wasm
 * call stack, gdb's breakpoints and backtrace, and addr2line have known
 * functions to find. `calls hot [ROUNDS]` runs a loop instead, for
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

/* Called through a pointer (a call_indirect), so that wasmc's inliner
 * keeps hot_loop a function of its own for perf to name. */
static unsigned (*volatile hot)(unsigned) = hot_loop;

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "hot") == 0) {
    printf("%u\n", hot(argc > 2 ? (unsigned)atoi(argv[2]) : 400000000u));
    return 0;
  }
  int n = argc > 1 ? atoi(argv[1]) : 2;
  printf("%d\n", level1(n));
  return 0;
}
