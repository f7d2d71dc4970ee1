/* bench/gc/binary_trees.c: binary_trees.wat's algorithm in C with
 * malloc/free, the native reference of bench/gc/run. A stretch tree of
 * depth max+1, a long-lived tree of depth max, then 2^(max-d+4) trees of
 * each depth d = 4, 6, .., max, each checked by counting its nodes and
 * freed. Prints the sum of all node counts (the .wat's checksum).
 *
 *   binary-trees [MAX]     (default 16, at least 6) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct node {
  struct node *left, *right;
} node;

static node *make(int d) {
  node *t = malloc(sizeof *t);
  if (!t) {
    perror("malloc");
    exit(1);
  }
  if (d == 0) {
    t->left = t->right = NULL;
  } else {
    t->left = make(d - 1);
    t->right = make(d - 1);
  }
  return t;
}

static uint32_t check(const node *t) {
  return t->left ? 1 + check(t->left) + check(t->right) : 1;
}

static void release(node *t) {
  if (t->left) {
    release(t->left);
    release(t->right);
  }
  free(t);
}

int main(int argc, char **argv) {
  int max = argc > 1 ? atoi(argv[1]) : 16;
  if (max < 6) max = 6;
  node *stretch = make(max + 1);
  uint64_t sum = check(stretch);
  release(stretch);
  node *long_lived = make(max);
  for (int d = 4; d <= max; d += 2) {
    uint32_t iters = 1u << (max - d + 4);
    uint64_t c = 0;
    for (uint32_t i = 0; i < iters; i++) {
      node *t = make(d);
      c += check(t);
      release(t);
    }
    sum += c;
  }
  sum += check(long_lived);
  release(long_lived);
  printf("%llu\n", (unsigned long long)sum);
  return 0;
}
