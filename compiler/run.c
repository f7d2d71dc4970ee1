/* run.c: the `run` command: compile a WASI program to a shared object,
 * or take it from the compile cache (cache.c) under a key of everything
 * the generated code depends on, load it into this process with the
 * runtime and the WASI host, and run it (wasi_launch, as the built
 * executables do). A cache hit never loads libLLVM: the key is made
 * without it (llvm_api.h) except for --cpu native, whose key needs the
 * host CPU as LLVM names it; only a miss loads libwasmc_llvm.so. */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "codegen.h"
#include "emit.h"
#include "llvm_api.h"
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
  const wasmc_llvm_api *api = NULL;
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
  /* `native` is LLVM's idea of this CPU (what emit.c compiles for), so
   * that case loads the library; CPUID/HWCAP would be a second opinion
   * that could disagree with it. */
  if (native) {
    if (!(api = llvm_api_load())) goto out;
    host_cpu = api->host_cpu_name();
    host_features = api->host_cpu_features();
  }
  /* The LLVM version wasmc was built against; a miss checks that the
   * loaded libLLVM is that one before storing (below). */
  char llvm_v[64], abi_v[32], opt_v[64];
  snprintf(llvm_v, sizeof llvm_v, "LLVM %s", llvm_api_build_llvm_version());
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
  bool have_key = cache_key(key, bytes, size, parts, (int)(sizeof parts / sizeof *parts));

  bool have_cache = cache_dir(dir, sizeof dir);
  char why[4096 + 64];
  if (!have_key) {
    fputs("wasmc: note: cannot hash the module (out of memory?), compiling "
          "without the cache\n", stderr);
    have_cache = false;
  } else if (!have_cache) {
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
    if (!api && !(api = llvm_api_load())) goto out;
    int rc = api->compile_file(&c, triple);
    if (rc != EXIT_OK) {
      status = rc;
      goto out;
    }
    /* The key names the LLVM of the build; a libLLVM upgraded since
     * (same soname, new point release) could generate other code. */
    unsigned maj = 0, min = 0, pat = 0;
    api->llvm_version(&maj, &min, &pat);
    char run_v[64];
    snprintf(run_v, sizeof run_v, "LLVM %u.%u.%u", maj, min, pat);
    if (have_cache && strcmp(run_v, llvm_v) != 0) {
      fprintf(stderr, "wasmc: note: not cached: wasmc was built with %s but "
              "runs with %s (rebuild wasmc)\n", llvm_v, run_v);
      have_cache = false;
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
  if (api && host_cpu) api->dispose_message(host_cpu);
  if (api && host_features) api->dispose_message(host_features);
  free(bytes);
  free(largv);
  fflush(stdout);
  return status;
}

