/* test_chunked.c: compiling in chunks (codegen.c) gives one object that
 * does not depend on the number of threads, nor on the order in which
 * the workers take the chunks (largest estimated cost first): the same
 * bytes for -j1, -j2 and -j3; the partition (a huge function gets a
 * chunk of its own) depends on the module and the chunk size only; and
 * after failures the error is the lowest failing chunk's for any -j. */
#include <criterion/criterion.h>
#include <string.h>

#include "codegen.h"
#include "emit.h"
#include "lower.h"
#include "wasm_builder.h"

/* A module of n functions (i32) -> (i32): function k adds a constant
 * reps[k] times and calls function k-1 (calls across chunks); the
 * functions whose bad[k] is set declare LOWER_MAX_LOCALS locals, which
 * the back end refuses (an implementation limit) while the module stays
 * valid. */
static wb_buf module_of(uint32_t n, const uint32_t *reps, const bool *bad) {
  wb_buf b = wb_module();
  wb_same_type_funcs(&b, "i", "i", n);
  size_t s = wb_section(&b, WB_SEC_EXPORT);
  wb_uleb(&b, 1);
  wb_name(&b, "last");
  WB(&b, 0x00);
  wb_uleb(&b, n - 1);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_CODE);
  wb_uleb(&b, n);
  for (uint32_t k = 0; k < n; k++) {
    size_t e = wb_begin(&b);
    if (bad && bad[k]) {
      wb_uleb(&b, 1);
      wb_uleb(&b, LOWER_MAX_LOCALS);
      wb_u8(&b, wb_valtype('i'));
    } else {
      wb_uleb(&b, 0);
    }
    WB(&b, 0x20, 0x00); /* local.get 0 */
    for (uint32_t r = 0; r < reps[k]; r++) {
      WB(&b, 0x41); /* i32.const */
      wb_sleb(&b, (int64_t)(k * 131 + r));
      WB(&b, 0x6A); /* i32.add */
    }
    if (k > 0) {
      WB(&b, 0x10); /* call k-1 */
      wb_uleb(&b, k - 1);
    }
    WB(&b, 0x0B);
    wb_end(&b, e);
  }
  wb_end(&b, s);
  return b;
}

/* Compiles m at -O1 (x86_64, in memory) in chunks of chunk_size bytes
 * on `jobs` threads; the object, or NULL with the error in err. */
static LLVMMemoryBufferRef compile(const wasm_module *m, uint32_t chunk_size,
                                   unsigned jobs, wasm_error *err) {
  emit_options o = {.triple = "x86_64", .opt_level = 1, .verify = true};
  char msg[256];
  emit_target *t = emit_target_new(&o, msg, sizeof msg);
  cr_assert(t, "%s", msg);
  codegen_report report = {0};
  lower_options lo = {.chunk_size = chunk_size, .jobs = jobs,
                      .report = &report};
  LLVMMemoryBufferRef obj = NULL;
  *err = (wasm_error){0};
  bool ok = emit_wasm_module(t, m, &lo, NULL, &obj, err);
  emit_target_free(t);
  if (ok) {
    cr_expect_eq(report.chunks, emit_chunks_count(m, chunk_size));
    cr_expect(report.threads >= 1 && report.threads <= jobs);
    cr_expect(report.nslowest >= 1);
  }
  return ok ? obj : NULL;
}

/* Sizes that make the estimated costs unlike the function order, so
 * that the workers take the chunks out of order. */
static const uint32_t reps[] = {2, 40, 3, 300, 5, 7, 120, 1, 60, 4,
                                9, 200, 2, 30, 11, 80};
enum { N = sizeof reps / sizeof *reps };

Test(chunked, same_object_for_any_thread_count) {
  wb_buf b = module_of(N, reps, NULL);
  wasm_error err = {0};
  wasm_module *m = wb_decode(&b, &err);
  cr_assert(m, "decode: %s", err.msg);
  cr_assert(wasm_validate(m, &err), "validate: %s", err.msg);
  uint32_t chunk = 200;
  cr_assert_gt(emit_chunks_count(m, chunk), 4);
  LLVMMemoryBufferRef one = compile(m, chunk, 1, &err);
  cr_assert(one, "%s", err.msg);
  for (unsigned j = 2; j <= 3; j++) {
    LLVMMemoryBufferRef other = compile(m, chunk, j, &err);
    cr_assert(other, "%s", err.msg);
    size_t n = LLVMGetBufferSize(one);
    cr_expect_eq(LLVMGetBufferSize(other), n, "-j%u: another size", j);
    cr_expect(n == LLVMGetBufferSize(other) &&
                  memcmp(LLVMGetBufferStart(one), LLVMGetBufferStart(other),
                         n) == 0,
              "-j%u: another object than -j1", j);
    LLVMDisposeMemoryBuffer(other);
  }
  LLVMDisposeMemoryBuffer(one);
  wasm_module_free(m);
  wb_free(&b);
}

/* A function of chunk_size bytes or more is a chunk of its own: the
 * chunk before it closes early. */
Test(chunked, huge_function_gets_its_own_chunk) {
  const uint32_t r[] = {1, 1, 400, 1, 1};
  wb_buf b = module_of(5, r, NULL);
  wasm_error err = {0};
  wasm_module *m = wb_decode(&b, &err);
  cr_assert(m, "decode: %s", err.msg);
  uint32_t chunk = m->funcs[2].body_len; /* function 2 alone fills one */
  cr_assert_gt(chunk, 2 * (m->funcs[0].body_len + m->funcs[1].body_len +
                           m->funcs[3].body_len + m->funcs[4].body_len));
  /* [0, 1] [2] [3, 4] (greedy alone: [0, 1, 2] [3, 4]) */
  cr_expect_eq(emit_chunks_count(m, chunk), 3);
  wasm_module_free(m);
  wb_free(&b);
}

/* Two failing chunks, the later one estimated costlier (so started
 * first): the earlier one's error, for any thread count. */
Test(chunked, lowest_failing_chunk_reports_for_any_thread_count) {
  bool bad[N] = {0};
  bad[4] = true;
  bad[11] = true;
  wb_buf b = module_of(N, reps, bad);
  wasm_error err = {0};
  wasm_module *m = wb_decode(&b, &err);
  cr_assert(m, "decode: %s", err.msg);
  cr_assert(wasm_validate(m, &err), "validate: %s", err.msg);
  for (unsigned j = 1; j <= 3; j++) {
    cr_expect_null(compile(m, 1, j, &err), "-j%u compiled", j);
    cr_expect(strstr(err.msg, "implementation limit"), "-j%u: %s", j,
              err.msg);
    /* in function 4's code entry */
    cr_expect(err.offset >= m->funcs[4].code_offset &&
                  err.offset < m->funcs[5].code_offset,
              "-j%u: offset %zu", j, (size_t)err.offset);
  }
  wasm_module_free(m);
  wb_free(&b);
}
