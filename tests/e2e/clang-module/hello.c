/* hello.c: the smallest program for tests/e2e/clang-module. */
#include <stdio.h>

int main(void) {
  printf("hello from a C program compiled by clang in Wasm, compiled by wasmc\n");
  return 0;
}
