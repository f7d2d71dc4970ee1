/* crc32.c: table-driven CRC-32 (one byte per step, 256-entry table), many passes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
static uint32_t table[256];
/* The table for the reflected polynomial 0xEDB88320, built bit by bit. */
static void make_table(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    table[i] = c;
  }
}
static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n) {
  crc = ~crc;
  for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}
int main(int argc, char **argv) {
  int passes = argc > 1 ? atoi(argv[1]) : 100;
  enum { N = 1024 * 1024, BLOCK = 4096 };
  uint8_t *buf = malloc(N);
  if (!buf) return 1;
  make_table();
  /* The standard check value: CRC-32 of "123456789" is cbf43926. */
  uint32_t check = crc32(0, (const uint8_t *)"123456789", 9);
  uint32_t x = 777;
  for (int i = 0; i < N; i++) {
    x = x * 1103515245u + 12345u;
    buf[i] = (uint8_t)(x >> 16);
  }
  uint32_t whole = 0, blocks = 0;
  for (int p = 0; p < passes; p++) {
    /* One CRC of the whole buffer, and one per 4 KiB block folded together. */
    whole = crc32(whole, buf, N);
    for (size_t off = 0; off < N; off += BLOCK) blocks = blocks * 33u ^ crc32(0, buf + off, BLOCK);
    /* Change a byte so that every pass sees different data. */
    buf[(uint32_t)p * 40503u % N] ^= (uint8_t)(whole | 1);
  }
  printf("crc32 %d passes over %d bytes: check %08x, whole %08x, blocks %08x\n", passes, (int)N,
         check, whole, blocks);
  free(buf);
  return 0;
}
