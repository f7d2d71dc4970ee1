/* nbody.c: n-body gravity, a star and five planets, symplectic Euler steps, double. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* wasm has no fused multiply-add: keep native rounding the same. */
#pragma STDC FP_CONTRACT OFF
enum { NB = 6, NP = NB * (NB - 1) / 2 };
struct body { double x, y, z, vx, vy, vz, m; };
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
static double energy(const struct body *b) {
  double e = 0;
  for (int i = 0; i < NB; i++) {
    double v2 = b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz;
    e += 0.5 * b[i].m * v2;
    for (int j = i + 1; j < NB; j++) {
      double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      e -= b[i].m * b[j].m / newton_sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}
int main(int argc, char **argv) {
  long steps = argc > 1 ? atol(argv[1]) : 100000;
  const double dt = 0.002; /* G = 1, star mass 1: inner period 2*pi */
  struct body b[NB];
  memset(b, 0, sizeof b);
  b[0].m = 1.0;
  static const double radius[NB - 1] = {1.0, 1.7, 2.9, 4.6, 7.3};
  static const double mass[NB - 1] = {3e-6, 1e-3, 3e-4, 5e-5, 5e-5};
  for (int k = 1; k < NB; k++) {
    double r = radius[k - 1], v = newton_sqrt(1.0 / r);
    /* Spread around the star, slightly eccentric and inclined orbits. */
    double c = (k & 1) ? 0.6 : -0.8, s = (k & 2) ? 0.8 : 0.6;
    b[k].x = r * c;
    b[k].y = r * s;
    b[k].z = 0.01 * k * r;
    b[k].vx = -v * s * (1.0 + 0.01 * k);
    b[k].vy = v * c * (1.0 + 0.01 * k);
    b[k].vz = -0.002 * k * v;
    b[k].m = mass[k - 1];
  }
  /* Zero the total momentum by giving the star the opposite. */
  for (int k = 1; k < NB; k++) {
    b[0].vx -= b[k].vx * b[k].m;
    b[0].vy -= b[k].vy * b[k].m;
    b[0].vz -= b[k].vz * b[k].m;
  }
  double e0 = energy(b);
  /* Each pair's distance seeds the next step's Newton square root: three
     steps from last step's value are plenty, the bodies move little. */
  double dist[NP];
  for (int i = 0, p = 0; i < NB; i++)
    for (int j = i + 1; j < NB; j++, p++) {
      double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      dist[p] = newton_sqrt(dx * dx + dy * dy + dz * dz);
    }
  for (long t = 0; t < steps; t++) {
    for (int i = 0, p = 0; i < NB; i++)
      for (int j = i + 1; j < NB; j++, p++) {
        double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
        double d2 = dx * dx + dy * dy + dz * dz;
        double d = dist[p];
        d = 0.5 * (d + d2 / d);
        d = 0.5 * (d + d2 / d);
        d = 0.5 * (d + d2 / d);
        dist[p] = d;
        double mag = dt / (d2 * d);
        double mi = b[i].m * mag, mj = b[j].m * mag;
        b[i].vx -= dx * mj;
        b[i].vy -= dy * mj;
        b[i].vz -= dz * mj;
        b[j].vx += dx * mi;
        b[j].vy += dy * mi;
        b[j].vz += dz * mi;
      }
    for (int i = 0; i < NB; i++) {
      b[i].x += dt * b[i].vx;
      b[i].y += dt * b[i].vy;
      b[i].z += dt * b[i].vz;
    }
  }
  printf("nbody %ld steps: energy %.12e -> %.12e, star at %.9f %.9f\n", steps, e0,
         energy(b), b[0].x, b[0].y);
  return 0;
}
