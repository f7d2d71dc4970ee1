/* cli.h: what every command of the wasmc driver shares: exit codes,
 * messages, reading and validating the input module, and the command
 * line's options (options.c).
 *
 * Exit codes: 0 success, 1 bad input (malformed/invalid module, unreadable
 * file, failed output), 2 usage error (unknown command or option, missing
 * operand). Usage errors print "wasmc: error: ..." on stderr; module errors
 * print "FILE:0xOFF: error: MSG" (see diag.h).
 */
#ifndef WASMC_CLI_H
#define WASMC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm.h"

#ifndef WASMC_VERSION
#define WASMC_VERSION "unknown"
#endif

enum { EXIT_OK = 0, EXIT_BAD_INPUT = 1, EXIT_USAGE = 2 };

/* ---- messages (cli.c) ---------------------------------------------------- */

/* Prints "wasmc: error: MSG (see wasmc --help)"; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Flushes stdout; a failed write (e.g. a full disk) turns success into
 * EXIT_BAD_INPUT instead of exiting 0 with truncated output. */
int cli_finish(int status);

/* ---- the input module (cli.c) --------------------------------------------- */

/* Decodes a module; NULL after printing why (unreadable, malformed). */
wasm_module *cli_load(const char *path);
/* Prints the name section's warning, if the decoder left one. */
void cli_print_name_warning(const char *path, const wasm_module *m);
/* Prints why a module failed validation, after stdout (so that both
 * streams stay in order on one terminal). */
void cli_report_invalid(const char *path, wasm_error *err);
/* cli_load + the warning + validation; NULL after printing why. With
 * times non-NULL (--time-report): adds to times[0], times[1] the wall and
 * CPU seconds of reading and decoding, to times[2], times[3] those of
 * validating. */
wasm_module *cli_load_valid(const char *path, double *times);
/* The whole file (for digests and cache keys); NULL after a message. */
uint8_t *cli_slurp(const char *path, size_t *size);
/* Creates a private temporary file $TMPDIR/wasmc-XXXXXX<suffix> (else in
 * /tmp), its name in buf: for the intermediate object of a link, or the
 * executables of an image; false (errno set) on failure. */
bool cli_temp_file(char *buf, size_t n, const char *suffix);
/* Checks path names something readable, so that the message names the
 * file and the system's reason; false after printing it. */
bool cli_check_readable(const char *path);

/* ---- options (options.c) -------------------------------------------------- */

typedef enum {
  CLI_VALIDATE = 1 << 0,
  CLI_INSPECT = 1 << 1,
  CLI_COMPILE = 1 << 2,
  CLI_BUILD = 1 << 3,
  CLI_IMAGE = 1 << 4,
  CLI_RUN = 1 << 5,
} cli_command;

/* Every option of every command; which command takes which is the table
 * in options.c. */
typedef struct {
  cli_command cmd;
  const char *cmd_name; /* "compile", "build", ..., for messages */
  bool help, verbose;
  bool shared, emit_llvm;      /* compile */
  bool exe, static_exe, strip; /* build, image: an executable [static] [-s] */
  bool image;                  /* image */
  bool run_wait, run_quick;    /* run: --wait, --quick */
  bool bounds_checks;
  bool debug_info;             /* -g: DWARF for the generated code */
  int opt_level;               /* -O, default 2 */
  unsigned jobs;               /* -j: threads for a large module, 0 = default */
  uint32_t chunk_size;         /* --chunk-size, 0 = default */
  bool time_report;            /* --time-report: phases' times on stderr */
  bool no_progress;            /* --no-progress: no progress line */
  const char *out, *target, *cpu, *features;
  const char *platforms, *tag; /* image */
  /* operands: FILE for compile/build/image/run/inspect, FILE... for
   * validate (files[0] is `file`) */
  const char *file;
  const char **files;
  int nfiles;
  /* --dir/--env/--tcplisten/--gc-heap-limit, in the order given ("--dir",
   * "HOST::GUEST", "--env", "K=V", ...): baked into an executable (build,
   * image) or handed to the launcher (run) */
  const char **grants;
  int ngrants;
  /* run: the program's arguments, after `--` */
  char **prog_argv;
  int prog_argc;
  /* --llvm-arg: options for LLVM itself (as `llc` takes them) */
  const char *llvm_args[32];
  int nllvm_args;
} cli_args;

/* Parses argv (the arguments after the command's name) for cmd into a.
 * EXIT_OK, or the status of a usage error (printed). Free with
 * cli_args_free, also after an error. */
int cli_parse(cli_command cmd, int argc, char **argv, cli_args *a);
void cli_args_free(cli_args *a);
/* A command's whole life: cli_parse, then its help (--help) or fn, then
 * cli_args_free; fn's status, or the usage error's. */
int cli_main(cli_command cmd, int argc, char **argv, int (*fn)(cli_args *a));

#endif
