/* lz.c: byte-oriented LZ77 compressor with a hash table, then decompress and verify. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* Format: a sequence of [varint literal count][literals][varint match
   length - MINMATCH][varint distance], the last one cut after its literals.
   Varints are LEB128 (7 bits a byte, high bit = more). */
enum { MINMATCH = 4, HASH_BITS = 15, WINDOW = 65535 };
static uint8_t *put_varint(uint8_t *op, uint32_t v) {
  while (v >= 0x80) {
    *op++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *op++ = (uint8_t)v;
  return op;
}
static const uint8_t *get_varint(const uint8_t *ip, uint32_t *v) {
  uint32_t r = 0;
  int shift = 0;
  uint8_t b;
  do {
    b = *ip++;
    r |= (uint32_t)(b & 0x7F) << shift;
    shift += 7;
  } while (b & 0x80);
  *v = r;
  return ip;
}
static uint32_t load32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v); /* unaligned; same value on both little-endian targets */
  return v;
}
static uint32_t hash4(uint32_t v) { return (v * 2654435761u) >> (32 - HASH_BITS); }
/* Greedy parse: at each position look up the last position with the same
   4-byte hash; take the match if it is real and near enough.  Returns the
   compressed size.  A match of 4 bytes may cost 5 (1-byte literal count,
   length and 3-byte distance), so out must hold 5 * n / 4 + n / 32 + 16. */
static size_t compress(const uint8_t *in, size_t n, uint8_t *out, uint32_t *head) {
  memset(head, 0xFF, sizeof(uint32_t) << HASH_BITS);
  uint8_t *op = out;
  size_t i = 0, lit = 0;
  while (i + MINMATCH <= n) {
    uint32_t v = load32(in + i), h = hash4(v), cand = head[h];
    head[h] = (uint32_t)i;
    if (cand != 0xFFFFFFFFu && i - cand <= WINDOW && load32(in + cand) == v) {
      size_t len = MINMATCH;
      while (i + len < n && in[cand + len] == in[i + len]) len++;
      op = put_varint(op, (uint32_t)(i - lit));
      memcpy(op, in + lit, i - lit);
      op += i - lit;
      op = put_varint(op, (uint32_t)(len - MINMATCH));
      op = put_varint(op, (uint32_t)(i - cand));
      /* Index a position near the end of the match too. */
      if (len > 8) head[hash4(load32(in + i + len - 3))] = (uint32_t)(i + len - 3);
      i += len;
      lit = i;
    } else {
      i++;
    }
  }
  op = put_varint(op, (uint32_t)(n - lit));
  memcpy(op, in + lit, n - lit);
  op += n - lit;
  return (size_t)(op - out);
}
/* Returns the decompressed size, or 0 on a malformed stream. */
static size_t decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
  const uint8_t *ip = in, *end = in + n;
  uint8_t *op = out, *oend = out + cap;
  for (;;) {
    uint32_t lit, len, dist;
    ip = get_varint(ip, &lit);
    if (lit > (size_t)(end - ip) || lit > (size_t)(oend - op)) return 0;
    memcpy(op, ip, lit);
    ip += lit;
    op += lit;
    if (ip >= end) break;
    ip = get_varint(ip, &len);
    ip = get_varint(ip, &dist);
    len += MINMATCH;
    if (dist == 0 || dist > (size_t)(op - out) || len > (size_t)(oend - op)) return 0;
    const uint8_t *from = op - dist; /* may overlap: copy forwards byte by byte */
    for (uint32_t k = 0; k < len; k++) op[k] = from[k];
    op += len;
  }
  return (size_t)(op - out);
}
static uint32_t seed = 4711;
static unsigned rnd(unsigned n) {
  seed = seed * 1664525u + 1013904223u;
  return (seed >> 8) % n;
}
/* Text-like data: words from a generated vocabulary of 512, separators,
   now and then a run of random bytes or a repeat of an earlier stretch. */
static void generate(uint8_t *buf, size_t n) {
  enum { WORDS = 512 };
  static char vocab[WORDS][12];
  static uint8_t wlen[WORDS];
  for (int w = 0; w < WORDS; w++) {
    wlen[w] = (uint8_t)(2 + rnd(10));
    for (int k = 0; k < wlen[w]; k++) vocab[w][k] = (char)('a' + rnd(26));
  }
  size_t i = 0;
  while (i + 600 < n) {
    unsigned r = rnd(1000);
    if (r < 900) {
      /* Skewed choice: low word numbers are much more common. */
      unsigned w = rnd(WORDS) & rnd(WORDS);
      memcpy(buf + i, vocab[w], wlen[w]);
      i += wlen[w];
      buf[i++] = rnd(12) == 0 ? (uint8_t)",.\n"[rnd(3)] : ' ';
    } else if (r < 960) {
      unsigned len = 1 + rnd(16);
      for (unsigned k = 0; k < len; k++) buf[i++] = (uint8_t)rnd(256);
    } else if (r < 990 && i > 70000) {
      size_t from = i - 1 - rnd(65000), len = 20 + rnd(500);
      for (size_t k = 0; k < len; k++, i++) buf[i] = buf[from + k];
    }
  }
  while (i < n) buf[i++] = '.';
}
int main(int argc, char **argv) {
  int passes = argc > 1 ? atoi(argv[1]) : 5;
  enum { N = 4 * 1024 * 1024 };
  uint8_t *in = malloc(N), *packed = malloc(N + N / 4 + N / 32 + 16), *back = malloc(N);
  uint32_t *head = malloc(sizeof(uint32_t) << HASH_BITS);
  if (!in || !packed || !back || !head) return 1;
  generate(in, N);
  unsigned long long total = 0;
  size_t size = 0;
  uint32_t hash = 2166136261u;
  for (int p = 0; p < passes; p++) {
    size = compress(in, N, packed, head);
    total += size;
    for (size_t k = 0; k < size; k += 97) hash = (hash ^ packed[k]) * 16777619u;
    if (decompress(packed, size, back, N) != N || memcmp(in, back, N) != 0) {
      printf("lz: round trip failed in pass %d\n", p);
      return 1;
    }
    /* Change a few bytes so that no two passes see the same data. */
    for (int k = 0; k < 16; k++) in[rnd(N)] ^= (uint8_t)(1 + k);
  }
  printf("lz %d passes over %d bytes: last %lu bytes (%.2f%%), total %llu, hash %08x\n", passes,
         (int)N, (unsigned long)size, 100.0 * (double)size / N, total, hash);
  free(in);
  free(packed);
  free(back);
  free(head);
  return 0;
}
