/* test_decode.c: the binary decoder (wasm_decode) against the WebAssembly
 * 2.0 binary format (spec chapter 5 and appendix 7.4, the name section):
 * header, every section kind into the right wasm_module fields, section
 * order and sizes, count consistency, hostile counts, custom and name
 * sections, and the byte offsets of errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inspect.h"
#include "reader.h"
#include "wasm_builder.h"

/* ---- helpers ------------------------------------------------------------- */

static wasm_module *decode_ok(wb_buf *b) {
  wasm_error err = {0};
  wasm_module *m = wb_decode(b, &err);
  cr_assert(m, "decode failed: %s @0x%zx", err.msg, err.offset);
  cr_assert(!err.set, "error set on success: %s", err.msg);
  return m;
}

static wasm_error decode_err(wb_buf *b) {
  wasm_error err = {0};
  wasm_module *m = wb_decode(b, &err);
  if (m) {
    wasm_module_free(m);
    cr_assert_fail("decoded a malformed module");
  }
  cr_assert(err.set, "NULL returned without an error");
  return err;
}

/* Decoding or validating fails (some rules may sit in either stage). */
static wasm_error decode_or_validate_err(wb_buf *b) {
  wasm_error err = {0};
  wasm_module *m = wb_decode(b, &err);
  if (m) {
    bool ok = wasm_validate(m, &err);
    wasm_module_free(m);
    cr_assert(!ok, "accepted a malformed module");
  }
  cr_assert(err.set);
  return err;
}

#define ASSERT_MSG(err, sub)                                                  \
  cr_assert(strstr((err).msg, (sub)), "message \"%s\" lacks \"%s\"",          \
            (err).msg, (sub))
#define ASSERT_OFF(err, off)                                                  \
  cr_assert_eq((err).offset, (size_t)(off), "offset 0x%zx, want 0x%zx",       \
               (err).offset, (size_t)(off))

static bool name_is(wasm_name n, const char *s) {
  return n.str && n.len == strlen(s) && memcmp(n.str, s, n.len) == 0 &&
         n.str[n.len] == 0;
}

static void validate_ok(wasm_module *m) {
  wasm_error err = {0};
  cr_assert(wasm_validate(m, &err), "validation failed: %s @0x%zx", err.msg,
            err.offset);
}

/* A raw module: header + literal bytes. */
static wb_buf raw(const uint8_t *p, size_t n) {
  wb_buf b = wb_module();
  wb_bytes(&b, p, n);
  return b;
}
#define RAW(...)                                                              \
  raw((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

/* An instruction decoded back from the module bytes at `off`. */
static wasm_instr instr_at(const wasm_module *m, uint32_t off) {
  wasm_error err = {0};
  wasm_reader r = wasm_reader_make(m->bytes, off, m->size, &err);
  wasm_instr in;
  cr_assert(wasm_read_instr(&r, &in), "no instruction at 0x%x", off);
  wasm_reader_finish(&r);
  return in;
}

/* Standard small sections. */
static void type_section_void(wb_buf *b) { /* 1 type: [] -> [] */
  size_t s = wb_section(b, WB_SEC_TYPE);
  wb_uleb(b, 1);
  wb_functype(b, "", "");
  wb_end(b, s);
}
static void func_section(wb_buf *b, unsigned n) { /* n functions of type 0 */
  size_t s = wb_section(b, WB_SEC_FUNC);
  wb_uleb(b, n);
  for (unsigned i = 0; i < n; i++)
    wb_uleb(b, 0);
  wb_end(b, s);
}
static void code_section_empty(wb_buf *b, unsigned n) { /* n bodies: end */
  size_t s = wb_section(b, WB_SEC_CODE);
  wb_uleb(b, n);
  for (unsigned i = 0; i < n; i++)
    WB(b, 0x02, 0x00, 0x0B);
  wb_end(b, s);
}
static void memory_section(wb_buf *b) { /* 1 memory, min 1 */
  size_t s = wb_section(b, WB_SEC_MEMORY);
  WB(b, 0x01, 0x00, 0x01);
  wb_end(b, s);
}

/* ---- header -------------------------------------------------------------- */

Test(header, empty_input) {
  wb_buf b = wb_new();
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "unexpected end");
  ASSERT_OFF(err, 0);
  wb_free(&b);
}

Test(header, truncated_magic_and_version) {
  wb_buf b = wb_new();
  WB(&b, 0x00, 0x61, 0x73);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "unexpected end");
  wb_free(&b);

  b = wb_new();
  WB(&b, 0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00);
  err = decode_err(&b);
  ASSERT_MSG(err, "unexpected end");
  wb_free(&b);
}

Test(header, bad_magic) {
  static const uint8_t bad[][8] = {
      {'a', 's', 'm', 0, 1, 0, 0, 0},
      {0, 'A', 'S', 'M', 1, 0, 0, 0},
      {0x7F, 'a', 's', 'm', 1, 0, 0, 0},
      {0, 0, 0, 1, 'm', 's', 'a', 0},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    wb_buf b = wb_new();
    wb_bytes(&b, bad[i], 8);
    wasm_error err = decode_err(&b);
    ASSERT_MSG(err, "magic header not detected");
    ASSERT_OFF(err, 0);
    wb_free(&b);
  }
}

Test(header, bad_version) {
  static const uint8_t bad[][4] = {
      {0, 0, 0, 0}, {2, 0, 0, 0}, {0x0D, 0, 0, 0}, {0, 0, 0, 1}, {1, 0, 1, 0}};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    wb_buf b = wb_new();
    WB(&b, 0x00, 0x61, 0x73, 0x6D);
    wb_bytes(&b, bad[i], 4);
    wasm_error err = decode_err(&b);
    ASSERT_MSG(err, "unknown binary version");
    ASSERT_OFF(err, 4);
    wb_free(&b);
  }
}

Test(header, empty_module) {
  wb_buf b = wb_module();
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->bytes, b.data);
  cr_assert_eq(m->size, 8);
  cr_assert_eq(m->ntypes + m->nimports + m->nfuncs + m->ntables +
                   m->nmemories + m->nglobals + m->nexports + m->nelems +
                   m->ndatas + m->nsections,
               0);
  cr_assert(!m->has_start);
  cr_assert(!m->has_datacount);
  cr_assert(!m->has_module_name);
  cr_assert_eq(m->name_warning[0], 0);
  validate_ok(m);
  cr_assert(m->validated);
  wasm_module_free(m);
  wb_free(&b);
}

/* ---- type section -------------------------------------------------------- */

Test(types, multi_value_and_every_value_type) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_TYPE);
  wb_uleb(&b, 3);
  wb_functype(&b, "ii", "i");
  wb_functype(&b, "", "");
  wb_functype(&b, "fFvrx", "Ii");
  wb_end(&b, s);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->ntypes, 3);
  cr_assert_eq(m->types[0].nparams, 2);
  cr_assert_eq(m->types[0].params[0], WASM_I32);
  cr_assert_eq(m->types[0].params[1], WASM_I32);
  cr_assert_eq(m->types[0].nresults, 1);
  cr_assert_eq(m->types[0].results[0], WASM_I32);
  cr_assert_eq(m->types[1].nparams, 0);
  cr_assert_eq(m->types[1].nresults, 0);
  const wasm_vtype want[] = {WASM_F32, WASM_F64, WASM_V128, WASM_FUNCREF,
                             WASM_EXTERNREF};
  cr_assert_eq(m->types[2].nparams, 5);
  cr_assert_eq(memcmp(m->types[2].params, want, sizeof want), 0);
  cr_assert_eq(m->types[2].nresults, 2);
  cr_assert_eq(m->types[2].results[0], WASM_I64);
  cr_assert_eq(m->types[2].results[1], WASM_I32);
  cr_assert_eq(m->nsections, 1);
  cr_assert_eq(m->sections[0].id, WB_SEC_TYPE);
  cr_assert_eq(m->sections[0].offset, 8);
  cr_assert_eq(m->sections[0].contents, 10);
  cr_assert_eq(m->sections[0].size, b.len - 10);
  validate_ok(m);
  wasm_module_free(m);
  wb_free(&b);
}

