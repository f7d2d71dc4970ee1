/* test_memories.c: the decoder and validator for Wasm 3.0's multiple
 * memories, memory64, table64 and relaxed SIMD (the instructions' reader
 * forms are in test_instr.c). Each test builds a small module: memories
 * and tables given as their binary limits, one function whose body is
 * checked, optionally a data or element segment. Messages are matched by
 * substring (the spec suite's wording), errors by byte offset. */
#include <criterion/criterion.h>
#include <string.h>

#include "reader.h"
#include "wasm_builder.h"

/* ---- building and checking modules --------------------------------------- */

typedef struct {
  const uint8_t *mems; /* count, then each memory's limits, as encoded */
  size_t nmems;
  const uint8_t *tables; /* count, then reftype + limits each */
  size_t ntables;
  const char *params, *results;
  const uint8_t *body; /* instructions, without locals and final end */
  size_t nbody;
  const uint8_t *data; /* the data section's contents (count first) */
  size_t ndata;
  const uint8_t *elem; /* the element section's contents */
  size_t nelem;
} spec;

static wb_buf build(const spec *sp) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_TYPE);
  wb_uleb(&b, 2);
  wb_functype(&b, sp->params ? sp->params : "", sp->results ? sp->results : "");
  wb_functype(&b, "", ""); /* for call_indirect */
  wb_end(&b, s);
  s = wb_section(&b, WB_SEC_FUNC);
  WB(&b, 1, 0);
  wb_end(&b, s);
  if (sp->ntables) {
    s = wb_section(&b, WB_SEC_TABLE);
    wb_bytes(&b, sp->tables, sp->ntables);
    wb_end(&b, s);
  }
  if (sp->nmems) {
    s = wb_section(&b, WB_SEC_MEMORY);
    wb_bytes(&b, sp->mems, sp->nmems);
    wb_end(&b, s);
  }
  if (sp->nelem) {
    s = wb_section(&b, WB_SEC_ELEM);
    wb_bytes(&b, sp->elem, sp->nelem);
    wb_end(&b, s);
  }
  if (sp->ndata) { /* memory.init needs the data count */
    s = wb_section(&b, WB_SEC_DATACOUNT);
    wb_uleb(&b, sp->data[0]);
    wb_end(&b, s);
  }
  s = wb_section(&b, WB_SEC_CODE);
  wb_uleb(&b, 1);
  size_t e = wb_begin(&b);
  wb_uleb(&b, 0);
  wb_bytes(&b, sp->body, sp->nbody);
  wb_u8(&b, 0x0B);
  wb_end(&b, e);
  wb_end(&b, s);
  if (sp->ndata) {
    s = wb_section(&b, WB_SEC_DATA);
    wb_bytes(&b, sp->data, sp->ndata);
    wb_end(&b, s);
  }
  return b;
}

typedef struct {
  bool decoded, valid;
  wasm_error err;
  wasm_module *m; /* kept when keep is set */
} result;

static result check(const spec *sp, bool keep, wb_buf *out) {
  result r;
  memset(&r, 0, sizeof r);
  *out = build(sp);
  r.m = wb_decode(out, &r.err);
  r.decoded = r.m != NULL;
  if (r.m)
    r.valid = wasm_validate(r.m, &r.err);
  if (!keep && r.m) {
    wasm_module_free(r.m);
    r.m = NULL;
  }
  return r;
}

static void expect_valid(int line, const spec *sp) {
  wb_buf b;
  result r = check(sp, false, &b);
  wb_free(&b);
  cr_assert(r.decoded && r.valid, "line %d: rejected: %s @0x%zx", line,
            r.err.msg, r.err.offset);
}

static void expect_invalid(int line, const spec *sp, const char *msg) {
  wb_buf b;
  result r = check(sp, false, &b);
  wb_free(&b);
  cr_assert(r.decoded, "line %d: decode failed: %s", line, r.err.msg);
  cr_assert(!r.valid, "line %d: accepted, expected \"%s\"", line, msg);
  cr_assert(strstr(r.err.msg, msg), "line %d: \"%s\" lacks \"%s\"", line,
            r.err.msg, msg);
}

static void expect_malformed(int line, const spec *sp, const char *msg) {
  wb_buf b;
  result r = check(sp, false, &b);
  wb_free(&b);
  cr_assert(!r.decoded, "line %d: decoded, expected \"%s\"", line, msg);
  cr_assert(strstr(r.err.msg, msg), "line %d: \"%s\" lacks \"%s\"", line,
            r.err.msg, msg);
}

