/* sort.c: quicksort and heapsort of int arrays, checked against each other. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void insertion_sort(int *a, long n) {
  for (long i = 1; i < n; i++) {
    int v = a[i];
    long j = i;
    for (; j > 0 && a[j - 1] > v; j--) a[j] = a[j - 1];
    a[j] = v;
  }
}
static void swap(int *a, long i, long j) {
  int t = a[i];
  a[i] = a[j];
  a[j] = t;
}
/* Quicksort: median-of-three pivot, Hoare partition, recursion on the
   smaller part and a loop on the larger, insertion sort for short runs. */
static void quick_sort(int *a, long n) {
  while (n > 16) {
    long mid = n / 2;
    if (a[mid] < a[0]) swap(a, mid, 0);
    if (a[n - 1] < a[0]) swap(a, n - 1, 0);
    if (a[n - 1] < a[mid]) swap(a, n - 1, mid);
    int pivot = a[mid];
    long i = -1, j = n;
    for (;;) {
      do i++; while (a[i] < pivot);
      do j--; while (a[j] > pivot);
      if (i >= j) break;
      swap(a, i, j);
    }
    /* a[0..j] <= pivot <= a[j+1..n-1] */
    long left = j + 1, right = n - left;
    if (left < right) {
      quick_sort(a, left);
      a += left;
      n = right;
    } else {
      quick_sort(a + left, right);
      n = left;
    }
  }
  insertion_sort(a, n);
}
static void sift_down(int *a, long root, long n) {
  int v = a[root];
  for (;;) {
    long child = 2 * root + 1;
    if (child >= n) break;
    if (child + 1 < n && a[child + 1] > a[child]) child++;
    if (a[child] <= v) break;
    a[root] = a[child];
    root = child;
  }
  a[root] = v;
}
static void heap_sort(int *a, long n) {
  for (long i = n / 2 - 1; i >= 0; i--) sift_down(a, i, n);
  for (long end = n - 1; end > 0; end--) {
    swap(a, 0, end);
    sift_down(a, 0, end);
  }
}
int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 4;
  enum { N = 300000 };
  int *a = malloc(sizeof(int) * N), *b = malloc(sizeof(int) * N);
  if (!a || !b) return 1;
  uint32_t x = 5, check = 0;
  for (int r = 0; r < rounds; r++) {
    /* Alternate full-range keys with keys from a small range (many ties). */
    for (int i = 0; i < N; i++) {
      x = x * 1664525u + 1013904223u;
      a[i] = r & 1 ? (int)(x >> 16) % 1000 - 500 : (int)(x ^ (x >> 15));
    }
    memcpy(b, a, sizeof(int) * N);
    quick_sort(a, N);
    heap_sort(b, N);
    for (int i = 0; i < N; i++) {
      if (a[i] != b[i] || (i > 0 && a[i - 1] > a[i])) {
        printf("sort: mismatch at %d in round %d\n", i, r);
        return 1;
      }
      check = check * 31u + (uint32_t)a[i];
    }
  }
  printf("sort %d rounds of %d ints: min %d median %d max %d checksum %08x\n", rounds, (int)N,
         a[0], a[N / 2], a[N - 1], check);
  free(a);
  free(b);
  return 0;
}
