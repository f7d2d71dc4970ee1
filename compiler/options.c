/* options.c: the one parser of wasmc's command line. Every option of
 * every command is a row of `opts` below, naming the commands that take
 * it; cli_parse reads the arguments after the command's name into a
 * cli_args. Options may appear anywhere among the operands; `--` ends
 * them (for `run`, what follows is the program's arguments). A value is
 * given as `--opt VALUE` or `--opt=VALUE` (cli_opt_value, shared with the
 * launcher of built executables), and the short forms -O2, -j4, -oOUT
 * attach it.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_opt.h"
#include "commands.h"

typedef enum {
  O_HELP, O_VERBOSE, O_OUT, O_SHARED, O_EMIT_LLVM, O_STATIC, O_STRIP,
  O_BOUNDS, O_OPT, O_TARGET, O_CPU, O_FEATURES, O_LLVM_ARG, O_JOBS,
  O_CHUNK, O_TIME_REPORT, O_NO_PROGRESS, O_DIR, O_ENV, O_TCP, O_GC_LIMIT,
  O_PLATFORM, O_TAG, O_WAIT, O_QUICK, O_DEBUG_INFO,
} opt_id;

#define CODEGEN (CLI_COMPILE | CLI_BUILD | CLI_IMAGE | CLI_RUN)
#define ALL (CLI_VALIDATE | CLI_INSPECT | CODEGEN)
#define GRANTS (CLI_BUILD | CLI_IMAGE | CLI_RUN)

static const struct opt {
  const char *name;  /* long form, or NULL */
  const char *alias; /* short form, or NULL */
  unsigned cmds;     /* cli_command bits of the commands that take it */
  bool value;        /* takes a value */
  opt_id id;
} opts[] = {
    {"--help", "-h", ALL, false, O_HELP},
    {"--verbose", "-v", CLI_VALIDATE | CLI_RUN, false, O_VERBOSE},
    {"--output", "-o", CLI_COMPILE | CLI_BUILD | CLI_IMAGE, true, O_OUT},
    {"--shared", NULL, CLI_COMPILE, false, O_SHARED},
    {"--emit-llvm", NULL, CLI_COMPILE, false, O_EMIT_LLVM},
    {"--static", NULL, CLI_BUILD | CLI_IMAGE, false, O_STATIC},
    {"--strip", "-s", CLI_BUILD | CLI_IMAGE, false, O_STRIP},
    {"--bounds-checks", NULL, CODEGEN, false, O_BOUNDS},
    {"--debug-info", "-g", CODEGEN, false, O_DEBUG_INFO},
    {NULL, "-O", CODEGEN, true, O_OPT},
    {"--target", NULL, CLI_COMPILE | CLI_BUILD, true, O_TARGET},
    {"--cpu", NULL, CODEGEN, true, O_CPU},
    {"--features", NULL, CODEGEN, true, O_FEATURES},
    {"--llvm-arg", NULL, CLI_COMPILE | CLI_BUILD | CLI_IMAGE, true, O_LLVM_ARG},
    {"--jobs", "-j", CODEGEN, true, O_JOBS},
    {"--chunk-size", NULL, CODEGEN, true, O_CHUNK},
    {"--time-report", NULL, CODEGEN, false, O_TIME_REPORT},
    {"--no-progress", NULL, CODEGEN, false, O_NO_PROGRESS},
    {"--dir", NULL, GRANTS, true, O_DIR},
    {"--env", NULL, GRANTS, true, O_ENV},
    {"--tcplisten", NULL, GRANTS, true, O_TCP},
    {"--gc-heap-limit", NULL, GRANTS, true, O_GC_LIMIT},
    {"--platform", NULL, CLI_IMAGE, true, O_PLATFORM},
    {"--tag", NULL, CLI_IMAGE, true, O_TAG},
    {"--wait", NULL, CLI_RUN, false, O_WAIT},
    {"--quick", NULL, CLI_RUN, false, O_QUICK},
};
enum { NOPTS = sizeof opts / sizeof *opts };

static const char *command_name(cli_command cmd) {
  switch (cmd) {
  case CLI_VALIDATE: return "validate";
  case CLI_INSPECT: return "inspect";
  case CLI_COMPILE: return "compile";
  case CLI_BUILD: return "build";
  case CLI_IMAGE: return "image";
  case CLI_RUN: return "run";
  }
  return "?";
}