Test(types, malformed_value_type_offset) {
  /* 8:id 9:size 10:count 11:0x60 12:nparams 13:bad type */
  wb_buf b = RAW(0x01, 0x05, 0x01, 0x60, 0x01, 0x7A, 0x00);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "malformed value type");
  ASSERT_OFF(err, 13);
  wb_free(&b);
}

Test(types, malformed_form) {
  wb_buf b = RAW(0x01, 0x04, 0x01, 0x61, 0x00, 0x00);
  wasm_error err = decode_err(&b);
  ASSERT_OFF(err, 11);
  wb_free(&b);
}

/* ---- imports ------------------------------------------------------------- */

Test(imports, each_kind) {
  wb_buf b = wb_module();
  type_section_void(&b);
  size_t s = wb_section(&b, WB_SEC_IMPORT);
  size_t entry0 = b.len;
  wb_uleb(&b, 4);
  wb_name(&b, "env");
  wb_name(&b, "f");
  WB(&b, 0x00, 0x00); /* func, type 0 */
  wb_name(&b, "env");
  wb_name(&b, "t");
  WB(&b, 0x01, 0x70, 0x01, 0x01, 0x0A); /* table funcref 1..10 */
  wb_name(&b, "env");
  wb_name(&b, "m");
  WB(&b, 0x02, 0x00, 0x01); /* memory 1.. */
  wb_name(&b, "");
  wb_name(&b, "g");
  WB(&b, 0x03, 0x7F, 0x01); /* global mut i32 */
  wb_end(&b, s);
  wasm_module *m = decode_ok(&b);

  cr_assert_eq(m->nimports, 4);
  cr_assert(name_is(m->imports[0].module, "env"));
  cr_assert(name_is(m->imports[0].name, "f"));
  cr_assert_eq(m->imports[0].kind, WASM_EXTERN_FUNC);
  cr_assert_eq(m->imports[0].desc.func_type, 0);
  /* entry offset: the count byte is at entry0 + 1 (size byte inserted) */
  cr_assert_eq(m->imports[0].offset, entry0 + 2);

  cr_assert_eq(m->imports[1].kind, WASM_EXTERN_TABLE);
  cr_assert_eq(m->imports[1].desc.table.elem, WASM_FUNCREF);
  cr_assert_eq(m->imports[1].desc.table.limits.min, 1);
  cr_assert(m->imports[1].desc.table.limits.has_max);
  cr_assert_eq(m->imports[1].desc.table.limits.max, 10);

  cr_assert_eq(m->imports[2].kind, WASM_EXTERN_MEMORY);
  cr_assert_eq(m->imports[2].desc.memory.limits.min, 1);
  cr_assert(!m->imports[2].desc.memory.limits.has_max);

  cr_assert(name_is(m->imports[3].module, ""));
  cr_assert_eq(m->imports[3].kind, WASM_EXTERN_GLOBAL);
  cr_assert_eq(m->imports[3].desc.global.type, WASM_I32);
  cr_assert(m->imports[3].desc.global.mutable_);

  /* the index spaces start with the imports */
  cr_assert_eq(m->nfuncs, 1);
  cr_assert_eq(m->nimported_funcs, 1);
  cr_assert(m->funcs[0].imported);
  cr_assert_eq(m->funcs[0].type, 0);
  cr_assert_eq(m->ntables, 1);
  cr_assert_eq(m->nimported_tables, 1);
  cr_assert_eq(m->tables[0].elem, WASM_FUNCREF);
  cr_assert_eq(m->tables[0].limits.max, 10);
  cr_assert_eq(m->nmemories, 1);
  cr_assert_eq(m->nimported_memories, 1);
  cr_assert_eq(m->memories[0].limits.min, 1);
  cr_assert_eq(m->nglobals, 1);
  cr_assert_eq(m->nimported_globals, 1);
  cr_assert(m->globals[0].imported);
  cr_assert_eq(m->globals[0].type.type, WASM_I32);
  cr_assert(m->globals[0].type.mutable_);
  validate_ok(m);
  wasm_module_free(m);
  wb_free(&b);
}

Test(imports, definitions_follow_imports_in_the_index_space) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_TYPE);
  wb_uleb(&b, 2);
  wb_functype(&b, "", "");
  wb_functype(&b, "i", "i");
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_IMPORT);
  wb_uleb(&b, 2);
  wb_name(&b, "a");
  wb_name(&b, "f");
  WB(&b, 0x00, 0x01);
  wb_name(&b, "a");
  wb_name(&b, "g");
  WB(&b, 0x03, 0x7E, 0x00);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_FUNC);
  WB(&b, 0x02, 0x00, 0x01);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_GLOBAL);
  WB(&b, 0x01, 0x7D, 0x01, 0x43, 0x00, 0x00, 0x80, 0x3F, 0x0B);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_CODE);
  WB(&b, 0x02, 0x02, 0x00, 0x0B, 0x04, 0x00, 0x20, 0x00, 0x0B);
  wb_end(&b, s);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->nfuncs, 3);
  cr_assert_eq(m->nimported_funcs, 1);
  cr_assert(m->funcs[0].imported);
  cr_assert_eq(m->funcs[0].type, 1);
  cr_assert(!m->funcs[1].imported);
  cr_assert_eq(m->funcs[1].type, 0);
  cr_assert_eq(m->funcs[2].type, 1);
  cr_assert_eq(wasm_func_type(m, 2)->nparams, 1);
  cr_assert_eq(m->nglobals, 2);
  cr_assert(m->globals[0].imported);
  cr_assert_eq(m->globals[0].type.type, WASM_I64);
  cr_assert(!m->globals[1].imported);
  cr_assert_eq(m->globals[1].type.type, WASM_F32);
  cr_assert(m->globals[1].type.mutable_);
  validate_ok(m);
  cr_assert_eq(m->func_info != NULL, true);
  wasm_module_free(m);
  wb_free(&b);
}

Test(imports, malformed_kind_mutability_and_name) {
  /* 8:id 9:size 10:count 11:"a" 13:"b" 15:kind (4 is a tag since
   * exception handling) */
  wb_buf b = RAW(0x02, 0x07, 0x01, 0x01, 'a', 0x01, 'b', 0x05, 0x00);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "malformed import kind");
  ASSERT_OFF(err, 15);
  wb_free(&b);

  b = RAW(0x02, 0x08, 0x01, 0x01, 'a', 0x01, 'b', 0x03, 0x7F, 0x02);
  err = decode_err(&b);
  ASSERT_MSG(err, "malformed mutability");
  ASSERT_OFF(err, 17);
  wb_free(&b);

  /* module name is an overlong NUL: offset of the name (its length) */
  b = RAW(0x02, 0x08, 0x01, 0x02, 0xC0, 0x80, 0x01, 'b', 0x00, 0x00);
  err = decode_err(&b);
  ASSERT_MSG(err, "malformed UTF-8 encoding");
  ASSERT_OFF(err, 11);
  wb_free(&b);
}

/* ---- tables, memories ---------------------------------------------------- */

Test(tables, with_and_without_max) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_TABLE);
  WB(&b, 0x02, 0x70, 0x00, 0x00, 0x6F, 0x01, 0x02, 0x05);
  wb_end(&b, s);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->ntables, 2);
  cr_assert_eq(m->nimported_tables, 0);
  cr_assert_eq(m->tables[0].elem, WASM_FUNCREF);
  cr_assert_eq(m->tables[0].limits.min, 0);
  cr_assert(!m->tables[0].limits.has_max);
  cr_assert_eq(m->tables[1].elem, WASM_EXTERNREF);
  cr_assert_eq(m->tables[1].limits.min, 2);
  cr_assert(m->tables[1].limits.has_max);
  cr_assert_eq(m->tables[1].limits.max, 5);
  validate_ok(m); /* several tables are fine in Wasm 2.0 */
  wasm_module_free(m);
  wb_free(&b);
}