#define B(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define MEMS(...) .mems = (const uint8_t[]){__VA_ARGS__}, \
    .nmems = sizeof((const uint8_t[]){__VA_ARGS__})
#define TABLES(...) .tables = (const uint8_t[]){__VA_ARGS__}, \
    .ntables = sizeof((const uint8_t[]){__VA_ARGS__})
#define BODY(...) .body = (const uint8_t[]){__VA_ARGS__}, \
    .nbody = sizeof((const uint8_t[]){__VA_ARGS__})
#define DATA(...) .data = (const uint8_t[]){__VA_ARGS__}, \
    .ndata = sizeof((const uint8_t[]){__VA_ARGS__})
#define ELEM(...) .elem = (const uint8_t[]){__VA_ARGS__}, \
    .nelem = sizeof((const uint8_t[]){__VA_ARGS__})
#define VALID(...) expect_valid(__LINE__, &(spec){__VA_ARGS__})
#define INVALID(msg, ...) expect_invalid(__LINE__, &(spec){__VA_ARGS__}, msg)
#define MALFORMED(msg, ...) expect_malformed(__LINE__, &(spec){__VA_ARGS__}, msg)

/* Memories: 0 = i32 1 page, 1 = i64 1 page (limits flags 0x04) */
#define TWO_MEMS MEMS(2, 0x00, 1, 0x04, 1)

/* ---- multiple memories ---------------------------------------------------- */

Test(multi_memory, memarg_memory_index_decodes) {
  /* i32.load flags 0x42 (align 2 + a memory index), memory 1, offset 5 */
  wb_buf b;
  result r = check(&(spec){TWO_MEMS, .params = "I", .results = "i",
                           BODY(0x20, 0, 0x28, 0x42, 0x01, 0x05)},
                   true, &b);
  cr_assert(r.valid, "%s", r.err.msg);
  wasm_reader rd = wasm_reader_make(r.m->bytes, r.m->funcs[0].body_offset,
                                    r.m->funcs[0].body_offset + 8, &r.err);
  wasm_instr in;
  cr_assert(wasm_read_instr(&rd, &in)); /* local.get */
  cr_assert(wasm_read_instr(&rd, &in));
  cr_assert_eq(in.op, WASM_OP_I32_LOAD);
  cr_assert_eq(in.imm.mem.memory, 1);
  cr_assert_eq(in.imm.mem.align, 2);
  cr_assert_eq(in.imm.mem.offset, 5);
  wasm_reader_finish(&rd);
  wasm_module_free(r.m);
  wb_free(&b);
}

Test(multi_memory, instructions_name_their_memory) {
  VALID(MEMS(2, 0x00, 1, 0x00, 1), .results = "i",
        BODY(0x41, 0, 0x28, 0x42, 0x01, 0x00)); /* i32.load 1 */
  INVALID("unknown memory 2", MEMS(2, 0x00, 1, 0x00, 1), .results = "i",
          BODY(0x41, 0, 0x28, 0x42, 0x02, 0x00));
  VALID(MEMS(2, 0x00, 1, 0x00, 1), .results = "i", BODY(0x3F, 0x01));
  INVALID("unknown memory", MEMS(1, 0x00, 1), .results = "i", BODY(0x3F, 0x01));
  /* memory.copy 1 <- 0 */
  VALID(MEMS(2, 0x00, 1, 0x00, 1),
        BODY(0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 10, 0x01, 0x00));
  INVALID("unknown memory", MEMS(2, 0x00, 1, 0x00, 1),
          BODY(0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 10, 0x00, 0x05));
}

Test(multi_memory, data_segment_for_memory_1) {
  /* flags 2: memory index 1, offset i32.const 0, 1 byte */
  VALID(MEMS(2, 0x00, 1, 0x00, 1), BODY(0x01),
        DATA(1, 0x02, 0x01, 0x41, 0, 0x0B, 1, 'x'));
  INVALID("unknown memory 3", MEMS(2, 0x00, 1, 0x00, 1), BODY(0x01),
          DATA(1, 0x02, 0x03, 0x41, 0, 0x0B, 1, 'x'));
}

/* ---- memory64 ---------------------------------------------------------------- */

