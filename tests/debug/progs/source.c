/* source.c: a program to debug at the source level (tests/debug/run): it
 * is built for wasm32-wasi with clang -g, so the module carries DWARF of
 * this file, and wasmc build -g translates it. Its locals cover the types
 * gdb must print (an array, a struct through a typedef, an enum, a double,
 * a char array, a self-referential struct) and the places clang puts them
 * (linear memory at -O0, Wasm locals at -O1). The lines the test breaks
 * on or steps to are marked "LINE:name"; the test finds them by grep. */
#include <stdio.h>

struct point {
  int x, y;
};
typedef struct point point_t;
enum color { RED, GREEN = 5, BLUE };
struct node {
  int value;
  struct node *next;
};

__attribute__((noinline)) static int scale(int v, int factor) {
  int scaled = v * factor; /* LINE:scale */
  return scaled + 1;
}

__attribute__((noinline)) int sum(const int *a, int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += a[i];
  return s;
}

int main(int argc, char **argv) {
  int arr[4] = {1, 2, 3, 4};
  point_t p = {3, 4};
  enum color c = BLUE;
  double d = 2.5;
  struct node second = {7, 0}, first = {6, &second};
  char name[8] = "wasm";
  int total = sum(arr, 4) + p.x + (int)c; /* LINE:total */
  total += scale(total, argc);            /* LINE:scale-call */
  printf("%d %.1f %d %s %s\n", total, d, first.next->value, name,
         argc > 1 ? argv[1] : "-");
  return 0;
}
