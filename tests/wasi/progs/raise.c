/* raise.c: proc_raise(SIG) with SIG from argv[1] (a preview1 signal
 * number). Prints the result when the call returns; a fatal signal ends
 * the run instead (the host reports 128 + its signal number). */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

/* wasi-libc no longer declares proc_raise; the import is still preview1's. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t raw_proc_raise(int32_t sig);

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  printf("raising %s\n", argv[1]);
  fflush(stdout);
  int32_t e = raw_proc_raise(atoi(argv[1]));
  printf("returned %d\n", (int)e);
  return 0;
}