/* Does argv[*i] name option o? Sets *v to its value (advancing *i for a
 * separate one) and *missing when the value is absent. */
static bool match(const struct opt *o, int argc, char **argv, int *i,
                  const char **v, bool *missing) {
  const char *a = argv[*i];
  *v = NULL;
  if (!o->value)
    return (o->name && strcmp(a, o->name) == 0) ||
           (o->alias && strcmp(a, o->alias) == 0);
  if (o->name && (*v = cli_opt_value(argc, argv, i, o->name, missing)))
    return true;
  if (*missing)
    return true;
  if (o->alias) {
    size_t n = strlen(o->alias);
    if (strncmp(a, o->alias, n) != 0)
      return false;
    if (a[n]) { /* -O2, -j4, -oOUT */
      *v = a + n;
      return true;
    }
    if (*i + 1 < argc)
      *v = argv[++*i];
    else
      *missing = true;
    return true;
  }
  return false;
}

/* A number 1..max for -j (jobs) or --chunk-size. */
static int number(const char *v, bool jobs, cli_args *a) {
  char *end;
  errno = 0;
  unsigned long n = v[0] >= '0' && v[0] <= '9' ? strtoul(v, &end, 10) : 0;
  unsigned long max = jobs ? 256 : UINT32_MAX;
  if (n == 0 || n > max || *end || errno)
    return jobs ? usage_error("-j wants a number of threads 1..256 (got '%s')", v)
                : usage_error("--chunk-size wants a number of bytes 1..%lu "
                              "(got '%s')", max, v);
  if (jobs)
    a->jobs = (unsigned)n;
  else
    a->chunk_size = (uint32_t)n;
  return EXIT_OK;
}

/* A grant: checked here when it is baked into an executable (the
 * directory itself is looked up when the executable runs, on its
 * machine; a --gc-heap-limit SIZE is read as the launcher reads it,
 * cli_opt_size); `run` leaves the checks to the launcher (wasi_launch). */
static int grant(cli_args *a, const char *opt, const char *v) {
  bool baked = a->cmd != CLI_RUN;
  if (baked && strcmp(opt, "--dir") == 0 && (v[0] == '\0' || strncmp(v, "::", 2) == 0))
    return usage_error("--dir '%s': empty host directory", v);
  if (baked && strcmp(opt, "--env") == 0 && (v[0] == '\0' || v[0] == '='))
    return usage_error("--env '%s': empty variable name", v);
  uint64_t bytes;
  const char *why;
  if (baked && strcmp(opt, "--gc-heap-limit") == 0 &&
      (why = cli_opt_size(v, &bytes)))
    return usage_error("--gc-heap-limit '%s': %s", v, why);
  a->grants[a->ngrants++] = opt;
  a->grants[a->ngrants++] = v;
  return EXIT_OK;
}

static int apply(cli_args *a, const struct opt *o, const char *v) {
  switch (o->id) {
  case O_HELP: a->help = true; break;
  case O_VERBOSE: a->verbose = true; break;
  case O_OUT: a->out = v; break;
  case O_SHARED: a->shared = true; break;
  case O_EMIT_LLVM: a->emit_llvm = true; break;
  case O_STATIC: a->static_exe = true; break; /* implied for `image` */
  case O_STRIP: a->strip = true; break;       /* implied for `image` */
  case O_BOUNDS: a->bounds_checks = true; break;
  case O_DEBUG_INFO: a->debug_info = true; break;
  case O_OPT:
    if (v[0] < '0' || v[0] > '3' || v[1])
      return usage_error("-O wants 0, 1, 2 or 3 (got '%s')", v);
    a->opt_level = v[0] - '0';
    break;
  case O_TARGET: a->target = v; break;
  case O_CPU: a->cpu = v; break;
  case O_FEATURES: a->features = v; break;
  case O_LLVM_ARG:
    if (a->nllvm_args == (int)(sizeof a->llvm_args / sizeof *a->llvm_args))
      return usage_error("too many --llvm-arg options (at most %d)",
                         (int)(sizeof a->llvm_args / sizeof *a->llvm_args));
    a->llvm_args[a->nllvm_args++] = v;
    break;
  case O_JOBS: return number(v, true, a);
  case O_CHUNK: return number(v, false, a);
  case O_TIME_REPORT: a->time_report = true; break;
  case O_NO_PROGRESS: a->no_progress = true; break;
  case O_DIR: return grant(a, "--dir", v);
  case O_ENV: return grant(a, "--env", v);
  case O_TCP: return grant(a, "--tcplisten", v);
  case O_GC_LIMIT: return grant(a, "--gc-heap-limit", v);
  case O_PLATFORM: a->platforms = v; break;
  case O_TAG: a->tag = v; break;
  case O_WAIT: a->run_wait = true; break;
  case O_QUICK: a->run_quick = true; break;
  }
  return EXIT_OK;
}

