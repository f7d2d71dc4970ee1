/* test_validate.c: the validator (wasm_validate) against WebAssembly 2.0
 * (spec chapter 3 and the algorithm of appendix 7.3). Function bodies are
 * checked inside one fixed environment module (see env_module); module-level
 * rules get modules of their own. Messages are the spec test suite's, matched
 * by substring. */
#include <criterion/criterion.h>
#include <string.h>

#include "wasm_builder.h"

/* ---- the environment ------------------------------------------------------
 *
 * types  0: the tested function's type   1: [] -> []
 *        2: [i32] -> [i32]               3: [i32 i32] -> [i32]
 *        4: [] -> [i32 i64]              5: [i32 i64] -> [f32]
 *        6: [i32] -> [i32 i32]
 * funcs  0: the tested function (type 0)
 *        1: type 1, declared by elem 0     2: type 2, never referenced
 *        3: type 4, exported as "f3"       4: type 1, in global 6's init
 * tables 0: funcref 10    1: externref 10               (not with NO_TABLES)
 * memory 0: 1 page                                      (not with NO_MEMORY)
 * globals 0: i32 const   1: mut i32   2: mut i64   3: mut f32
 *         4: mut funcref 5: mut externref  6: funcref = ref.func 4
 * elems  0: passive funcref [ref.func 1]   1: passive externref [null]
 * datacount (not with NO_DATACOUNT)
 * datas  0: passive "ab"   1: active at 0 "cd" (only with a memory)
 */
enum { NO_MEMORY = 1, NO_DATACOUNT = 2, NO_TABLES = 4 };

static wb_buf env_module(const char *params, const char *results,
                         const char *locals, unsigned flags,
                         const uint8_t *body, size_t n) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_TYPE);
  wb_uleb(&b, 7);
  wb_functype(&b, params, results);
  wb_functype(&b, "", "");
  wb_functype(&b, "i", "i");
  wb_functype(&b, "ii", "i");
  wb_functype(&b, "", "iI");
  wb_functype(&b, "iI", "f");
  wb_functype(&b, "i", "ii");
  wb_end(&b, s);

  s = wb_section(&b, WB_SEC_FUNC);
  WB(&b, 5, 0, 1, 2, 4, 1);
  wb_end(&b, s);

  if (!(flags & NO_TABLES)) {
    s = wb_section(&b, WB_SEC_TABLE);
    WB(&b, 2, 0x70, 0x00, 10, 0x6F, 0x00, 10);
    wb_end(&b, s);
  }
  if (!(flags & NO_MEMORY)) {
    s = wb_section(&b, WB_SEC_MEMORY);
    WB(&b, 1, 0x00, 1);
    wb_end(&b, s);
  }

  s = wb_section(&b, WB_SEC_GLOBAL);
  wb_uleb(&b, 7);
  WB(&b, 0x7F, 0, 0x41, 0, 0x0B);
  WB(&b, 0x7F, 1, 0x41, 0, 0x0B);
  WB(&b, 0x7E, 1, 0x42, 0, 0x0B);
  WB(&b, 0x7D, 1, 0x43, 0, 0, 0, 0, 0x0B);
  WB(&b, 0x70, 1, 0xD0, 0x70, 0x0B);
  WB(&b, 0x6F, 1, 0xD0, 0x6F, 0x0B);
  WB(&b, 0x70, 0, 0xD2, 4, 0x0B);
  wb_end(&b, s);

  s = wb_section(&b, WB_SEC_EXPORT);
  wb_uleb(&b, 1);
  wb_name(&b, "f3");
  WB(&b, 0x00, 3);
  wb_end(&b, s);

  s = wb_section(&b, WB_SEC_ELEM);
  WB(&b, 2, 0x01, 0x00, 1, 1, 0x05, 0x6F, 1, 0xD0, 0x6F, 0x0B);
  wb_end(&b, s);

  unsigned ndatas = flags & NO_MEMORY ? 1 : 2;
  if (!(flags & NO_DATACOUNT)) {
    s = wb_section(&b, WB_SEC_DATACOUNT);
    wb_uleb(&b, ndatas);
    wb_end(&b, s);
  }

  s = wb_section(&b, WB_SEC_CODE);
  wb_uleb(&b, 5);
  wb_code_entry(&b, locals, body, n);
  WB(&b, 2, 0, 0x0B);                              /* 1 */
  WB(&b, 4, 0, 0x20, 0, 0x0B);                     /* 2 */
  WB(&b, 6, 0, 0x41, 0, 0x42, 0, 0x0B);            /* 3 */
  WB(&b, 2, 0, 0x0B);                              /* 4 */
  wb_end(&b, s);

  s = wb_section(&b, WB_SEC_DATA);
  wb_uleb(&b, ndatas);
  WB(&b, 0x01, 2, 'a', 'b');
  if (ndatas == 2)
    WB(&b, 0x00, 0x41, 0, 0x0B, 2, 'c', 'd');
  wb_end(&b, s);
  return b;
}

typedef struct {
  bool decoded, valid;
  wasm_error err;
  uint32_t body; /* file offset of the tested body's first instruction */
} vres;

static vres run(const char *params, const char *results, const char *locals,
                unsigned flags, const uint8_t *body, size_t n) {
  vres v;
  memset(&v, 0, sizeof v);
  wb_buf b = env_module(params, results, locals, flags, body, n);
  wasm_module *m = wb_decode(&b, &v.err);
  v.decoded = m != NULL;
  if (m) {
    v.body = m->funcs[0].body_offset;
    v.valid = wasm_validate(m, &v.err);
    wasm_module_free(m);
  }
  wb_free(&b);
  return v;
}

static void check_valid(int line, const char *p, const char *r,
                        const char *l, unsigned flags, const uint8_t *body,
                        size_t n) {
  vres v = run(p, r, l, flags, body, n);
  cr_assert(v.decoded, "line %d: decode failed: %s @0x%zx", line, v.err.msg,
            v.err.offset);
  cr_assert(v.valid, "line %d: rejected: %s @0x%zx", line, v.err.msg,
            v.err.offset);
  cr_assert(!v.err.set, "line %d: error set on success", line);
}

/* Expects validation to fail with `msg` in the message. */
static vres check_invalid(int line, const char *msg, const char *p,
                          const char *r, const char *l, unsigned flags,
                          const uint8_t *body, size_t n) {
  vres v = run(p, r, l, flags, body, n);
  cr_assert(v.decoded, "line %d: decode failed: %s @0x%zx", line, v.err.msg,
            v.err.offset);
  cr_assert(!v.valid, "line %d: accepted, expected \"%s\"", line, msg);
  cr_assert(v.err.set, "line %d: no error recorded", line);
  cr_assert(strstr(v.err.msg, msg), "line %d: message \"%s\" lacks \"%s\"",
            line, v.err.msg, msg);
  return v;
}

