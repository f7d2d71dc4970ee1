/* listproc.c: singly linked list of malloc'd nodes: build, reverse, filter, merge sort. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
struct node {
  struct node *next;
  uint32_t key;
};
/* Merge two sorted lists; stable (ties taken from a first). */
static struct node *merge(struct node *a, struct node *b) {
  struct node head, *tail = &head;
  while (a && b) {
    if (b->key < a->key) {
      tail->next = b;
      b = b->next;
    } else {
      tail->next = a;
      a = a->next;
    }
    tail = tail->next;
  }
  tail->next = a ? a : b;
  return head.next;
}
/* Top-down merge sort of the first n nodes of *list; the sorted run is
   returned and *list advances past the n nodes taken. */
static struct node *sort_n(struct node **list, long n) {
  if (n == 1) {
    struct node *p = *list;
    *list = p->next;
    p->next = NULL;
    return p;
  }
  struct node *left = sort_n(list, n / 2);
  struct node *right = sort_n(list, n - n / 2);
  return merge(left, right);
}
static struct node *reverse(struct node *p) {
  struct node *r = NULL;
  while (p) {
    struct node *next = p->next;
    p->next = r;
    r = p;
    p = next;
  }
  return r;
}
int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 4;
  enum { N = 300000 };
  uint32_t x = 1, check = 0;
  long kept = 0;
  for (int r = 0; r < rounds; r++) {
    /* Build by pushing at the front, then reverse into generation order. */
    struct node *list = NULL;
    for (long i = 0; i < N; i++) {
      struct node *p = malloc(sizeof *p);
      if (!p) return 1;
      x = x * 1664525u + 1013904223u;
      p->key = x >> 4;
      p->next = list;
      list = p;
    }
    list = reverse(list);
    /* Drop (and free) the nodes whose key is a multiple of 5. */
    struct node **link = &list;
    long n = 0;
    while (*link) {
      struct node *p = *link;
      if (p->key % 5 == 0) {
        *link = p->next;
        free(p);
      } else {
        link = &p->next;
        n++;
      }
    }
    kept += n;
    /* Position-weighted checksum before and after sorting. */
    uint32_t pos = 0;
    for (struct node *p = list; p; p = p->next) check = check * 31u + p->key * ++pos;
    struct node *rest = list;
    list = n ? sort_n(&rest, n) : NULL;
    pos = 0;
    for (struct node *p = list; p; p = p->next) {
      if (p->next && p->next->key < p->key) {
        printf("listproc: not sorted\n");
        return 1;
      }
      check = check * 31u + p->key * ++pos;
    }
    while (list) {
      struct node *next = list->next;
      free(list);
      list = next;
    }
  }
  printf("listproc %d rounds of %d nodes: %ld kept, checksum %08x\n", rounds, (int)N, kept,
         check);
  return 0;
}
