/* fuzz_compile.c: libFuzzer target for the whole compiler.
 *
 * An input that decodes and validates goes through the back end as
 * `wasmc compile` runs it (emit_wasm_module: lower, verify, wasmc's IR
 * passes, LLVM's pipeline, code generation to an object in memory), for
 * the host target at -O0 and at -O2. A validated module must compile:
 * any failure is a bug and aborts, so libFuzzer keeps the input. The only
 * refusals allowed are the documented ones ("not supported yet",
 * "implementation limit"). Debian's libLLVM has no assertions, so broken
 * IR would otherwise go unnoticed into the optimiser: the targets verify
 * the module after the lowering and after wasmc's own IR passes
 * (emit_options.verify), and an LLVM fatal error aborts too. One bit of a
 * hash of the input chooses guard pages or --bounds-checks, so both
 * address schemes are fuzzed without doubling the cost of an execution.
 * Every LLVM context, module and buffer is disposed per input, so leak
 * detection stays on.
 *
 * Bounded executions: the back end's cost grows linearly with the
 * number of functions (LLVM's passes and code generator take ~0.4 ms per
 * function at -O2 even for an empty one, ~2.5 ms for both levels under
 * ASan) and with the number of locals (an alloca and a store each; at
 * most LOWER_MAX_LOCALS per function, lower.h). A few kilobytes can
 * declare thousands of functions with 50,000 locals each, which would
 * take minutes without being a bug, so modules beyond MAX_FUNCS defined
 * functions or MAX_LOCALS locals in all are decoded and validated but not
 * compiled. Both budgets are well above every module of the spec suite
 * (at most 479 functions, 1,056 locals); the locals limit itself is
 * tested by tests/unit/test_codegen_limits.c.
 *
 * At exit it prints how many inputs reached the back end. Run by
 * scripts/fuzz-smoke; built only with -DWASMC_FUZZ=ON and clang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/ErrorHandling.h>

#include "codegen.h"
#include "emit.h"
#include "lower.h"
#include "wasm.h"

enum { NLEVELS = 2 };
static const int levels[NLEVELS] = {0, 2};
static emit_target *targets[NLEVELS];

/* The budget of a module that is compiled (see the banner). */
#define MAX_FUNCS 1000u
#define MAX_LOCALS 10000u

/* What happened to the inputs, printed at exit. */
static struct {
  unsigned long inputs, valid, compiled, over_budget, refused;
} stats;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVM's default handler exits with status 1, which libFuzzer reports
 * without a stack; abort gives the stack of the failing pass. */
static void llvm_fatal(const char *reason) {
  fprintf(stderr, "fuzz: LLVM fatal error: %s\n", reason);
  abort();
}

static void print_stats(void) {
  fprintf(stderr,
          "fuzz_compile: %lu inputs, %lu valid, %lu compiled at -O0 and "
          "-O2, %lu over the budget, %lu refused (implementation limit, "
          "not supported yet)\n",
          stats.inputs, stats.valid, stats.compiled, stats.over_budget,
          stats.refused);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  atexit(print_stats);
  LLVMInstallFatalErrorHandler(llvm_fatal);
  for (int i = 0; i < NLEVELS; i++) {
    char err[256];
    emit_options o = {.opt_level = levels[i], .verify = true};
    targets[i] = emit_target_new(&o, err, sizeof err);
    if (!targets[i]) {
      fprintf(stderr, "fuzz: no target machine at -O%d: %s\n", levels[i], err);
      exit(1);
    }
  }
  return 0;
}

/* A failure a validated module may legitimately meet (everything else is
 * a bug in wasmc): a feature the back end does not have yet, or one of
 * its documented limits. */
static bool allowed_refusal(const wasm_error *err) {
  return strstr(err->msg, "not supported yet") ||
         strstr(err->msg, "implementation limit");
}

/* FNV-1a: a stable choice per input (the same input always compiles the
 * same way, so a crash reproduces). */
static uint32_t hash(const uint8_t *data, size_t size) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < size; i++)
    h = (h ^ data[i]) * 16777619u;
  return h;
}

/* Within the budget (see the banner)? */
static bool within_budget(const wasm_module *m) {
  if (m->nfuncs - m->nimported_funcs > MAX_FUNCS)
    return false;
  uint64_t locals = 0;
  for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++)
    locals += (uint64_t)m->types[m->funcs[i].type].nparams + m->funcs[i].nlocals;
  return locals <= MAX_LOCALS;
}

/* Compiles m at levels[level]; false when refused as allowed. */
static bool compile_at(int level, const wasm_module *m, bool bounds_checks) {
  /* One thread: the fuzzer process must stay one job (and a module of
   * -max_len bytes is never split into chunks anyway). */
  lower_options lo = {.bounds_checks = bounds_checks, .jobs = 1};
  LLVMMemoryBufferRef obj = NULL;
  wasm_error err = {0};
  if (!emit_wasm_module(targets[level], m, &lo, NULL, &obj, &err)) {
    if (allowed_refusal(&err))
      return false;
    fprintf(stderr, "fuzz: a valid module failed to compile at -O%d%s: "
                    "0x%zx: %.*s\n",
            levels[level], bounds_checks ? " --bounds-checks" : "",
            err.offset, (int)sizeof err.msg, err.msg);
    abort();
  }
  /* An object, and an ELF one: a silent empty buffer would be a bug too. */
  if (!obj || LLVMGetBufferSize(obj) < 4 ||
      memcmp(LLVMGetBufferStart(obj), "\177ELF", 4) != 0) {
    fprintf(stderr, "fuzz: -O%d compiled, but the object is not ELF\n",
            levels[level]);
    abort();
  }
  LLVMDisposeMemoryBuffer(obj);
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  stats.inputs++;
  wasm_error err = {0};
  wasm_module *m = wasm_decode(data, size, "fuzz.wasm", &err);
  if (!m)
    return 0;
  if (wasm_validate(m, &err)) {
    stats.valid++;
    if (!within_budget(m)) {
      stats.over_budget++;
    } else {
      bool bounds_checks = hash(data, size) & 1;
      bool compiled = true;
      for (int i = 0; i < NLEVELS; i++)
        compiled = compile_at(i, m, bounds_checks) && compiled;
      if (compiled)
        stats.compiled++;
      else
        stats.refused++;
    }
  }
  wasm_module_free(m);
  return 0;
}