Test(tables, malformed_elem_type_and_limits_flag) {
  wb_buf b = RAW(0x04, 0x04, 0x01, 0x7F, 0x00, 0x00);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "malformed reference type");
  ASSERT_OFF(err, 11);
  wb_free(&b);

  b = RAW(0x04, 0x04, 0x01, 0x70, 0x02, 0x00);
  decode_err(&b);
  wb_free(&b);
}

Test(memories, with_and_without_max_and_padded_leb) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_MEMORY);
  WB(&b, 0x01, 0x01, 0x82, 0x80, 0x80, 0x80, 0x00, 0x03); /* 2..3 */
  wb_end(&b, s);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->nmemories, 1);
  cr_assert_eq(m->memories[0].limits.min, 2);
  cr_assert(m->memories[0].limits.has_max);
  cr_assert_eq(m->memories[0].limits.max, 3);
  validate_ok(m);
  wasm_module_free(m);
  wb_free(&b);

  b = wb_module();
  memory_section(&b);
  m = decode_ok(&b);
  cr_assert_eq(m->memories[0].limits.min, 1);
  cr_assert(!m->memories[0].limits.has_max);
  wasm_module_free(m);
  wb_free(&b);
}

Test(memories, limits_are_checked_by_validation_not_decoding) {
  /* min 65537 and min > max are well-formed */
  wb_buf b = RAW(0x05, 0x06, 0x01, 0x01, 0x81, 0x80, 0x04, 0x00);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->memories[0].limits.min, 65537);
  cr_assert_eq(m->memories[0].limits.max, 0);
  wasm_module_free(m);
  wb_free(&b);
}

Test(memories, unused_bits_in_limits) {
  /* spec binary.wast: minimum 2 with unused bits set */
  wb_buf b = RAW(0x05, 0x07, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x70);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "integer too large");
  ASSERT_OFF(err, 12);
  wb_free(&b);
}

/* ---- globals ------------------------------------------------------------- */

Test(globals, const_exprs_of_each_kind) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_IMPORT);
  wb_uleb(&b, 1);
  wb_name(&b, "env");
  wb_name(&b, "g");
  WB(&b, 0x03, 0x7F, 0x00);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_GLOBAL);
  wb_uleb(&b, 7);
  WB(&b, 0x7F, 0x00, 0x41, 0x2A, 0x0B);                         /* 42 */
  WB(&b, 0x7E, 0x01, 0x42, 0x7F, 0x0B);                         /* mut -1 */
  WB(&b, 0x7D, 0x00, 0x43, 0x00, 0x00, 0xC0, 0x3F, 0x0B);       /* 1.5f */
  WB(&b, 0x7C, 0x00, 0x44, 0, 0, 0, 0, 0, 0, 0x04, 0x40, 0x0B); /* 2.5 */
  WB(&b, 0x70, 0x00, 0xD0, 0x70, 0x0B);                         /* null */
  WB(&b, 0x7F, 0x00, 0x23, 0x00, 0x0B);                         /* import */
  WB(&b, 0x7B, 0x00, 0xFD, 0x0C, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
     14, 15, 16, 0x0B);                                          /* v128 */
  wb_end(&b, s);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->nglobals, 8);
  cr_assert_eq(m->nimported_globals, 1);
  const wasm_global *g = m->globals;
  for (unsigned i = 1; i < 8; i++) {
    cr_assert(!g[i].imported);
    cr_assert_eq(g[i].init.ninstrs, 1, "global %u: %u instrs", i,
                 g[i].init.ninstrs);
    /* the offset names the first instruction of the expression */
    wasm_instr in = instr_at(m, g[i].init.offset);
    cr_assert_eq(in.op, g[i].init.instrs[0].op, "global %u", i);
    cr_assert_eq(g[i].init.instrs[0].offset, g[i].init.offset);
  }
  cr_assert_eq(g[1].type.type, WASM_I32);
  cr_assert(!g[1].type.mutable_);
  cr_assert_eq(g[1].init.instrs[0].op, WASM_OP_I32_CONST);
  cr_assert_eq(g[1].init.instrs[0].imm.i32, 42);
  cr_assert_eq(g[2].type.type, WASM_I64);
  cr_assert(g[2].type.mutable_);
  cr_assert_eq(g[2].init.instrs[0].imm.i64, -1);
  cr_assert_eq(g[3].init.instrs[0].op, WASM_OP_F32_CONST);
  cr_assert_eq(g[3].init.instrs[0].imm.f32_bits, 0x3FC00000u);
  cr_assert_eq(g[4].init.instrs[0].imm.f64_bits, 0x4004000000000000ull);
  cr_assert_eq(g[5].type.type, WASM_FUNCREF);
  cr_assert_eq(g[5].init.instrs[0].op, WASM_OP_REF_NULL);
  cr_assert_eq(g[5].init.instrs[0].imm.reftype, WASM_FUNCREF);
  cr_assert_eq(g[6].init.instrs[0].op, WASM_OP_GLOBAL_GET);
  cr_assert_eq(g[6].init.instrs[0].imm.index, 0);
  cr_assert_eq(g[7].type.type, WASM_V128);
  cr_assert_eq(g[7].init.instrs[0].op, WASM_OP_V128_CONST);
  cr_assert_eq(g[7].init.instrs[0].imm.v128[15], 16);
  validate_ok(m);
  wasm_module_free(m);
  wb_free(&b);
}

Test(globals, illegal_opcode_in_init_offset) {
  /* 8:id 9:size 10:count 11:type 12:mut 13:opcode */
  wb_buf b = RAW(0x06, 0x05, 0x01, 0x7F, 0x00, 0x17, 0x0B);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "illegal opcode");
  ASSERT_OFF(err, 13);
  wb_free(&b);
}

Test(globals, init_without_end) {
  wb_buf b = RAW(0x06, 0x04, 0x01, 0x7F, 0x00, 0x41, 0x00);
  decode_err(&b); /* the expression runs past its section */
  wb_free(&b);
  b = RAW(0x06, 0x05, 0x01, 0x7F, 0x00, 0x41, 0x00);
  decode_err(&b);
  wb_free(&b);
}

Test(globals, malformed_mutability) {
  wb_buf b = RAW(0x06, 0x06, 0x01, 0x7F, 0x02, 0x41, 0x00, 0x0B);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "malformed mutability");
  ASSERT_OFF(err, 12);
  wb_free(&b);
}

/* ---- exports and start --------------------------------------------------- */

static wb_buf module_with_one_of_each(void) {
  wb_buf b = wb_module();
  type_section_void(&b);
  func_section(&b, 2);
  size_t s = wb_section(&b, WB_SEC_TABLE);
  WB(&b, 0x01, 0x70, 0x00, 0x01);
  wb_end(&b, s);
  memory_section(&b);
  s = wb_section(&b, WB_SEC_GLOBAL);
  WB(&b, 0x01, 0x7F, 0x00, 0x41, 0x00, 0x0B);
  wb_end(&b, s);
  return b;
}

