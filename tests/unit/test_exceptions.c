/* test_exceptions.c: the decoder and validator on exception handling:
 * the tag section, tag imports and exports, exnref, and the typing of
 * throw, throw_ref, try_table (catch clauses) and the legacy try, catch,
 * catch_all, delegate and rethrow.
 *
 * Every test body lives in this module (wasm_builder):
 *   types  0: the test function's type   1: [] -> []   2: [i32] -> []
 *          3: [i32] -> [i32]
 *   import "m" "t": tag 0 of type 2 (an i32 payload)
 *   func   0: type 0 (the body under test)
 *   tags   1: type 1 (no payload)   2: type 2 (i32)  (tag section)
 *   export "t1": tag 1
 */
#include <criterion/criterion.h>
#include <string.h>

#include "wasm_builder.h"

enum { SEC_TAG = 13 };

typedef struct {
  bool decoded, valid;
  wasm_error err;
  wasm_module *m;
} result;

static wb_buf build(const char *params, const char *results, const char *locals,
                    const uint8_t *body, size_t n) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_TYPE);
  wb_uleb(&b, 4);
  wb_functype(&b, params, results);
  wb_functype(&b, "", "");
  wb_functype(&b, "i", "");
  wb_functype(&b, "i", "i");
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_IMPORT);
  wb_uleb(&b, 1);
  wb_name(&b, "m");
  wb_name(&b, "t");
  WB(&b, 0x04, 0x00, 2);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_FUNC);
  WB(&b, 1, 0);
  wb_end(&b, s);
  s = wb_section(&b, SEC_TAG);
  WB(&b, 2, 0x00, 1, 0x00, 2);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_EXPORT);
  wb_uleb(&b, 1);
  wb_name(&b, "t1");
  WB(&b, 0x04, 1);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_CODE);
  wb_uleb(&b, 1);
  wb_code_entry(&b, locals, body, n);
  wb_end(&b, s);
  return b;
}

static result run(wb_buf *b) {
  result r;
  memset(&r, 0, sizeof r);
  r.m = wb_decode(b, &r.err);
  r.decoded = r.m != NULL;
  if (r.m)
    r.valid = wasm_validate(r.m, &r.err);
  return r;
}

static void check(int line, bool want_valid, const char *msg, const char *p,
                  const char *rs, const char *l, const uint8_t *body,
                  size_t n) {
  wb_buf b = build(p, rs, l, body, n);
  result r = run(&b);
  cr_assert(r.decoded, "line %d: decode failed: %s @0x%zx", line, r.err.msg,
            r.err.offset);
  if (want_valid)
    cr_expect(r.valid, "line %d: rejected: %s @0x%zx", line, r.err.msg,
              r.err.offset);
  else {
    cr_expect(!r.valid, "line %d: accepted, expected \"%s\"", line, msg);
    cr_expect(strstr(r.err.msg, msg), "line %d: \"%s\" lacks \"%s\"", line,
              r.err.msg, msg);
  }
  wasm_module_free(r.m);
  wb_free(&b);
}

