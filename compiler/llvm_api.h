/* llvm_api.h: the one interface between the wasmc executable and its
 * private library libwasmc_llvm.so, which holds everything that needs
 * LLVM (lowering, optimisation, code generation, linking; the compile,
 * build and image commands; LLVM's own facts).
 *
 * The executable does not link libLLVM: `wasmc run` with a cached entry,
 * validate, inspect, help and --print-targets start without mapping it
 * (~14 ms of dynamic loading saved per start). It dlopens the library
 * only when it must compile or needs a fact only LLVM knows
 * (llvm_api_load below), and the library exports exactly one symbol,
 * WASMC_LLVM_API_SYMBOL, a function returning this table. Both come from
 * one build: the library checks nothing, the executable checks the
 * table's version, the size of cli_args and the wasmc version, and
 * refuses a library from another build with an error naming it.
 */
#ifndef WASMC_LLVM_API_H
#define WASMC_LLVM_API_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

/* Bumped whenever a member below changes (type, meaning or order). */
#define WASMC_LLVM_API_VERSION 1
#define WASMC_LLVM_API_SYMBOL "wasmc_llvm_api_get"
#define WASMC_LLVM_LIBRARY "libwasmc_llvm.so"

typedef struct wasmc_llvm_api {
  unsigned api_version;   /* WASMC_LLVM_API_VERSION the library was built with */
  size_t cli_args_size;   /* sizeof(cli_args) there */
  const char *wasmc_version; /* WASMC_VERSION there */
  /* The commands (compile.c, image_cmd.c): argv after the command name,
   * as main() had it; an exit status (cli.h). */
  int (*cmd_compile)(int argc, char **argv, bool exe);
  int (*cmd_image)(int argc, char **argv);
  /* compile.c's compile_file (commands.h), for `run`. */
  int (*compile_file)(const cli_args *c, const char *triple);
  /* The version of the libLLVM the library runs with (LLVMGetVersion). */
  void (*llvm_version)(unsigned *major, unsigned *minor, unsigned *patch);
  /* This machine's CPU name and features as LLVM sees them (what
   * `--cpu native` compiles for): malloc'd strings the caller frees with
   * dispose_message. */
  char *(*host_cpu_name)(void);
  char *(*host_cpu_features)(void);
  void (*dispose_message)(char *msg);
} wasmc_llvm_api;

typedef const wasmc_llvm_api *(*wasmc_llvm_api_fn)(void);

/* Executable side (llvm_load.c): the library's table, loaded on first
 * use. It is looked for as $WASMC_LIBDIR/libwasmc_llvm.so when that is
 * set (only there); else beside the executable in the build tree
 * (compiler/), then in the installed private folder (WASMC_REL_LIBDIR,
 * as link.c finds the archives). NULL after an error naming the file
 * and the reason on stderr. */
const wasmc_llvm_api *llvm_api_load(void);

/* The LLVM version wasmc was built against (llvm-config.h's
 * LLVM_VERSION_MAJOR/MINOR/PATCH, e.g. "19.1.7"), known without loading
 * LLVM. */
const char *llvm_api_build_llvm_version(void);

#endif
