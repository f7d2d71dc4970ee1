/* wasi-run.c: the test host for WASI programs compiled by wasmc.
 *
 *   wasi-run MODULE.so [--env K=V]... [--dir HOST[::GUEST]]... [-- ARGS...]
 *
 * Loads a module compiled with `wasmc compile --shared`, binds its
 * wasi_snapshot_preview1 imports with the shim (libwasmc_wasi), runs
 * _start, and exits with the program's exit code. Exit codes of its own:
 * 2 usage / load / link error, WASI_EXIT_TRAP (134) when the program
 * trapped (the trap is printed on stderr). The guest's argv[0] is the
 * module path; ARGS follow. The guest sees only the --env variables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi.h"

static int usage(const char *argv0) {
  fprintf(stderr, "usage: %s MODULE.so [--env K=V]... [--dir HOST[::GUEST]]... [-- ARGS...]\n",
          argv0);
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage(argv[0]);
  const char *path = argv[1];
  const char **env = calloc((size_t)argc, sizeof *env);
  wasi_preopen *dirs = calloc((size_t)argc, sizeof *dirs);
  const char **gargv = calloc((size_t)argc + 1, sizeof *gargv);
  int nenv = 0, ndirs = 0, gargc = 0;
  if (!env || !dirs || !gargv) return 2;
  gargv[gargc++] = path;
  int i = 2;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) { i++; break; }
    if (strcmp(argv[i], "--env") == 0 && i + 1 < argc) {
      env[nenv++] = argv[++i];
    } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
      char *spec = argv[++i], *sep = strstr(spec, "::");
      if (sep) *sep = 0;
      dirs[ndirs++] = (wasi_preopen){.host = spec, .guest = sep ? sep + 2 : spec};
    } else {
      return usage(argv[0]);
    }
  }
  for (; i < argc; i++) gargv[gargc++] = argv[i];

  /* One exit path, so that error exits free everything too (LeakSanitizer). */
  int code = 2;
  wasmrt_error err;
  wasi_ctx *ctx = NULL;
  wasmrt_extern *imports = NULL;
  wasmrt_instance *inst = NULL;
  char msg[512];
  wasmrt_module *mod = wasmrt_module_load(path, &err);
  if (!mod) {
    fprintf(stderr, "wasi-run: %s\n", err.message);
    goto out;
  }
  wasi_config cfg;
  wasi_config_init(&cfg);
  cfg.argc = gargc, cfg.argv = gargv;
  cfg.nenv = nenv, cfg.env = env;
  cfg.npreopens = ndirs, cfg.preopens = dirs;
  if (!(ctx = wasi_ctx_new(&cfg, msg, sizeof msg))) {
    fprintf(stderr, "wasi-run: %s\n", msg);
    goto out;
  }
  const wasmrt_module_desc *desc = wasmrt_module_descriptor(mod);
  if (!(imports = calloc(desc->nimports ? desc->nimports : 1, sizeof *imports))) goto out;
  if (!wasi_bind_imports(ctx, desc, imports, msg, sizeof msg)) {
    fprintf(stderr, "wasi-run: %s\n", msg);
    goto out;
  }
  for (uint32_t k = 0; k < desc->nimports; k++) {
    const wasmrt_import_desc *im = &desc->imports[k];
    if (strcmp(im->module, WASI_MODULE_NAME) != 0) {
      fprintf(stderr, "wasi-run: unsupported import %s.%s (only %s is provided)\n",
              im->module, im->name, WASI_MODULE_NAME);
      goto out;
    }
  }
  if (!(inst = wasmrt_instantiate(mod, imports, desc->nimports, &err))) {
    fprintf(stderr, "wasi-run: %s\n", err.message);
    if (err.trap != WASMRT_TRAP_NONE) code = WASI_EXIT_TRAP;
    goto out;
  }
  fflush(stdout);
  code = wasi_run_start(ctx, inst, &err);
  if (code < 0) {
    fprintf(stderr, "wasi-run: %s%s\n", err.trap != WASMRT_TRAP_NONE ? "trap: " : "",
            err.message);
    code = err.trap != WASMRT_TRAP_NONE ? WASI_EXIT_TRAP : 2;
  }
out:
  if (inst) wasmrt_instance_free(inst);
  wasi_ctx_free(ctx); /* after the instance: it owns the host functions */
  if (mod) wasmrt_module_free(mod);
  free(imports), free(env), free(dirs), free(gargv);
  return code;
}