#define BODY(...)                                                             \
  (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define VALID(p, r, l, ...) check(__LINE__, true, NULL, p, r, l, BODY(__VA_ARGS__))
#define INVALID(msg, p, r, l, ...)                                            \
  check(__LINE__, false, msg, p, r, l, BODY(__VA_ARGS__))

enum {
  TRY = 0x06, CATCH = 0x07, THROW = 0x08, RETHROW = 0x09, THROW_REF = 0x0A,
  END = 0x0B, BR = 0x0C, DELEGATE = 0x18, CATCH_ALL = 0x19, TRY_TABLE = 0x1F,
  BLOCK = 0x02, DROP = 0x1A, I32 = 0x7F, EXN = 0x69, EMPTY = 0x40,
  LGET = 0x20, ICONST = 0x41, UNREACHABLE = 0x00, REF_NULL = 0xD0,
};

Test(tags, decoded_with_imports_first) {
  wb_buf b = build("", "", "", BODY(END));
  result r = run(&b);
  cr_assert(r.valid, "%s", r.err.msg);
  cr_expect_eq(r.m->ntags, 3);
  cr_expect_eq(r.m->nimported_tags, 1);
  cr_expect(r.m->tags[0].imported);
  cr_expect_eq(r.m->tags[0].type, 2);
  cr_expect_eq(r.m->tags[1].type, 1);
  cr_expect_eq(r.m->tags[2].type, 2);
  cr_expect_eq(r.m->exports[0].kind, WASM_EXTERN_TAG);
  wasm_module_free(r.m);
  wb_free(&b);
}

/* A module of a type section and then `rest` (section bytes). */
static result module_with(const uint8_t *rest, size_t n, wb_buf *b) {
  *b = wb_module();
  size_t s = wb_section(b, WB_SEC_TYPE);
  wb_uleb(b, 2);
  wb_functype(b, "i", "");
  wb_functype(b, "", "i");
  wb_end(b, s);
  wb_bytes(b, rest, n);
  return run(b);
}

Test(tags, section_order_and_encoding) {
  wb_buf b;
  /* tag section after the global section: out of order */
  result r = module_with(BODY(6, 1, 0, 13, 3, 1, 0, 0), &b);
  cr_expect(!r.decoded && strstr(r.err.msg, "unexpected content after last section"),
            "%s", r.err.msg);
  wb_free(&b);
  /* before it (after memory): fine */
  r = module_with(BODY(5, 1, 0, 13, 3, 1, 0, 0, 6, 1, 0), &b);
  cr_expect(r.decoded && r.valid, "%s", r.err.msg);
  wasm_module_free(r.m);
  wb_free(&b);
  /* attribute other than 0 */
  r = module_with(BODY(13, 3, 1, 1, 0), &b);
  cr_expect(!r.decoded && strstr(r.err.msg, "malformed tag attribute"), "%s",
            r.err.msg);
  wb_free(&b);
  /* a tag whose type has results; an unknown type */
  r = module_with(BODY(13, 3, 1, 0, 1), &b);
  cr_expect(r.decoded && !r.valid &&
                strstr(r.err.msg, "non-empty tag result type"),
            "%s", r.err.msg);
  wasm_module_free(r.m);
  wb_free(&b);
  r = module_with(BODY(13, 3, 1, 0, 7), &b);
  cr_expect(r.decoded && !r.valid && strstr(r.err.msg, "unknown type 7"), "%s",
            r.err.msg);
  wasm_module_free(r.m);
  wb_free(&b);
  /* an imported tag with results; exporting tag 5 of 1 */
  r = module_with(BODY(2, 6, 1, 0, 0, 4, 0, 1), &b);
  cr_expect(r.decoded && !r.valid &&
                strstr(r.err.msg, "non-empty tag result type"),
            "%s", r.err.msg);
  wasm_module_free(r.m);
  wb_free(&b);
  r = module_with(BODY(13, 3, 1, 0, 0, 7, 5, 1, 1, 'x', 4, 5), &b);
  cr_expect(r.decoded && !r.valid && strstr(r.err.msg, "unknown tag 5"), "%s",
            r.err.msg);
  wasm_module_free(r.m);
  wb_free(&b);
}

Test(throw_, payload_and_tags) {
  VALID("", "", "", ICONST, 1, THROW, 0, END);
  VALID("", "", "", THROW, 1, END);
  VALID("", "i", "", THROW, 1, END); /* the stack is polymorphic after it */
  INVALID("type mismatch", "", "", "", THROW, 2, END);
  INVALID("unknown tag 3", "", "", "", THROW, 3, END);
}

Test(throw_ref, exnref_operand) {
  VALID("", "", "e", LGET, 0, THROW_REF, END);
  VALID("", "", "", REF_NULL, EXN, THROW_REF, END);
  INVALID("type mismatch", "", "", "", THROW_REF, END);
  INVALID("type mismatch", "", "", "", ICONST, 0, THROW_REF, END);
}

Test(try_table, catch_clauses) {
  /* (block (result i32) (try_table (catch 0 0) (throw 1)) (i32.const 0)) */
  VALID("", "i", "", BLOCK, I32, TRY_TABLE, EMPTY, 1, 0x00, 0, 0, THROW, 1,
        END, ICONST, 0, END, END);
  /* catch_ref: the label takes [i32 exnref] */
  VALID("", "", "", BLOCK, 0x40 + 0, END, END); /* (sanity: empty block) */
  /* catch_all_ref 0 to a block of exnref */
  VALID("", "e", "", BLOCK, EXN, TRY_TABLE, EMPTY, 1, 0x03, 0, END,
        UNREACHABLE, END, END);
  /* catch_all to a block without results; two clauses */
  VALID("", "", "", BLOCK, EMPTY, TRY_TABLE, EMPTY, 2, 0x00, 1, 0, 0x02, 0,
        END, END, END);
  /* catch 0 (i32) to a label taking nothing */
  INVALID("type mismatch", "", "", "", BLOCK, EMPTY, TRY_TABLE, EMPTY, 1,
          0x00, 0, 0, END, END, END);
  /* catch_ref 1 needs [exnref], the label takes [i32] */
  INVALID("type mismatch", "", "", "", BLOCK, I32, TRY_TABLE, EMPTY, 1, 0x01,
          1, 0, END, UNREACHABLE, END, DROP, END);
  /* the clause's label is counted outside the try_table */
  INVALID("unknown label", "", "", "", TRY_TABLE, EMPTY, 1, 0x02, 1, END, END);
  INVALID("unknown tag 4", "", "", "", BLOCK, EMPTY, TRY_TABLE, EMPTY, 1, 0x00,
          4, 0, END, END, END);
  /* a try_table is a block: its result must be produced */
  INVALID("type mismatch", "", "", "", TRY_TABLE, I32, 0, END, DROP, END);
}

Test(legacy, try_catch) {
  VALID("", "i", "", TRY, I32, ICONST, 1, CATCH, 0, CATCH, 1, ICONST, 2,
        CATCH_ALL, ICONST, 3, END, END);
  VALID("", "", "", TRY, EMPTY, CATCH, 2, DROP, RETHROW, 0, END, END);
  VALID("", "", "", TRY, EMPTY, END, END); /* no handler at all */
  /* the catch arm must produce the try's results */
  INVALID("type mismatch", "", "i", "", TRY, I32, ICONST, 1, CATCH, 1, END,
          END);
  /* the payload is on the stack in the arm */
  INVALID("type mismatch", "", "", "", TRY, EMPTY, CATCH, 0, END, END);
  INVALID("catch without a matching try", "", "", "", CATCH, 0, END);
  INVALID("catch_all without a matching try", "", "", "", TRY, EMPTY,
          CATCH_ALL, CATCH_ALL, END, END);
  INVALID("catch without a matching try", "", "", "", TRY, EMPTY, CATCH_ALL,
          CATCH, 1, END, END);
}

Test(legacy, rethrow_and_delegate) {
  /* rethrow 1 from a block inside the catch arm */
  VALID("", "", "", TRY, EMPTY, CATCH_ALL, BLOCK, EMPTY, RETHROW, 1, END, END,
        END);
  INVALID("invalid rethrow label", "", "", "", RETHROW, 0, END);
  INVALID("invalid rethrow label", "", "", "", BLOCK, EMPTY, RETHROW, 0, END,
          END);
  INVALID("invalid rethrow label", "", "", "", TRY, EMPTY, RETHROW, 0, END,
          END);
  /* delegate ends the try; its label counts from outside (0 = the body) */
  VALID("", "i", "", TRY, I32, ICONST, 1, DELEGATE, 0, END);
  VALID("", "", "", BLOCK, EMPTY, TRY, EMPTY, DELEGATE, 1, END, END);
  INVALID("unknown label", "", "", "", TRY, EMPTY, DELEGATE, 1, END);
  INVALID("delegate without a matching try", "", "", "", TRY, EMPTY,
          CATCH_ALL, DELEGATE, 0, END);
  INVALID("delegate without a matching try", "", "", "", BLOCK, EMPTY,
          DELEGATE, 0, END);
}

Test(exnref, values) {
  /* exnref locals, params and results; ref.is_null on it */
  VALID("", "i", "e", LGET, 0, 0xD1, END);
  VALID("", "e", "", REF_NULL, EXN, END);
  INVALID("type mismatch", "", "i", "e", LGET, 0, END);
}