#define BODY(...)                                                             \
  (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define VALID(p, r, l, ...) check_valid(__LINE__, p, r, l, 0, BODY(__VA_ARGS__))
#define VALID_F(f, p, r, l, ...)                                              \
  check_valid(__LINE__, p, r, l, f, BODY(__VA_ARGS__))
#define INVALID(msg, p, r, l, ...)                                            \
  check_invalid(__LINE__, msg, p, r, l, 0, BODY(__VA_ARGS__))
#define INVALID_F(f, msg, p, r, l, ...)                                       \
  check_invalid(__LINE__, msg, p, r, l, f, BODY(__VA_ARGS__))

#define ASSERT_AT(v, k)                                                       \
  cr_assert_eq((v).err.offset, (v).body + (k),                                \
               "error at body+%ld, want body+%d (%s)",                       \
               (long)(v).err.offset - (long)(v).body, k, (v).err.msg)

#define V128_0 0xFD, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define TM "type mismatch"

/* ---- the environment itself ---------------------------------------------- */

Test(env, is_valid) {
  VALID("", "", "", 0x0B);
  VALID_F(NO_MEMORY, "", "", "", 0x0B);
  VALID_F(NO_DATACOUNT, "", "", "", 0x0B);
  VALID_F(NO_TABLES, "", "", "", 0x0B);
}

/* ---- numeric instructions ------------------------------------------------ */

Test(numeric, well_typed) {
  VALID("ii", "i", "", 0x20, 0, 0x20, 1, 0x6A, 0x0B);
  VALID("I", "f", "", 0x20, 0, 0xB4, 0x0B);          /* f32.convert_i64_s */
  VALID("f", "i", "", 0x20, 0, 0xFC, 0x00, 0x0B);    /* trunc_sat */
  VALID("i", "i", "", 0x20, 0, 0xC0, 0x0B);          /* i32.extend8_s */
  VALID("FF", "i", "", 0x20, 0, 0x20, 1, 0x63, 0x0B); /* f64.lt */
  VALID("", "v", "", V128_0, V128_0, 0xFD, 0x6E, 0x0B); /* i8x16.add */
  VALID("i", "v", "", 0x20, 0, 0xFD, 0x11, 0x0B);    /* i32x4.splat */
  VALID("v", "i", "", 0x20, 0, 0xFD, 0x53, 0x0B);    /* v128.any_true */
  VALID("vi", "v", "", 0x20, 0, 0x20, 1, 0xFD, 0x6B, 0x0B); /* i8x16.shl */
}

Test(numeric, operand_type_mismatch_offset) {
  /* i32.const 1; i64.const 1; i32.add */
  vres v = INVALID(TM, "", "i", "", 0x41, 1, 0x42, 1, 0x6A, 0x0B);
  ASSERT_AT(v, 4);
  INVALID(TM, "F", "f", "", 0x20, 0, 0x20, 0, 0x92, 0x0B); /* f32.add */
  INVALID(TM, "", "i", "", 0x42, 0, 0x45, 0x0B);           /* i32.eqz i64 */
  INVALID(TM, "i", "v", "", 0x20, 0, 0xFD, 0x6E, 0x0B);    /* i8x16.add */
  INVALID(TM, "v", "i", "", 0x20, 0, 0xFD, 0x12, 0x0B);    /* i64x2.splat */
}

Test(numeric, stack_underflow_and_leftovers) {
  vres v = INVALID(TM, "", "i", "", 0x41, 1, 0x6A, 0x0B);
  ASSERT_AT(v, 2);
  INVALID(TM, "", "", "", 0x6A, 0x0B);
  v = INVALID(TM, "", "", "", 0x41, 1, 0x0B); /* value left at the end */
  ASSERT_AT(v, 2);
  INVALID(TM, "", "i", "", 0x42, 0, 0x0B);    /* wrong result type */
  INVALID(TM, "", "i", "", 0x0B);             /* missing result */
  INVALID(TM, "", "iI", "", 0x42, 0, 0x41, 0, 0x0B); /* results swapped */
}

/* ---- blocks -------------------------------------------------------------- */

Test(blocks, params_and_results) {
  /* block (type 3) [i32 i32] -> [i32] */
  VALID("", "i", "", 0x41, 1, 0x41, 2, 0x02, 3, 0x6A, 0x0B, 0x0B);
  /* block (type 4) [] -> [i32 i64] */
  VALID("", "iI", "", 0x02, 4, 0x41, 0, 0x42, 0, 0x0B, 0x0B);
  /* loop (type 2) [i32] -> [i32] */
  VALID("", "i", "", 0x41, 1, 0x03, 2, 0x0B, 0x0B);
  /* nested multi-value: block (type 6) feeding i32.add */
  VALID("", "i", "", 0x41, 7, 0x02, 6, 0x41, 1, 0x0B, 0x6A, 0x0B);
  VALID("", "v", "", 0x02, 0x7B, V128_0, 0x0B, 0x0B);
  VALID("", "x", "", 0x02, 0x6F, 0xD0, 0x6F, 0x0B, 0x0B);
}

Test(blocks, mismatches) {
  /* only one of two params */
  INVALID(TM, "", "i", "", 0x41, 1, 0x02, 3, 0x6A, 0x0B, 0x0B);
  /* block (result i32) with an empty body */
  INVALID(TM, "", "i", "", 0x02, 0x7F, 0x0B, 0x0B);
  /* a block cannot pop what is outside it */
  INVALID(TM, "", "i", "", 0x41, 1, 0x02, 0x7F, 0x0B, 0x0B);
  /* block result of the wrong type */
  INVALID(TM, "", "i", "", 0x02, 0x7F, 0x42, 0, 0x0B, 0x0B);
  /* too many values at the block's end */
  INVALID(TM, "", "i", "", 0x02, 0x7F, 0x41, 0, 0x41, 0, 0x0B, 0x0B);
  /* unknown block type index */
  INVALID("unknown type", "", "", "", 0x02, 0xE3, 0x00, 0x0B, 0x0B);
}

Test(blocks, if_else) {
  VALID("i", "i", "", 0x20, 0, 0x04, 0x7F, 0x41, 1, 0x05, 0x41, 2, 0x0B,
        0x0B);
  VALID("i", "", "", 0x20, 0, 0x04, 0x40, 0x0B, 0x0B);
  /* if (type 2) [i32] -> [i32] without else: params pass through */
  VALID("i", "i", "", 0x20, 0, 0x20, 0, 0x04, 2, 0x0B, 0x0B);
  /* if with results but no else */
  INVALID(TM, "i", "i", "", 0x20, 0, 0x04, 0x7F, 0x41, 1, 0x0B, 0x0B);
  /* condition must be i32 */
  INVALID(TM, "", "", "", 0x42, 0, 0x04, 0x40, 0x0B, 0x0B);
  INVALID(TM, "", "", "", 0x04, 0x40, 0x0B, 0x0B);
  /* the else arm yields the wrong type */
  INVALID(TM, "i", "i", "", 0x20, 0, 0x04, 0x7F, 0x41, 1, 0x05, 0x42, 2,
          0x0B, 0x0B);
  /* the then arm leaves nothing */
  INVALID(TM, "i", "i", "", 0x20, 0, 0x04, 0x7F, 0x05, 0x41, 2, 0x0B, 0x0B);
}

Test(blocks, if_params_reach_both_arms) {
  /* if (type 2) [i32] -> [i32]: each arm starts with the parameter */
  VALID("i", "i", "", 0x20, 0, 0x20, 0, 0x04, 2, 0x41, 1, 0x6A, 0x05, 0x41, 2,
        0x6C, 0x0B, 0x0B);
  /* else arm must not see what the then arm left */
  INVALID(TM, "i", "i", "", 0x20, 0, 0x04, 0x7F, 0x41, 1, 0x05, 0x0B, 0x0B);
}

Test(blocks, structure_errors) {
  /* else outside an if, and a second else */
  vres v = run("", "", "", 0, BODY(0x05, 0x0B));
  cr_assert(!v.decoded || !v.valid, "else without if accepted");
  v = run("i", "", "", 0, BODY(0x20, 0, 0x04, 0x40, 0x05, 0x05, 0x0B, 0x0B));
  cr_assert(!v.decoded || !v.valid, "two elses accepted");
  /* instructions after the function's final end */
  v = run("", "", "", 0, BODY(0x0B, 0x01, 0x0B));
  cr_assert(!v.decoded || !v.valid, "code after the final end accepted");
  /* a block left open */
  v = run("", "", "", 0, BODY(0x02, 0x40, 0x0B));
  cr_assert(!v.decoded || !v.valid, "unclosed block accepted");
}

/* ---- branches ------------------------------------------------------------ */

Test(branches, br) {
  VALID("", "i", "", 0x02, 0x7F, 0x41, 1, 0x0C, 0, 0x0B, 0x0B);
  INVALID(TM, "", "i", "", 0x02, 0x7F, 0x42, 1, 0x0C, 0, 0x0B, 0x0B);
  /* br to a loop carries the loop's params */
  VALID("", "i", "", 0x41, 0, 0x03, 2, 0x0C, 0, 0x0B, 0x0B);
  INVALID(TM, "", "i", "", 0x41, 0, 0x03, 2, 0x1A, 0x0C, 0, 0x0B, 0x0B);
  /* br to the function body is a return */
  VALID("", "i", "", 0x41, 3, 0x0C, 0, 0x0B);
  vres v = INVALID("unknown label", "", "", "", 0x0C, 1, 0x0B);
  ASSERT_AT(v, 0);
  INVALID("unknown label", "", "", "", 0x02, 0x40, 0x0C, 2, 0x0B, 0x0B);
}

Test(branches, br_if) {
  VALID("i", "i", "", 0x02, 0x7F, 0x41, 1, 0x20, 0, 0x0D, 0, 0x0B, 0x0B);
  /* the condition is missing: the value is taken as condition */
  INVALID(TM, "", "i", "", 0x02, 0x7F, 0x41, 1, 0x0D, 0, 0x0B, 0x0B);
  INVALID(TM, "I", "", "", 0x02, 0x40, 0x20, 0, 0x0D, 0, 0x0B, 0x0B);
  INVALID("unknown label", "i", "", "", 0x20, 0, 0x0D, 5, 0x0B);
}

Test(branches, br_table) {
  VALID("i", "", "", 0x02, 0x40, 0x02, 0x40, 0x20, 0, 0x0E, 1, 0, 1, 0x0B,
        0x0B, 0x0B);
  /* all targets take [i32] */
  VALID("i", "i", "", 0x02, 0x7F, 0x02, 0x7F, 0x41, 5, 0x20, 0, 0x0E, 1, 0,
        1, 0x0B, 0x0B, 0x0B);
  /* target 0 takes [], the default [i32]: arity mismatch */
  INVALID(TM, "i", "i", "", 0x02, 0x7F, 0x02, 0x40, 0x41, 0, 0x20, 0, 0x0E,
          1, 0, 1, 0x0B, 0x41, 0, 0x0B, 0x0B);
  /* same arity, different types */
  INVALID(TM, "i", "", "", 0x02, 0x7E, 0x02, 0x7F, 0x41, 0, 0x20, 0, 0x0E,
          1, 0, 1, 0x0B, 0x1A, 0x42, 0, 0x0B, 0x1A, 0x0B);
  /* index operand must be i32 */
  INVALID(TM, "I", "", "", 0x02, 0x40, 0x20, 0, 0x0E, 0, 0, 0x0B, 0x0B);
  INVALID("unknown label", "i", "", "", 0x20, 0, 0x0E, 1, 0, 3, 0x0B);
  INVALID("unknown label", "i", "", "", 0x20, 0, 0x0E, 1, 3, 0, 0x0B);
}

Test(branches, polymorphic_stack_after_unreachable) {
  VALID("", "i", "", 0x00, 0x6A, 0x0B);             /* add of bottoms */
  VALID("", "i", "", 0x00, 0x0B);
  VALID("", "iI", "", 0x00, 0x0B);
  VALID("", "", "", 0x0C, 0, 0x6A, 0x1A, 0x0B);     /* after br */
  VALID("", "i", "", 0x41, 0, 0x0F, 0x45, 0x0B);    /* after return */
  INVALID(TM, "", "i", "", 0x00, 0x42, 0, 0x6A, 0x0B);
  INVALID(TM, "", "", "", 0x00, 0x42, 0, 0x0B);     /* known leftover */
  /* spec unreached-valid "meet-bottom": targets [f32] and [f64] share
   * their arity, and the stack is polymorphic */
  VALID("", "", "", 0x02, 0x7C, 0x02, 0x7D, 0x00, 0x41, 1, 0x0E, 2, 0, 1, 1,
        0x0B, 0x1A, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x0B, 0x1A, 0x0B);
  /* arity still has to agree in unreachable code */
  INVALID(TM, "", "", "", 0x02, 0x7F, 0x02, 0x40, 0x00, 0x0E, 1, 0, 1, 0x0B,
          0x41, 0, 0x0B, 0x1A, 0x0B);
  /* unreachable code inside a block does not leak out of it */
  INVALID(TM, "", "i", "", 0x02, 0x40, 0x00, 0x0B, 0x6A, 0x0B);
}

Test(branches, more_polymorphism) {
  /* br_if and select on the polymorphic stack */
  VALID("", "i", "", 0x00, 0x0D, 0, 0x0B);
  VALID("", "", "", 0x00, 0x1B, 0x1A, 0x0B);
  VALID("", "i", "", 0x00, 0x41, 0, 0x1B, 0x0B);
  /* a known reference cannot go through untyped select */
  INVALID(TM, "", "", "", 0x00, 0xD0, 0x70, 0x41, 0, 0x1B, 0x1A, 0x0B);
  /* if/else arms are separately unreachable */
  VALID("i", "i", "", 0x20, 0, 0x04, 0x7F, 0x00, 0x05, 0x41, 1, 0x0B, 0x0B);
  INVALID(TM, "i", "i", "", 0x20, 0, 0x04, 0x7F, 0x00, 0x05, 0x42, 1, 0x0B,
          0x0B);
  /* ref.is_null on the bottom type */
  VALID("", "i", "", 0x00, 0xD1, 0x0B);
}

Test(branches, return_) {
  VALID("", "i", "", 0x41, 1, 0x0F, 0x0B);
  VALID("", "i", "", 0x02, 0x40, 0x41, 1, 0x0F, 0x0B, 0x41, 2, 0x0B);
  INVALID(TM, "", "i", "", 0x42, 1, 0x0F, 0x0B);
  INVALID(TM, "", "i", "", 0x0F, 0x0B);
  INVALID(TM, "", "iI", "", 0x42, 1, 0x41, 1, 0x0F, 0x0B);
}

/* ---- calls --------------------------------------------------------------- */

Test(calls, call) {
  VALID("", "i", "", 0x41, 5, 0x10, 2, 0x0B);
  VALID("", "iI", "", 0x10, 3, 0x0B);                /* multi-value */
  VALID("", "", "", 0x10, 0, 0x0B);                  /* recursion */
  INVALID(TM, "", "i", "", 0x42, 5, 0x10, 2, 0x0B);
  INVALID(TM, "", "i", "", 0x10, 2, 0x0B);
  vres v = INVALID("unknown function", "", "", "", 0x01, 0x10, 99, 0x0B);
  ASSERT_AT(v, 1);
}

Test(calls, call_indirect) {
  VALID("", "i", "", 0x41, 5, 0x41, 0, 0x11, 2, 0, 0x0B);
  VALID("", "f", "", 0x41, 5, 0x42, 6, 0x41, 0, 0x11, 5, 0, 0x0B);
  INVALID("unknown table", "", "i", "", 0x41, 5, 0x41, 0, 0x11, 2, 5, 0x0B);
  /* table 1 holds externref */
  INVALID(TM, "", "i", "", 0x41, 5, 0x41, 0, 0x11, 2, 1, 0x0B);
  INVALID("unknown type", "", "", "", 0x41, 0, 0x11, 99, 0, 0x0B);
  INVALID(TM, "", "i", "", 0x41, 5, 0x42, 0, 0x11, 2, 0, 0x0B);
  INVALID(TM, "", "i", "", 0x42, 5, 0x41, 0, 0x11, 2, 0, 0x0B);
  INVALID_F(NO_TABLES, "unknown table", "", "i", "", 0x41, 5, 0x41, 0, 0x11,
            2, 0, 0x0B);
}

/* ---- variables ----------------------------------------------------------- */

Test(variables, locals) {
  VALID("i", "I", "I", 0x20, 1, 0x0B);
  VALID("", "i", "i", 0x41, 1, 0x22, 0, 0x0B);
  VALID("", "", "fv", 0x43, 0, 0, 0, 0, 0x21, 0, V128_0, 0x21, 1, 0x0B);
  vres v = INVALID("unknown local", "i", "", "", 0x20, 1, 0x1A, 0x0B);
  ASSERT_AT(v, 0);
  INVALID(TM, "", "", "i", 0x42, 0, 0x21, 0, 0x0B);
  INVALID(TM, "", "I", "i", 0x41, 0, 0x22, 0, 0x0B);
  INVALID("unknown local", "", "", "", 0x41, 0, 0x21, 0, 0x0B);
}

Test(variables, globals) {
  VALID("", "i", "", 0x23, 0, 0x0B);
  VALID("", "", "", 0x41, 0, 0x24, 1, 0x0B);
  VALID("", "", "", 0x42, 0, 0x24, 2, 0x0B);
  VALID("", "", "", 0xD0, 0x70, 0x24, 4, 0x0B);
  vres v = INVALID("global is immutable", "", "", "", 0x41, 0, 0x24, 0, 0x0B);
  ASSERT_AT(v, 2);
  INVALID(TM, "", "", "", 0x42, 0, 0x24, 1, 0x0B);
  INVALID(TM, "", "", "", 0xD0, 0x6F, 0x24, 4, 0x0B);
  INVALID("unknown global", "", "i", "", 0x23, 7, 0x0B);
  INVALID("unknown global", "", "", "", 0x41, 0, 0x24, 99, 0x0B);
}

/* ---- select -------------------------------------------------------------- */

Test(select, untyped) {
  VALID("", "i", "", 0x41, 1, 0x41, 2, 0x41, 0, 0x1B, 0x0B);
  VALID("", "v", "", V128_0, V128_0, 0x41, 0, 0x1B, 0x0B);
  INVALID(TM, "", "i", "", 0x41, 1, 0x42, 2, 0x41, 0, 0x1B, 0x0B);
  INVALID(TM, "", "i", "", 0x41, 1, 0x41, 2, 0x42, 0, 0x1B, 0x0B);
  /* untyped select is for numeric and vector types only */
  INVALID(TM, "", "", "", 0xD0, 0x70, 0xD0, 0x70, 0x41, 0, 0x1B, 0x1A, 0x0B);
  INVALID(TM, "", "", "", 0xD0, 0x6F, 0xD0, 0x6F, 0x41, 0, 0x1B, 0x1A, 0x0B);
}

Test(select, typed) {
  VALID("", "r", "", 0xD0, 0x70, 0xD0, 0x70, 0x41, 0, 0x1C, 1, 0x70, 0x0B);
  VALID("", "I", "", 0x42, 1, 0x42, 2, 0x41, 0, 0x1C, 1, 0x7E, 0x0B);
  INVALID(TM, "", "r", "", 0xD0, 0x6F, 0xD0, 0x6F, 0x41, 0, 0x1C, 1, 0x70,
          0x0B);
  INVALID("invalid result arity", "", "i", "", 0x41, 1, 0x41, 2, 0x41, 0,
          0x1C, 2, 0x7F, 0x7F, 0x0B);
  INVALID("invalid result arity", "", "i", "", 0x41, 1, 0x41, 2, 0x41, 0,
          0x1C, 0, 0x0B);
}

/* ---- references ---------------------------------------------------------- */

Test(refs, ref_func_declaration) {
  VALID("", "", "", 0xD2, 1, 0x1A, 0x0B); /* by elem segment */
  VALID("", "", "", 0xD2, 3, 0x1A, 0x0B); /* by export */
  VALID("", "", "", 0xD2, 4, 0x1A, 0x0B); /* by a global's init */
  vres v = INVALID("undeclared function reference", "", "", "", 0x01, 0xD2,
                   2, 0x1A, 0x0B);
  ASSERT_AT(v, 1);
  INVALID("undeclared function reference", "", "", "", 0xD2, 0, 0x1A, 0x0B);
  INVALID("unknown function", "", "", "", 0xD2, 99, 0x1A, 0x0B);
  VALID("", "r", "", 0xD2, 1, 0x0B);
}

Test(refs, null_and_is_null) {
  VALID("", "i", "", 0xD0, 0x70, 0xD1, 0x0B);
  VALID("", "i", "", 0xD0, 0x6F, 0xD1, 0x0B);
  VALID("", "x", "", 0xD0, 0x6F, 0x0B);
  INVALID(TM, "", "x", "", 0xD0, 0x70, 0x0B);
  INVALID(TM, "", "i", "", 0x41, 0, 0xD1, 0x0B);
  INVALID(TM, "", "i", "", 0xD1, 0x0B);
}

/* ---- tables -------------------------------------------------------------- */

Test(tables, get_set_size_grow_fill) {
  VALID("", "r", "", 0x41, 0, 0x25, 0, 0x0B);
  VALID("", "x", "", 0x41, 0, 0x25, 1, 0x0B);
  INVALID(TM, "", "r", "", 0x41, 0, 0x25, 1, 0x0B);
  INVALID(TM, "", "r", "", 0x42, 0, 0x25, 0, 0x0B);
  INVALID("unknown table", "", "r", "", 0x41, 0, 0x25, 2, 0x0B);
  VALID("", "", "", 0x41, 0, 0xD0, 0x6F, 0x26, 1, 0x0B);
  INVALID(TM, "", "", "", 0x41, 0, 0xD0, 0x70, 0x26, 1, 0x0B);
  VALID("", "i", "", 0xFC, 16, 0, 0x0B);
  INVALID("unknown table", "", "i", "", 0xFC, 16, 5, 0x0B);
  VALID("", "i", "", 0xD0, 0x70, 0x41, 1, 0xFC, 15, 0, 0x0B);
  INVALID(TM, "", "i", "", 0xD0, 0x6F, 0x41, 1, 0xFC, 15, 0, 0x0B);
  VALID("", "", "", 0x41, 0, 0xD0, 0x6F, 0x41, 1, 0xFC, 17, 1, 0x0B);
  INVALID(TM, "", "", "", 0x41, 0, 0xD0, 0x70, 0x41, 1, 0xFC, 17, 1, 0x0B);
  INVALID_F(NO_TABLES, "unknown table", "", "i", "", 0xFC, 16, 0, 0x0B);
}

Test(tables, copy_init_drop) {
  VALID("", "", "", 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 14, 0, 0, 0x0B);
  INVALID(TM, "", "", "", 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 14, 0, 1, 0x0B);
  INVALID("unknown table", "", "", "", 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 14,
          0, 7, 0x0B);
  VALID("", "", "", 0x41, 0, 0x41, 0, 0x41, 1, 0xFC, 12, 0, 0, 0x0B);
  VALID("", "", "", 0x41, 0, 0x41, 0, 0x41, 1, 0xFC, 12, 1, 1, 0x0B);
  /* elem 1 holds externref, table 0 funcref */
  INVALID(TM, "", "", "", 0x41, 0, 0x41, 0, 0x41, 1, 0xFC, 12, 1, 0, 0x0B);
  INVALID("unknown elem segment", "", "", "", 0x41, 0, 0x41, 0, 0x41, 1,
          0xFC, 12, 9, 0, 0x0B);
  VALID("", "", "", 0xFC, 13, 1, 0x0B);
  INVALID("unknown elem segment", "", "", "", 0xFC, 13, 9, 0x0B);
}

/* ---- memory -------------------------------------------------------------- */

Test(memory, loads_stores_and_alignment) {
  VALID("", "i", "", 0x41, 0, 0x28, 2, 0, 0x0B);
  VALID("", "i", "", 0x41, 0, 0x28, 0, 0, 0x0B);
  VALID("", "", "", 0x41, 0, 0x42, 0, 0x37, 3, 0, 0x0B);
  VALID("", "I", "", 0x41, 0, 0x29, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x0B);
  VALID("", "v", "", 0x41, 0, 0xFD, 0x00, 4, 0, 0x0B);
  vres v = INVALID("alignment must not be larger than natural", "", "i", "",
                   0x41, 0, 0x28, 3, 0, 0x0B);
  ASSERT_AT(v, 2);
  INVALID("alignment must not be larger than natural", "", "I", "", 0x41, 0,
          0x29, 4, 0, 0x0B);
  INVALID("alignment must not be larger than natural", "", "i", "", 0x41, 0,
          0x2D, 1, 0, 0x0B); /* i32.load8_u */
  INVALID("alignment must not be larger than natural", "", "", "", 0x41, 0,
          0x41, 0, 0x3B, 2, 0, 0x0B); /* i32.store16 */
  INVALID("alignment must not be larger than natural", "", "v", "", 0x41, 0,
          0xFD, 0x00, 5, 0, 0x0B);
  INVALID("alignment must not be larger than natural", "", "v", "", 0x41, 0,
          0xFD, 0x09, 3, 0, 0x0B); /* v128.load32_splat */
  INVALID("alignment must not be larger than natural", "v", "v", "", 0x41, 0,
          0x20, 0, 0xFD, 86, 3, 0, 0, 0x0B); /* v128.load32_lane */
  INVALID(TM, "", "", "", 0x41, 0, 0x42, 0, 0x36, 2, 0, 0x0B);
  INVALID(TM, "", "i", "", 0x42, 0, 0x28, 2, 0, 0x0B);
}

Test(memory, size_grow_fill_copy) {
  VALID("", "i", "", 0x3F, 0, 0x0B);
  VALID("", "i", "", 0x41, 1, 0x40, 0, 0x0B);
  INVALID(TM, "", "i", "", 0x42, 1, 0x40, 0, 0x0B);
  VALID("", "", "", 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 11, 0, 0x0B);
  VALID("", "", "", 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 10, 0, 0, 0x0B);
  INVALID(TM, "", "", "", 0x41, 0, 0x42, 0, 0x41, 0, 0xFC, 11, 0, 0x0B);
}

Test(memory, without_a_memory) {
  vres v = INVALID_F(NO_MEMORY, "unknown memory", "", "i", "", 0x41, 0, 0x28,
                     2, 0, 0x0B);
  ASSERT_AT(v, 2);
  INVALID_F(NO_MEMORY, "unknown memory", "", "", "", 0x41, 0, 0x41, 0, 0x36,
            2, 0, 0x0B);
  INVALID_F(NO_MEMORY, "unknown memory", "", "i", "", 0x3F, 0, 0x0B);
  INVALID_F(NO_MEMORY, "unknown memory", "", "i", "", 0x41, 1, 0x40, 0, 0x0B);
  INVALID_F(NO_MEMORY, "unknown memory", "", "", "", 0x41, 0, 0x41, 0, 0x41,
            0, 0xFC, 11, 0, 0x0B);
  INVALID_F(NO_MEMORY, "unknown memory", "", "", "", 0x41, 0, 0x41, 0, 0x41,
            0, 0xFC, 10, 0, 0, 0x0B);
  INVALID_F(NO_MEMORY, "unknown memory", "", "", "", 0x41, 0, 0x41, 0, 0x41,
            0, 0xFC, 8, 0, 0, 0x0B);
  INVALID_F(NO_MEMORY, "unknown memory", "", "v", "", 0x41, 0, 0xFD, 0, 4, 0,
            0x0B);
}

Test(memory, init_and_data_drop) {
  VALID("", "", "", 0x41, 0, 0x41, 0, 0x41, 1, 0xFC, 8, 0, 0, 0x0B);
  VALID("", "", "", 0x41, 0, 0x41, 0, 0x41, 1, 0xFC, 8, 1, 0, 0x0B);
  INVALID("unknown data segment", "", "", "", 0x41, 0, 0x41, 0, 0x41, 1,
          0xFC, 8, 5, 0, 0x0B);
  INVALID(TM, "", "", "", 0x41, 0, 0x41, 0, 0x42, 1, 0xFC, 8, 0, 0, 0x0B);
  VALID("", "", "", 0xFC, 9, 1, 0x0B);
  INVALID("unknown data segment", "", "", "", 0xFC, 9, 2, 0x0B);
}

Test(memory, bulk_data_needs_the_datacount_section) {
  /* spec binary.wast: malformed, "data count section required"; a
   * decoder that keeps bodies as bytes may find it while validating */
  vres v = run("", "", "", NO_DATACOUNT,
               BODY(0x41, 0, 0x41, 0, 0x41, 1, 0xFC, 8, 0, 0, 0x0B));
  cr_assert(!(v.decoded && v.valid), "memory.init without datacount");
  cr_assert(strstr(v.err.msg, "data count section required"), "msg: %s",
            v.err.msg);
  v = run("", "", "", NO_DATACOUNT, BODY(0xFC, 9, 0, 0x0B));
  cr_assert(!(v.decoded && v.valid), "data.drop without datacount");
  cr_assert(strstr(v.err.msg, "data count section required"), "msg: %s",
            v.err.msg);
  /* other instructions do not need it */
  VALID_F(NO_DATACOUNT, "", "i", "", 0x3F, 0, 0x0B);
}

/* ---- SIMD lanes ---------------------------------------------------------- */

Test(simd, lane_indices) {
  VALID("v", "i", "", 0x20, 0, 0xFD, 21, 15, 0x0B);
  vres v = INVALID("invalid lane index", "v", "i", "", 0x20, 0, 0xFD, 21, 16,
                   0x0B);
  ASSERT_AT(v, 2);
  VALID("v", "i", "", 0x20, 0, 0xFD, 25, 7, 0x0B);
  INVALID("invalid lane index", "v", "i", "", 0x20, 0, 0xFD, 25, 8, 0x0B);
  VALID("v", "I", "", 0x20, 0, 0xFD, 29, 1, 0x0B);
  INVALID("invalid lane index", "v", "I", "", 0x20, 0, 0xFD, 29, 2, 0x0B);
  INVALID("invalid lane index", "vF", "v", "", 0x20, 0, 0x20, 1, 0xFD, 34,
          2, 0x0B);
  INVALID("invalid lane index", "vi", "v", "", 0x20, 0, 0x20, 1, 0xFD, 28,
          4, 0x0B);
  INVALID("invalid lane index", "v", "f", "", 0x20, 0, 0xFD, 31, 255, 0x0B);
  /* load/store lane: the lane count follows the access width */
  VALID("v", "v", "", 0x41, 0, 0x20, 0, 0xFD, 84, 0, 0, 15, 0x0B);
  INVALID("invalid lane index", "v", "v", "", 0x41, 0, 0x20, 0, 0xFD, 84, 0,
          0, 16, 0x0B);
  VALID("v", "v", "", 0x41, 0, 0x20, 0, 0xFD, 87, 3, 0, 1, 0x0B);
  INVALID("invalid lane index", "v", "v", "", 0x41, 0, 0x20, 0, 0xFD, 87, 3,
          0, 2, 0x0B);
  INVALID("invalid lane index", "v", "", "", 0x41, 0, 0x20, 0, 0xFD, 90, 2,
          0, 4, 0x0B);
}

Test(simd, shuffle_indices) {
  VALID("vv", "v", "", 0x20, 0, 0x20, 1, 0xFD, 13, 0, 1, 2, 3, 4, 5, 6, 7,
        24, 25, 26, 27, 28, 29, 30, 31, 0x0B);
  INVALID("invalid lane index", "vv", "v", "", 0x20, 0, 0x20, 1, 0xFD, 13,
          0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 32, 0x0B);
  INVALID("invalid lane index", "vv", "v", "", 0x20, 0, 0x20, 1, 0xFD, 13,
          255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0x0B);
}

Test(variables, huge_local_declarations_are_not_materialised) {
  /* groups: 0 x i32, 0x7FFFFFFF x i64, 5 x f32, 0x10000000 x f64; lookups
   * at the group boundaries, in a body of a few bytes */
  wb_buf b = wb_module();
  wb_same_type_funcs(&b, "v", "", 1);
  size_t s = wb_section(&b, WB_SEC_CODE);
  wb_uleb(&b, 1);
  size_t e = wb_begin(&b);
  wb_uleb(&b, 4);
  wb_uleb(&b, 0);
  wb_u8(&b, 0x7F);
  wb_uleb(&b, 0x7FFFFFFF);
  wb_u8(&b, 0x7E);
  wb_uleb(&b, 5);
  wb_u8(&b, 0x7D);
  wb_uleb(&b, 0x10000000);
  wb_u8(&b, 0x7C);
  wb_u8(&b, 0x20); wb_uleb(&b, 0);          wb_u8(&b, 0x1A); /* v128 */
  wb_u8(&b, 0x20); wb_uleb(&b, 1);          wb_u8(&b, 0x50); /* i64.eqz */
  wb_u8(&b, 0x1A);
  wb_u8(&b, 0x20); wb_uleb(&b, 0x7FFFFFFF); wb_u8(&b, 0x50);
  wb_u8(&b, 0x1A);
  wb_u8(&b, 0x20); wb_uleb(&b, 0x80000000); wb_u8(&b, 0x8B); /* f32.abs */
  wb_u8(&b, 0x1A);
  wb_u8(&b, 0x20); wb_uleb(&b, 0x80000004); wb_u8(&b, 0x8B);
  wb_u8(&b, 0x1A);
  wb_u8(&b, 0x20); wb_uleb(&b, 0x80000005); wb_u8(&b, 0x99); /* f64.abs */
  wb_u8(&b, 0x1A);
  wb_u8(&b, 0x20); wb_uleb(&b, 0x90000004); wb_u8(&b, 0x99);
  wb_u8(&b, 0x1A);
  wb_u8(&b, 0x0B);
  wb_end(&b, e);
  wb_end(&b, s);
  wasm_error err = {0};
  wasm_module *m = wb_decode(&b, &err);
  cr_assert(m, "%s", err.msg);
  cr_assert_eq(m->funcs[0].nlocals, 0x90000004u);
  cr_assert(wasm_validate(m, &err), "%s @0x%zx", err.msg, err.offset);
  wasm_module_free(m);
  wb_free(&b);
}

/* A module with one function [] -> [] whose locals vector is `locals`
 * (count-prefixed, as encoded) and whose body is `body`. */
static wb_buf locals_module(const uint8_t *locals, size_t nl,
                            const uint8_t *body, size_t nb) {
  wb_buf b = wb_module();
  wb_same_type_funcs(&b, "", "", 1);
  size_t s = wb_section(&b, WB_SEC_CODE);
  wb_uleb(&b, 1);
  size_t e = wb_begin(&b);
  wb_bytes(&b, locals, nl);
  wb_bytes(&b, body, nb);
  wb_end(&b, e);
  wb_end(&b, s);
  return b;
}

Test(variables, zero_count_local_groups) {
  /* spec binary.wast: "Local count can be 0"; here every group is empty,
   * so the function has no locals at all */
  wb_buf b = locals_module(BODY(0x02, 0x00, 0x7F, 0x00, 0x7E), BODY(0x0B));
  wasm_error err = {0};
  wasm_module *m = wb_decode(&b, &err);
  cr_assert(m, "%s", err.msg);
  cr_assert_eq(m->funcs[0].nlocals, 0);
  cr_assert(wasm_validate(m, &err), "%s", err.msg);
  wasm_module_free(m);
  wb_free(&b);

  b = locals_module(BODY(0x01, 0x00, 0x7F), BODY(0x20, 0x00, 0x1A, 0x0B));
  m = wb_decode(&b, &err);
  cr_assert(m, "%s", err.msg);
  cr_assert(!wasm_validate(m, &err));
  cr_assert(strstr(err.msg, "unknown local"), "msg: %s", err.msg);
  wasm_module_free(m);
  wb_free(&b);
}

Test(variables, huge_locals_unknown_index) {
  wb_buf b = wb_module();
  wb_same_type_funcs(&b, "", "", 1);
  size_t s = wb_section(&b, WB_SEC_CODE);
  wb_uleb(&b, 1);
  size_t e = wb_begin(&b);
  wb_uleb(&b, 1);
  wb_uleb(&b, 0x80000000);
  wb_u8(&b, 0x7F);
  wb_u8(&b, 0x20);
  wb_uleb(&b, 0x80000000);
  WB(&b, 0x1A, 0x0B);
  wb_end(&b, e);
  wb_end(&b, s);
  wasm_error err = {0};
  wasm_module *m = wb_decode(&b, &err);
  cr_assert(m, "%s", err.msg);
  cr_assert(!wasm_validate(m, &err));
  cr_assert(strstr(err.msg, "unknown local"), "msg: %s", err.msg);
  wasm_module_free(m);
  wb_free(&b);
}

/* ---- function info ------------------------------------------------------- */

Test(func_info, stack_and_depth_of_a_known_function) {
  /* i32.const 1; i32.const 2
   * block (result i32)
   *   i32.const 3; i32.const 4        <- 4 values on the stack
   *   loop; block; nop; end; end     <- 4 frames deep
   *   i32.add
   * end
   * i32.add; i32.add; end */
  const uint8_t body[] = {0x41, 1,    0x41, 2,    0x02, 0x7F, 0x41,
                          3,    0x41, 4,    0x03, 0x40, 0x02, 0x40,
                          0x01, 0x0B, 0x0B, 0x6A, 0x0B, 0x6A, 0x6A, 0x0B};
  wb_buf b = env_module("", "i", "", 0, body, sizeof body);
  wasm_error err = {0};
  wasm_module *m = wb_decode(&b, &err);
  cr_assert(m, "%s", err.msg);
  cr_assert(wasm_validate(m, &err), "%s", err.msg);
  cr_assert(m->validated);
  cr_assert_not_null(m->func_info);
  const wasm_func_info *fi = &m->func_info[0];
  cr_assert_eq(fi->max_stack, 4, "max_stack %u", fi->max_stack);
  cr_assert_eq(fi->max_depth, 4, "max_depth %u", fi->max_depth);
  cr_assert_eq(fi->ninstrs, 15, "ninstrs %u", fi->ninstrs);
  /* func 3: i32.const 0; i64.const 0; end */
  cr_assert_eq(m->func_info[3].max_stack, 2);
  cr_assert_eq(m->func_info[3].max_depth, 1);
  cr_assert_eq(m->func_info[3].ninstrs, 3);
  /* func 1: just end */
  cr_assert_eq(m->func_info[1].max_stack, 0);
  cr_assert_eq(m->func_info[1].max_depth, 1);
  cr_assert_eq(m->func_info[1].ninstrs, 1);
  wasm_module_free(m);
  wb_free(&b);
}

Test(func_info, indexed_by_defined_function) {
  /* one imported function []->[i32]; func_info[0] is function 1:
   * call 0; call 0; call 0; i32.add; i32.add; end */
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_TYPE);
  wb_uleb(&b, 1);
  wb_functype(&b, "", "i");
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_IMPORT);
  wb_uleb(&b, 1);
  wb_name(&b, "m");
  wb_name(&b, "f");
  WB(&b, 0x00, 0x00);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_FUNC);
  WB(&b, 1, 0);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_CODE);
  wb_uleb(&b, 1);
  size_t e = wb_begin(&b);
  WB(&b, 0, 0x10, 0, 0x10, 0, 0x10, 0, 0x6A, 0x6A, 0x0B);
  wb_end(&b, e);
  wb_end(&b, s);
  wasm_error err = {0};
  wasm_module *m = wb_decode(&b, &err);
  cr_assert(m, "%s", err.msg);
  cr_assert(wasm_validate(m, &err), "%s", err.msg);
  cr_assert_eq(m->func_info[0].max_stack, 3);
  cr_assert_eq(m->func_info[0].ninstrs, 6);
  wasm_module_free(m);
  wb_free(&b);
}

