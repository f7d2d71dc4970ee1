/* seidel2d.c: 2-D Gauss-Seidel 9-point stencil, in place on a double grid. */
#include <stdio.h>
#include <stdlib.h>
/* wasm has no fused multiply-add: keep native rounding the same. */
#pragma STDC FP_CONTRACT OFF
enum { N = 800 };
int main(int argc, char **argv) {
  int steps = argc > 1 ? atoi(argv[1]) : 20;
  double *a = malloc(sizeof(double) * N * N);
  if (!a) return 1;
  unsigned x = 2024;
  for (int i = 0; i < N * N; i++) {
    x = x * 1664525u + 1013904223u;
    a[i] = (double)(x >> 20) / 4096.0; /* exact: multiples of 1/4096 in [0, 1024) */
  }
  for (int t = 0; t < steps; t++)
    for (int i = 1; i < N - 1; i++) {
      double *up = a + (i - 1) * N, *row = a + i * N, *dn = a + (i + 1) * N;
      for (int j = 1; j < N - 1; j++)
        row[j] = (up[j - 1] + up[j] + up[j + 1] + row[j - 1] + row[j] + row[j + 1] +
                  dn[j - 1] + dn[j] + dn[j + 1]) / 9.0;
    }
  double sum = 0;
  for (int i = 0; i < N * N; i++) sum += a[i];
  printf("seidel2d %dx%d, %d steps: sum %.10e corner %.10e\n", N, N, steps, sum, a[N + 1]);
  free(a);
  return 0;
}
