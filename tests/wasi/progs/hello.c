/* hello.c: printf to stdout (fd_write through wasi-libc's stdio). */
#include <stdio.h>
int main(void) {
  printf("hello, wasi\n");
  return 0;
}