/* ---- module-level rules -------------------------------------------------- */

static wasm_error module_invalid(wb_buf *b, const char *msg) {
  wasm_error err = {0};
  wasm_module *m = wb_decode(b, &err);
  cr_assert(m, "decode failed: %s @0x%zx", err.msg, err.offset);
  bool ok = wasm_validate(m, &err);
  wasm_module_free(m);
  cr_assert(!ok, "accepted, expected \"%s\"", msg);
  cr_assert(strstr(err.msg, msg), "message \"%s\" lacks \"%s\"", err.msg,
            msg);
  return err;
}

static void module_valid(wb_buf *b) {
  wasm_error err = {0};
  wasm_module *m = wb_decode(b, &err);
  cr_assert(m, "decode failed: %s @0x%zx", err.msg, err.offset);
  cr_assert(wasm_validate(m, &err), "rejected: %s @0x%zx", err.msg,
            err.offset);
  wasm_module_free(m);
}

/* A module with one import of a global of type `imp` (0 = none) and one
 * defined global of type `t` initialised by `init` (without the end). */
static wb_buf global_module(uint8_t imp, bool imp_mut, uint8_t t,
                            const uint8_t *init, size_t n) {
  wb_buf b = wb_module();
  if (imp) {
    size_t s = wb_section(&b, WB_SEC_IMPORT);
    wb_uleb(&b, 1);
    wb_name(&b, "env");
    wb_name(&b, "g");
    WB(&b, 0x03, imp, imp_mut);
    wb_end(&b, s);
  }
  size_t s = wb_section(&b, WB_SEC_GLOBAL);
  wb_uleb(&b, 1);
  WB(&b, t, 0x00);
  wb_bytes(&b, init, n);
  wb_u8(&b, 0x0B);
  wb_end(&b, s);
  return b;
}

