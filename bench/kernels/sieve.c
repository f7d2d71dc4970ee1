/* sieve.c: sieve of Eratosthenes, repeated: byte loads/stores in loops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 20;
  enum { N = 8 * 1024 * 1024 };
  unsigned char *s = malloc(N);
  if (!s) return 1;
  unsigned long count = 0;
  for (int r = 0; r < reps; r++) {
    memset(s, 1, N);
    s[0] = s[1] = 0;
    for (unsigned i = 2; (unsigned long)i * i < N; i++)
      if (s[i])
        for (unsigned j = i * i; j < N; j += i) s[j] = 0;
    for (unsigned i = 0; i < N; i++) count += s[i];
  }
  printf("primes below %d, %d times: %lu\n", N, reps, count);
  return 0;
}
