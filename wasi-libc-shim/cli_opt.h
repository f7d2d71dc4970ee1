/* cli_opt.h: the one reading of a command-line option's value, shared by
 * the launcher of built executables (launch.c) and the wasmc driver
 * (compiler/options.c), so that `--dir X` and `--dir=X` mean the same in
 * both. Header-only: the launcher is built for every target, the driver
 * only for the build machine. */
#ifndef WASMC_CLI_OPT_H
#define WASMC_CLI_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* The value of option `name` at argv[*i], given as "NAME VALUE" (advances
 * *i) or "NAME=VALUE"; NULL when argv[*i] is not that option, or (with
 * *missing set) when VALUE is missing: argv[end] is past the last
 * argument the caller looks at. */
static inline const char *cli_opt_value(int end, char **argv, int *i,
                                        const char *name, bool *missing) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0)
    return NULL;
  if (argv[*i][n] == '=')
    return argv[*i] + n + 1;
  if (argv[*i][n] != '\0')
    return NULL;
  if (*i + 1 >= end) {
    *missing = true;
    return NULL;
  }
  return argv[++*i];
}

#endif
