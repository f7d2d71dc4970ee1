/* random.c: random_get fills buffers, and two draws differ. */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>
int main(void) {
  unsigned char a[64], b[64], zero[64] = {0};
  if (__wasi_random_get(a, sizeof a) || __wasi_random_get(b, sizeof b)) return 1;
  printf("differ: %s\n", memcmp(a, b, sizeof a) ? "yes" : "no");
  printf("nonzero: %s\n", memcmp(a, zero, sizeof a) ? "yes" : "no");
  return 0;
}