/* An operand: the FILE (or, for validate, one more FILE). */
static int operand(cli_args *a, const char *s) {
  if (a->cmd == CLI_VALIDATE || !a->file) {
    a->files[a->nfiles++] = s;
    a->file = a->files[0];
    return EXIT_OK;
  }
  if (a->cmd == CLI_RUN)
    return usage_error("'run' takes one FILE (unexpected '%s'; the program's "
                       "arguments go after `--`)", s);
  return usage_error("'%s' takes one FILE (unexpected '%s')", a->cmd_name, s);
}

int cli_parse(cli_command cmd, int argc, char **argv, cli_args *a) {
  *a = (cli_args){.cmd = cmd, .cmd_name = command_name(cmd), .opt_level = 2,
                  .exe = cmd == CLI_BUILD || cmd == CLI_IMAGE,
                  .image = cmd == CLI_IMAGE, .static_exe = cmd == CLI_IMAGE,
                  .strip = cmd == CLI_IMAGE, .shared = cmd == CLI_RUN};
  a->files = calloc((size_t)argc + 1, sizeof *a->files);
  a->grants = calloc((size_t)argc * 2 + 2, sizeof *a->grants);
  if (!a->files || !a->grants) {
    fputs("wasmc: error: out of memory\n", stderr);
    return EXIT_BAD_INPUT;
  }
  int i = 0, rc = EXIT_OK;
  for (; i < argc && rc == EXIT_OK; i++) {
    char *s = argv[i];
    if (s[0] != '-' || strcmp(s, "-") == 0) {
      rc = operand(a, s);
      continue;
    }
    if (strcmp(s, "--") == 0) {
      i++;
      break;
    }
    const struct opt *o = NULL;
    const char *v = NULL;
    bool missing = false;
    for (int k = 0; k < NOPTS && !o; k++)
      if ((opts[k].cmds & cmd) && match(&opts[k], argc, argv, &i, &v, &missing))
        o = &opts[k];
    if (!o) {
      if (cmd == CLI_IMAGE && strncmp(s, "--target", 8) == 0 &&
          (s[8] == '\0' || s[8] == '='))
        return usage_error("'image' takes --platform (e.g. linux/arm64), not "
                           "--target");
      return usage_error("unknown option '%s'", s);
    }
    if (missing)
      return o->id == O_OPT ? usage_error("-O wants 0, 1, 2 or 3 (got '')")
             : o->id == O_OUT ? usage_error("%s needs a file name", s)
                              : usage_error("%s needs a value", s);
    rc = apply(a, o, v);
  }
  if (rc != EXIT_OK)
    return rc;
  if (cmd == CLI_RUN) {
    a->prog_argv = argv + i;
    a->prog_argc = argc - i;
  } else {
    for (; i < argc && rc == EXIT_OK; i++)
      rc = operand(a, argv[i]);
  }
  return rc;
}

int cli_main(cli_command cmd, int argc, char **argv, int (*fn)(cli_args *a)) {
  cli_args a;
  int rc = cli_parse(cmd, argc, argv, &a);
  if (rc == EXIT_OK && a.help) {
    fputs(cli_help_text(a.cmd_name), stdout);
    rc = cli_finish(EXIT_OK);
  } else if (rc == EXIT_OK) {
    rc = fn(&a);
  }
  cli_args_free(&a);
  return rc;
}

void cli_args_free(cli_args *a) {
  free(a->files);
  free(a->grants);
  a->files = NULL;
  a->grants = NULL;
}
