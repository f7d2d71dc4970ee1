/* hello.c: a small WASI (preview1) program, the bundled example of wasmc.
 *
 * Built to hello.wasm by examples/CMakeLists.txt with
 *     clang --target=wasm32-wasi -O2 hello.c -o hello.wasm
 * It uses what a typical command-line program uses through WASI: arguments,
 * environment, the clock, stdio and heap memory. Today wasmc validates and
 * inspects it; compiling and running it natively arrives with later issues.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Fibonacci numbers, to give the module a little real code. */
static unsigned long long fib(unsigned n) {
  unsigned long long a = 0, b = 1;
  while (n--) {
    unsigned long long t = a + b;
    a = b;
    b = t;
  }
  return a;
}

int main(int argc, char **argv) {
  const char *who = argc > 1 ? argv[1] : getenv("USER");
  printf("Hello, %s, from WebAssembly!\n", who ? who : "world");

  size_t n = 16;
  unsigned long long *v = malloc(n * sizeof *v);
  if (!v)
    return 1;
  for (size_t i = 0; i < n; i++)
    v[i] = fib((unsigned)i);
  printf("fib(0..%zu):", n - 1);
  for (size_t i = 0; i < n; i++)
    printf(" %llu", v[i]);
  putchar('\n');
  free(v);

  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
    printf("seconds since 1970: %lld\n", (long long)ts.tv_sec);
  return 0;
}