Test(exports, each_kind) {
  wb_buf b = module_with_one_of_each();
  size_t s = wb_section(&b, WB_SEC_EXPORT);
  wb_uleb(&b, 5);
  wb_name(&b, "f");
  WB(&b, 0x00, 0x01);
  wb_name(&b, "t");
  WB(&b, 0x01, 0x00);
  wb_name(&b, "m");
  WB(&b, 0x02, 0x00);
  wb_name(&b, "g");
  WB(&b, 0x03, 0x00);
  wb_name_n(&b, "a\0b", 3);
  WB(&b, 0x00, 0x00);
  wb_end(&b, s);
  code_section_empty(&b, 2);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->nexports, 5);
  cr_assert(name_is(m->exports[0].name, "f"));
  cr_assert_eq(m->exports[0].kind, WASM_EXTERN_FUNC);
  cr_assert_eq(m->exports[0].index, 1);
  cr_assert_eq(m->exports[1].kind, WASM_EXTERN_TABLE);
  cr_assert_eq(m->exports[2].kind, WASM_EXTERN_MEMORY);
  cr_assert_eq(m->exports[3].kind, WASM_EXTERN_GLOBAL);
  cr_assert(name_is(m->exports[3].name, "g"));
  cr_assert_eq(m->exports[4].name.len, 3);
  cr_assert_eq(memcmp(m->exports[4].name.str, "a\0b", 4), 0);
  cr_assert_eq(m->bytes[m->exports[0].offset], 0x01, "offset of the entry");
  validate_ok(m);
  wasm_module_free(m);
  wb_free(&b);
}

Test(exports, malformed_kind) {
  wb_buf b = RAW(0x07, 0x04, 0x01, 0x00, 0x05, 0x00); /* 4: tag */
  wasm_error err = decode_err(&b);
  ASSERT_OFF(err, 12);
  wb_free(&b);
}

Test(start, decoded) {
  wb_buf b = wb_module();
  type_section_void(&b);
  func_section(&b, 2);
  size_t s = wb_section(&b, WB_SEC_START);
  wb_uleb(&b, 1);
  wb_end(&b, s);
  code_section_empty(&b, 2);
  wasm_module *m = decode_ok(&b);
  cr_assert(m->has_start);
  cr_assert_eq(m->start, 1);
  validate_ok(m);
  wasm_module_free(m);
  wb_free(&b);
}

Test(start, two_start_sections) {
  wb_buf b = RAW(0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                 0x08, 0x01, 0x00, 0x08, 0x01, 0x00, 0x0A, 0x04, 0x01, 0x02,
                 0x00, 0x0B);
  wasm_error err = decode_err(&b);
  ASSERT_OFF(err, 21); /* the second start section */
  wb_free(&b);
}

/* ---- element segments: all 8 forms --------------------------------------- */

static void expect_ref_func(const wasm_constexpr *e, uint32_t idx) {
  cr_assert_eq(e->ninstrs, 1);
  cr_assert_eq(e->instrs[0].op, WASM_OP_REF_FUNC);
  cr_assert_eq(e->instrs[0].imm.index, idx);
}
static void expect_ref_null(const wasm_constexpr *e, uint8_t t) {
  cr_assert_eq(e->ninstrs, 1);
  cr_assert_eq(e->instrs[0].op, WASM_OP_REF_NULL);
  cr_assert_eq(e->instrs[0].imm.reftype, t);
}
static void expect_i32_offset(const wasm_elem *e, int32_t v) {
  cr_assert_eq(e->offset.ninstrs, 1);
  cr_assert_eq(e->offset.instrs[0].op, WASM_OP_I32_CONST);
  cr_assert_eq(e->offset.instrs[0].imm.i32, v);
}

Test(elems, all_eight_forms) {
  wb_buf b = wb_module();
  type_section_void(&b);
  func_section(&b, 3);
  size_t s = wb_section(&b, WB_SEC_TABLE);
  WB(&b, 0x03, 0x70, 0x00, 0x0A, 0x70, 0x00, 0x0A, 0x6F, 0x00, 0x0A);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_ELEM);
  wb_uleb(&b, 8);
  size_t e0 = b.len;
  WB(&b, 0x00, 0x41, 0x01, 0x0B, 0x02, 0x00, 0x01);           /* 0 */
  WB(&b, 0x01, 0x00, 0x01, 0x02);                             /* 1 */
  WB(&b, 0x02, 0x01, 0x41, 0x02, 0x0B, 0x00, 0x02, 0x01, 0x00); /* 2 */
  WB(&b, 0x03, 0x00, 0x01, 0x00);                             /* 3 */
  WB(&b, 0x04, 0x41, 0x03, 0x0B, 0x02, 0xD2, 0x01, 0x0B, 0xD0, 0x70,
     0x0B);                                                   /* 4 */
  WB(&b, 0x05, 0x6F, 0x01, 0xD0, 0x6F, 0x0B);                 /* 5 */
  WB(&b, 0x06, 0x02, 0x41, 0x00, 0x0B, 0x6F, 0x02, 0xD0, 0x6F, 0x0B, 0xD0,
     0x6F, 0x0B);                                             /* 6 */
  WB(&b, 0x07, 0x70, 0x01, 0xD2, 0x02, 0x0B);                 /* 7 */
  wb_end(&b, s);
  code_section_empty(&b, 3);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->nelems, 8);
  const wasm_elem *e = m->elems;

  cr_assert_eq(e[0].entry_offset, e0 + 1); /* +1: the size byte */
  cr_assert_eq(m->bytes[e[0].entry_offset], 0x00);
  cr_assert_eq(e[0].mode, WASM_SEG_ACTIVE);
  cr_assert_eq(e[0].table, 0);
  expect_i32_offset(&e[0], 1);
  cr_assert_eq(e[0].type, wasm_vt_ref(false, WASM_HT_FUNC)); /* 3.0: (ref func) */
  cr_assert_eq(e[0].count, 2);
  expect_ref_func(&e[0].items[0], 0);
  expect_ref_func(&e[0].items[1], 1);

  cr_assert_eq(e[1].mode, WASM_SEG_PASSIVE);
  cr_assert_eq(e[1].type, wasm_vt_ref(false, WASM_HT_FUNC)); /* 3.0: (ref func) */
  cr_assert_eq(e[1].count, 1);
  expect_ref_func(&e[1].items[0], 2);

  cr_assert_eq(e[2].mode, WASM_SEG_ACTIVE);
  cr_assert_eq(e[2].table, 1);
  expect_i32_offset(&e[2], 2);
  cr_assert_eq(e[2].type, wasm_vt_ref(false, WASM_HT_FUNC)); /* 3.0: (ref func) */
  cr_assert_eq(e[2].count, 2);
  expect_ref_func(&e[2].items[0], 1);
  expect_ref_func(&e[2].items[1], 0);

  cr_assert_eq(e[3].mode, WASM_SEG_DECLARATIVE);
  cr_assert_eq(e[3].type, wasm_vt_ref(false, WASM_HT_FUNC)); /* 3.0: (ref func) */
  cr_assert_eq(e[3].count, 1);
  expect_ref_func(&e[3].items[0], 0);

  cr_assert_eq(e[4].mode, WASM_SEG_ACTIVE);
  cr_assert_eq(e[4].table, 0);
  expect_i32_offset(&e[4], 3);
  cr_assert_eq(e[4].type, WASM_FUNCREF);
  cr_assert_eq(e[4].count, 2);
  expect_ref_func(&e[4].items[0], 1);
  expect_ref_null(&e[4].items[1], WASM_FUNCREF);

  cr_assert_eq(e[5].mode, WASM_SEG_PASSIVE);
  cr_assert_eq(e[5].type, WASM_EXTERNREF);
  cr_assert_eq(e[5].count, 1);
  expect_ref_null(&e[5].items[0], WASM_EXTERNREF);

  cr_assert_eq(e[6].mode, WASM_SEG_ACTIVE);
  cr_assert_eq(e[6].table, 2);
  expect_i32_offset(&e[6], 0);
  cr_assert_eq(e[6].type, WASM_EXTERNREF);
  cr_assert_eq(e[6].count, 2);
  expect_ref_null(&e[6].items[1], WASM_EXTERNREF);

  cr_assert_eq(e[7].mode, WASM_SEG_DECLARATIVE);
  cr_assert_eq(e[7].type, WASM_FUNCREF);
  cr_assert_eq(e[7].count, 1);
  expect_ref_func(&e[7].items[0], 2);

  validate_ok(m);
  wasm_module_free(m);
  wb_free(&b);
}