Test(memory64, limits_decode_as_u64) {
  wb_buf b;
  /* flags 0x05: i64 with a maximum; min 2^33 pages does not fit a u32 */
  result r = check(&(spec){MEMS(1, 0x05, 0x80, 0x80, 0x80, 0x80, 0x20, 0x80,
                                0x80, 0x80, 0x80, 0x20),
                           BODY(0x01)},
                   true, &b);
  cr_assert(r.decoded, "%s", r.err.msg);
  cr_assert(r.valid, "%s", r.err.msg);
  cr_assert(r.m->memories[0].limits.is64);
  cr_assert_eq(r.m->memories[0].limits.min, 1ull << 33);
  cr_assert_eq(r.m->memories[0].limits.max, 1ull << 33);
  wasm_module_free(r.m);
  wb_free(&b);
}

Test(memory64, limits_bounds_and_flags) {
  /* 2^48 pages is the largest 64-bit memory; 2^48 + 1 is not */
  VALID(MEMS(1, 0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40), BODY(0x01));
  INVALID("memory size must be at most 2^48 pages",
          MEMS(1, 0x04, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40), BODY(0x01));
  INVALID("memory size must be at most 65536 pages",
          MEMS(1, 0x00, 0x81, 0x80, 0x04), BODY(0x01));
  MALFORMED("malformed limits flags", MEMS(1, 0x08, 0), BODY(0x01));
  /* shared (threads, bit 1) combines with i64 (bit 2) */
  VALID(MEMS(1, 0x07, 1, 1), BODY(0x01));
  INVALID("shared memory must have maximum", MEMS(1, 0x06, 1), BODY(0x01));
  /* a table cannot be shared */
  MALFORMED("malformed limits flags", MEMS(0), TABLES(1, 0x70, 0x02, 0),
            BODY(0x01));
}

Test(memory64, addresses_are_i64) {
  VALID(TWO_MEMS, .params = "I", .results = "I",
        BODY(0x20, 0, 0x29, 0x43, 0x01, 0x00)); /* i64.load 1 (i64 addr) */
  INVALID("type mismatch", TWO_MEMS, .params = "i", .results = "I",
          BODY(0x20, 0, 0x29, 0x43, 0x01, 0x00));
  /* memory 0 stays i32 */
  INVALID("type mismatch", TWO_MEMS, .params = "I", .results = "I",
          BODY(0x20, 0, 0x29, 0x03, 0x00));
  /* v128.store to memory 1: [i64 v128] */
  VALID(TWO_MEMS, .params = "Iv", BODY(0x20, 0, 0x20, 1, 0xFD, 11, 0x44, 0x01, 0));
  /* memory.size/grow of a 64-bit memory are i64 */
  VALID(TWO_MEMS, .results = "I", BODY(0x3F, 0x01));
  INVALID("type mismatch", TWO_MEMS, .results = "i", BODY(0x3F, 0x01));
  VALID(TWO_MEMS, .params = "I", .results = "I", BODY(0x20, 0, 0x40, 0x01));
  /* memory.fill 1: [i64 i32 i64] */
  VALID(TWO_MEMS, BODY(0x42, 0, 0x41, 0, 0x42, 0, 0xFC, 11, 0x01));
  INVALID("type mismatch", TWO_MEMS,
          BODY(0x42, 0, 0x41, 0, 0x41, 0, 0xFC, 11, 0x01));
}

Test(memory64, copy_between_32_and_64_takes_the_smaller_size) {
  /* memory.copy 1 <- 0: dst i64, src i32, n i32 */
  VALID(TWO_MEMS, BODY(0x42, 0, 0x41, 0, 0x41, 0, 0xFC, 10, 0x01, 0x00));
  INVALID("type mismatch", TWO_MEMS,
          BODY(0x42, 0, 0x41, 0, 0x42, 0, 0xFC, 10, 0x01, 0x00));
  /* 1 <- 1: all i64 */
  VALID(TWO_MEMS, BODY(0x42, 0, 0x42, 0, 0x42, 0, 0xFC, 10, 0x01, 0x01));
}

Test(memory64, offsets) {
  /* an offset of 2^32 is for 64-bit memories only */
  VALID(TWO_MEMS, .params = "I", .results = "i",
        BODY(0x20, 0, 0x28, 0x42, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10));
  INVALID("offset out of range", TWO_MEMS, .params = "i", .results = "i",
          BODY(0x20, 0, 0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10));
}

Test(memory64, data_offsets_and_memory_init) {
  VALID(MEMS(1, 0x04, 1), BODY(0x01), DATA(1, 0x00, 0x42, 0, 0x0B, 1, 'x'));
  INVALID("type mismatch", MEMS(1, 0x04, 1), BODY(0x01),
          DATA(1, 0x00, 0x41, 0, 0x0B, 1, 'x'));
  /* memory.init: [i64 dst, i32 src, i32 n] */
  VALID(MEMS(1, 0x04, 1), BODY(0x42, 0, 0x41, 0, 0x41, 0, 0xFC, 8, 0, 0),
        DATA(1, 0x01, 1, 'x'));
}

