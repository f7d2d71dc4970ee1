/* lu.c: LU decomposition without pivoting of a diagonally dominant double matrix. */
#include <stdio.h>
#include <stdlib.h>
/* wasm has no fused multiply-add: keep native rounding the same. */
#pragma STDC FP_CONTRACT OFF
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 400;
  if (n < 2) n = 2;
  double *a = malloc(sizeof(double) * n * n);
  if (!a) return 1;
  unsigned x = 7;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      x = x * 1103515245u + 12345u;
      double v = (double)((x >> 16) & 0x3FF) / 1024.0 - 0.5; /* [-0.5, 0.5) */
      a[i * n + j] = i == j ? v + n : v;
    }
  /* Doolittle, in place: L below the diagonal (unit diagonal implied), U on
     and above it.  Row i of U is updated with a row operation, j innermost. */
  for (int k = 0; k < n - 1; k++) {
    const double *rk = a + k * n;
    double pivot = rk[k];
    for (int i = k + 1; i < n; i++) {
      double *ri = a + i * n;
      double l = ri[k] / pivot;
      ri[k] = l;
      for (int j = k + 1; j < n; j++) ri[j] -= l * rk[j];
    }
  }
  /* Checksums of the factors: strictly lower part (L) and upper part (U). */
  double sl = 0, su = 0, diag = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      double v = a[i * n + j];
      if (j < i) sl += v;
      else su += v;
      if (i == j) diag += v;
    }
  printf("lu %d: sum L %.10e sum U %.10e trace U %.10e\n", n, sl, su, diag);
  free(a);
  return 0;
}