Test(elems, malformed_flags_and_elemkind) {
  /* 8:id 9:size 10:count 11:flags */
  wb_buf b = RAW(0x09, 0x04, 0x01, 0x08, 0x00, 0x00);
  wasm_error err = decode_err(&b);
  ASSERT_OFF(err, 11);
  wb_free(&b);

  b = RAW(0x09, 0x04, 0x01, 0x01, 0x01, 0x00); /* elemkind 1 */
  err = decode_err(&b);
  ASSERT_OFF(err, 12);
  wb_free(&b);

  b = RAW(0x09, 0x04, 0x01, 0x05, 0x7F, 0x00); /* reftype i32 */
  err = decode_err(&b);
  ASSERT_OFF(err, 12);
  wb_free(&b);
}

/* ---- data segments and datacount ----------------------------------------- */

Test(datas, all_three_forms) {
  wb_buf b = wb_module();
  memory_section(&b);
  size_t s = wb_section(&b, WB_SEC_DATACOUNT);
  wb_uleb(&b, 3);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_DATA);
  wb_uleb(&b, 3);
  WB(&b, 0x00, 0x41, 0x08, 0x0B, 0x02, 'h', 'i');
  WB(&b, 0x01, 0x03, 'a', 'b', 'c');
  WB(&b, 0x02, 0x00, 0x41, 0x10, 0x0B, 0x00);
  wb_end(&b, s);
  wasm_module *m = decode_ok(&b);
  cr_assert(m->has_datacount);
  cr_assert_eq(m->datacount, 3);
  cr_assert_eq(m->ndatas, 3);
  const wasm_data *d = m->datas;
  cr_assert_eq(d[0].mode, WASM_SEG_ACTIVE);
  cr_assert_eq(d[0].memory, 0);
  cr_assert_eq(d[0].offset.ninstrs, 1);
  cr_assert_eq(d[0].offset.instrs[0].imm.i32, 8);
  cr_assert_eq(d[0].len, 2);
  cr_assert_eq(memcmp(d[0].bytes, "hi", 2), 0);
  cr_assert(d[0].bytes > m->bytes && d[0].bytes < m->bytes + m->size,
            "data bytes point into the input");
  cr_assert_eq(m->bytes[d[0].entry_offset], 0x00);
  cr_assert_eq(d[1].mode, WASM_SEG_PASSIVE);
  cr_assert_eq(d[1].len, 3);
  cr_assert_eq(memcmp(d[1].bytes, "abc", 3), 0);
  cr_assert_eq(m->bytes[d[1].entry_offset], 0x01);
  cr_assert_eq(d[2].mode, WASM_SEG_ACTIVE);
  cr_assert_eq(d[2].memory, 0);
  cr_assert_eq(d[2].offset.instrs[0].imm.i32, 16);
  cr_assert_eq(d[2].len, 0);
  validate_ok(m);
  wasm_module_free(m);
  wb_free(&b);
}

Test(datas, malformed_flags_and_overrun) {
  wb_buf b = RAW(0x0B, 0x03, 0x01, 0x03, 0x00);
  wasm_error err = decode_err(&b);
  ASSERT_OFF(err, 11);
  wb_free(&b);

  b = RAW(0x0B, 0x04, 0x01, 0x01, 0x05, 'a'); /* 5 bytes promised */
  decode_err(&b);
  wb_free(&b);
}

Test(datacount, mismatch_with_data_section) {
  wb_buf b = RAW(0x0C, 0x01, 0x03, 0x0B, 0x05, 0x02, 0x01, 0x00, 0x01, 0x00);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "data count and data section have inconsistent lengths");
  wb_free(&b);

  b = RAW(0x0C, 0x01, 0x01, 0x0B, 0x05, 0x02, 0x01, 0x00, 0x01, 0x00);
  err = decode_err(&b);
  ASSERT_MSG(err, "data count and data section have inconsistent lengths");
  wb_free(&b);
}

Test(datacount, without_data_section) {
  /* datacount 1 and no data section: the data vector is empty */
  wb_buf b = RAW(0x0C, 0x01, 0x01);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "data count and data section have inconsistent lengths");
  wb_free(&b);

  b = RAW(0x0C, 0x01, 0x00);
  wasm_module *m = decode_ok(&b);
  cr_assert(m->has_datacount);
  cr_assert_eq(m->datacount, 0);
  wasm_module_free(m);
  wb_free(&b);
}

/* ---- code ---------------------------------------------------------------- */

Test(code, local_groups_and_body_range) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_TYPE);
  wb_uleb(&b, 1);
  wb_functype(&b, "i", "");
  wb_end(&b, s);
  func_section(&b, 1);
  s = wb_section(&b, WB_SEC_CODE);
  wb_uleb(&b, 1);
  size_t e = wb_begin(&b);
  WB(&b, 0x04, 0x02, 0x7F, 0x00, 0x7E, 0x01, 0x7C, 0x03, 0x7B); /* locals */
  WB(&b, 0x20, 0x00, 0x1A, 0x0B);                               /* body */
  wb_end(&b, e);
  wb_end(&b, s);
  wasm_module *m = decode_ok(&b);
  const wasm_func *f = &m->funcs[0];
  cr_assert(!f->imported);
  cr_assert_eq(f->ngroups, 4);
  cr_assert_eq(f->groups[0].count, 2);
  cr_assert_eq(f->groups[0].type, WASM_I32);
  cr_assert_eq(f->groups[1].count, 0);
  cr_assert_eq(f->groups[1].type, WASM_I64);
  cr_assert_eq(f->groups[2].count, 1);
  cr_assert_eq(f->groups[2].type, WASM_F64);
  cr_assert_eq(f->groups[3].count, 3);
  cr_assert_eq(f->groups[3].type, WASM_V128);
  cr_assert_eq(f->nlocals, 6);
  cr_assert_eq(f->body_len, 4);
  cr_assert_eq(f->body, m->bytes + f->body_offset);
  cr_assert_eq(memcmp(f->body, (uint8_t[]){0x20, 0x00, 0x1A, 0x0B}, 4), 0);
  cr_assert_eq(f->body_offset + f->body_len, b.len, "body ends the file");
  /* code_offset: the entry's size byte, right after the section's count */
  cr_assert_eq(m->bytes[f->code_offset], 13);
  cr_assert_eq(f->code_offset + 1 + 13, b.len);
  validate_ok(m);
  wasm_module_free(m);
  wb_free(&b);
}

Test(code, too_many_locals_without_allocating) {
  /* spec binary.wast: 0xFFFFFFFF i32 + 2 i64 */
  wb_buf b = RAW(0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                 0x0A, 0x0C, 0x01, 0x0A, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F,
                 0x7F, 0x02, 0x7E, 0x0B);
  clock_t t0 = clock();
  wasm_error err = decode_or_validate_err(&b);
  ASSERT_MSG(err, "too many locals");
  wb_free(&b);

  /* 4 x 0x40000000 */
  b = RAW(0x01, 0x06, 0x01, 0x60, 0x02, 0x7F, 0x7F, 0x00, 0x03, 0x02, 0x01,
          0x00, 0x0A, 0x1C, 0x01, 0x1A, 0x04, 0x80, 0x80, 0x80, 0x80, 0x04,
          0x7F, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7E, 0x80, 0x80, 0x80, 0x80,
          0x04, 0x7D, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7C, 0x0B);
  err = decode_or_validate_err(&b);
  ASSERT_MSG(err, "too many locals");
  wb_free(&b);
  double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
  cr_assert(secs < 0.5, "took %.2f s: locals were materialised?", secs);
}

Test(code, local_count_is_u32) {
  wb_buf b = RAW(0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                 0x0A, 0x0C, 0x01, 0x0A, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10,
                 0x7F, 0x02, 0x7E, 0x0B);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "integer too large");
  wb_free(&b);
}