#define GLOBAL_VALID(imp, mut, t, ...)                                        \
  do {                                                                        \
    wb_buf b_ = global_module(imp, mut, t, BODY(__VA_ARGS__));                \
    module_valid(&b_);                                                        \
    wb_free(&b_);                                                             \
  } while (0)
#define GLOBAL_INVALID(msg, imp, mut, t, ...)                                 \
  do {                                                                        \
    wb_buf b_ = global_module(imp, mut, t, BODY(__VA_ARGS__));                \
    module_invalid(&b_, msg);                                                 \
    wb_free(&b_);                                                             \
  } while (0)

Test(constexpr, globals) {
  GLOBAL_VALID(0, 0, 0x7F, 0x41, 5);
  GLOBAL_VALID(0, 0, 0x7B, V128_0);
  GLOBAL_VALID(0, 0, 0x6F, 0xD0, 0x6F);
  GLOBAL_VALID(0x7E, 0, 0x7E, 0x23, 0); /* immutable import */
  /* extended constant expressions: i32/i64 add, sub, mul */
  GLOBAL_VALID(0, 0, 0x7F, 0x41, 1, 0x41, 2, 0x6A);
  GLOBAL_VALID(0, 0, 0x7E, 0x42, 1, 0x42, 2, 0x7D, 0x42, 3, 0x7E);
  GLOBAL_VALID(0x7F, 0, 0x7F, 0x23, 0, 0x41, 2, 0x6C);
  GLOBAL_INVALID(TM, 0, 0, 0x7F, 0x41, 1, 0x42, 2, 0x6A);
  GLOBAL_INVALID(TM, 0, 0, 0x7F, 0x41, 1, 0x6A); /* one operand */
  GLOBAL_INVALID(TM, 0, 0, 0x7E, 0x41, 1, 0x41, 2, 0x6A);
  GLOBAL_INVALID("constant expression required", 0, 0, 0x7F, 0x41, 1, 0x41,
                 2, 0x6D); /* i32.div_s is not constant */
  GLOBAL_INVALID("constant expression required", 0, 0, 0x7F, 0x01);
  GLOBAL_INVALID("constant expression required", 0, 0, 0x7F, 0x41, 0, 0x01);
  GLOBAL_INVALID("constant expression required", 0, 0, 0x7F, 0x20, 0);
  GLOBAL_INVALID("constant expression required", 0, 0, 0x7F, 0x02, 0x40,
                 0x0B, 0x41, 0); /* a block decodes, but is not constant */
  GLOBAL_INVALID("constant expression required", 0x7F, 1, 0x7F, 0x23, 0);
  GLOBAL_INVALID(TM, 0, 0, 0x7F, 0x42, 0);
  GLOBAL_INVALID(TM, 0, 0, 0x7F);                 /* empty */
  GLOBAL_INVALID(TM, 0, 0, 0x7F, 0x41, 0, 0x41, 0); /* two values */
  GLOBAL_INVALID(TM, 0, 0, 0x70, 0xD0, 0x6F);
  GLOBAL_INVALID(TM, 0x7E, 0, 0x7F, 0x23, 0);
  GLOBAL_INVALID("unknown global", 0, 0, 0x7F, 0x23, 0);
  GLOBAL_INVALID("unknown global", 0x7F, 0, 0x7F, 0x23, 1);
  GLOBAL_INVALID("unknown function", 0, 0, 0x70, 0xD2, 0);
}

