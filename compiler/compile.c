/* compile.c: the `compile` and `build` commands, and the pipeline they
 * share with `image` and `run` (compile_file): load and validate the
 * module, lower it, emit the object, and link it into a shared object or
 * an executable. */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llvm-c/Support.h>

#include "codegen.h"
#include "emit.h"
#include "link.h"
#include "lower.h"

static int compile_main(cli_args *c);


/* The pipeline of `compile`/`build` (and of `run` on a cache miss, with
 * c->shared): load, validate, lower, emit, link to c->out. Returns an
 * exit status; messages are printed. */
int compile_file(const cli_args *cp, const char *triple) {
  cli_args c = *cp;
  int status = EXIT_BAD_INPUT;
  bool writing = false; /* OUT may be half-written from here on */
  emit_target *t = NULL;
  char tmp_obj[4096] = "";
  char *baked = NULL; /* launcher arguments for WASMC_LAUNCHER_ARGS_SYMBOL */
  wasm_module *m = cli_load_valid(c.file);
  if (!m)
    goto done;
  wasm_error err = {0};

  if (c.nllvm_args) {
    /* LLVM's own command line, parsed once per process (wasmc compiles
     * one module per run). */
    const char *argv_llvm[34] = {"wasmc"};
    for (int k = 0; k < c.nllvm_args; k++)
      argv_llvm[k + 1] = c.llvm_args[k];
    LLVMParseCommandLineOptions(c.nllvm_args + 1, argv_llvm, NULL);
  }
  emit_options eo = {.triple = triple, .cpu = c.cpu, .features = c.features,
                     .opt_level = c.opt_level, .emit_llvm = c.emit_llvm};
#ifndef NDEBUG
  eo.verify = true; /* lowering bugs show up as IR errors, not crashes */
#endif
  char msg[2048];
  t = emit_target_new(&eo, msg, sizeof msg);
  if (!t) {
    /* a bad --cpu/--features is a usage error, like a bad --target */
    fprintf(stderr, "wasmc: error: %s\n", msg);
    status = EXIT_USAGE;
    goto done;
  }

  bool linking = c.shared || c.exe; /* the object is an intermediate */
  const char *obj = c.out;
  if (linking) {
    if (!cli_temp_file(tmp_obj, sizeof tmp_obj, ".o")) {
      fprintf(stderr, "wasmc: error: cannot create a temporary file: %s\n",
              strerror(errno));
      tmp_obj[0] = '\0';
      goto done;
    }
    obj = tmp_obj;
  }
  lower_options lo = {.bounds_checks = c.bounds_checks,
                      .chunk_size = c.chunk_size,
                      .jobs = c.jobs};
  if (c.ngrants) {
    size_t size = 1;
    for (int k = 0; k < c.ngrants; k++)
      size += strlen(c.grants[k]) + 1;
    if (!(baked = malloc(size))) {
      fputs("wasmc: error: out of memory\n", stderr);
      goto done;
    }
    char *p = baked;
    for (int k = 0; k < c.ngrants; k++)
      p = stpcpy(p, c.grants[k]) + 1;
    *p = '\0';
    lo.launcher_args = baked;
    lo.launcher_args_size = size;
  }
  err = (wasm_error){0};
  writing = !linking;
  if (!emit_wasm_module(t, m, &lo, obj, NULL, &err)) {
    if (err.offset)
      wasm_error_print(stderr, c.file, &err);
    else
      fprintf(stderr, "%s: error: %s\n", c.file, err.msg);
    goto done;
  }
  if (linking) {
    writing = true;
    const char *cross = emit_target_is_native(t) ? NULL : emit_target_arch(t);
    bool ok = c.exe ? link_executable(emit_target_linker(t), cross, obj, c.out,
                                      c.static_exe, c.strip, msg, sizeof msg)
                    : link_shared(emit_target_linker(t), obj, c.out, msg,
                                  sizeof msg);
    if (!ok) {
      fprintf(stderr, "%s: error: %s\n", c.file, msg);
      goto done;
    }
  }
  status = EXIT_OK;

done:
  free(baked);
  if (tmp_obj[0])
    unlink(tmp_obj);
  if (status != EXIT_OK && writing)
    unlink(c.out); /* never leave a half-written output behind */
  emit_target_free(t);
  wasm_module_free(m);
  return status;
}

/* `compile` (exe false) and `build` (exe true): the same pipeline; build
 * links the object into an executable instead of a shared object. */
int cmd_compile(int argc, char **argv, bool exe) {
  return cli_main(exe ? CLI_BUILD : CLI_COMPILE, argc, argv, compile_main);
}

static int compile_main(cli_args *cp) {
  cli_args c = *cp;
  if (!c.file)
    return usage_error("'%s' needs a FILE", c.cmd_name);
  if (c.emit_llvm && c.shared)
    return usage_error("--emit-llvm and --shared exclude each other");

  char target_err[256];
  char triple[128];
  if (!emit_resolve_triple(c.target, triple, sizeof triple, target_err,
                           sizeof target_err))
    return usage_error("%s", target_err);

  /* Default output: FILE minus .wasm, plus .o / .so (nothing for build). */
  char *default_out = NULL;
  if (!c.out) {
    const char *ext = c.exe ? "" : c.shared ? ".so" : c.emit_llvm ? ".ll" : ".o";
    size_t len = strlen(c.file);
    if (len > 5 && strcmp(c.file + len - 5, ".wasm") == 0)
      len -= 5;
    else if (c.exe)
      return usage_error("'build' needs -o OUT ('%s' does not end in .wasm)",
                         c.file);
    default_out = malloc(len + 4);
    if (!default_out) {
      fputs("wasmc: error: out of memory\n", stderr);
      return EXIT_BAD_INPUT;
    }
    memcpy(default_out, c.file, len);
    strcpy(default_out + len, ext);
    c.out = default_out;
  }

  int status = compile_file(&c, triple);
  free(default_out);
  return cli_finish(status);
}

