/* simd_bytes.c: byte-wise add, min, max, sum and match count over a buffer, hand-vectorised on both builds. */
/* wasm-cflags: -msimd128 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif
/* One pass adds delta (mod 256) to every byte in place, and returns the
   minimum, maximum and sum of the new bytes and how many equal key. */
struct stats {
  uint32_t min, max, sum, count;
};
enum { N = 256 * 1024, BLOCK = 2048 };
/* The 128-bit operations the kernel uses: wasm SIMD on wasm, generic
   vector extensions elsewhere (SSE2 on x86_64, NEON on aarch64). */
#ifdef __wasm_simd128__
typedef v128_t u8x16;
typedef v128_t u16x8;
typedef v128_t u32x4;
static inline u8x16 u8x16_load(const uint8_t *p) { return wasm_v128_load(p); }
static inline void u8x16_store(uint8_t *p, u8x16 v) { wasm_v128_store(p, v); }
static inline void u16x8_store(uint16_t *p, u16x8 v) { wasm_v128_store(p, v); }
static inline void u32x4_store(uint32_t *p, u32x4 v) { wasm_v128_store(p, v); }
static inline u8x16 u8x16_splat(uint8_t a) { return wasm_i8x16_splat((int8_t)a); }
static inline u16x8 u16x8_zero(void) { return wasm_i16x8_splat(0); }
static inline u32x4 u32x4_zero(void) { return wasm_i32x4_splat(0); }
static inline u8x16 u8x16_add(u8x16 a, u8x16 b) { return wasm_i8x16_add(a, b); }
static inline u8x16 u8x16_sub(u8x16 a, u8x16 b) { return wasm_i8x16_sub(a, b); }
static inline u8x16 u8x16_min(u8x16 a, u8x16 b) { return wasm_u8x16_min(a, b); }
static inline u8x16 u8x16_max(u8x16 a, u8x16 b) { return wasm_u8x16_max(a, b); }
static inline u8x16 u8x16_eq(u8x16 a, u8x16 b) { return wasm_i8x16_eq(a, b); }
static inline u16x8 u16x8_add(u16x8 a, u16x8 b) { return wasm_i16x8_add(a, b); }
static inline u32x4 u32x4_add(u32x4 a, u32x4 b) { return wasm_i32x4_add(a, b); }
static inline u16x8 u16x8_extadd_pairwise(u8x16 v) { return wasm_u16x8_extadd_pairwise_u8x16(v); }
static inline u32x4 u32x4_extadd_pairwise(u16x8 v) { return wasm_u32x4_extadd_pairwise_u16x8(v); }
#else
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
static inline u8x16 u8x16_load(const uint8_t *p) {
  u8x16 v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void u8x16_store(uint8_t *p, u8x16 v) { memcpy(p, &v, sizeof v); }
static inline void u16x8_store(uint16_t *p, u16x8 v) { memcpy(p, &v, sizeof v); }
static inline void u32x4_store(uint32_t *p, u32x4 v) { memcpy(p, &v, sizeof v); }
static inline u8x16 u8x16_splat(uint8_t a) { return (u8x16){0} + a; }
static inline u16x8 u16x8_zero(void) { return (u16x8){0}; }
static inline u32x4 u32x4_zero(void) { return (u32x4){0}; }
static inline u8x16 u8x16_add(u8x16 a, u8x16 b) { return a + b; }
static inline u8x16 u8x16_sub(u8x16 a, u8x16 b) { return a - b; }
/* Comparisons give 0 or all ones per lane; min and max select with them. */
static inline u8x16 u8x16_min(u8x16 a, u8x16 b) {
  u8x16 m = (u8x16)(a < b);
  return (a & m) | (b & ~m);
}
static inline u8x16 u8x16_max(u8x16 a, u8x16 b) {
  u8x16 m = (u8x16)(a > b);
  return (a & m) | (b & ~m);
}
static inline u8x16 u8x16_eq(u8x16 a, u8x16 b) { return (u8x16)(a == b); }
static inline u16x8 u16x8_add(u16x8 a, u16x8 b) { return a + b; }
static inline u32x4 u32x4_add(u32x4 a, u32x4 b) { return a + b; }
/* Sums of lanes 2k and 2k+1, widened: low half plus high half of each
   wider lane, which is the same pair whatever the byte order. */
static inline u16x8 u16x8_extadd_pairwise(u8x16 v) {
  u16x8 w = (u16x8)v;
  return (w & 0xFF) + (w >> 8);
}
static inline u32x4 u32x4_extadd_pairwise(u16x8 v) {
  u32x4 w = (u32x4)v;
  return (w & 0xFFFF) + (w >> 16);
}
#endif
static struct stats pass(uint8_t *buf, uint8_t delta, uint8_t key) {
  u8x16 vd = u8x16_splat(delta), vk = u8x16_splat(key);
  u8x16 mn = u8x16_splat(255), mx = u8x16_splat(0);
  u32x4 sum32 = u32x4_zero();
  u16x8 cnt16 = u16x8_zero();
  for (int b = 0; b < N; b += BLOCK) {
    /* Per block of 128 vectors: byte sums pairwise into 16-bit lanes (at
       most 128 * 510 < 65536), match counts in 8-bit lanes (at most 128). */
    u16x8 sum16 = u16x8_zero();
    u8x16 cnt8 = u8x16_splat(0);
    for (int i = b; i < b + BLOCK; i += 16) {
      u8x16 v = u8x16_add(u8x16_load(buf + i), vd);
      u8x16_store(buf + i, v);
      mn = u8x16_min(mn, v);
      mx = u8x16_max(mx, v);
      sum16 = u16x8_add(sum16, u16x8_extadd_pairwise(v));
      cnt8 = u8x16_sub(cnt8, u8x16_eq(v, vk)); /* eq is all ones (-1) on a match */
    }
    sum32 = u32x4_add(sum32, u32x4_extadd_pairwise(sum16));
    cnt16 = u16x8_add(cnt16, u16x8_extadd_pairwise(cnt8));
  }
  /* Fold the lanes. */
  uint8_t lmn[16], lmx[16];
  uint16_t lcnt[8];
  uint32_t lsum[4];
  u8x16_store(lmn, mn);
  u8x16_store(lmx, mx);
  u16x8_store(lcnt, cnt16);
  u32x4_store(lsum, sum32);
  struct stats s = {255, 0, 0, 0};
  for (int k = 0; k < 16; k++) {
    if (lmn[k] < s.min) s.min = lmn[k];
    if (lmx[k] > s.max) s.max = lmx[k];
  }
  for (int k = 0; k < 8; k++) s.count += lcnt[k];
  for (int k = 0; k < 4; k++) s.sum += lsum[k];
  return s;
}
int main(int argc, char **argv) {
  int passes = argc > 1 ? atoi(argv[1]) : 1000;
  uint8_t *buf = malloc(N);
  if (!buf) return 1;
  /* Bytes in 0 .. 46, peaked in the middle: as the deltas shift them
     round, min, max and the match counts change from pass to pass. */
  uint32_t x = 99;
  for (int i = 0; i < N; i++) {
    x = x * 1103515245u + 12345u;
    uint32_t r = x >> 16;
    buf[i] = (uint8_t)((r & 0x1F) + (r >> 5 & 0xF));
  }
  uint32_t hash = 2166136261u;
  uint64_t total = 0;
  struct stats s = {0, 0, 0, 0};
  uint8_t shift = 0; /* the sum of the deltas so far, mod 256 */
  for (int p = 0; p < passes; p++) {
    uint8_t delta = (uint8_t)(p * 37 + 11);
    shift = (uint8_t)(shift + delta);
    /* Look for a byte value that moved into the window. */
    s = pass(buf, delta, (uint8_t)(shift + p % 47));
    total += s.sum;
    hash = (hash ^ (s.min | s.max << 8)) * 16777619u;
    hash = (hash ^ s.count) * 16777619u;
  }
  printf("simd_bytes %d passes of %d bytes: last min %u max %u sum %u count %u, total %llu, hash %08x\n",
         passes, (int)N, s.min, s.max, s.sum, s.count, (unsigned long long)total, hash);
  free(buf);
  return 0;
}