Test(constexpr, earlier_defined_globals_are_constant_in_wasm_3) {
  /* wasm-3.0 global.wast: (global i32 (i32.const 0)) (global i32
   * (global.get 0)) is valid; reading itself or a later one is not */
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_GLOBAL);
  WB(&b, 2, 0x7F, 0, 0x41, 0, 0x0B, 0x7F, 0, 0x23, 0, 0x0B);
  wb_end(&b, s);
  module_valid(&b);
  wb_free(&b);
  b = wb_module();
  s = wb_section(&b, WB_SEC_GLOBAL);
  WB(&b, 2, 0x7F, 0, 0x23, 1, 0x0B, 0x7F, 0, 0x41, 0, 0x0B);
  wb_end(&b, s);
  module_invalid(&b, "unknown global 1");
  wb_free(&b);
  /* a mutable earlier global is not constant */
  b = wb_module();
  s = wb_section(&b, WB_SEC_GLOBAL);
  WB(&b, 2, 0x7F, 1, 0x41, 0, 0x0B, 0x7F, 0, 0x23, 0, 0x0B);
  wb_end(&b, s);
  module_invalid(&b, "mutable");
  wb_free(&b);
}

Test(constexpr, segment_offsets_and_items) {
  /* elem offset i64 */
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_TABLE);
  WB(&b, 1, 0x70, 0, 1);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_ELEM);
  WB(&b, 1, 0x04, 0x42, 0, 0x0B, 0);
  wb_end(&b, s);
  module_invalid(&b, TM);
  wb_free(&b);

  /* elem offset not constant */
  b = wb_module();
  s = wb_section(&b, WB_SEC_TABLE);
  WB(&b, 1, 0x70, 0, 1);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_ELEM);
  WB(&b, 1, 0x04, 0x41, 0, 0x41, 0, 0x71, 0x0B, 0); /* i32.and */
  wb_end(&b, s);
  module_invalid(&b, "constant expression required");
  wb_free(&b);

  /* externref segment with a funcref item */
  b = wb_module();
  s = wb_section(&b, WB_SEC_ELEM);
  WB(&b, 1, 0x05, 0x6F, 1, 0xD0, 0x70, 0x0B);
  wb_end(&b, s);
  module_invalid(&b, TM);
  wb_free(&b);

  /* data offset f32 */
  b = wb_module();
  s = wb_section(&b, WB_SEC_MEMORY);
  WB(&b, 1, 0, 1);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_DATA);
  WB(&b, 1, 0x00, 0x43, 0, 0, 0, 0, 0x0B, 0);
  wb_end(&b, s);
  module_invalid(&b, TM);
  wb_free(&b);

  /* funcref segment into an externref table */
  b = wb_module();
  s = wb_section(&b, WB_SEC_TABLE);
  WB(&b, 1, 0x6F, 0, 1);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_ELEM);
  WB(&b, 1, 0x04, 0x41, 0, 0x0B, 0);
  wb_end(&b, s);
  module_invalid(&b, TM);
  wb_free(&b);

  /* segment into an unknown table / memory */
  b = wb_module();
  s = wb_section(&b, WB_SEC_ELEM);
  WB(&b, 1, 0x04, 0x41, 0, 0x0B, 0);
  wb_end(&b, s);
  module_invalid(&b, "unknown table");
  wb_free(&b);
  b = wb_module();
  s = wb_section(&b, WB_SEC_DATA);
  WB(&b, 1, 0x00, 0x41, 0, 0x0B, 0);
  wb_end(&b, s);
  module_invalid(&b, "unknown memory");
  wb_free(&b);
}

