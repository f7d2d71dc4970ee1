/* lcs.c: longest common subsequence length of two generated strings, int DP in two rows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 5000;
  if (n < 1) n = 1;
  int m = n + n / 7; /* the second string is a bit longer */
  char *a = malloc((size_t)n), *b = malloc((size_t)m);
  int *prev = calloc((size_t)m + 1, sizeof(int)), *cur = calloc((size_t)m + 1, sizeof(int));
  if (!a || !b || !prev || !cur) return 1;
  /* a: random over "ACGT"; b: a copy of a with about one symbol in four
     replaced and extra symbols inserted, so the LCS is long. */
  static const char alphabet[4] = {'A', 'C', 'G', 'T'};
  uint32_t x = 4242;
  for (int i = 0; i < n; i++) {
    x = x * 1103515245u + 12345u;
    a[i] = alphabet[(x >> 16) & 3];
  }
  for (int i = 0, j = 0; j < m; j++) {
    x = x * 1103515245u + 12345u;
    unsigned r = (x >> 16) & 15;
    if (i < n && r >= 6) { /* keep */
      b[j] = a[i++];
    } else if (i < n && r >= 2) { /* replace */
      b[j] = alphabet[(x >> 24) & 3];
      i++;
    } else { /* insert */
      b[j] = alphabet[(x >> 20) & 3];
    }
  }
  /* L[i][j] = L[i-1][j-1] + 1 if a[i] == b[j], else max(L[i-1][j], L[i][j-1]).
     Both neighbours lie between L[i-1][j-1] and L[i-1][j-1] + 1, so the max
     of all three, with + 1 on the diagonal on a match, is the same value.
     That form has no data-dependent branch: the speed does not hinge on the
     branch predictor learning the four possible row patterns. */
  for (int i = 1; i <= n; i++) {
    char ai = a[i - 1];
    cur[0] = 0;
    for (int j = 1; j <= m; j++) {
      int v = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
      int diag = prev[j - 1] + (ai == b[j - 1]);
      cur[j] = diag > v ? diag : v;
    }
    int *t = prev;
    prev = cur;
    cur = t;
  }
  uint32_t hash = 2166136261u;
  for (int j = 0; j <= m; j++) hash = (hash ^ (uint32_t)prev[j]) * 16777619u;
  printf("lcs %d x %d: length %d, last row hash %08x\n", n, m, prev[m], hash);
  free(a);
  free(b);
  free(prev);
  free(cur);
  return 0;
}
