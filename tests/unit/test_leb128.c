/* test_leb128.c: LEB128 decoding (u32, s32, s33, u64, s64) and UTF-8
 * validation, per the binary format of WebAssembly 2.0 (5.2.2 Integers,
 * 5.2.4 Names): at most ceil(N/7) bytes, unused bits of the last byte zero
 * (unsigned) or equal to the sign (signed), names valid UTF-8.
 *
 * Inputs are copied into exact-size heap blocks so that ASan reports any
 * read past the end. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "wasm_builder.h"

/* ---- helpers ------------------------------------------------------------- */

static uint8_t *exact_copy(const uint8_t *p, size_t n) {
  uint8_t *c = malloc(n ? n : 1);
  cr_assert(c);
  if (n)
    memcpy(c, p, n);
  return c;
}

static size_t dec_u(unsigned bits, const uint8_t *p, size_t n, uint64_t *out) {
  uint8_t *c = exact_copy(p, n);
  size_t r = wasm_leb_u(c, n, bits, out);
  free(c);
  return r;
}

static size_t dec_s(unsigned bits, const uint8_t *p, size_t n, int64_t *out) {
  uint8_t *c = exact_copy(p, n);
  size_t r = wasm_leb_s(c, n, bits, out);
  free(c);
  return r;
}