static void limits_module(uint8_t section, const uint8_t *entry, size_t n,
                          const char *msg) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, section);
  wb_u8(&b, 1);
  wb_bytes(&b, entry, n);
  wb_end(&b, s);
  if (msg)
    module_invalid(&b, msg);
  else
    module_valid(&b);
  wb_free(&b);
}
#define LIMITS(sec, msg, ...) limits_module(sec, BODY(__VA_ARGS__), msg)

Test(limits, tables_and_memories) {
  const char *minmax = "size minimum must not be greater than maximum";
  const char *pages = "memory size must be at most 65536 pages (4GiB)";
  LIMITS(WB_SEC_TABLE, NULL, 0x70, 1, 0, 0);
  LIMITS(WB_SEC_TABLE, NULL, 0x70, 1, 5, 5);
  LIMITS(WB_SEC_TABLE, minmax, 0x70, 1, 6, 5);
  LIMITS(WB_SEC_TABLE, NULL, 0x70, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
  LIMITS(WB_SEC_MEMORY, NULL, 0, 0);
  LIMITS(WB_SEC_MEMORY, NULL, 1, 0, 0x80, 0x80, 0x04); /* 0..65536 */
  LIMITS(WB_SEC_MEMORY, NULL, 0, 0x80, 0x80, 0x04);    /* 65536 */
  LIMITS(WB_SEC_MEMORY, minmax, 1, 2, 1);
  LIMITS(WB_SEC_MEMORY, pages, 0, 0x81, 0x80, 0x04);   /* 65537 */
  LIMITS(WB_SEC_MEMORY, pages, 1, 0, 0x81, 0x80, 0x04);
  LIMITS(WB_SEC_MEMORY, pages, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
}

Test(limits, imported_memory_limits) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_IMPORT);
  wb_uleb(&b, 1);
  wb_name(&b, "env");
  wb_name(&b, "m");
  WB(&b, 0x02, 0x01, 3, 2);
  wb_end(&b, s);
  module_invalid(&b, "size minimum must not be greater than maximum");
  wb_free(&b);
}

/* Wasm 3.0: any number of memories, defined or imported (test_memories.c
 * has the instructions that name them). */
Test(module, multiple_memories) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_MEMORY);
  WB(&b, 2, 0, 0, 0, 0);
  wb_end(&b, s);
  module_valid(&b);
  wb_free(&b);

  b = wb_module();
  s = wb_section(&b, WB_SEC_IMPORT);
  wb_uleb(&b, 1);
  wb_name(&b, "");
  wb_name(&b, "");
  WB(&b, 0x02, 0x00, 1);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_MEMORY);
  WB(&b, 1, 0, 0);
  wb_end(&b, s);
  module_valid(&b);
  wb_free(&b);
}

static wb_buf start_module(const char *params, const char *results,
                           const uint8_t *body, size_t n, uint32_t start) {
  wb_buf b = wb_module();
  wb_same_type_funcs(&b, params, results, 1);
  size_t s = wb_section(&b, WB_SEC_START);
  wb_uleb(&b, start);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_CODE);
  wb_uleb(&b, 1);
  size_t e = wb_begin(&b);
  wb_u8(&b, 0);
  wb_bytes(&b, body, n);
  wb_end(&b, e);
  wb_end(&b, s);
  return b;
}

Test(module, start_function) {
  wb_buf b = start_module("", "", BODY(0x0B), 0);
  module_valid(&b);
  wb_free(&b);
  b = start_module("i", "", BODY(0x0B), 0);
  module_invalid(&b, "start function");
  wb_free(&b);
  b = start_module("", "i", BODY(0x41, 0, 0x0B), 0);
  module_invalid(&b, "start function");
  wb_free(&b);
  b = start_module("", "", BODY(0x0B), 1);
  module_invalid(&b, "unknown function");
  wb_free(&b);
}

Test(module, exports) {
  wb_buf b = wb_module();
  wb_same_type_funcs(&b, "", "", 1);
  size_t s = wb_section(&b, WB_SEC_MEMORY);
  WB(&b, 1, 0, 0);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_EXPORT);
  wb_uleb(&b, 2);
  wb_name(&b, "a");
  WB(&b, 0x00, 0);
  wb_name(&b, "a");
  WB(&b, 0x02, 0); /* same name, other kind: still a duplicate */
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_CODE);
  WB(&b, 1, 2, 0, 0x0B);
  wb_end(&b, s);
  wasm_error err = module_invalid(&b, "duplicate export name");
  wasm_module *m = wb_decode(&b, &(wasm_error){0});
  cr_assert(m);
  cr_assert_eq(err.offset, m->exports[1].offset, "at the second export");
  wasm_module_free(m);
  wb_free(&b);

  /* names differing only after a NUL are different */
  b = wb_module();
  s = wb_section(&b, WB_SEC_MEMORY);
  WB(&b, 1, 0, 0);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_EXPORT);
  wb_uleb(&b, 2);
  wb_name_n(&b, "a\0b", 3);
  WB(&b, 0x02, 0);
  wb_name_n(&b, "a\0c", 3);
  WB(&b, 0x02, 0);
  wb_end(&b, s);
  module_valid(&b);
  wb_free(&b);

  /* exports of unknown things */
  static const uint8_t kinds[] = {0, 1, 2, 3};
  static const char *const msgs[] = {"unknown function", "unknown table",
                                     "unknown memory", "unknown global"};
  for (int i = 0; i < 4; i++) {
    b = wb_module();
    s = wb_section(&b, WB_SEC_EXPORT);
    wb_uleb(&b, 1);
    wb_name(&b, "x");
    WB(&b, kinds[i], 0);
    wb_end(&b, s);
    module_invalid(&b, msgs[i]);
    wb_free(&b);
  }
}

Test(module, ref_func_declared_by_declarative_expr_segment) {
  /* types [] -> []; funcs 0, 1; elem: declarative funcref (ref.func 1);
   * func 0 takes ref.func 1 */
  wb_buf b = wb_module();
  wb_same_type_funcs(&b, "", "", 2);
  size_t s = wb_section(&b, WB_SEC_ELEM);
  WB(&b, 1, 0x07, 0x70, 1, 0xD2, 1, 0x0B);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_CODE);
  WB(&b, 2, 5, 0, 0xD2, 1, 0x1A, 0x0B, 2, 0, 0x0B);
  wb_end(&b, s);
  module_valid(&b);
  wb_free(&b);
}

Test(module, validating_twice_gives_the_same_answer) {
  const uint8_t body[] = {0x41, 1, 0x41, 2, 0x6A, 0x0B};
  wb_buf b = env_module("", "i", "", 0, body, sizeof body);
  wasm_error err = {0};
  wasm_module *m = wb_decode(&b, &err);
  cr_assert(m, "%s", err.msg);
  cr_assert(wasm_validate(m, &err), "%s", err.msg);
  uint32_t ms = m->func_info[0].max_stack;
  cr_assert(wasm_validate(m, &err), "second run: %s", err.msg);
  cr_assert_eq(m->func_info[0].max_stack, ms);
  cr_assert(wasm_validate(m, NULL), "a NULL error pointer is allowed");
  wasm_module_free(m);
  wb_free(&b);
}

