/* exit_code.c: exit(N) (proc_exit from deep inside the call stack) or
 * return N from main, chosen by argv: "exit N" | "return N". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int depth(int n, int code) {
  if (n == 0) {
    printf("exiting with %d\n", code);
    fflush(stdout);
    exit(code);
  }
  return depth(n - 1, code) + 1;
}
int main(int argc, char **argv) {
  if (argc < 3) return 9;
  int code = atoi(argv[2]);
  if (strcmp(argv[1], "exit") == 0) return depth(50, code);
  printf("returning %d\n", code);
  return code;
}
