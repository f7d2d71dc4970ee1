/* test_keep_traps.c: which linear-memory loads keep_traps.c leaves
 * volatile (so they run, and fault out of bounds, whatever the optimiser
 * thinks of their value) and which it releases to plain loads (so LLVM
 * optimises them as usual: merged, hoisted, vectorised). The first is
 * checked by running modules (tests/spec/wasmc/unused_load_traps.wast);
 * this checks the second, the price: test_keep_traps.wat compiled at -O2
 * with --emit-llvm for each target, its functions' IR read back.
 * A reduction loop's loads were once all left volatile (the accumulator's
 * use through the loop phi did not count), which stopped vectorisation
 * of every such loop without any test failing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codegen.h"
#include "emit.h"
#include "lower.h"

#ifndef KEEP_TRAPS_WASM
#error "KEEP_TRAPS_WASM (the path of test_keep_traps.wasm) must be defined"
#endif

/* The optimised IR of test_keep_traps.wasm for triple at -O2, as text
 * (malloc'd). */
static char *optimised_ir(const char *triple) {
  wasm_error err = {0};
  wasm_module *m = wasm_module_load_file(KEEP_TRAPS_WASM, &err);
  cr_assert(m, "%s: %s", KEEP_TRAPS_WASM, err.msg);
  cr_assert(wasm_validate(m, &err), "validate: %s", err.msg);
  emit_options o = {.triple = triple, .opt_level = 2, .verify = true, .emit_llvm = true};
  char msg[256];
  emit_target *t = emit_target_new(&o, msg, sizeof msg);
  cr_assert(t, "%s", msg);
  char path[] = "/tmp/test_keep_traps_XXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  close(fd);
  lower_options lo = {.jobs = 1};
  cr_assert(emit_wasm_module(t, m, &lo, path, NULL, &err), "%s", err.msg);
  emit_target_free(t);
  wasm_module_free(m);
  FILE *f = fopen(path, "rb");
  cr_assert(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *text = malloc((size_t)n + 1);
  cr_assert(text && fread(text, 1, (size_t)n, f) == (size_t)n);
  text[n] = 0;
  fclose(f);
  unlink(path);
  return text;
}

/* The body of the Wasm function `index` in ir (up to its closing brace,
 * NUL-terminated in place of the next line's start): LLVM names it
 * @wasm_f<index>. */
static char *function_body(char *ir, int index) {
  char head[64];
  snprintf(head, sizeof head, " @wasm_f%d(", index);
  char *start = strstr(ir, head);
  cr_assert(start, "no function wasm_f%d in the IR", index);
  char *end = strstr(start, "\n}\n");
  cr_assert(end);
  end[2] = 0;
  return start;
}

static int count(const char *text, const char *what) {
  int n = 0;
  for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
    n++;
  return n;
}

/* vectors: whether the target's baseline has vector registers (riscv64's
 * RV64GC has none, so its loops are not vectorised) */
static void check(const char *triple, bool vectors) {
  char *ir = optimised_ir(triple);
  char *sum = function_body(ir, 0);
  cr_expect_eq(count(sum, "load volatile"), 0,
               "%s: the sum loop's loads stay volatile:\n%s", triple, sum);
  if (vectors)
    cr_expect(count(sum, "load <4 x i32>") > 0,
            "%s: the sum loop is not vectorised:\n%s", triple, sum);
  free(ir);

  ir = optimised_ir(triple);
  char *fmax = function_body(ir, 1);
  cr_expect_eq(count(fmax, "load volatile"), 0,
               "%s: the maximum's loads stay volatile:\n%s", triple, fmax);
  free(ir);

  ir = optimised_ir(triple);
  char *sel = function_body(ir, 2);
  cr_expect_eq(count(sel, "load volatile i64"), 1,
               "%s: a load only selected is released:\n%s", triple, sel);
  free(ir);
}

Test(keep_traps, x86_64) { check("x86_64", true); }
Test(keep_traps, aarch64) { check("aarch64", true); }
Test(keep_traps, riscv64) { check("riscv64", false); }