Test(module, unknown_type_in_function_and_import) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_FUNC);
  WB(&b, 1, 0);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_CODE);
  WB(&b, 1, 2, 0, 0x0B);
  wb_end(&b, s);
  module_invalid(&b, "unknown type");
  wb_free(&b);

  b = wb_module();
  s = wb_section(&b, WB_SEC_IMPORT);
  wb_uleb(&b, 1);
  wb_name(&b, "m");
  wb_name(&b, "f");
  WB(&b, 0x00, 3);
  wb_end(&b, s);
  module_invalid(&b, "unknown type");
  wb_free(&b);
}

/* ---- threads: shared memories and the 0xFE instructions ------------------ */

Test(threads, shared_memory_limits) {
  LIMITS(WB_SEC_MEMORY, NULL, 3, 1, 2);    /* (memory 1 2 shared) */
  LIMITS(WB_SEC_MEMORY, NULL, 3, 0, 0);
  LIMITS(WB_SEC_MEMORY, "shared memory must have maximum", 2, 1);
  LIMITS(WB_SEC_MEMORY, "size minimum must not be greater than maximum", 3, 2, 1);
}

Test(threads, shared_memory_decoded) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_IMPORT);
  wb_uleb(&b, 1);
  wb_name(&b, "env");
  wb_name(&b, "memory");
  WB(&b, 0x02, 0x03, 1, 10);
  wb_end(&b, s);
  wasm_error err = {0};
  wasm_module *m = wb_decode(&b, &err);
  cr_assert(m, "decode failed: %s", err.msg);
  cr_assert(m->memories[0].limits.shared);
  cr_assert(m->memories[0].limits.has_max);
  cr_assert_eq(m->memories[0].limits.max, 10);
  cr_assert(wasm_validate(m, &err), "rejected: %s", err.msg);
  wasm_module_free(m);
  wb_free(&b);
}

Test(threads, table_cannot_be_shared) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_TABLE);
  WB(&b, 1, 0x70, 0x03, 1, 2);
  wb_end(&b, s);
  wasm_error err = {0};
  wasm_module *m = wb_decode(&b, &err);
  cr_assert(!m, "a shared table was decoded");
  cr_assert(strstr(err.msg, "malformed limits flags"), "message: %s", err.msg);
  cr_assert_eq(err.offset, 8 + 2 + 2, "at the flags byte, got 0x%zx", err.offset);
  wb_free(&b);
}

Test(threads, atomics_well_typed) {
  VALID("i", "i", "", 0x20, 0, 0xFE, 0x10, 2, 0, 0x0B);       /* i32.atomic.load */
  VALID("i", "I", "", 0x20, 0, 0xFE, 0x14, 0, 8, 0x0B);       /* i64.atomic.load8_u */
  VALID("iI", "", "", 0x20, 0, 0x20, 1, 0xFE, 0x18, 3, 0, 0x0B); /* i64.atomic.store */
  VALID("ii", "i", "", 0x20, 0, 0x20, 1, 0xFE, 0x1E, 2, 0, 0x0B); /* i32.atomic.rmw.add */
  VALID("iII", "I", "", 0x20, 0, 0x20, 1, 0x20, 2, 0xFE, 0x49, 3, 0,
        0x0B);                                                 /* i64.atomic.rmw.cmpxchg */
  VALID("iii", "i", "", 0x20, 0, 0x20, 1, 0x20, 2, 0xFE, 0x4B, 1, 0,
        0x0B);                                                 /* i32.atomic.rmw16.cmpxchg_u */
  VALID("ii", "i", "", 0x20, 0, 0x20, 1, 0xFE, 0x00, 2, 0, 0x0B); /* memory.atomic.notify */
  VALID("iiI", "i", "", 0x20, 0, 0x20, 1, 0x20, 2, 0xFE, 0x01, 2, 0,
        0x0B);                                                 /* memory.atomic.wait32 */
  VALID("iII", "i", "", 0x20, 0, 0x20, 1, 0x20, 2, 0xFE, 0x02, 3, 0,
        0x0B);                                                 /* memory.atomic.wait64 */
  VALID("", "", "", 0xFE, 0x03, 0x00, 0x0B);                  /* atomic.fence */
  /* atomics on a memory that is not shared are valid */
}

Test(threads, atomics_alignment_exactly_natural) {
  const char *msg = "alignment must be exactly natural";
  vres v = INVALID(msg, "i", "i", "", 0x20, 0, 0xFE, 0x10, 1, 0, 0x0B);
  ASSERT_AT(v, 2); /* the 0xFE prefix byte */
  INVALID(msg, "i", "i", "", 0x20, 0, 0xFE, 0x10, 3, 0, 0x0B);
  INVALID(msg, "i", "I", "", 0x20, 0, 0xFE, 0x11, 2, 0, 0x0B); /* i64.atomic.load */
  INVALID(msg, "i", "i", "", 0x20, 0, 0xFE, 0x12, 1, 0, 0x0B); /* load8_u: 2^0 */
  INVALID(msg, "ii", "i", "", 0x20, 0, 0x20, 1, 0xFE, 0x00, 0, 0, 0x0B); /* notify */
  INVALID(msg, "iII", "i", "", 0x20, 0, 0x20, 1, 0x20, 2, 0xFE, 0x02, 2, 0, 0x0B);
}

Test(threads, atomics_need_memory_and_types) {
  INVALID_F(NO_MEMORY, "unknown memory", "i", "i", "", 0x20, 0, 0xFE, 0x10, 2, 0, 0x0B);
  INVALID_F(NO_MEMORY, "unknown memory", "ii", "i", "", 0x20, 0, 0x20, 1, 0xFE, 0x00, 2,
            0, 0x0B);
  INVALID(TM, "I", "i", "", 0x20, 0, 0xFE, 0x10, 2, 0, 0x0B);
  INVALID(TM, "ii", "i", "", 0x20, 0, 0x20, 1, 0xFE, 0x1F, 3, 0, 0x0B); /* i64 rmw, i32 value */
  INVALID(TM, "iiI", "i", "", 0x20, 0, 0x20, 1, 0x20, 2, 0xFE, 0x02, 3, 0, 0x0B); /* wait64 */
}

Test(threads, fence_immediate_must_be_zero) {
  /* bodies are decoded by the validator */
  vres v = run("", "", "", 0, BODY(0xFE, 0x03, 0x01, 0x0B));
  cr_assert(!v.valid && v.err.set, "atomic.fence with a non-zero byte accepted");
  ASSERT_AT(v, 2);
}

/* ---- Wasm 3.0 value types ------------------------------------------------- */

/* The decoder reads every 3.0 value type and the validator knows them
 * all; a concrete heap type must name a defined type. */
Test(vtypes, typed_refs_checked_gc_accepted) {
  /* a local (ref null 0): valid since typed function references */
  wb_buf b = locals_module((const uint8_t[]){1, 1, 0x63, 0x00}, 4,
                           (const uint8_t[]){0x0B}, 1);
  module_valid(&b);
  wb_free(&b);
  /* a local (ref null 5): no such type */
  b = locals_module((const uint8_t[]){1, 1, 0x63, 0x05}, 4,
                    (const uint8_t[]){0x0B}, 1);
  wasm_error err = module_invalid(&b, "unknown type 5");
  cr_assert_eq(err.offset, 0x18, "offset 0x%zx", err.offset); /* the type */
  wb_free(&b);
  /* a block typed anyref */
  b = locals_module((const uint8_t[]){0}, 1,
                    (const uint8_t[]){0x02, 0x6E, 0xD0, 0x6E, 0x0B, 0x1A, 0x0B},
                    7);
  module_valid(&b);
  wb_free(&b);
}

/* ---- typed function references (text modules) ---------------------------- */

#include "wat.h"

/* Validates a text module; NULL msg: must be valid, else the message
 * must contain msg. Returns the error (offset included). */
static wasm_error wat_check(const char *text, const char *msg) {
  uint8_t *bin;
  size_t n;
  wasm_error err = {0};
  cr_assert(wat_to_wasm(text, strlen(text), &bin, &n, &err), "text: %s",
            err.msg);
  wasm_module *m = wasm_decode(bin, n, "test.wasm", &err);
  cr_assert(m, "decode failed: %s @0x%zx", err.msg, err.offset);
  bool ok = wasm_validate(m, &err);
  wasm_module_free(m);
  free(bin);
  if (!msg)
    cr_assert(ok, "rejected: %s @0x%zx", err.msg, err.offset);
  else {
    cr_assert(!ok, "accepted, expected \"%s\"", msg);
    cr_assert(strstr(err.msg, msg), "message \"%s\" lacks \"%s\"", err.msg,
              msg);
  }
  return err;
}

Test(funcref, subtyping_in_pops_and_calls) {
  /* (ref $t) passes where (ref null $t) and funcref are expected */
  wat_check("(type $t (func (param i32) (result i32)))"
            "(func $f (type $t) (local.get 0))"
            "(elem declare func $f)"
            "(func (result funcref) (ref.func $f))"
            "(func (result i32) (call_ref $t (i32.const 1) (ref.func $f)))",
            NULL);
  /* but not the reverse */
  wat_check("(type $t (func))"
            "(func (param funcref) (call_ref $t (local.get 0)))",
            "type mismatch");
  /* declared subtypes: contravariant params */
  wat_check("(type $a (sub (func (param (ref func)))))"
            "(type $b (sub $a (func (param funcref))))"
            "(func (param (ref $b)) (result (ref null $a)) (local.get 0))",
            NULL);
  wat_check("(type $a (sub final (func)))"
            "(type $b (sub $a (func)))",
            "final");
}

Test(funcref, null_instructions) {
  wat_check("(type $t (func))"
            "(func (param (ref null $t)) (result (ref $t))"
            "  (ref.as_non_null (local.get 0)))",
            NULL);
  wat_check("(type $t (func))"
            "(func (param (ref null $t)) (result (ref $t))"
            "  (block (br_on_null 0 (local.get 0)) (return)) (unreachable))",
            NULL);
  wat_check("(type $t (func))"
            "(func (param (ref null $t)) (result (ref $t))"
            "  (block (result (ref $t)) (br_on_non_null 0 (local.get 0))"
            "    (unreachable)))",
            NULL);
  /* br_on_non_null's label must end in a reference type */
  wat_check("(func (param funcref) (block (br_on_non_null 0 (local.get 0))))",
            "br_on_non_null");
  /* in unreachable code the operand is (ref bot): not a number */
  wat_check("(func (result i32) (unreachable) (ref.as_non_null) (i32.eqz))",
            "type mismatch");
}

