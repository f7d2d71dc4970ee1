/* ctr_prog.c: the wasm32-wasi program of tests/containers/run. Commands
 * (argv[1]):
 *   (none)          prints "hello from a container"
 *   args A B ...    prints each argument on its own line
 *   env K           prints K=value of the environment variable K, or K unset
 *   exit N          exits with status N
 *   data DIR        reads DIR/in.txt, prints it upper-cased, writes
 *                   DIR/out.txt ("written by wasm"), lists DIR sorted
 *   escape PATH     tries to read PATH: prints "read" or "refused" */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  if (argc < 2) { puts("hello from a container"); return 0; }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "args")) {
    for (int i = 2; i < argc; i++) puts(argv[i]);
    return 0;
  }
  if (!strcmp(cmd, "env") && argc == 3) {
    const char *v = getenv(argv[2]);
    if (v) printf("%s=%s\n", argv[2], v); else printf("%s unset\n", argv[2]);
    return 0;
  }
  if (!strcmp(cmd, "exit") && argc == 3) {
    printf("exiting with %s\n", argv[2]);
    return atoi(argv[2]);
  }
  if (!strcmp(cmd, "data") && argc == 3) {
    char path[512], buf[256];
    snprintf(path, sizeof path, "%s/in.txt", argv[2]);
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); return 10; }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    for (size_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
    fputs(buf, stdout);
    snprintf(path, sizeof path, "%s/out.txt", argv[2]);
    f = fopen(path, "w");
    if (!f || fputs("written by wasm\n", f) < 0 || fclose(f)) { perror(path); return 11; }
    DIR *d = opendir(argv[2]);
    if (!d) { perror(argv[2]); return 12; }
    char *names[64];
    int k = 0;
    struct dirent *e;
    while ((e = readdir(d)) && k < 64)
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[k++] = strdup(e->d_name);
    closedir(d);
    qsort(names, k, sizeof *names, cmp);
    for (int i = 0; i < k; i++) printf("%s%s", i ? " " : "", names[i]);
    putchar('\n');
    return 0;
  }
  if (!strcmp(cmd, "escape") && argc == 3) {
    FILE *f = fopen(argv[2], "r");
    puts(f ? "read" : "refused");
    return 0;
  }
  fprintf(stderr, "ctr_prog: unknown command '%s'\n", cmd);
  return 2;
}
