/* cholesky.c: Cholesky decomposition of a symmetric positive-definite double matrix. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* wasm has no fused multiply-add: keep native rounding the same. */
#pragma STDC FP_CONTRACT OFF
/* Square root by Newton's method from an exponent-halving first guess, so
   that the native build needs no libm (-lm); six steps reach full precision. */
static double newton_sqrt(double v) {
  if (!(v > 0)) return 0;
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  bits = (bits >> 1) + 0x1FF8000000000000u;
  double y;
  memcpy(&y, &bits, sizeof y);
  for (int i = 0; i < 6; i++) y = 0.5 * (y + v / y);
  return y;
}
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 500;
  if (n < 1) n = 1;
  double *a = malloc(sizeof(double) * n * n);
  if (!a) return 1;
  /* Symmetric, entries in [0, 1), diagonal n + 1: strictly diagonally
     dominant with a positive diagonal, hence positive definite. */
  unsigned x = 99;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < i; j++) {
      x = x * 1103515245u + 12345u;
      a[i * n + j] = a[j * n + i] = (double)((x >> 16) & 0xFFF) / 4096.0;
    }
    a[i * n + i] = n + 1.0;
  }
  /* Row by row (Cholesky-Banachiewicz): L overwrites the lower triangle. */
  for (int i = 0; i < n; i++) {
    double *ri = a + i * n;
    for (int j = 0; j <= i; j++) {
      const double *rj = a + j * n;
      double s = ri[j];
      for (int k = 0; k < j; k++) s -= ri[k] * rj[k];
      ri[j] = i == j ? newton_sqrt(s) : s / rj[j];
    }
  }
  double sum = 0, diag = 0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j <= i; j++) sum += a[i * n + j];
    diag += a[i * n + i];
  }
  printf("cholesky %d: sum L %.10e trace L %.10e L[n-1][n-1] %.10e\n", n, sum, diag,
         a[(size_t)n * n - 1]);
  free(a);
  return 0;
}