Test(funcref, local_initialisation) {
  /* set before use: valid */
  wat_check("(func $f (local (ref func)) (local.set 0 (ref.func $f))"
            "  (drop (local.get 0)))"
            "(elem declare func $f)",
            NULL);
  /* never set */
  wasm_error err = wat_check("(func (local (ref func)) (drop (local.get 0)))",
                             "uninitialized local");
  cr_assert_gt(err.offset, 0);
  /* set in an inner block only: forgotten at its end */
  wat_check("(func $f (local (ref func))"
            "  (block (local.set 0 (ref.func $f))) (drop (local.get 0)))"
            "(elem declare func $f)",
            "uninitialized local");
  /* set in the then arm: not in the else arm */
  wat_check("(func $f (param i32) (local (ref func))"
            "  (if (local.get 0) (then (local.set 1 (ref.func $f)))"
            "    (else (drop (local.get 1)))))"
            "(elem declare func $f)",
            "uninitialized local");
  /* nullable and numeric locals need nothing */
  wat_check("(func (local funcref i32) (drop (local.get 0))"
            "  (drop (local.get 1)))",
            NULL);
}

Test(funcref, typed_tables_and_segments) {
  /* a non-nullable table needs an initialiser */
  wat_check("(table 1 (ref func))", "needs an initialiser");
  wat_check("(func $f) (table 1 (ref func) (ref.func $f))", NULL);
  /* funcidx segments are (ref func): fine for funcref tables */
  wat_check("(func $f) (table 1 funcref) (elem (i32.const 0) $f)", NULL);
  /* a funcref segment does not fit a (ref null $t) table */
  wat_check("(type $t (func)) (table 1 (ref null $t))"
            "(elem (table 0) (i32.const 0) funcref (ref.null func))",
            "type mismatch");
  /* call_indirect needs a table of function references */
  wat_check("(type $t (func)) (table 1 (ref null $t))"
            "(func (call_indirect 0 (type $t) (i32.const 0)))",
            NULL);
  wat_check("(type $t (func)) (table 1 externref)"
            "(func (call_indirect 0 (type $t) (i32.const 0)))",
            "type mismatch");
}

Test(funcref, br_table_subtyping) {
  /* 3.0: each target checks the operands by subtyping, not equality */
  wat_check("(type $t (func))"
            "(func (param (ref $t) i32) (result funcref)"
            "  (block (result (ref null $t))"
            "    (br_table 0 1 (local.get 0) (local.get 1))))",
            NULL);
  wat_check("(func (param funcref i32) (result funcref)"
            "  (block (result (ref func))"
            "    (br_table 0 1 (local.get 0) (local.get 1)))"
            "  (unreachable))",
            "type mismatch");
}

/* ---- GC (text modules) ------------------------------------------------------ */

Test(gc, struct_field_access) {
  const char *types = "(type $s (struct (field $a i32) (field $b (mut i8))))";
  char buf[512];
  /* plain get on an unpacked field, get_s/get_u on a packed one */
  snprintf(buf, sizeof buf, "%s (func (param (ref null $s)) (result i32)"
           " (i32.add (struct.get $s $a (local.get 0))"
           " (struct.get_u $s $b (local.get 0))))", types);
  wat_check(buf, NULL);
  /* get_s on a field that is not packed */
  snprintf(buf, sizeof buf, "%s (func (param (ref $s)) (result i32)"
           " (struct.get_s $s $a (local.get 0)))", types);
  wat_check(buf, "needs a packed");
  /* plain get on a packed field */
  snprintf(buf, sizeof buf, "%s (func (param (ref $s)) (result i32)"
           " (struct.get $s $b (local.get 0)))", types);
  wat_check(buf, "needs _s or _u");
  /* set of an immutable field */
  snprintf(buf, sizeof buf, "%s (func (param (ref $s))"
           " (struct.set $s $a (local.get 0) (i32.const 1)))", types);
  wat_check(buf, "immutable field");
  /* an unknown field */
  snprintf(buf, sizeof buf, "%s (func (param (ref $s)) (result i32)"
           " (struct.get $s 2 (local.get 0)))", types);
  wat_check(buf, "unknown field 2");
  /* struct.new_default needs defaultable fields */
  wat_check("(type $s (struct (field (ref any))))"
            " (func (drop (struct.new_default $s)))",
            "defaultable");
  /* a struct instruction on an array type */
  wat_check("(type $a (array i32)) (func (drop (struct.new_default $a)))",
            "needs a struct type, type 0 is an array type");
}

Test(gc, array_rules) {
  /* array.set on an immutable array */
  wat_check("(type $a (array i32)) (func (param (ref $a))"
            " (array.set $a (local.get 0) (i32.const 0) (i32.const 1)))",
            "immutable array");
  /* array.fill likewise; a mutable one is fine */
  wat_check("(type $a (array (mut i8))) (func (param (ref $a))"
            " (array.fill $a (local.get 0) (i32.const 0) (i32.const 7)"
            " (i32.const 1)))",
            NULL);
  /* array.copy: the source's elements must be a subtype (packed: equal) */
  wat_check("(type $d (array (mut i8))) (type $s (array i16))"
            " (func (param (ref $d) (ref $s))"
            " (array.copy $d $s (local.get 0) (i32.const 0) (local.get 1)"
            " (i32.const 0) (i32.const 0)))",
            "array types do not match");
  wat_check("(type $d (array (mut anyref))) (type $s (array (ref i31)))"
            " (func (param (ref $d) (ref $s))"
            " (array.copy $d $s (local.get 0) (i32.const 0) (local.get 1)"
            " (i32.const 0) (i32.const 0)))",
            NULL);
  /* array.new_data copies bytes: no references */
  wat_check("(type $a (array funcref)) (data \"ab\")"
            " (func (drop (array.new_data $a 0 (i32.const 0) (i32.const 1))))",
            "not numeric or vector");
  /* array.new_elem: the segment's type must fit the element */
  wat_check("(type $a (array (ref i31))) (elem funcref)"
            " (func (drop (array.new_elem $a 0 (i32.const 0) (i32.const 0))))",
            "type mismatch");
  /* array.new_fixed takes exactly n operands */
  wat_check("(type $a (array i64)) (func (result (ref $a))"
            " (array.new_fixed $a 2 (i64.const 1) (i64.const 2)))",
            NULL);
  wat_check("(type $a (array i64)) (func (result (ref $a))"
            " (array.new_fixed $a 3 (i64.const 1) (i64.const 2)))",
            "type mismatch");
  /* array.len takes any array */
  wat_check("(func (param arrayref) (result i32) (array.len (local.get 0)))",
            NULL);
}

Test(gc, casts) {
  /* ref.test/ref.cast take an operand of the target's hierarchy */
  wat_check("(type $s (struct)) (func (param anyref) (result i32)"
            " (ref.test (ref $s) (local.get 0)))",
            NULL);
  wat_check("(type $s (struct)) (func (param funcref) (result i32)"
            " (ref.test (ref $s) (local.get 0)))",
            "type mismatch");
  wat_check("(func (param eqref) (result (ref null i31))"
            " (ref.cast (ref null i31) (local.get 0)))",
            NULL);
  /* br_on_cast: rt2 must be a subtype of rt1 */
  wat_check("(func (param anyref) (result anyref)"
            " (block (result (ref i31))"
            "  (return (br_on_cast 0 anyref (ref i31) (local.get 0)))))",
            NULL);
  wat_check("(func (param eqref) (result anyref)"
            " (block (result anyref)"
            "  (return (br_on_cast 0 eqref anyref (local.get 0)))))",
            "not a subtype");
  /* the label must take rt2 */
  wat_check("(func (param anyref) (result anyref)"
            " (block (result (ref struct))"
            "  (return (br_on_cast 0 anyref (ref i31) (local.get 0)))))",
            "type mismatch");
  /* br_on_cast leaves rt1 \ rt2: the cast to (ref null i31) took the null,
   * so (ref any) remains */
  wat_check("(func (param anyref) (result (ref any))"
            " (block (result (ref null i31))"
            "  (return (br_on_cast 0 anyref (ref null i31) (local.get 0))))"
            " (unreachable))",
            NULL);
  /* br_on_cast_fail branches with rt1 \ rt2, (ref any) here */
  wat_check("(func (param anyref) (result (ref null i31))"
            " (block (result (ref any))"
            "  (return (br_on_cast_fail 0 anyref (ref null i31)"
            "   (local.get 0))))"
            " (unreachable))",
            NULL);
  wat_check("(func (param anyref) (result (ref null i31))"
            " (block (result (ref any))"
            "  (return (br_on_cast_fail 0 anyref (ref i31) (local.get 0))))"
            " (unreachable))",
            "type mismatch");
}

Test(gc, conversions_i31_eq_and_constants) {
  /* the conversions keep nullability */
  wat_check("(func (param (ref extern)) (result (ref any))"
            " (any.convert_extern (local.get 0)))",
            NULL);
  wat_check("(func (param externref) (result (ref any))"
            " (any.convert_extern (local.get 0)))",
            "type mismatch");
  wat_check("(func (param (ref i31)) (result (ref extern))"
            " (extern.convert_any (local.get 0)))",
            NULL);
  wat_check("(func (param i32) (result i32)"
            " (i31.get_s (ref.i31 (local.get 0))))",
            NULL);
  wat_check("(func (param anyref anyref) (result i32)"
            " (ref.eq (local.get 0) (local.get 1)))",
            "type mismatch");
  /* constant expressions may allocate, but not from segments */
  wat_check("(type $s (struct (field i32) (field (ref null $s))))"
            " (global (ref $s) (struct.new $s (i32.const 1)"
            "  (ref.null $s)))"
            " (global (ref i31) (ref.i31 (i32.const 2)))"
            " (global anyref (any.convert_extern (ref.null extern)))",
            NULL);
  wat_check("(type $a (array i8)) (data \"x\")"
            " (global (ref $a) (array.new_data $a 0 (i32.const 0)"
            "  (i32.const 1)))",
            "constant expression required");
  wat_check("(type $s (struct (field i32)))"
            " (global (ref $s) (struct.new $s (i64.const 1)))",
            "type mismatch");
}