Test(code, malformed_local_type) {
  wb_buf b = RAW(0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                 0x0A, 0x06, 0x01, 0x04, 0x01, 0x01, 0x40, 0x0B);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "malformed value type");
  ASSERT_OFF(err, 24);
  wb_free(&b);
}

Test(code, body_without_end) {
  /* spec binary.wast: function with missing end marker (at EOF) */
  wb_buf b = RAW(0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                 0x0A, 0x06, 0x01, 0x04, 0x00, 0x41, 0x01, 0x1A);
  decode_or_validate_err(&b);
  wb_free(&b);
}

Test(code, entry_larger_than_section) {
  wb_buf b = RAW(0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                 0x0A, 0x04, 0x01, 0x09, 0x00, 0x0B);
  decode_err(&b);
  wb_free(&b);
}

/* ---- counts of functions and bodies -------------------------------------- */

Test(counts, function_and_code_section_lengths) {
  static const struct {
    const char *what;
    uint8_t bytes[24];
    size_t n;
  } bad[] = {
      {"code absent", {1, 4, 1, 0x60, 0, 0, 3, 3, 2, 0, 0}, 11},
      {"function absent", {0x0A, 4, 1, 2, 0, 0x0B}, 6},
      {"more functions",
       {1, 4, 1, 0x60, 0, 0, 3, 3, 2, 0, 0, 0x0A, 4, 1, 2, 0, 0x0B}, 17},
      {"more bodies",
       {1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 0x0A, 7, 2, 2, 0, 0x0B, 2, 0, 0x0B},
       19},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    wb_buf b = raw(bad[i].bytes, bad[i].n);
    wasm_error err = decode_err(&b);
    cr_assert(strstr(err.msg,
                     "function and code section have inconsistent lengths"),
              "%s: %s", bad[i].what, err.msg);
    wb_free(&b);
  }
  /* zero functions need no code section and vice versa */
  wb_buf b = RAW(0x03, 0x01, 0x00);
  wasm_module_free(decode_ok(&b));
  wb_free(&b);
  b = RAW(0x0A, 0x01, 0x00);
  wasm_module_free(decode_ok(&b));
  wb_free(&b);
}

/* ---- sections: order, duplicates, ids, sizes ----------------------------- */

Test(sections, out_of_order_offset) {
  /* type@8 function@14 type@18 */
  wb_buf b = RAW(0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x0A, 0x04, 0x01, 0x02,
                 0x00, 0x0B);
  wasm_error err = decode_err(&b);
  ASSERT_OFF(err, 18);
  wb_free(&b);

  /* memory@8 then table@11 */
  b = RAW(0x05, 0x01, 0x00, 0x04, 0x01, 0x00);
  err = decode_err(&b);
  ASSERT_OFF(err, 11);
  wb_free(&b);
}

Test(sections, duplicate) {
  wb_buf b = RAW(0x05, 0x01, 0x00, 0x05, 0x01, 0x00);
  wasm_error err = decode_err(&b);
  ASSERT_OFF(err, 11);
  wb_free(&b);
  b = RAW(0x0C, 0x01, 0x00, 0x0C, 0x01, 0x00);
  err = decode_err(&b);
  ASSERT_OFF(err, 11);
  wb_free(&b);
}

Test(sections, datacount_goes_between_element_and_code) {
  wb_buf b = wb_module();
  type_section_void(&b);
  func_section(&b, 1);
  size_t s = wb_section(&b, WB_SEC_ELEM);
  WB(&b, 0x01, 0x03, 0x00, 0x01, 0x00); /* declarative ref to func 0 */
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_DATACOUNT);
  wb_uleb(&b, 0);
  wb_end(&b, s);
  code_section_empty(&b, 1);
  s = wb_section(&b, WB_SEC_DATA);
  wb_uleb(&b, 0);
  wb_end(&b, s);
  wasm_module *m = decode_ok(&b);
  cr_assert(m->has_datacount);
  cr_assert_eq(m->nsections, 6);
  cr_assert_eq(m->sections[3].id, WB_SEC_DATACOUNT);
  validate_ok(m);
  wasm_module_free(m);
  wb_free(&b);

  /* after code: out of order (code@8, datacount@14) */
  b = RAW(0x0A, 0x01, 0x00, 0x0B, 0x01, 0x00, 0x0C, 0x01, 0x00);
  wasm_error err = decode_err(&b);
  ASSERT_OFF(err, 14);
  wb_free(&b);
  /* before element: out of order */
  b = RAW(0x0C, 0x01, 0x00, 0x09, 0x01, 0x00);
  err = decode_err(&b);
  ASSERT_OFF(err, 11);
  wb_free(&b);
}

Test(sections, malformed_id) {
  /* 13 is the tag section (exception handling) */
  static const uint8_t ids[] = {0x0E, 0x0F, 0x7F, 0x80, 0xFF};
  for (size_t i = 0; i < sizeof ids; i++) {
    wb_buf b = wb_module();
    WB(&b, ids[i], 0x00, 0x01, 0x00);
    wasm_error err = decode_err(&b);
    ASSERT_MSG(err, "malformed section id");
    ASSERT_OFF(err, 8);
    wb_free(&b);
  }
}

Test(sections, size_mismatch) {
  /* declared 5, content 4: a stray byte inside the section */
  wb_buf b = RAW(0x01, 0x05, 0x01, 0x60, 0x00, 0x00, 0x00);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "section size mismatch");
  wb_free(&b);
  /* declared 3, content needs 4 */
  b = RAW(0x01, 0x03, 0x01, 0x60, 0x00, 0x00);
  decode_err(&b);
  wb_free(&b);
  /* declared size past the end of the file */
  b = RAW(0x01, 0x7F, 0x01, 0x60, 0x00, 0x00);
  decode_err(&b);
  wb_free(&b);
  /* size itself truncated */
  b = RAW(0x01, 0x80);
  decode_err(&b);
  wb_free(&b);
  /* a start section with two indices */
  b = RAW(0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x08,
          0x02, 0x00, 0x00, 0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B);
  err = decode_err(&b);
  ASSERT_MSG(err, "section size mismatch");
  wb_free(&b);
}

Test(sections, table_of_sections) {
  wb_buf b = wb_module();
  type_section_void(&b);
  func_section(&b, 1);
  code_section_empty(&b, 1);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->nsections, 3);
  cr_assert_eq(m->sections[0].id, 1);
  cr_assert_eq(m->sections[0].offset, 8);
  cr_assert_eq(m->sections[0].size, 4);
  cr_assert_eq(m->sections[0].contents, 10);
  cr_assert_eq(m->sections[1].id, 3);
  cr_assert_eq(m->sections[1].offset, 14);
  cr_assert_eq(m->sections[2].id, 10);
  cr_assert_eq(m->sections[2].offset, 18);
  cr_assert_eq(m->sections[2].contents + m->sections[2].size, b.len);
  wasm_module_free(m);
  wb_free(&b);
}

Test(sections, multibyte_sizes_and_padded_size) {
  /* a 300-byte custom section (2-byte size) and a type section whose size
   * is written in 5 bytes */
  wb_buf b = wb_module();
  size_t s = wb_custom(&b, "big");
  for (int i = 0; i < 296; i++)
    wb_u8(&b, (uint8_t)i);
  wb_end(&b, s);
  wb_u8(&b, WB_SEC_TYPE);
  wb_uleb_wide(&b, 4, 5);
  WB(&b, 0x01, 0x60, 0x00, 0x00);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->nsections, 2);
  cr_assert_eq(m->sections[0].size, 300);
  cr_assert_eq(m->sections[0].contents, 11); /* id@8, size@9..10 */
  cr_assert_eq(m->sections[1].offset, 311);
  cr_assert_eq(m->sections[1].contents, 317);
  cr_assert_eq(m->ntypes, 1);
  wasm_module_free(m);
  wb_free(&b);
}

/* ---- hostile counts ------------------------------------------------------ */

