/* jacobi2d.c: 2-D Jacobi 5-point stencil on double grids, swapped each step. */
#include <stdio.h>
#include <stdlib.h>
/* wasm has no fused multiply-add: keep native rounding the same. */
#pragma STDC FP_CONTRACT OFF
enum { N = 1000 };
int main(int argc, char **argv) {
  int steps = argc > 1 ? atoi(argv[1]) : 100;
  double *a = malloc(sizeof(double) * N * N), *b = malloc(sizeof(double) * N * N);
  if (!a || !b) return 1;
  /* Interior: a deterministic pattern in [0, 1); edges: a hot top row,
     a warm left column, the rest cold.  Edges stay fixed in both grids. */
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      double v = (double)((i * 37 + j * 91) % 101) / 101.0;
      if (i == 0) v = 100.0;
      else if (j == 0) v = 50.0;
      else if (i == N - 1 || j == N - 1) v = 0.0;
      a[i * N + j] = b[i * N + j] = v;
    }
  for (int t = 0; t < steps; t++) {
    for (int i = 1; i < N - 1; i++) {
      const double *up = a + (i - 1) * N, *row = a + i * N, *dn = a + (i + 1) * N;
      double *out = b + i * N;
      for (int j = 1; j < N - 1; j++)
        out[j] = 0.2 * (row[j] + row[j - 1] + row[j + 1] + up[j] + dn[j]);
    }
    double *tmp = a;
    a = b;
    b = tmp;
  }
  double sum = 0;
  for (int i = 0; i < N * N; i++) sum += a[i];
  printf("jacobi2d %dx%d, %d steps: sum %.10e centre %.10e\n", N, N, steps, sum,
         a[(N / 2) * N + N / 2]);
  free(a);
  free(b);
  return 0;
}
