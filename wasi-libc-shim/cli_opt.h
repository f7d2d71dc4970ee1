/* cli_opt.h: the one reading of a command-line option's value, shared by
 * the launcher of built executables (launch.c) and the wasmc driver
 * (compiler/options.c), so that `--dir X` and `--dir=X` mean the same in
 * both, and so that both read a --gc-heap-limit SIZE alike. Header-only:
 * the launcher is built for every target, the driver only for the build
 * machine. */
#ifndef WASMC_CLI_OPT_H
#define WASMC_CLI_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/* A size in bytes for --gc-heap-limit: decimal digits, then optionally
 * one suffix K, M or G (either case: KiB, MiB, GiB, powers of 1024).
 * Sets *bytes and returns NULL, or returns why v is not one: nothing
 * else is accepted (no sign, space, fraction or other suffix), and the
 * size must be more than 0 and at most 2^64 - 1 bytes. */
static inline const char *cli_opt_size(const char *v, uint64_t *bytes) {
  static const char syntax[] =
      "expected a number of bytes with an optional suffix K, M or G "
      "(powers of 1024)";
  uint64_t n = 0;
  const char *p = v;
  bool overflow = false;
  for (; *p >= '0' && *p <= '9'; p++) {
    unsigned d = (unsigned)(*p - '0');
    if (n > (UINT64_MAX - d) / 10)
      overflow = true;
    else
      n = n * 10 + d;
  }
  if (p == v)
    return syntax;
  unsigned shift = 0;
  switch (*p) {
  case 'k': case 'K': shift = 10, p++; break;
  case 'm': case 'M': shift = 20, p++; break;
  case 'g': case 'G': shift = 30, p++; break;
  }
  if (*p)
    return syntax;
  if (overflow || (shift && n > UINT64_MAX >> shift))
    return "too large (at most 2^64 - 1 bytes)";
  if (n == 0)
    return "must be more than 0";
  *bytes = n << shift;
  return NULL;
}

#endif
