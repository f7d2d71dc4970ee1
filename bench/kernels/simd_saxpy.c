/* simd_saxpy.c: float y = a*x + y over arrays plus the dot product x.y, hand-vectorised on both builds. */
/* wasm-cflags: -msimd128 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif
/* All values are exact in float, so the result cannot depend on the order
   of additions or on fused multiply-adds: x = k/4 with |k| <= 32, y starts
   as m/8 with |m| <= 1024 and moves by at most 3*8 (a in -1.5 .. 1.5, steps
   of 0.5, summing to 0 over 7 passes), so |x*y| <= 8 * 152 in steps of
   1/32; the sums of a block of 256 products stay under 2^24/32 in
   magnitude: exact.  Each block's sum, times 32, goes into an integer. */
enum { N = 32768, BLOCK = 256 };
/* The 128-bit operations the kernel uses: wasm SIMD on wasm, generic
   vector extensions elsewhere (SSE2 on x86_64, NEON on aarch64). */
#ifdef __wasm_simd128__
typedef v128_t f32x4;
static inline f32x4 f32x4_load(const float *p) { return wasm_v128_load(p); }
static inline void f32x4_store(float *p, f32x4 v) { wasm_v128_store(p, v); }
static inline f32x4 f32x4_splat(float a) { return wasm_f32x4_splat(a); }
static inline f32x4 f32x4_add(f32x4 a, f32x4 b) { return wasm_f32x4_add(a, b); }
static inline f32x4 f32x4_mul(f32x4 a, f32x4 b) { return wasm_f32x4_mul(a, b); }
static inline float f32x4_sum(f32x4 v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
         wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}
#else
typedef float f32x4 __attribute__((vector_size(16)));
static inline f32x4 f32x4_load(const float *p) {
  f32x4 v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void f32x4_store(float *p, f32x4 v) { memcpy(p, &v, sizeof v); }
static inline f32x4 f32x4_splat(float a) { return (f32x4){a, a, a, a}; }
static inline f32x4 f32x4_add(f32x4 a, f32x4 b) { return a + b; }
static inline f32x4 f32x4_mul(f32x4 a, f32x4 b) { return a * b; }
static inline float f32x4_sum(f32x4 v) { return v[0] + v[1] + v[2] + v[3]; }
#endif
static int64_t pass(float a, float *x, float *y) {
  int64_t dot = 0;
  f32x4 va = f32x4_splat(a);
  for (int b = 0; b < N; b += BLOCK) {
    f32x4 acc = f32x4_splat(0.0f);
    for (int i = b; i < b + BLOCK; i += 4) {
      f32x4 vx = f32x4_load(x + i), vy = f32x4_load(y + i);
      vy = f32x4_add(f32x4_mul(va, vx), vy);
      f32x4_store(y + i, vy);
      acc = f32x4_add(acc, f32x4_mul(vx, vy));
    }
    dot += (int64_t)(f32x4_sum(acc) * 32.0f);
  }
  return dot;
}
int main(int argc, char **argv) {
  int passes = argc > 1 ? atoi(argv[1]) : 1000;
  float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N);
  if (!x || !y) return 1;
  uint32_t r = 1234;
  for (int i = 0; i < N; i++) {
    r = r * 1664525u + 1013904223u;
    x[i] = (float)((int)(r >> 16) % 65 - 32) / 4.0f;
    y[i] = (float)((int)(r >> 8 & 0xFFFF) % 2049 - 1024) / 8.0f;
  }
  int64_t total = 0;
  uint32_t hash = 2166136261u;
  for (int p = 0; p < passes; p++) {
    float a = (float)(p % 7 - 3) * 0.5f;
    int64_t d = pass(a, x, y);
    total += d;
    hash = (hash ^ (uint32_t)d) * 16777619u;
  }
  int64_t ysum = 0;
  for (int i = 0; i < N; i++) ysum += (int64_t)(y[i] * 8.0f);
  printf("simd_saxpy %d passes of %d floats: dot total %.5f, sum y %.3f, hash %08x\n", passes,
         (int)N, (double)total / 32.0, (double)ysum / 8.0, hash);
  free(x);
  free(y);
  return 0;
}
