/* prog.c: a C program for tests/e2e/clang-module: compiled to Wasm by the
 * clang module that wasmc compiled, run by wasmc, and compiled natively by
 * the host's cc; the two outputs must be identical. It exercises what a
 * miscompiled compiler would get wrong: integer and float arithmetic,
 * sorting, strings and formatting, recursion, a switch. Only
 * fixed-width types and IEEE doubles, so both builds print the same. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t lcg = 12345u;
static uint32_t next(void) { return lcg = lcg * 1103515245u + 12345u; }

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static int count_primes(int n) {
  char *composite = calloc((size_t)n + 1, 1);
  int count = 0;
  for (int i = 2; i <= n; i++) {
    if (composite[i]) continue;
    count++;
    for (int64_t j = (int64_t)i * i; j <= n; j += i) composite[j] = 1;
  }
  free(composite);
  return count;
}

static uint64_t ackermann_ish(uint64_t m, uint64_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ackermann_ish(m - 1, 1);
  return ackermann_ish(m - 1, ackermann_ish(m, n - 1));
}

static const char *kind(int c) {
  switch (c % 7) {
  case 0: return "zero";
  case 1: return "one";
  case 2: return "two";
  case 3: return "three";
  case 5: return "five";
  default: return "other";
  }
}

int main(void) {
  printf("primes below 200000: %d\n", count_primes(200000));

  enum { N = 20000 };
  uint32_t *v = malloc(N * sizeof *v);
  for (int i = 0; i < N; i++) v[i] = next();
  qsort(v, N, sizeof *v, cmp_u32);
  uint64_t sum = 0;
  for (int i = 0; i < N; i++) sum = sum * 31 + v[i];
  printf("sorted: min %" PRIu32 " max %" PRIu32 " hash %" PRIu64 "\n", v[0], v[N - 1], sum);
  free(v);

  double x = 0, h = 1.0 / 4096;
  for (int i = 0; i < 4096; i++) x += h * 4.0 / (1.0 + (i + 0.5) * h * (i + 0.5) * h);
  printf("pi ~ %.12f, sqrt-ish %.9g\n", x, x * x / 7.0);

  char buf[256] = "";
  for (int i = 0; i < 12; i++) {
    strcat(buf, kind(i * 3 + 1));
    strcat(buf, i < 11 ? "," : "");
  }
  printf("kinds: %s (%zu chars)\n", buf, strlen(buf));
  printf("ackermann(2, 300) = %" PRIu64 ", (3, 5) = %" PRIu64 "\n",
         ackermann_ish(2, 300), ackermann_ish(3, 5));
  return 0;
}