Test(hostile, huge_vector_counts_fail_fast) {
  static const uint8_t ids[] = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (size_t i = 0; i < sizeof ids; i++) {
    wb_buf b = wb_module();
    WB(&b, ids[i], 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
    wasm_error err = decode_err(&b);
    cr_assert_eq(err.offset, 10, "section %u: offset 0x%zx (%s)", ids[i],
                 err.offset, err.msg);
    wb_free(&b);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  cr_assert(secs < 1.0, "took %.2f s", secs);
}

Test(hostile, huge_nested_counts) {
  /* each is a 20-something byte file promising ~4 billion things */
  static const struct {
    const char *what;
    uint8_t bytes[32];
    size_t n;
  } cases[] = {
      {"params", {1, 8, 1, 0x60, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0}, 10},
      {"results", {1, 8, 1, 0x60, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, 10},
      {"name length", {2, 8, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0}, 10},
      {"elem items", {9, 9, 1, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0}, 11},
      {"data bytes", {11, 8, 1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0}, 10},
      {"local groups",
       {1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 0x0A, 8, 1, 6, 0xFF, 0xFF, 0xFF,
        0xFF, 0x0F, 0x0B},
       20},
      {"br_table targets",
       {1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 0x0A, 11, 1, 9, 0, 0x41, 0, 0x0E,
        0xFF, 0xFF, 0xFF, 0xFF, 0x0F},
       23},
      {"custom name", {0, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, 7},
  };
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    wb_buf b = raw(cases[i].bytes, cases[i].n);
    wasm_error err = decode_or_validate_err(&b);
    (void)err;
    wb_free(&b);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  cr_assert(secs < 1.0, "took %.2f s", secs);
}

Test(hostile, every_truncation_of_a_rich_module_fails_cleanly) {
  /* Every proper prefix of a module is malformed, except the ones that stop
   * right at a section boundary. */
  wb_buf b = module_with_one_of_each();
  size_t s = wb_section(&b, WB_SEC_EXPORT);
  wb_uleb(&b, 1);
  wb_name(&b, "run");
  WB(&b, 0x00, 0x00);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_ELEM);
  WB(&b, 0x01, 0x00, 0x41, 0x00, 0x0B, 0x02, 0x00, 0x01);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_CODE);
  WB(&b, 0x02, 0x07, 0x01, 0x01, 0x7F, 0x41, 0x05, 0x1A, 0x0B, 0x02, 0x00,
     0x0B);
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_DATA);
  WB(&b, 0x01, 0x00, 0x41, 0x00, 0x0B, 0x02, 'o', 'k');
  wb_end(&b, s);
  wasm_module *full = decode_ok(&b);
  validate_ok(full);
  uint32_t bounds[32];
  uint32_t nb = 0;
  for (uint32_t i = 0; i < full->nsections && nb < 32; i++)
    bounds[nb++] = full->sections[i].offset;
  wasm_module_free(full);

  for (size_t len = 0; len < b.len; len++) {
    bool boundary = len == 8;
    for (uint32_t i = 0; i < nb; i++)
      boundary |= bounds[i] == len;
    wb_buf t = wb_new();
    wb_bytes(&t, b.data, len);
    wasm_error err = {0};
    wasm_module *m = wb_decode(&t, &err);
    if (boundary) {
      /* stops between sections; only the function/code count can fail */
      if (m)
        wasm_module_free(m);
    } else {
      cr_assert_null(m, "prefix of %zu bytes decoded", len);
      cr_assert(err.set);
      cr_assert_leq(err.offset, len, "prefix %zu: offset 0x%zx past the end",
                    len, err.offset);
    }
    wb_free(&t);
  }
  wb_free(&b);
}

/* ---- custom sections ----------------------------------------------------- */

Test(custom, anywhere) {
  wb_buf b = wb_module();
  size_t s = wb_custom(&b, "first");
  WB(&b, 1, 2, 3);
  wb_end(&b, s);
  type_section_void(&b);
  s = wb_custom(&b, "");
  wb_end(&b, s);
  func_section(&b, 1);
  s = wb_section(&b, WB_SEC_DATACOUNT);
  wb_uleb(&b, 0);
  wb_end(&b, s);
  s = wb_custom(&b, "between datacount and code");
  wb_end(&b, s);
  code_section_empty(&b, 1);
  s = wb_custom(&b, "last");
  WB(&b, 0xFF, 0xFF); /* payload is opaque */
  wb_end(&b, s);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->nsections, 8);
  cr_assert_eq(m->sections[0].id, 0);
  cr_assert(name_is(m->sections[0].custom_name, "first"));
  cr_assert_eq(m->sections[0].offset, 8);
  cr_assert_eq(m->sections[2].id, 0);
  cr_assert(name_is(m->sections[2].custom_name, ""));
  cr_assert(name_is(m->sections[5].custom_name, "between datacount and code"));
  cr_assert(name_is(m->sections[7].custom_name, "last"));
  cr_assert_eq(m->sections[7].contents + m->sections[7].size, b.len);
  cr_assert_eq(m->nfuncs, 1);
  validate_ok(m);
  wasm_module_free(m);
  wb_free(&b);
}

Test(custom, malformed) {
  /* no room for the name */
  wb_buf b = RAW(0x00, 0x00);
  decode_err(&b);
  wb_free(&b);
  /* name longer than the section */
  b = RAW(0x00, 0x02, 0x05, 'a', 'b', 'c', 'd', 'e');
  decode_err(&b);
  wb_free(&b);
  /* name not UTF-8 */
  b = RAW(0x00, 0x03, 0x02, 0xED, 0xA0);
  wasm_error err = decode_err(&b);
  ASSERT_MSG(err, "malformed UTF-8 encoding");
  ASSERT_OFF(err, 10);
  wb_free(&b);
}

/* ---- the name section ---------------------------------------------------- */

/* A module with one imported and two defined functions (the second has two
 * locals); `names` writes the name section's payload. */
static wb_buf module_for_names(void (*names)(wb_buf *)) {
  wb_buf b = wb_module();
  type_section_void(&b);
  size_t s = wb_section(&b, WB_SEC_IMPORT);
  wb_uleb(&b, 1);
  wb_name(&b, "env");
  wb_name(&b, "imp");
  WB(&b, 0x00, 0x00);
  wb_end(&b, s);
  func_section(&b, 2);
  s = wb_section(&b, WB_SEC_CODE);
  WB(&b, 0x02, 0x02, 0x00, 0x0B, 0x04, 0x01, 0x02, 0x7F, 0x0B);
  wb_end(&b, s);
  s = wb_custom(&b, "name");
  names(&b);
  wb_end(&b, s);
  return b;
}

static void good_names(wb_buf *b) {
  size_t s = wb_section(b, 0); /* module name */
  wb_name(b, "mymod");
  wb_end(b, s);
  s = wb_section(b, 1); /* function names */
  wb_uleb(b, 2);
  wb_uleb(b, 0);
  wb_name(b, "imp");
  wb_uleb(b, 2);
  wb_name(b, "second");
  wb_end(b, s);
  s = wb_section(b, 2); /* local names */
  wb_uleb(b, 1);
  wb_uleb(b, 2);
  wb_uleb(b, 2);
  wb_uleb(b, 0);
  wb_name(b, "x");
  wb_uleb(b, 1);
  wb_name(b, "y");
  wb_end(b, s);
}

Test(names, module_function_and_local_names) {
  wb_buf b = module_for_names(good_names);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->name_warning[0], 0, "warning: %s", m->name_warning);
  cr_assert(m->has_module_name);
  cr_assert(name_is(m->module_name, "mymod"));
  cr_assert_not_null(m->func_names);
  cr_assert(name_is(m->func_names[0], "imp"));
  cr_assert_null(m->func_names[1].str);
  cr_assert_eq(m->func_names[1].len, 0);
  cr_assert(name_is(m->func_names[2], "second"));
  cr_assert_eq(m->nlocal_names, 1);
  cr_assert_eq(m->local_names[0].func, 2);
  cr_assert_eq(m->local_names[0].count, 2);
  cr_assert_eq(m->local_names[0].names[0].index, 0);
  cr_assert(name_is(m->local_names[0].names[0].name, "x"));
  cr_assert_eq(m->local_names[0].names[1].index, 1);
  cr_assert(name_is(m->local_names[0].names[1].name, "y"));
  validate_ok(m);
  wasm_module_free(m);
  wb_free(&b);
}