#define BYTES(...)                                                            \
  (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* Decodes and checks value and length in one line. */
#define OK_U(bits, want, ...)                                                 \
  do {                                                                        \
    uint64_t v_ = 0xDEADBEEF;                                                 \
    size_t n_ = dec_u(bits, BYTES(__VA_ARGS__), &v_);                         \
    cr_assert_eq(n_, sizeof((const uint8_t[]){__VA_ARGS__}),                  \
                 "u%u %s: consumed %zu", bits, #__VA_ARGS__, n_);             \
    cr_assert_eq(v_, (uint64_t)(want), "u%u %s: got %#llx", bits,             \
                 #__VA_ARGS__, (unsigned long long)v_);                       \
  } while (0)
#define OK_S(bits, want, ...)                                                 \
  do {                                                                        \
    int64_t v_ = 0xDEADBEEF;                                                  \
    size_t n_ = dec_s(bits, BYTES(__VA_ARGS__), &v_);                         \
    cr_assert_eq(n_, sizeof((const uint8_t[]){__VA_ARGS__}),                  \
                 "s%u %s: consumed %zu", bits, #__VA_ARGS__, n_);             \
    cr_assert_eq(v_, (int64_t)(want), "s%u %s: got %lld", bits, #__VA_ARGS__, \
                 (long long)v_);                                              \
  } while (0)
#define BAD_U(bits, ...)                                                      \
  do {                                                                        \
    uint64_t v_;                                                              \
    cr_assert_eq(dec_u(bits, BYTES(__VA_ARGS__), &v_), 0,                     \
                 "u%u %s should be malformed", bits, #__VA_ARGS__);           \
  } while (0)
#define BAD_S(bits, ...)                                                      \
  do {                                                                        \
    int64_t v_;                                                               \
    cr_assert_eq(dec_s(bits, BYTES(__VA_ARGS__), &v_), 0,                     \
                 "s%u %s should be malformed", bits, #__VA_ARGS__);           \
  } while (0)

/* ---- u32 ----------------------------------------------------------------- */

Test(leb_u32, boundaries) {
  OK_U(32, 0, 0x00);
  OK_U(32, 1, 0x01);
  OK_U(32, 127, 0x7F);
  OK_U(32, 128, 0x80, 0x01);
  OK_U(32, 16383, 0xFF, 0x7F);
  OK_U(32, 16384, 0x80, 0x80, 0x01);
  OK_U(32, 0x0FFFFFFF, 0xFF, 0xFF, 0xFF, 0x7F);
  OK_U(32, 0x10000000, 0x80, 0x80, 0x80, 0x80, 0x01);
  OK_U(32, UINT32_MAX, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
}

Test(leb_u32, every_length_of_a_padded_encoding_is_accepted) {
  OK_U(32, 0, 0x80, 0x00);
  OK_U(32, 0, 0x80, 0x80, 0x00);
  OK_U(32, 0, 0x80, 0x80, 0x80, 0x00);
  OK_U(32, 0, 0x80, 0x80, 0x80, 0x80, 0x00);
  OK_U(32, 2, 0x82, 0x80, 0x80, 0x80, 0x00);
  OK_U(32, 127, 0xFF, 0x80, 0x80, 0x80, 0x00);
}

Test(leb_u32, stops_at_the_first_byte_without_continuation) {
  uint64_t v;
  /* trailing bytes are not consumed */
  cr_assert_eq(dec_u(32, BYTES(0x05, 0xFF, 0xFF), &v), 1);
  cr_assert_eq(v, 5);
}

Test(leb_u32, overlong_is_malformed) {
  BAD_U(32, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
  BAD_U(32, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00);
  BAD_U(32, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
}

Test(leb_u32, unused_bits_of_last_byte_must_be_zero) {
  BAD_U(32, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F); /* bit 32 */
  BAD_U(32, 0x80, 0x80, 0x80, 0x80, 0x10);
  BAD_U(32, 0x80, 0x80, 0x80, 0x80, 0x70);
  BAD_U(32, 0x82, 0x80, 0x80, 0x80, 0x40); /* spec binary.wast */
  BAD_U(32, 0x82, 0x80, 0x80, 0x80, 0x70);
}

Test(leb_u32, truncated) {
  uint64_t v;
  cr_assert_eq(dec_u(32, NULL, 0, &v), 0);
  BAD_U(32, 0x80);
  BAD_U(32, 0xFF, 0xFF);
  BAD_U(32, 0x80, 0x80, 0x80, 0x80);
  /* avail limits the read even when more bytes follow in memory */
  const uint8_t buf[] = {0x80, 0x80, 0x01};
  cr_assert_eq(wasm_leb_u(buf, 2, 32, &v), 0);
  cr_assert_eq(wasm_leb_u(buf, 3, 32, &v), 3);
  cr_assert_eq(v, 1u << 14);
}

/* ---- s32 ----------------------------------------------------------------- */

Test(leb_s32, boundaries) {
  OK_S(32, 0, 0x00);
  OK_S(32, 1, 0x01);
  OK_S(32, -1, 0x7F);
  OK_S(32, 63, 0x3F);
  OK_S(32, -64, 0x40);
  OK_S(32, 64, 0xC0, 0x00);
  OK_S(32, -65, 0xBF, 0x7F);
  OK_S(32, 8191, 0xFF, 0x3F);
  OK_S(32, -8192, 0x80, 0x40);
  OK_S(32, INT32_MAX, 0xFF, 0xFF, 0xFF, 0xFF, 0x07);
  OK_S(32, INT32_MIN, 0x80, 0x80, 0x80, 0x80, 0x78);
  OK_S(32, INT32_MIN + 1, 0x81, 0x80, 0x80, 0x80, 0x78);
}

Test(leb_s32, every_length_of_a_padded_encoding_is_accepted) {
  OK_S(32, 0, 0x80, 0x00);
  OK_S(32, -1, 0xFF, 0x7F);
  OK_S(32, 0, 0x80, 0x80, 0x00);
  OK_S(32, -1, 0xFF, 0xFF, 0x7F);
  OK_S(32, 0, 0x80, 0x80, 0x80, 0x00);
  OK_S(32, -1, 0xFF, 0xFF, 0xFF, 0x7F);
  OK_S(32, 0, 0x80, 0x80, 0x80, 0x80, 0x00);
  OK_S(32, -1, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F);
}

Test(leb_s32, overlong_is_malformed) {
  BAD_S(32, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
  BAD_S(32, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F);
}

Test(leb_s32, unused_bits_of_last_byte_must_equal_the_sign) {
  /* the 5th byte holds bits 28..31; bit 3 is the sign, bits 4..6 copy it */
  BAD_S(32, 0x80, 0x80, 0x80, 0x80, 0x70); /* 0 with bits set */
  BAD_S(32, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F); /* -1 with bits clear */
  BAD_S(32, 0x80, 0x80, 0x80, 0x80, 0x1F);
  BAD_S(32, 0xFF, 0xFF, 0xFF, 0xFF, 0x4F);
  BAD_S(32, 0x80, 0x80, 0x80, 0x80, 0x08); /* sign set, copies clear */
  BAD_S(32, 0xFF, 0xFF, 0xFF, 0xFF, 0x77); /* sign clear, copies set */
}

Test(leb_s32, truncated) {
  int64_t v;
  cr_assert_eq(dec_s(32, NULL, 0, &v), 0);
  BAD_S(32, 0xFF);
  BAD_S(32, 0x80, 0x80, 0x80, 0x80);
}

/* ---- s33 (block types) --------------------------------------------------- */

Test(leb_s33, boundaries) {
  OK_S(33, 0, 0x00);
  OK_S(33, -1, 0x7F);
  OK_S(33, -64, 0x40);
  OK_S(33, 0xFFFFFFFFLL, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F); /* 2^32-1 */
  OK_S(33, -0x100000000LL, 0x80, 0x80, 0x80, 0x80, 0x70); /* -2^32 */
  OK_S(33, 0, 0x80, 0x80, 0x80, 0x80, 0x00);
  OK_S(33, -1, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F);
}

Test(leb_s33, unused_bits_and_overlong) {
  /* 5th byte: bits 28..32; bit 4 is the sign, bits 5..6 copy it */
  BAD_S(33, 0x80, 0x80, 0x80, 0x80, 0x10);
  BAD_S(33, 0x80, 0x80, 0x80, 0x80, 0x20);
  BAD_S(33, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F);
  BAD_S(33, 0xFF, 0xFF, 0xFF, 0xFF, 0x6F);
  BAD_S(33, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
  BAD_S(33, 0xFF, 0xFF, 0xFF, 0xFF);
}

/* ---- u64 / s64 ----------------------------------------------------------- */

Test(leb_u64, boundaries_and_lengths) {
  OK_U(64, 0, 0x00);
  OK_U(64, 0x80000000ull, 0x80, 0x80, 0x80, 0x80, 0x08);
  OK_U(64, 0x100000000ull, 0x80, 0x80, 0x80, 0x80, 0x10);
  OK_U(64, UINT64_MAX, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
       0x01);
  OK_U(64, 1ull << 63, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
       0x01);
  OK_U(64, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
  OK_U(64, 5, 0x85, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
}

Test(leb_u64, malformed) {
  BAD_U(64, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
        0x00); /* 11 bytes */
  BAD_U(64, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02);
  BAD_U(64, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F);
  BAD_U(64, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
}

Test(leb_s64, boundaries_and_lengths) {
  OK_S(64, 0, 0x00);
  OK_S(64, -1, 0x7F);
  OK_S(64, INT64_MAX, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
       0x00);
  OK_S(64, INT64_MIN, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
       0x7F);
  OK_S(64, -1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F);
  OK_S(64, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
  OK_S(64, 0x7FFFFFFFLL + 1, 0x80, 0x80, 0x80, 0x80, 0x08);
  OK_S(64, -0x80000001LL, 0xFF, 0xFF, 0xFF, 0xFF, 0x77);
}

Test(leb_s64, malformed) {
  /* the 10th byte holds bit 63 only: it must be 0x00 or 0x7F */
  BAD_S(64, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7E);
  BAD_S(64, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
  BAD_S(64, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02);
  BAD_S(64, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x41);
  BAD_S(64, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40);
  BAD_S(64, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x7F); /* 11 bytes */
  BAD_S(64, 0x80, 0x80);
}

/* ---- systematic: every value sample at every permitted length ------------ */

static size_t enc_u(uint64_t v, unsigned width, uint8_t *out) {
  for (unsigned i = 0; i < width; i++) {
    out[i] = (uint8_t)(v & 0x7F) | (i + 1 < width ? 0x80 : 0);
    v >>= 7;
  }
  return width;
}

static size_t enc_s(int64_t v, unsigned width, uint8_t *out) {
  for (unsigned i = 0; i < width; i++) {
    out[i] = (uint8_t)(v & 0x7F) | (i + 1 < width ? 0x80 : 0);
    v >>= 7; /* arithmetic on gcc and clang */
  }
  return width;
}

static unsigned min_len_u(uint64_t v) {
  unsigned n = 1;
  while (v >>= 7)
    n++;
  return n;
}

static unsigned min_len_s(int64_t v) {
  unsigned n = 1;
  while (!((v >= -64 && v <= 63)))
    v >>= 7, n++;
  return n;
}

Test(leb_systematic, unsigned_values_at_every_length) {
  static const uint64_t u32s[] = {0, 1, 63, 64, 127, 128, 0x3FFF, 0x4000,
                                  0xFFFFF, 0x0FFFFFFF, 0x10000000,
                                  0x7FFFFFFF, 0x80000000, UINT32_MAX};
  static const uint64_t u64s[] = {0, 1, 0xFFFFFFFFull, 0x100000000ull,
                                  0x7FFFFFFFFFFFFFFFull,
                                  0x8000000000000000ull, UINT64_MAX};
  uint8_t buf[16];
  uint64_t v;
  for (size_t i = 0; i < sizeof u32s / sizeof *u32s; i++)
    for (unsigned w = min_len_u(u32s[i]); w <= 5; w++) {
      size_t n = enc_u(u32s[i], w, buf);
      cr_assert_eq(dec_u(32, buf, n, &v), n, "u32 %#llx in %u bytes",
                   (unsigned long long)u32s[i], w);
      cr_assert_eq(v, u32s[i]);
      /* one byte more is always too long */
      n = enc_u(u32s[i], 6, buf);
      cr_assert_eq(dec_u(32, buf, n, &v), 0);
    }
  for (size_t i = 0; i < sizeof u64s / sizeof *u64s; i++)
    for (unsigned w = min_len_u(u64s[i]); w <= 10; w++) {
      size_t n = enc_u(u64s[i], w, buf);
      cr_assert_eq(dec_u(64, buf, n, &v), n, "u64 %#llx in %u bytes",
                   (unsigned long long)u64s[i], w);
      cr_assert_eq(v, u64s[i]);
      n = enc_u(u64s[i], 11, buf);
      cr_assert_eq(dec_u(64, buf, n, &v), 0);
    }
}

Test(leb_systematic, signed_values_at_every_length) {
  static const int64_t s32s[] = {0, 1, -1, 63, 64, -64, -65, 8191, -8192,
                                 0x7FFFFFF, -0x8000000, INT32_MAX, INT32_MIN};
  static const int64_t s33s[] = {0, -1, -64, 0xFFFFFFFFLL, -0x100000000LL,
                                 0x80000000LL, -0x80000001LL};
  static const int64_t s64s[] = {0, -1, INT32_MIN, (int64_t)1 << 40,
                                 INT64_MAX, INT64_MIN, INT64_MIN + 1};
  uint8_t buf[16];
  int64_t v;
  const struct {
    unsigned bits, maxlen;
    const int64_t *vals;
    size_t n;
  } kinds[] = {{32, 5, s32s, sizeof s32s / sizeof *s32s},
               {33, 5, s33s, sizeof s33s / sizeof *s33s},
               {64, 10, s64s, sizeof s64s / sizeof *s64s}};
  for (size_t k = 0; k < 3; k++)
    for (size_t i = 0; i < kinds[k].n; i++) {
      int64_t x = kinds[k].vals[i];
      for (unsigned w = min_len_s(x); w <= kinds[k].maxlen; w++) {
        size_t n = enc_s(x, w, buf);
        cr_assert_eq(dec_s(kinds[k].bits, buf, n, &v), n,
                     "s%u %lld in %u bytes", kinds[k].bits, (long long)x, w);
        cr_assert_eq(v, x, "s%u %lld in %u bytes: got %lld", kinds[k].bits,
                     (long long)x, w, (long long)v);
      }
      size_t n = enc_s(x, kinds[k].maxlen + 1, buf);
      cr_assert_eq(dec_s(kinds[k].bits, buf, n, &v), 0, "s%u %lld too long",
                   kinds[k].bits, (long long)x);
    }
}

Test(leb_systematic, builder_round_trip) {
  /* the test builder's encoders agree with the decoder (minimal length) */
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 2000; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    uint64_t u = x >> (x & 63);
    int64_t s = (int64_t)x >> (x & 63);
    wb_buf b = wb_new();
    wb_uleb(&b, u);
    uint64_t gu;
    cr_assert_eq(dec_u(64, b.data, b.len, &gu), b.len);
    cr_assert_eq(gu, u);
    cr_assert_eq(b.len, min_len_u(u));
    wb_free(&b);
    wb_sleb(&b, s);
    int64_t gs;
    cr_assert_eq(dec_s(64, b.data, b.len, &gs), b.len);
    cr_assert_eq(gs, s);
    cr_assert_eq(b.len, min_len_s(s));
    wb_free(&b);
  }
}

/* ---- the reader: messages, offsets, position ----------------------------- */

/* Reads one integer of the given kind from `n` bytes placed at offset 3 of a
 * file; returns the error (set or not) and the reader position. */
typedef enum { K_U32, K_S32, K_S33, K_U64, K_S64 } kind;
typedef struct {
  bool ok;
  wasm_error err;
  size_t pos;
  uint64_t u;
  int64_t s;
} read_result;

static read_result read_at3(kind k, const uint8_t *p, size_t n) {
  uint8_t *c = malloc(3 + n);
  cr_assert(c);
  memset(c, 0xAA, 3);
  if (n)
    memcpy(c + 3, p, n);
  read_result rr;
  memset(&rr, 0, sizeof rr);
  wasm_reader r = wasm_reader_make(c, 3, 3 + n, &rr.err);
  uint32_t u32;
  int32_t s32;
  switch (k) {
  case K_U32: rr.ok = wasm_read_u32(&r, &u32); rr.u = u32; break;
  case K_S32: rr.ok = wasm_read_s32(&r, &s32); rr.s = s32; break;
  case K_S33: rr.ok = wasm_read_s33(&r, &rr.s); break;
  case K_U64: rr.ok = wasm_read_u64(&r, &rr.u); break;
  case K_S64: rr.ok = wasm_read_s64(&r, &rr.s); break;
  }
  rr.pos = r.pos;
  free(c);
  return rr;
}

Test(leb_reader, success_advances_past_the_integer) {
  read_result r = read_at3(K_U32, BYTES(0xE5, 0x8E, 0x26, 0x99));
  cr_assert(r.ok);
  cr_assert_eq(r.u, 624485);
  cr_assert_eq(r.pos, 6);
  cr_assert(!r.err.set);

  r = read_at3(K_S32, BYTES(0xC0, 0xBB, 0x78));
  cr_assert(r.ok);
  cr_assert_eq(r.s, -123456);
  cr_assert_eq(r.pos, 6);

  r = read_at3(K_S32, BYTES(0xFF, 0xFF, 0xFF, 0xFF, 0x07));
  cr_assert(r.ok);
  cr_assert_eq(r.s, INT32_MAX);

  r = read_at3(K_S33, BYTES(0x40));
  cr_assert(r.ok);
  cr_assert_eq(r.s, -64);

  r = read_at3(K_U64, BYTES(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                            0xFF, 0x01));
  cr_assert(r.ok);
  cr_assert_eq(r.u, UINT64_MAX);
  cr_assert_eq(r.pos, 13);

  r = read_at3(K_S64, BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                            0x80, 0x7F));
  cr_assert(r.ok);
  cr_assert_eq(r.s, INT64_MIN);
}

Test(leb_reader, too_long_reports_spec_message_at_integer_start) {
  read_result r = read_at3(K_U32, BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x00));
  cr_assert(!r.ok);
  cr_assert(r.err.set);
  cr_assert_eq(r.err.offset, 3);
  cr_assert(strstr(r.err.msg, "integer representation too long"), "msg: %s",
            r.err.msg);

  r = read_at3(K_S64, BYTES(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                            0xFF, 0xFF, 0x7F));
  cr_assert(!r.ok);
  cr_assert_eq(r.err.offset, 3);
  cr_assert(strstr(r.err.msg, "integer representation too long"), "msg: %s",
            r.err.msg);
}

Test(leb_reader, unused_bits_report_integer_too_large) {
  read_result r = read_at3(K_U32, BYTES(0x82, 0x80, 0x80, 0x80, 0x70));
  cr_assert(!r.ok);
  cr_assert_eq(r.err.offset, 3);
  cr_assert(strstr(r.err.msg, "integer too large"), "msg: %s", r.err.msg);

  r = read_at3(K_S32, BYTES(0xFF, 0xFF, 0xFF, 0xFF, 0x4F));
  cr_assert(!r.ok);
  cr_assert(strstr(r.err.msg, "integer too large"), "msg: %s", r.err.msg);

  r = read_at3(K_S64, BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                            0x80, 0x7E));
  cr_assert(!r.ok);
  cr_assert(strstr(r.err.msg, "integer too large"), "msg: %s", r.err.msg);

  r = read_at3(K_U64, BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                            0x80, 0x02));
  cr_assert(!r.ok);
  cr_assert(strstr(r.err.msg, "integer too large"), "msg: %s", r.err.msg);
}

Test(leb_reader, truncated_reports_unexpected_end) {
  read_result r = read_at3(K_U32, BYTES(0x80, 0x80));
  cr_assert(!r.ok);
  cr_assert_eq(r.err.offset, 3);
  cr_assert(strstr(r.err.msg, "unexpected end"), "msg: %s", r.err.msg);

  r = read_at3(K_S33, NULL, 0);
  cr_assert(!r.ok);
  cr_assert(strstr(r.err.msg, "unexpected end"), "msg: %s", r.err.msg);
}

Test(leb_reader, first_error_wins) {
  wasm_error err = {0};
  const uint8_t bytes[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
  wasm_reader r = wasm_reader_make(bytes, 0, sizeof bytes, &err);
  uint32_t v;
  cr_assert(!wasm_read_u32(&r, &v));
  cr_assert_eq(err.offset, 0);
  r.pos = 2;
  r.end = 3;
  cr_assert(!wasm_read_u32(&r, &v));
  cr_assert_eq(err.offset, 0, "a second failure overwrote the first error");
  cr_assert(strstr(err.msg, "too long"), "msg: %s", err.msg);
}

Test(leb_reader, floats_are_little_endian_bit_patterns) {
  const uint8_t bytes[] = {0x00, 0x00, 0x80, 0x3F, /* 1.0f */
                           /* -1.0 */
                           0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0xBF,
                           0x01, 0x02, 0x03};
  wasm_error err = {0};
  wasm_reader r = wasm_reader_make(bytes, 0, sizeof bytes, &err);
  uint32_t f;
  uint64_t d;
  cr_assert(wasm_read_f32(&r, &f));
  cr_assert_eq(f, 0x3F800000u);
  cr_assert(wasm_read_f64(&r, &d));
  cr_assert_eq(d, 0xBFF0000000000000ull);
  cr_assert(!wasm_read_f32(&r, &f), "only 3 bytes left");
  cr_assert_eq(err.offset, 12);
  cr_assert(strstr(err.msg, "unexpected end"), "msg: %s", err.msg);
}

Test(leb_reader, count_is_checked_against_bytes_left) {
  /* 0xFFFFFFFF items in a 3-byte remainder: rejected, offset of the count */
  const uint8_t bytes[] = {0xAA, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2, 3};
  wasm_error err = {0};
  wasm_reader r = wasm_reader_make(bytes, 1, sizeof bytes, &err);
  uint32_t n;
  cr_assert(!wasm_read_count(&r, 1, &n));
  cr_assert_eq(err.offset, 1);
  cr_assert(strstr(err.msg, "length out of bounds"), "msg: %s", err.msg);

  const uint8_t ok[] = {0x03, 1, 2, 3};
  wasm_error err2 = {0};
  r = wasm_reader_make(ok, 0, sizeof ok, &err2);
  cr_assert(wasm_read_count(&r, 1, &n));
  cr_assert_eq(n, 3);
  cr_assert_eq(r.pos, 1);

  /* 2 items of at least 2 bytes do not fit in 3 bytes */
  wasm_error err3 = {0};
  r = wasm_reader_make((const uint8_t[]){0x02, 1, 2, 3}, 0, 4, &err3);
  cr_assert(!wasm_read_count(&r, 2, &n));
  cr_assert(err3.set);
}

/* ---- UTF-8 --------------------------------------------------------------- */

static bool utf8(const char *s, size_t n) {
  uint8_t *c = exact_copy((const uint8_t *)s, n);
  bool r = wasm_utf8_valid(c, n);
  free(c);
  return r;
}
#define UTF8_OK(lit)                                                          \
  cr_assert(utf8(lit, sizeof(lit) - 1), "should be valid: %s", #lit)
#define UTF8_BAD(lit)                                                         \
  cr_assert(!utf8(lit, sizeof(lit) - 1), "should be invalid: %s", #lit)

Test(utf8, valid_sequences_of_each_length) {
  UTF8_OK("");
  UTF8_OK("hello");
  UTF8_OK("\x7F");
  UTF8_OK("\xC2\x80");         /* U+0080 */
  UTF8_OK("\xDF\xBF");         /* U+07FF */
  UTF8_OK("\xE0\xA0\x80");     /* U+0800 */
  UTF8_OK("\xED\x9F\xBF");     /* U+D7FF */
  UTF8_OK("\xEE\x80\x80");     /* U+E000 */
  UTF8_OK("\xEF\xBF\xBF");     /* U+FFFF */
  UTF8_OK("\xF0\x90\x80\x80"); /* U+10000 */
  UTF8_OK("\xF4\x8F\xBF\xBF"); /* U+10FFFF */
  UTF8_OK("a\xC3\xA9z\xE2\x82\xAC\xF0\x9F\x98\x80!");
}

Test(utf8, nul_is_a_valid_character) {
  UTF8_OK("\0");
  UTF8_OK("a\0b");
}

Test(utf8, overlong_encodings_are_invalid) {
  UTF8_BAD("\xC0\x80"); /* U+0000 */
  UTF8_BAD("\xC0\xAF");
  UTF8_BAD("\xC1\xBF"); /* U+007F */
  UTF8_BAD("\xE0\x80\x80");
  UTF8_BAD("\xE0\x9F\xBF"); /* U+07FF */
  UTF8_BAD("\xF0\x80\x80\x80");
  UTF8_BAD("\xF0\x8F\xBF\xBF"); /* U+FFFF */
}

Test(utf8, surrogates_are_invalid) {
  UTF8_BAD("\xED\xA0\x80"); /* U+D800 */
  UTF8_BAD("\xED\xAF\xBF"); /* U+DBFF */
  UTF8_BAD("\xED\xB0\x80"); /* U+DC00 */
  UTF8_BAD("\xED\xBF\xBF"); /* U+DFFF */
  UTF8_BAD("\xED\xA0\x80\xED\xB0\x80"); /* a CESU-8 pair */
}

Test(utf8, beyond_U10FFFF_and_long_forms_are_invalid) {
  UTF8_BAD("\xF4\x90\x80\x80"); /* U+110000 */
  UTF8_BAD("\xF5\x80\x80\x80");
  UTF8_BAD("\xF7\xBF\xBF\xBF");
  UTF8_BAD("\xF8\x88\x80\x80\x80"); /* old 5-byte form */
  UTF8_BAD("\xFC\x84\x80\x80\x80\x80"); /* old 6-byte form */
  UTF8_BAD("\xFE");
  UTF8_BAD("\xFF");
}

Test(utf8, truncated_and_stray_bytes_are_invalid) {
  UTF8_BAD("\x80");
  UTF8_BAD("\xBF");
  UTF8_BAD("a\x80");
  UTF8_BAD("\xC2");
  UTF8_BAD("\xE0\xA0");
  UTF8_BAD("\xF0\x90\x80");
  UTF8_BAD("\xC2" "A");   /* continuation replaced by ASCII */
  UTF8_BAD("\xE0\xA0" "A");
  UTF8_BAD("\xF0\x90\x80" "A");
  UTF8_BAD("\xC2\xC2\x80"); /* lead byte where a continuation is due */
  UTF8_BAD("ok\xE2\x82");   /* cut at the end */
}

Test(utf8, read_name_keeps_nul_and_terminates) {
  const uint8_t bytes[] = {0x03, 'a', 0x00, 'b', 0x7F};
  wasm_error err = {0};
  wasm_arena arena = {0};
  wasm_reader r = wasm_reader_make(bytes, 0, sizeof bytes, &err);
  wasm_name name;
  cr_assert(wasm_read_name(&r, &arena, &name), "%s", err.msg);
  cr_assert_eq(name.len, 3);
  cr_assert_eq(memcmp(name.str, "a\0b", 4), 0);
  cr_assert_eq(r.pos, 4);
  wasm_arena_free(&arena);
}

Test(utf8, read_name_rejects_bad_utf8_at_name_offset) {
  const uint8_t bytes[] = {0xAA, 0xAA, 0x02, 0xC0, 0x80};
  wasm_error err = {0};
  wasm_arena arena = {0};
  wasm_reader r = wasm_reader_make(bytes, 2, sizeof bytes, &err);
  wasm_name name;
  cr_assert(!wasm_read_name(&r, &arena, &name));
  cr_assert(strstr(err.msg, "malformed UTF-8 encoding"), "msg: %s", err.msg);
  cr_assert_eq(err.offset, 2);
  wasm_arena_free(&arena);
}

Test(utf8, read_name_longer_than_input) {
  const uint8_t bytes[] = {0x05, 'a', 'b'};
  wasm_error err = {0};
  wasm_arena arena = {0};
  wasm_reader r = wasm_reader_make(bytes, 0, sizeof bytes, &err);
  wasm_name name;
  cr_assert(!wasm_read_name(&r, &arena, &name));
  cr_assert(err.set);
  cr_assert_eq(err.offset, 0);
  wasm_arena_free(&arena);
}
