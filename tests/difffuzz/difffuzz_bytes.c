/* difffuzz_bytes.c: the random input from which binaryen builds module N
 * of a difffuzz seed (`wasm-opt -ttf` turns any bytes into a valid
 * module), so that a seed names the same modules on every machine.
 *
 *   difffuzz-bytes SEED N > input.bin
 *
 * The bytes are splitmix64's stream for (SEED, N); their count, from the
 * same stream, lies between 256 bytes and 24 KiB: small inputs give small
 * modules that fail in readable ways, large ones long functions. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* splitmix64 (Steele, Lea, Flood 2014): a good, tiny, well-known mixer. */
static uint64_t next(uint64_t *state) {
  uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static int parse(const char *s, uint64_t *out) {
  char *end;
  if (!*s || *s == '-')
    return 0;
  *out = strtoull(s, &end, 10);
  return *end == 0;
}

int main(int argc, char **argv) {
  uint64_t seed, n;
  if (argc != 3 || !parse(argv[1], &seed) || !parse(argv[2], &n)) {
    fprintf(stderr, "usage: difffuzz-bytes SEED N (non-negative integers)\n");
    return 2;
  }
  uint64_t state = seed * UINT64_C(0x100000001b3) ^ n;
  next(&state);
  size_t size = 256 + next(&state) % (24 * 1024 - 256 + 1);
  for (size_t i = 0; i < size; i += 8) {
    uint64_t r = next(&state);
    for (size_t b = 0; b < 8 && i + b < size; b++)
      putchar((int)(r >> (8 * b) & 0xff));
  }
  return fflush(stdout) == 0 ? 0 : 1;
}