static void names_with_unknown_subsection(wb_buf *b) {
  size_t s = wb_section(b, 1);
  wb_uleb(b, 1);
  wb_uleb(b, 1);
  wb_name(b, "first");
  wb_end(b, s);
  s = wb_section(b, 7); /* global names (extended name section): LLVM */
  wb_uleb(b, 1);
  wb_uleb(b, 0);
  wb_name(b, "__stack_pointer");
  wb_end(b, s);
}

Test(names, unknown_subsections_are_skipped) {
  wb_buf b = module_for_names(names_with_unknown_subsection);
  wasm_module *m = decode_ok(&b);
  cr_assert_not_null(m->func_names);
  cr_assert(name_is(m->func_names[1], "first"), "names lost: warning \"%s\"",
                m->name_warning);
  wasm_module_free(m);
  wb_free(&b);
}

static void names_truncated_subsection(wb_buf *b) {
  size_t s = wb_section(b, 0);
  wb_name(b, "mymod");
  wb_end(b, s);
  WB(b, 0x01, 0x20, 0x01, 0x00); /* promises 32 bytes, has 2 */
}

static void names_bad_utf8(wb_buf *b) {
  size_t s = wb_section(b, 0);
  wb_name(b, "mymod");
  wb_end(b, s);
  s = wb_section(b, 1);
  WB(b, 0x01, 0x01, 0x02, 0xC0, 0x80);
  wb_end(b, s);
}

static void names_trailing_bytes(wb_buf *b) {
  size_t s = wb_section(b, 0);
  wb_name(b, "mymod");
  WB(b, 0x00, 0x00); /* junk inside the subsection */
  wb_end(b, s);
}

static void names_hostile_count(wb_buf *b) {
  size_t s = wb_section(b, 1);
  WB(b, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x01, 'a');
  wb_end(b, s);
}

static void names_out_of_order_subsections(wb_buf *b) {
  size_t s = wb_section(b, 1);
  WB(b, 0x01, 0x01, 0x01, 'f');
  wb_end(b, s);
  s = wb_section(b, 0);
  wb_name(b, "late");
  wb_end(b, s);
}

Test(names, malformed_name_section_is_ignored_with_a_warning) {
  void (*bad[])(wb_buf *) = {names_truncated_subsection, names_bad_utf8,
                             names_trailing_bytes, names_hostile_count,
                             names_out_of_order_subsections};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    wb_buf b = module_for_names(bad[i]);
    wasm_module *m = decode_ok(&b);
    cr_assert_neq(m->name_warning[0], 0, "case %zu: no warning", i);
    cr_assert(memchr(m->name_warning, 0, sizeof m->name_warning));
    /* dropped as a whole: the well-formed module name is not used either */
    cr_assert(!m->has_module_name, "case %zu: module name kept", i);
    cr_assert(!m->func_names || !m->func_names[1].str,
              "case %zu: function name kept", i);
    validate_ok(m);
    wasm_module_free(m);
    wb_free(&b);
  }
}

static void names_only_module(wb_buf *b) {
  size_t s = wb_section(b, 0);
  wb_name(b, "solo");
  wb_end(b, s);
}

Test(names, a_name_section_before_the_functions_still_decodes) {
  wb_buf b = wb_module();
  size_t s = wb_custom(&b, "name");
  names_only_module(&b);
  wb_end(&b, s);
  type_section_void(&b);
  func_section(&b, 1);
  code_section_empty(&b, 1);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->nfuncs, 1);
  wasm_module_free(m);
  wb_free(&b);
}

static void names_index_out_of_range(wb_buf *b) {
  size_t s = wb_section(b, 1);
  WB(b, 0x01, 0x63, 0x01, 'z'); /* function 99 of 3 */
  wb_end(b, s);
}

static void names_empty(wb_buf *b) { (void)b; }

Test(names, index_out_of_range_is_a_warning_not_a_crash) {
  wb_buf b = module_for_names(names_index_out_of_range);
  wasm_module *m = decode_ok(&b);
  cr_assert_neq(m->name_warning[0], 0);
  for (uint32_t i = 0; m->func_names && i < m->nfuncs; i++)
    cr_assert_null(m->func_names[i].str);
  wasm_module_free(m);
  wb_free(&b);
}

Test(names, empty_name_section) {
  wb_buf b = module_for_names(names_empty);
  wasm_module *m = decode_ok(&b);
  cr_assert_eq(m->name_warning[0], 0, "warning: %s", m->name_warning);
  cr_assert(!m->has_module_name);
  cr_assert_eq(m->nlocal_names, 0);
  wasm_module_free(m);
  wb_free(&b);
}

/* ---- files, messages, inspect -------------------------------------------- */

static char *write_temp(const wb_buf *b) {
  char *path = strdup("/tmp/wasmc-unit-XXXXXX");
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  cr_assert_eq(write(fd, b->data, b->len), (ssize_t)b->len);
  close(fd);
  return path;
}

Test(files, load_file_owns_its_bytes) {
  wb_buf b = module_for_names(good_names);
  char *path = write_temp(&b);
  wasm_error err = {0};
  wasm_module *m = wasm_module_load_file(path, &err);
  cr_assert(m, "%s", err.msg);
  cr_assert_not_null(m->owned_bytes);
  cr_assert_eq(m->bytes, m->owned_bytes);
  cr_assert_eq(m->size, b.len);
  cr_assert_eq(memcmp(m->bytes, b.data, b.len), 0);
  cr_assert_str_eq(m->filename, path);
  cr_assert(name_is(m->module_name, "mymod"));
  unlink(path);
  wb_free(&b); /* the module must not depend on the caller's copy */
  validate_ok(m);
  cr_assert_eq(m->funcs[2].body[m->funcs[2].body_len - 1], 0x0B);
  wasm_module_free(m);
  free(path);
}

Test(files, load_file_errors) {
  wasm_error err = {0};
  cr_assert_null(wasm_module_load_file("/nonexistent/x.wasm", &err));
  cr_assert(err.set);
  cr_assert(strstr(err.msg, "/nonexistent/x.wasm"), "msg: %s", err.msg);

  wasm_error err2 = {0};
  cr_assert_null(wasm_module_load_file("/tmp", &err2), "a directory");
  cr_assert(err2.set);

  wb_buf b = RAW(0x01, 0x7F);
  char *path = write_temp(&b);
  wasm_error err3 = {0};
  cr_assert_null(wasm_module_load_file(path, &err3));
  cr_assert(err3.set);
  cr_assert_eq(err3.offset, 9);
  unlink(path);
  free(path);
  wb_free(&b);
}

Test(files, error_print_format) {
  wasm_error err = {0};
  cr_assert(!wasm_fail(&err, 0x1f3, "unknown local %d", 7));
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  cr_assert(f);
  wasm_error_print(f, "app.wasm", &err);
  fclose(f);
  cr_assert_str_eq(out, "app.wasm:0x1f3: error: unknown local 7\n");
  free(out);
}

Test(files, inspect_names_what_it_sees) {
  wb_buf b = module_for_names(good_names);
  wasm_module *m = decode_ok(&b);
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  cr_assert(f);
  wasm_inspect_print(f, m);
  fclose(f);
  cr_assert(strstr(out, "mymod"), "no module name in:\n%s", out);
  cr_assert(strstr(out, "imp"), "no import in:\n%s", out);
  free(out);
  wasm_module_free(m);
  wb_free(&b);
}