/* ---- table64 ---------------------------------------------------------------- */

/* tables: 0 = funcref i32 min 2, 1 = funcref i64 min 2 */
#define TWO_TABLES TABLES(2, 0x70, 0x00, 2, 0x70, 0x04, 2)

Test(table64, indices_are_i64) {
  VALID(TWO_TABLES, .results = "r", BODY(0x42, 0, 0x25, 1)); /* table.get 1 */
  INVALID("type mismatch", TWO_TABLES, .results = "r", BODY(0x41, 0, 0x25, 1));
  VALID(TWO_TABLES, .results = "I", BODY(0xFC, 16, 1));       /* table.size */
  VALID(TWO_TABLES, .results = "I",
        BODY(0xD0, 0x70, 0x42, 1, 0xFC, 15, 1));               /* table.grow */
  VALID(TWO_TABLES, BODY(0x42, 0, 0xD0, 0x70, 0x42, 1, 0xFC, 17, 1)); /* fill */
  VALID(TWO_TABLES, BODY(0x42, 0, 0x11, 1, 1)); /* call_indirect type 1 table 1 */
  INVALID("type mismatch", TWO_TABLES, BODY(0x41, 0, 0x11, 1, 1));
}

Test(table64, copy_mixed_and_init) {
  /* table.copy 1 <- 0: dst i64, src i32, n i32 */
  VALID(TWO_TABLES, BODY(0x42, 0, 0x41, 0, 0x41, 0, 0xFC, 14, 1, 0));
  INVALID("type mismatch", TWO_TABLES,
          BODY(0x42, 0, 0x41, 0, 0x42, 0, 0xFC, 14, 1, 0));
  /* 1 <- 1: n i64 */
  VALID(TWO_TABLES, BODY(0x42, 0, 0x42, 0, 0x42, 0, 0xFC, 14, 1, 1));
  /* elem segment 0 (passive funcref, empty) into table 1: [i64 i32 i32] */
  VALID(TWO_TABLES, BODY(0x42, 0, 0x41, 0, 0x41, 0, 0xFC, 12, 0, 1),
        ELEM(1, 0x01, 0x00, 0));
}

Test(table64, limits_and_elem_offsets) {
  /* an i64 table's bounds may exceed 2^32 */
  VALID(TABLES(1, 0x70, 0x04, 0x80, 0x80, 0x80, 0x80, 0x10), BODY(0x01));
  MALFORMED("integer too large", TABLES(1, 0x70, 0x01, 0, 0x80, 0x80, 0x80, 0x80, 0x10),
          BODY(0x01));
  /* active segment for table 1 (flags 2): offset i64.const */
  VALID(TWO_TABLES, BODY(0x01), ELEM(1, 0x02, 1, 0x42, 0, 0x0B, 0x00, 0));
  INVALID("type mismatch", TWO_TABLES, BODY(0x01),
          ELEM(1, 0x02, 1, 0x41, 0, 0x0B, 0x00, 0));
}

/* ---- relaxed SIMD ------------------------------------------------------------ */

Test(relaxed_simd, accepted_and_typed) {
  /* i8x16.relaxed_swizzle [v128 v128] -> [v128] (0xFD 256 = 0x80 0x02) */
  VALID(.params = "vv", .results = "v", BODY(0x20, 0, 0x20, 1, 0xFD, 0x80, 0x02));
  /* f32x4.relaxed_madd [v128 v128 v128] */
  VALID(.params = "vvv", .results = "v",
        BODY(0x20, 0, 0x20, 1, 0x20, 2, 0xFD, 0x85, 0x02));
  INVALID("type mismatch", .params = "vv", .results = "v",
          BODY(0x20, 0, 0x20, 1, 0xFD, 0x85, 0x02));
  /* i32x4.relaxed_dot_i8x16_i7x16_add_s (275) */
  VALID(.params = "vvv", .results = "v",
        BODY(0x20, 0, 0x20, 1, 0x20, 2, 0xFD, 0x93, 0x02));
}

Test(relaxed_simd, gc_instructions_typed_not_refused) {
  /* GC's struct.new is validated now: type 0 (the function's) is no
   * struct type */
  INVALID("struct.new needs a struct type, type 0 is a function type",
          BODY(0xFB, 0x00, 0));
}
