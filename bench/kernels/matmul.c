/* matmul.c: dense double matrix multiply: float arithmetic in loops. */
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 256;
  double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n),
         *c = calloc((size_t)n * n, sizeof(double));
  if (!a || !b || !c) return 1;
  for (int i = 0; i < n * n; i++) {
    a[i] = (double)(i % 7) * 0.5;
    b[i] = (double)(i % 5) + 0.25;
  }
  for (int i = 0; i < n; i++)
    for (int k = 0; k < n; k++) {
      double x = a[i * n + k];
      for (int j = 0; j < n; j++) c[i * n + j] += x * b[k * n + j];
    }
  double sum = 0;
  for (int i = 0; i < n * n; i++) sum += c[i];
  printf("matmul %d: %.3f\n", n, sum);
  return 0;
}
