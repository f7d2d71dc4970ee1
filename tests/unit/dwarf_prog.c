/* dwarf_prog.c: the input of test_dwarf.c, built for wasm32-wasi with -g
 * at -O0 and -O1, DWARF 4 and 5 (tests/unit/CMakeLists.txt). The test
 * finds lines by the text on them (the LOOP_BODY marker, the function
 * heads): keep those on their statements. */
#include <stdio.h>

typedef struct node {
  int value;
  double weight;
  struct node *next;
  unsigned flag : 3;
  unsigned mode : 5;
} node;
typedef unsigned int uint;
enum color { RED, GREEN = 5, BLUE = -2 };
union bits {
  float f;
  unsigned u;
};

static int helper(int a, int b) {
  int s = a * b;
  return s + 1;
}

__attribute__((noinline)) int sum(const int *arr, int n) {
  int total = 0;
  for (int i = 0; i < n; i++) {
    total += arr[i]; /* LOOP_BODY */
  }
  return total;
}

int main(int argc, char **argv) {
  node n1 = {1, 2.5, 0, 1, 2};
  node n2 = {2, 3.5, &n1, 0, 1};
  int arr[4] = {1, 2, 3, 4};
  int grid[2][3] = {{1, 2, 3}, {4, 5, 6}};
  enum color c = argc > 5 ? BLUE : GREEN;
  uint u = 7;
  double d = n2.weight * argc;
  union bits b = {.f = 1.0f};
  int (*op)(int, int) = argc > 3 ? helper : 0;
  int (*pf)(const char *, ...) = printf;
  int r = sum(arr, argc + 3) + helper((int)u, c) + grid[1][argc % 3];
  if (op)
    r += op(1, 2);
  pf("%d %f %d %u %s\n", r, d, n2.next->value, b.u, argv[0]);
  return 0;
}
