/* spectralnorm.c: spectral norm of A(i,j) = 1/((i+j)(i+j+1)/2+i+1) by the power method. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* wasm has no fused multiply-add: keep native rounding the same. */
#pragma STDC FP_CONTRACT OFF
/* Newton's square root from an exponent-halving guess (no libm needed). */
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
/* The denominator of A(i,j), exact as a double for any n used here. */
static double den(int i, int j) { return (double)((i + j) * (i + j + 1) / 2 + i + 1); }
/* out = A * in */
static void mul_a(int n, const double *in, double *out) {
  for (int i = 0; i < n; i++) {
    double s = 0;
    for (int j = 0; j < n; j++) s += in[j] / den(i, j);
    out[i] = s;
  }
}
/* out = A^T * in */
static void mul_at(int n, const double *in, double *out) {
  for (int i = 0; i < n; i++) {
    double s = 0;
    for (int j = 0; j < n; j++) s += in[j] / den(j, i);
    out[i] = s;
  }
}
/* out = A^T A in, using tmp */
static void mul_ata(int n, const double *in, double *out, double *tmp) {
  mul_a(n, in, tmp);
  mul_at(n, tmp, out);
}
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 500;
  if (n < 1) n = 1;
  double *u = malloc(sizeof(double) * n), *v = malloc(sizeof(double) * n),
         *tmp = malloc(sizeof(double) * n);
  if (!u || !v || !tmp) return 1;
  for (int i = 0; i < n; i++) u[i] = 1.0;
  for (int it = 0; it < 10; it++) {
    mul_ata(n, u, v, tmp);
    mul_ata(n, v, u, tmp);
  }
  double uv = 0, vv = 0;
  for (int i = 0; i < n; i++) {
    uv += u[i] * v[i];
    vv += v[i] * v[i];
  }
  printf("spectralnorm %d: %.12f\n", n, newton_sqrt(uv / vv));
  free(u);
  free(v);
  free(tmp);
  return 0;
}
