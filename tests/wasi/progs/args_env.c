/* args_env.c: echoes argc/argv and the whole environment (args_*, environ_*). */
#include <stdio.h>
extern char **environ;
int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  int n = 0;
  for (char **e = environ; *e; e++, n++) printf("env:%s\n", *e);
  printf("nenv=%d\n", n);
  return 0;
}
