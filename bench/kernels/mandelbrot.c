/* mandelbrot.c: escape-time Mandelbrot set over a square grid, double. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
/* wasm has no fused multiply-add: keep native rounding the same (escape
   counts near the boundary of the set depend on every rounding). */
#pragma STDC FP_CONTRACT OFF
enum { MAXITER = 256 };
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 400;
  if (n < 1) n = 1;
  /* The region [-2, 0.5] x [-1.25, 1.25]. */
  long inside = 0;
  uint64_t iters = 0;
  uint32_t hash = 2166136261u;
  for (int py = 0; py < n; py++) {
    double ci = 1.25 - 2.5 * py / n;
    for (int px = 0; px < n; px++) {
      double cr = -2.0 + 2.5 * px / n;
      double zr = 0, zi = 0, zr2 = 0, zi2 = 0;
      int k = 0;
      while (k < MAXITER && zr2 + zi2 <= 4.0) {
        zi = 2.0 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        zr2 = zr * zr;
        zi2 = zi * zi;
        k++;
      }
      if (k == MAXITER) inside++;
      iters += (unsigned)k;
      hash = (hash ^ (uint32_t)k) * 16777619u;
    }
  }
  printf("mandelbrot %dx%d: %ld inside, %llu iterations, hash %08x\n", n, n, inside,
         (unsigned long long)iters, hash);
  return 0;
}
