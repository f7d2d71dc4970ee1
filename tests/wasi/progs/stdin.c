/* stdin.c: reads stdin to EOF (fd_read), prints lines upper-cased and the
 * byte count. */
#include <ctype.h>
#include <stdio.h>
int main(void) {
  int c;
  long n = 0;
  while ((c = getchar()) != EOF) {
    n++;
    putchar(toupper(c));
  }
  printf("bytes=%ld\n", n);
  return 0;
}
