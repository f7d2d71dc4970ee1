/* test_codegen_limits.c: the back end's implementation limits on valid
 * modules (emit_wasm_module, x86_64 -O0, object in memory). A function
 * may have at most LOWER_MAX_LOCALS locals, parameters included: at the
 * limit it compiles, beyond it the compile is refused with an
 * "implementation limit" error, never a crash. Found by
 * tests/fuzz/fuzz_compile: one local declaration of 2^32-1 locals (six
 * bytes) plus a parameter overflowed the lowering's 32-bit local count
 * and wrote past a one-element array; a few hundred million locals asked
 * for gigabytes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "codegen.h"
#include "emit.h"
#include "lower.h"
#include "wasm_builder.h"

/* A module of one function (i32) -> (i32) declaring `count` i32 locals in
 * one group, returning its last local (so the body uses one beyond the
 * parameter when there is one). */
static wb_buf one_function(uint64_t count) {
  wb_buf b = wb_module();
  wb_same_type_funcs(&b, "i", "i", 1);
  size_t s = wb_section(&b, WB_SEC_CODE);
  wb_uleb(&b, 1);
  size_t e = wb_begin(&b);
  wb_uleb(&b, 1); /* one local group */
  wb_uleb(&b, count);
  wb_u8(&b, wb_valtype('i'));
  WB(&b, 0x20); /* local.get count (the last local) */
  wb_uleb(&b, count);
  WB(&b, 0x0B);
  wb_end(&b, e);
  wb_end(&b, s);
  return b;
}

/* Decodes, validates and compiles; true when the object was made, else
 * false with the error in err. */
static bool compile(uint64_t count, wasm_error *err) {
  wb_buf b = one_function(count);
  wasm_module *m = wb_decode(&b, err);
  cr_assert(m, "decode: %s", err->msg);
  cr_assert(wasm_validate(m, err), "validate: %s", err->msg);
  emit_options o = {.triple = "x86_64", .opt_level = 0, .verify = true};
  char msg[256];
  emit_target *t = emit_target_new(&o, msg, sizeof msg);
  cr_assert(t, "%s", msg);
  lower_options lo = {.jobs = 1};
  LLVMMemoryBufferRef obj = NULL;
  bool ok = emit_wasm_module(t, m, &lo, NULL, &obj, err);
  if (obj)
    LLVMDisposeMemoryBuffer(obj);
  emit_target_free(t);
  wasm_module_free(m);
  wb_free(&b);
  return ok;
}

Test(codegen_limits, locals_at_the_limit_compile) {
  wasm_error err = {0};
  /* the parameter + LOWER_MAX_LOCALS - 1 declared */
  cr_expect(compile(LOWER_MAX_LOCALS - 1, &err), "%s", err.msg);
}

Test(codegen_limits, one_local_more_is_refused) {
  wasm_error err = {0};
  cr_assert_not(compile(LOWER_MAX_LOCALS, &err));
  cr_expect(strstr(err.msg, "implementation limit"), "%s", err.msg);
  cr_expect(strstr(err.msg, "50001 locals"), "%s", err.msg);
}

/* 2^32-1 declared + the parameter: 2^32, which a 32-bit count wraps to
 * 0. Valid (the spec only bounds the declared sum by 2^32-1). */
Test(codegen_limits, local_count_that_wraps_32_bits_is_refused) {
  wasm_error err = {0};
  cr_assert_not(compile(UINT32_MAX, &err));
  cr_expect(strstr(err.msg, "implementation limit"), "%s", err.msg);
  cr_expect(strstr(err.msg, "4294967296 locals"), "%s", err.msg);
}
