/* run.c: the `run` command: compile a WASI program to a shared object,
 * or take it from the compile cache (cache.c) under a key of everything
 * the generated code depends on, load it into this process with the
 * runtime and the WASI host, and run it (wasi_launch, as the built
 * executables do). */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include "cache.h"
#include "emit.h"
#include "codegen.h"
#include "wasi.h"
#include "wasmrt_abi.h"

static int run_main(cli_args *cp);

/* `run`: the options of compile (minus -o/--shared/--target), the grants
 * and -v anywhere before `--`; the program's arguments after it. */
int cmd_run(int argc, char **argv) {
  return cli_main(CLI_RUN, argc, argv, run_main);
}

static int run_main(cli_args *cp) {
  cli_args c = *cp;
  bool verbose = c.verbose;
  if (!c.file)
    return usage_error("'run' needs a FILE");
  /* argv for wasi_launch: FILE, the grants (checked by wasi_launch, which
   * the built executables share), "--", ARGS */
  char **largv = calloc((size_t)c.ngrants + (size_t)c.prog_argc + 3, sizeof *largv);
  if (!largv) {
    fputs("wasmc: error: out of memory\n", stderr);
    return EXIT_BAD_INPUT;
  }
  int largc = 0;
  largv[largc++] = (char *)c.file;
  for (int k = 0; k < c.ngrants; k++)
    largv[largc++] = (char *)c.grants[k];
  largv[largc++] = "--";
  for (int k = 0; k < c.prog_argc; k++)
    largv[largc++] = c.prog_argv[k];

  int status = EXIT_BAD_INPUT;
  uint8_t *bytes = NULL;
  char so[4096] = "", dir[4096], msg[512];
  int so_fd = -1; /* the memfd holding a cached shared object, if any */
  wasmrt_module *mod = NULL;
  char *host_cpu = NULL, *host_features = NULL;
  const char *triple = emit_host_triple();
  if (!triple) {
    fputs("wasmc: error: wasmc cannot generate code for this machine\n", stderr);
    goto out;
  }
  if (!cli_check_readable(c.file)) goto out;
  size_t size = 0;
  if (!(bytes = cli_slurp(c.file, &size))) goto out;

  /* The key: everything the generated code depends on. `native` stands
   * for this machine's CPU and features, so those go in by value. */
  bool native = c.cpu && strcmp(c.cpu, "native") == 0;
  if (native) {
    host_cpu = LLVMGetHostCPUName();
    host_features = LLVMGetHostCPUFeatures();
  }
  unsigned maj = 0, min = 0, pat = 0;
  LLVMGetVersion(&maj, &min, &pat);
  char llvm_v[64], abi_v[32], opt_v[64];
  snprintf(llvm_v, sizeof llvm_v, "LLVM %u.%u.%u", maj, min, pat);
  snprintf(abi_v, sizeof abi_v, "ABI %u codegen %u",
           (unsigned)WASMRT_ABI_VERSION, (unsigned)EMIT_CODEGEN_REVISION);
  /* The chunk size changes the code (no inlining across chunks); -j
   * does not. */
  snprintf(opt_v, sizeof opt_v, "O%d bc%d chunk%u", c.opt_level,
           c.bounds_checks,
           c.chunk_size ? c.chunk_size : EMIT_CHUNK_SIZE_DEFAULT);
  const char *parts[] = {"wasmc " WASMC_VERSION, llvm_v, abi_v, triple,
                         native ? host_cpu : c.cpu ? c.cpu : "(baseline)",
                         native ? host_features : "",
                         c.features ? c.features : "", opt_v};
  uint8_t key[CACHE_KEY_LEN];
  cache_key(key, bytes, size, parts, (int)(sizeof parts / sizeof *parts));

  bool have_cache = cache_dir(dir, sizeof dir);
  char why[4096 + 64];
  if (!have_cache) {
    fputs("wasmc: note: no cache directory ($XDG_CACHE_HOME and $HOME unset), "
          "compiling without a cache\n", stderr);
  } else if (!cache_dir_trusted(dir, why, sizeof why)) {
    fprintf(stderr, "wasmc: note: not using the compile cache: %s\n", why);
    have_cache = false;
  }
  cache_result cr = have_cache ? cache_lookup(dir, key, so, sizeof so, &so_fd) : CACHE_MISS;
  char entry[4096] = "";
  if (have_cache) cache_entry_path(dir, key, entry, sizeof entry);
  if (cr == CACHE_HIT) {
    if (verbose) fprintf(stderr, "wasmc: cache hit: %s\n", entry);
  } else {
    if (!cache_temp_so(so, sizeof so)) {
      fprintf(stderr, "wasmc: error: cannot create a temporary file: %s\n",
              strerror(errno));
      so[0] = '\0';
      goto out;
    }
    c.out = so;
    int rc = compile_file(&c, triple);
    if (rc != EXIT_OK) {
      status = rc;
      goto out;
    }
    if (have_cache) {
      if (!cache_store(dir, key, so, msg, sizeof msg))
        fprintf(stderr, "wasmc: note: not cached: %s\n", msg);
      else if (verbose)
        fprintf(stderr, "wasmc: cache miss: compiled and stored %s\n", entry);
    }
  }
  wasmrt_error err;
  mod = wasmrt_module_load(so, &err);
  /* loaded (or not): the memfd or file is no longer needed */
  if (so_fd >= 0) close(so_fd);
  else unlink(so);
  so_fd = -1;
  so[0] = '\0';
  if (!mod) {
    fprintf(stderr, "wasmc: error: %s: %s\n", c.file, err.message);
    goto out;
  }
  free(bytes);
  bytes = NULL;
  fflush(stdout);
  status = wasi_launch(mod, largc, largv, "wasmc");

out:
  if (so_fd >= 0) close(so_fd);
  else if (so[0]) unlink(so);
  if (mod) wasmrt_module_free(mod);
  LLVMDisposeMessage(host_cpu);
  LLVMDisposeMessage(host_features);
  free(bytes);
  free(largv);
  fflush(stdout);
  return status;
}

