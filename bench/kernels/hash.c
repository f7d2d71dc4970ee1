/* hash.c: FNV-1a and CRC-32 over a buffer: integer ops and 32-bit loads. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 40;
  enum { N = 4 * 1024 * 1024 };
  uint8_t *buf = malloc(N);
  if (!buf) return 1;
  uint32_t x = 12345;
  for (int i = 0; i < N; i++) {
    x = x * 1103515245u + 12345u;
    buf[i] = (uint8_t)(x >> 16);
  }
  uint32_t table[256];
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  uint32_t fnv = 2166136261u, crc = 0;
  for (int r = 0; r < reps; r++) {
    uint32_t c = 0xFFFFFFFFu;
    for (int i = 0; i < N; i++) {
      fnv = (fnv ^ buf[i]) * 16777619u;
      c = table[(c ^ buf[i]) & 0xFF] ^ (c >> 8);
    }
    crc = crc * 31u + ~c;
  }
  printf("fnv %08x crc %08x\n", fnv, crc);
  return 0;
}
