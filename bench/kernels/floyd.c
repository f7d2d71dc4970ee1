/* floyd.c: Floyd-Warshall all-pairs shortest paths on an int distance matrix. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
/* "No edge": large, yet INF + INF still fits in an int. */
#define INF (1 << 29)
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 300;
  if (n < 1) n = 1;
  int *d = malloc(sizeof(int) * n * n);
  if (!d) return 1;
  /* A sparse random digraph: each arc present with probability 1/16,
     weight 1..1000. */
  uint32_t x = 31337;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      x = x * 1664525u + 1013904223u;
      int w = INF;
      if ((x >> 28) == 0) w = 1 + (int)((x >> 8) % 1000u);
      d[i * n + j] = i == j ? 0 : w;
    }
  for (int k = 0; k < n; k++) {
    const int *dk = d + k * n;
    for (int i = 0; i < n; i++) {
      int *di = d + i * n;
      int dik = di[k];
      if (dik >= INF) continue;
      for (int j = 0; j < n; j++) {
        int t = dik + dk[j];
        if (t < di[j]) di[j] = t;
      }
    }
  }
  uint32_t sum = 0, hash = 2166136261u;
  long unreachable = 0;
  int longest = 0;
  for (int i = 0; i < n * n; i++) {
    int v = d[i];
    if (v >= INF) {
      unreachable++;
      continue;
    }
    sum += (uint32_t)v;
    if (v > longest) longest = v;
    hash = (hash ^ (uint32_t)v) * 16777619u;
  }
  printf("floyd %d: sum %u longest %d unreachable %ld hash %08x\n", n, sum, longest,
         unreachable, hash);
  free(d);
  return 0;
}
