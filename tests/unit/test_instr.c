/* test_instr.c: the instruction reader (wasm_read_instr) over every opcode
 * form of WebAssembly 2.0 and the consistency of the opcode table
 * (wasm_opinfos). The sets of legal opcodes are written out here from the
 * spec's binary format (5.4), independently of opcodes.def. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

/* ---- helpers ------------------------------------------------------------- */

enum { AT = 2 }; /* instructions are placed at this file offset */

typedef struct {
  bool ok;
  wasm_instr in;
  wasm_error err;
  size_t len;            /* bytes consumed */
  uint32_t targets[16];  /* copy of br_table targets */
} rd;

/* Read one instruction from bytes placed at offset AT of an exact-size
 * heap buffer (so ASan sees any read past the end). */
static rd read_one(const uint8_t *p, size_t n) {
  rd out;
  memset(&out, 0, sizeof out);
  uint8_t *buf = malloc(AT + n);
  cr_assert(buf);
  memset(buf, 0xEE, AT);
  if (n)
    memcpy(buf + AT, p, n);
  wasm_reader r = wasm_reader_make(buf, AT, AT + n, &out.err);
  out.ok = wasm_read_instr(&r, &out.in);
  out.len = r.pos - AT;
  if (out.ok && wasm_opinfos[out.in.op].imm == WASM_IMM_BR_TABLE)
    for (uint32_t i = 0; i < out.in.imm.br_table.count && i < 16; i++)
      out.targets[i] = out.in.imm.br_table.targets[i];
  wasm_reader_finish(&r);
  free(buf);
  return out;
}

#define BYTES(...)                                                            \
  (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define READ(...) read_one(BYTES(__VA_ARGS__))

/* Expect success, the given opcode and all bytes consumed. */
#define EXPECT_OP(r, opcode)                                                  \
  do {                                                                        \
    cr_assert((r).ok, "read failed: %s @%zu", (r).err.msg, (r).err.offset);   \
    cr_assert_eq((r).in.op, (opcode), "got %s",                               \
                 wasm_opinfos[(r).in.op].text);                               \
  } while (0)
/* Expect failure at file offset `off` with `sub` in the message. */
#define EXPECT_FAIL(r, off, sub)                                              \
  do {                                                                        \
    cr_assert(!(r).ok, "should fail with \"%s\"", sub);                       \
    cr_assert((r).err.set);                                                   \
    cr_assert(strstr((r).err.msg, sub), "msg \"%s\" lacks \"%s\"",            \
              (r).err.msg, sub);                                              \
    cr_assert_eq((r).err.offset, (size_t)(off), "offset %zu, want %zu",       \
                 (r).err.offset, (size_t)(off));                              \
  } while (0)

static bool in_list(unsigned v, const unsigned *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (list[i] == v)
      return true;
  return false;
}

/* Wasm 3.0 single-byte codes that are not instructions (0xFB..0xFE are
 * prefixes and handled apart). */
static bool illegal_single(unsigned b) {
  return b == 0x16 || b == 0x17 || b == 0x1D || b == 0x1E || b == 0x27 ||
         (b >= 0xC5 && b <= 0xCF) || (b >= 0xD7 && b <= 0xFA) || b == 0xFF;
}
static bool is_prefix(unsigned b) { return b >= 0xFB && b <= 0xFE; }
/* The 20 SIMD codes below 256 that are not instructions. */
static const unsigned simd_gaps[] = {154, 162, 165, 166, 175, 176, 178,
                                     179, 180, 187, 194, 197, 198, 207,
                                     208, 210, 211, 212, 226, 238};
#define NGAPS (sizeof simd_gaps / sizeof *simd_gaps)

/* A well-formed encoding of opcode `op` with sample immediates. */
static size_t encode(uint16_t op, uint8_t *out) {
  const wasm_opinfo *oi = &wasm_opinfos[op];
  size_t n = 0;
  if (oi->prefix) {
    out[n++] = (uint8_t)oi->prefix;
    uint32_t c = oi->code;
    do {
      uint8_t b = c & 0x7F;
      c >>= 7;
      out[n++] = b | (c ? 0x80 : 0);
    } while (c);
  } else {
    out[n++] = (uint8_t)oi->code;
  }
  switch ((wasm_immkind)oi->imm) {
  case WASM_IMM_NONE: break;
  case WASM_IMM_BLOCKTYPE: out[n++] = 0x40; break;
  case WASM_IMM_INDEX: out[n++] = 0x05; break;
  case WASM_IMM_INDEX2: out[n++] = 0x01; out[n++] = 0x02; break;
  case WASM_IMM_INDEX_MEMORY: out[n++] = 0x03; out[n++] = 0x00; break;
  case WASM_IMM_MEMORY: out[n++] = 0x00; break;
  case WASM_IMM_MEMORY2: out[n++] = 0x00; out[n++] = 0x00; break;
  case WASM_IMM_BR_TABLE:
    out[n++] = 2; out[n++] = 0; out[n++] = 1; out[n++] = 2;
    break;
  case WASM_IMM_SELECT_T: out[n++] = 1; out[n++] = 0x7F; break;
  case WASM_IMM_REFTYPE: out[n++] = 0x70; break;
  case WASM_IMM_MEMARG: out[n++] = 0x02; out[n++] = 0x10; break;
  case WASM_IMM_MEMARG_LANE:
    out[n++] = 0x00; out[n++] = 0x04; out[n++] = 0x01;
    break;
  case WASM_IMM_I32: out[n++] = 0x7F; break;
  case WASM_IMM_I64: out[n++] = 0x7E; break;
  case WASM_IMM_F32: memset(out + n, 0x11, 4); n += 4; break;
  case WASM_IMM_F64: memset(out + n, 0x22, 8); n += 8; break;
  case WASM_IMM_V128:
  case WASM_IMM_SHUFFLE:
    for (int i = 0; i < 16; i++)
      out[n++] = (uint8_t)i;
    break;
  case WASM_IMM_LANE: out[n++] = 0x03; break;
  case WASM_IMM_TRY_TABLE:
    out[n++] = 0x40; out[n++] = 2;
    out[n++] = WASM_CATCH; out[n++] = 0; out[n++] = 1;
    out[n++] = WASM_CATCH_ALL_REF; out[n++] = 0;
    break;
  case WASM_IMM_HEAPTYPE: out[n++] = 0x6E; break;
  case WASM_IMM_BR_ON_CAST:
    out[n++] = 3; out[n++] = 0; out[n++] = 0x6E; out[n++] = 0x01;
    break;
  case WASM_IMM_FENCE: out[n++] = 0x00; break;
  }
  return n;
}

/* ---- the opcode table ---------------------------------------------------- */

Test(opinfo, no_two_opcodes_share_an_encoding) {
  for (unsigned a = 0; a < WASM_OP_COUNT; a++)
    for (unsigned b = a + 1; b < WASM_OP_COUNT; b++)
      cr_assert(wasm_opinfos[a].prefix != wasm_opinfos[b].prefix ||
                    wasm_opinfos[a].code != wasm_opinfos[b].code,
                "%s and %s share prefix 0x%x code %u", wasm_opinfos[a].text,
                wasm_opinfos[b].text, wasm_opinfos[a].prefix,
                wasm_opinfos[a].code);
}

Test(opinfo, texts_are_unique) {
  /* The exceptions the text format itself makes: `select` and
   * `select (result t)` are both written "select", and so on. */
  for (unsigned a = 0; a < WASM_OP_COUNT; a++) {
    cr_assert(wasm_opinfos[a].text && wasm_opinfos[a].text[0]);
    for (unsigned b = a + 1; b < WASM_OP_COUNT; b++) {
      if (a == WASM_OP_SELECT && b == WASM_OP_SELECT_T)
        continue;
      /* ref.test/ref.cast (ref ht) and (ref null ht): the operand decides */
      if ((a == WASM_OP_REF_TEST && b == WASM_OP_REF_TEST_NULL) ||
          (a == WASM_OP_REF_CAST && b == WASM_OP_REF_CAST_NULL))
        continue;
      cr_assert(strcmp(wasm_opinfos[a].text, wasm_opinfos[b].text) != 0,
                "opcodes %u and %u are both \"%s\"", a, b,
                wasm_opinfos[a].text);
    }
  }
  cr_assert_str_eq(wasm_opinfos[WASM_OP_SELECT_T].text, "select");
}

Test(opinfo, prefixes_codes_and_signatures_are_well_formed) {
  unsigned fb = 0, fc = 0, fd = 0, fe = 0;
  for (unsigned op = 0; op < WASM_OP_COUNT; op++) {
    const wasm_opinfo *oi = &wasm_opinfos[op];
    cr_assert(oi->prefix == 0 || is_prefix(oi->prefix), "%s: prefix 0x%x",
              oi->text, oi->prefix);
    if (oi->prefix == 0)
      cr_assert(oi->code < 256 && !is_prefix(oi->code), "%s: code %u",
                oi->text, oi->code);
    if (oi->prefix == 0xFB) {
      fb++;
      cr_assert(oi->code < 31, "%s: code %u", oi->text, oi->code);
    }
    if (oi->prefix == 0xFC) {
      fc++;
      cr_assert(oi->code < 18, "%s: code %u", oi->text, oi->code);
    }
    if (oi->prefix == 0xFD) {
      fd++;
      cr_assert(oi->code < 0x114, "%s: code %u", oi->text, oi->code);
    }
    if (oi->prefix == 0xFE) {
      fe++;
      cr_assert(oi->code < 0x4F && (oi->code < 4 || oi->code >= 0x10),
                "%s: code %u", oi->text, oi->code);
    }
    cr_assert(oi->imm <= WASM_IMM_FENCE, "%s: imm %u", oi->text, oi->imm);
    /* a post-2.0 instruction names its feature, a 2.0 one none */
    cr_assert((op >= WASM_OP_THROW) == (wasm_op_feature((uint16_t)op) != NULL),
              "%s: feature", oi->text);
    if (oi->sig) {
      const char *u = strchr(oi->sig, '_');
      cr_assert(u && !strchr(u + 1, '_'), "%s: sig \"%s\"", oi->text, oi->sig);
      for (const char *c = oi->sig; *c; c++)
        cr_assert(*c == '_' || strchr("iIfFv", *c), "%s: sig \"%s\"", oi->text,
                  oi->sig);
    }
  }
  cr_assert_eq(fb, 31, "0xFB instructions: %u", fb);
  cr_assert_eq(fc, 18, "0xFC instructions: %u", fc);
  cr_assert_eq(fd, 256 - NGAPS + 20, "0xFD instructions: %u", fd);
  cr_assert_eq(fe, 4 + 0x3F, "0xFE instructions: %u", fe);
  cr_assert_str_eq(wasm_op_feature(WASM_OP_TRY), "exception handling");
  cr_assert_str_eq(wasm_op_feature(WASM_OP_I64_ATOMIC_RMW32_CMPXCHG_U),
                   "threads");
  cr_assert_str_eq(wasm_op_feature(WASM_OP_I31_GET_U), "GC");
}

Test(opinfo, aux_matches_the_instruction_name) {
  for (unsigned op = 0; op < WASM_OP_COUNT; op++) {
    const wasm_opinfo *oi = &wasm_opinfos[op];
    if (oi->imm == WASM_IMM_LANE) {
      unsigned lanes = !strncmp(oi->text, "i8x16", 5)   ? 16
                       : !strncmp(oi->text, "i16x8", 5) ? 8
                       : !strncmp(oi->text + 1, "32x4", 4) ? 4
                       : !strncmp(oi->text + 1, "64x2", 4) ? 2
                                                           : 0;
      cr_assert_eq(oi->aux, lanes, "%s: aux %u", oi->text, oi->aux);
    }
    if (oi->imm == WASM_IMM_MEMARG || oi->imm == WASM_IMM_MEMARG_LANE)
      cr_assert(oi->aux <= 4, "%s: alignment %u", oi->text, oi->aux);
  }
  /* natural alignments, spot checks from the spec's memarg table */
  cr_assert_eq(wasm_opinfos[WASM_OP_I32_LOAD].aux, 2);
  cr_assert_eq(wasm_opinfos[WASM_OP_I64_LOAD].aux, 3);
  cr_assert_eq(wasm_opinfos[WASM_OP_I64_LOAD32_U].aux, 2);
  cr_assert_eq(wasm_opinfos[WASM_OP_I32_STORE16].aux, 1);
  cr_assert_eq(wasm_opinfos[WASM_OP_I64_STORE8].aux, 0);
  cr_assert_eq(wasm_opinfos[WASM_OP_V128_LOAD].aux, 4);
  cr_assert_eq(wasm_opinfos[WASM_OP_V128_LOAD16X4_U].aux, 3);
  cr_assert_eq(wasm_opinfos[WASM_OP_V128_LOAD32_SPLAT].aux, 2);
  cr_assert_eq(wasm_opinfos[WASM_OP_V128_LOAD64_ZERO].aux, 3);
  cr_assert_eq(wasm_opinfos[WASM_OP_V128_STORE16_LANE].aux, 1);
}

/* ---- every opcode, legal or not ------------------------------------------ */

Test(instr, every_table_entry_reads_back) {
  uint8_t buf[64];
  for (uint16_t op = 0; op < WASM_OP_COUNT; op++) {
    size_t n = encode(op, buf);
    rd r = read_one(buf, n);
    cr_assert(r.ok, "%s: %s", wasm_opinfos[op].text, r.err.msg);
    cr_assert_eq(r.in.op, op, "%s read as %s", wasm_opinfos[op].text,
                 wasm_opinfos[r.in.op].text);
    cr_assert_eq(r.len, n, "%s: consumed %zu of %zu", wasm_opinfos[op].text,
                 r.len, n);
    cr_assert_eq(r.in.offset, AT);
  }
}

Test(instr, single_byte_opcodes_match_the_spec) {
  for (unsigned b = 0; b < 256; b++) {
    if (is_prefix(b))
      continue;
    int found = -1;
    for (unsigned op = 0; op < WASM_OP_COUNT; op++)
      if (wasm_opinfos[op].prefix == 0 && wasm_opinfos[op].code == b)
        found = (int)op;
    if (illegal_single(b)) {
      cr_assert_eq(found, -1, "0x%02x is not a Wasm 3.0 opcode", b);
      rd r = read_one((uint8_t[]){(uint8_t)b, 0, 0, 0}, 4);
      EXPECT_FAIL(r, AT, "illegal opcode");
    } else {
      cr_assert_neq(found, -1, "0x%02x is missing from opcodes.def", b);
    }
  }
}

Test(instr, prefixed_opcodes_match_the_spec) {
  for (unsigned c = 0; c < 300; c++) {
    for (unsigned prefix = 0xFB; prefix <= 0xFE; prefix++) {
      bool legal = prefix == 0xFB   ? c < 31
                   : prefix == 0xFC ? c < 18
                   : prefix == 0xFD ? (c < 256 && !in_list(c, simd_gaps, NGAPS)) ||
                                          (c >= 0x100 && c < 0x114)
                                    : c < 4 || (c >= 0x10 && c < 0x4F);
      int found = -1;
      for (unsigned op = 0; op < WASM_OP_COUNT; op++)
        if (wasm_opinfos[op].prefix == prefix && wasm_opinfos[op].code == c)
          found = (int)op;
      cr_assert_eq(found != -1, legal, "0x%02x %u: legal=%d in table=%d",
                   prefix, c, legal, found != -1);
      if (!legal) {
        uint8_t buf[8] = {(uint8_t)prefix, (uint8_t)(c | 0x80),
                          (uint8_t)(c >> 7), 0, 0, 0, 0, 0};
        rd r = read_one(buf, sizeof buf);
        EXPECT_FAIL(r, AT, "illegal opcode");
      }
    }
  }
}

Test(instr, illegal_opcodes_named_in_the_brief) {
  rd r = READ(0x16);
  EXPECT_FAIL(r, AT, "illegal opcode");
  r = READ(0xFC, 18);
  EXPECT_FAIL(r, AT, "illegal opcode");
  r = READ(0xFD, 0x9A, 0x01); /* 154 */
  EXPECT_FAIL(r, AT, "illegal opcode");
  r = READ(0xFD, 0x94, 0x02); /* 0x114, past relaxed SIMD */
  EXPECT_FAIL(r, AT, "illegal opcode");
  r = READ(0xFE, 0x04); /* between fence and the atomic accesses */
  EXPECT_FAIL(r, AT, "illegal opcode");
  r = READ(0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F); /* u32 max */
  EXPECT_FAIL(r, AT, "illegal opcode");
}

/* ---- prefixes ------------------------------------------------------------ */

Test(instr, prefixed_code_may_be_a_multibyte_leb) {
  rd r = READ(0xFC, 0x80, 0x00); /* 0 in two bytes */
  EXPECT_OP(r, WASM_OP_I32_TRUNC_SAT_F32_S);
  cr_assert_eq(r.len, 3);

  r = READ(0xFC, 0x88, 0x80, 0x80, 0x80, 0x00, 0x07, 0x00); /* 8 in 5 bytes */
  EXPECT_OP(r, WASM_OP_MEMORY_INIT);
  cr_assert_eq(r.in.imm.index2.a, 7);
  cr_assert_eq(r.len, 8);

  r = READ(0xFD, 0x8C, 0x01); /* 140 */
  EXPECT_OP(r, WASM_OP_I16X8_SHR_S);

  r = READ(0xFD, 0xFF, 0x01); /* 255 */
  EXPECT_OP(r, WASM_OP_F64X2_CONVERT_LOW_I32X4_U);

  r = READ(0xFD, 0x8C, 0x80, 0x00, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
           13, 14, 15); /* v128.const, code 12 in 3 bytes */
  EXPECT_OP(r, WASM_OP_V128_CONST);
  cr_assert_eq(r.in.imm.v128[15], 15);
  cr_assert_eq(r.len, 20);
}

Test(instr, malformed_prefixed_code) {
  rd r = READ(0xFC, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00); /* 6 bytes */
  EXPECT_FAIL(r, AT + 1, "integer representation too long");
  r = READ(0xFD, 0x80, 0x80, 0x80, 0x80, 0x10); /* unused bits */
  EXPECT_FAIL(r, AT + 1, "integer too large");
  r = READ(0xFD);
  EXPECT_FAIL(r, AT + 1, "unexpected end");
  r = READ(0xFC, 0x80);
  EXPECT_FAIL(r, AT + 1, "unexpected end");
}

/* ---- immediates ---------------------------------------------------------- */

Test(instr, no_immediate) {
  rd r = READ(0x6A, 0x6A);
  EXPECT_OP(r, WASM_OP_I32_ADD);
  cr_assert_eq(r.len, 1, "reads exactly one instruction");
  r = READ(0x0B);
  EXPECT_OP(r, WASM_OP_END);
  r = READ(0x1B);
  EXPECT_OP(r, WASM_OP_SELECT);
  r = READ(0xD1);
  EXPECT_OP(r, WASM_OP_REF_IS_NULL);
}

Test(instr, constants) {
  rd r = READ(0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x07);
  EXPECT_OP(r, WASM_OP_I32_CONST);
  cr_assert_eq(r.in.imm.i32, INT32_MAX);
  r = READ(0x41, 0x80, 0x80, 0x80, 0x80, 0x78);
  cr_assert_eq(r.in.imm.i32, INT32_MIN);
  r = READ(0x41, 0x7F);
  cr_assert_eq(r.in.imm.i32, -1);
  r = READ(0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F); /* unused bits unset */
  EXPECT_FAIL(r, AT + 1, "integer too large");
  r = READ(0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
  EXPECT_FAIL(r, AT + 1, "integer representation too long");

  r = READ(0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F);
  EXPECT_OP(r, WASM_OP_I64_CONST);
  cr_assert_eq(r.in.imm.i64, INT64_MIN);
  r = READ(0x42, 0x80, 0x80, 0x80, 0x80, 0x10);
  cr_assert_eq(r.in.imm.i64, 1ll << 32);

  r = READ(0x43, 0x00, 0x00, 0x80, 0x3F);
  EXPECT_OP(r, WASM_OP_F32_CONST);
  cr_assert_eq(r.in.imm.f32_bits, 0x3F800000u);
  r = READ(0x43, 0x01, 0x00, 0xC0, 0x7F); /* a NaN payload survives */
  cr_assert_eq(r.in.imm.f32_bits, 0x7FC00001u);
  r = READ(0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F);
  EXPECT_OP(r, WASM_OP_F64_CONST);
  cr_assert_eq(r.in.imm.f64_bits, 0x3FF0000000000000ull);

  r = READ(0xFD, 0x0C, 0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
           0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF);
  EXPECT_OP(r, WASM_OP_V128_CONST);
  for (int i = 0; i < 16; i++)
    cr_assert_eq(r.in.imm.v128[i], 0xF0 + i);
}

Test(instr, truncated_immediates) {
  rd r = READ(0x41);
  EXPECT_FAIL(r, AT + 1, "unexpected end");
  r = READ(0x43, 0x00, 0x00, 0x80);
  EXPECT_FAIL(r, AT + 1, "unexpected end");
  r = READ(0x44, 0, 0, 0, 0, 0, 0, 0);
  EXPECT_FAIL(r, AT + 1, "unexpected end");
  r = READ(0xFD, 0x0C, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
  EXPECT_FAIL(r, AT + 2, "unexpected end");
  r = READ(0x28, 0x02);
  EXPECT_FAIL(r, AT + 2, "unexpected end");
  r = READ(0x10);
  EXPECT_FAIL(r, AT + 1, "unexpected end");
  r = READ(0x11, 0x00);
  EXPECT_FAIL(r, AT + 2, "unexpected end");
  r = READ(0xFD, 21);
  EXPECT_FAIL(r, AT + 2, "unexpected end");
  r = READ(0xFD, 84, 0x00, 0x00);
  EXPECT_FAIL(r, AT + 4, "unexpected end");
  r = read_one(NULL, 0);
  EXPECT_FAIL(r, AT, "unexpected end");
}

Test(instr, indices) {
  rd r = READ(0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
  EXPECT_OP(r, WASM_OP_LOCAL_GET);
  cr_assert_eq(r.in.imm.index, UINT32_MAX);
  r = READ(0x10, 0x80, 0x01);
  EXPECT_OP(r, WASM_OP_CALL);
  cr_assert_eq(r.in.imm.index, 128);
  r = READ(0x24, 0x03);
  EXPECT_OP(r, WASM_OP_GLOBAL_SET);
  cr_assert_eq(r.in.imm.index, 3);
  r = READ(0xD2, 0x07);
  EXPECT_OP(r, WASM_OP_REF_FUNC);
  cr_assert_eq(r.in.imm.index, 7);
  r = READ(0xFC, 9, 0x02);
  EXPECT_OP(r, WASM_OP_DATA_DROP);
  cr_assert_eq(r.in.imm.index, 2);
  r = READ(0xFC, 16, 0x01);
  EXPECT_OP(r, WASM_OP_TABLE_SIZE);
  cr_assert_eq(r.in.imm.index, 1);
  r = READ(0x0C, 0x80, 0x80, 0x80, 0x80, 0x10); /* label: too large */
  EXPECT_FAIL(r, AT + 1, "integer too large");
}

Test(instr, two_indices) {
  rd r = READ(0x11, 0x03, 0x01); /* call_indirect type 3, table 1 */
  EXPECT_OP(r, WASM_OP_CALL_INDIRECT);
  cr_assert_eq(r.in.imm.index2.a, 3);
  cr_assert_eq(r.in.imm.index2.b, 1);
  /* Wasm 2.0: the table is an index, no longer a reserved zero byte */
  r = READ(0x11, 0x00, 0x80, 0x01);
  cr_assert_eq(r.in.imm.index2.b, 128);

  r = READ(0xFC, 12, 0x04, 0x02); /* table.init elem 4, table 2 */
  EXPECT_OP(r, WASM_OP_TABLE_INIT);
  cr_assert_eq(r.in.imm.index2.a, 4);
  cr_assert_eq(r.in.imm.index2.b, 2);
  r = READ(0xFC, 14, 0x01, 0x00); /* table.copy dst 1, src 0 */
  EXPECT_OP(r, WASM_OP_TABLE_COPY);
  cr_assert_eq(r.in.imm.index2.a, 1);
  cr_assert_eq(r.in.imm.index2.b, 0);
}

Test(instr, br_table_targets) {
  rd r = READ(0x0E, 0x03, 0x00, 0x81, 0x01, 0x02, 0x05);
  EXPECT_OP(r, WASM_OP_BR_TABLE);
  cr_assert_eq(r.in.imm.br_table.count, 3);
  cr_assert_eq(r.targets[0], 0);
  cr_assert_eq(r.targets[1], 129);
  cr_assert_eq(r.targets[2], 2);
  cr_assert_eq(r.in.imm.br_table.default_target, 5);
  cr_assert_eq(r.len, 7);

  r = READ(0x0E, 0x00, 0x04); /* only a default */
  EXPECT_OP(r, WASM_OP_BR_TABLE);
  cr_assert_eq(r.in.imm.br_table.count, 0);
  cr_assert_eq(r.in.imm.br_table.default_target, 4);
}

Test(instr, br_table_many_targets_and_reuse_of_scratch) {
  /* 1000 targets: the scratch buffer grows; a second read reuses it */
  uint8_t buf[1 + 2 + 1000 * 2 + 1];
  size_t n = 0;
  buf[n++] = 0x0E;
  buf[n++] = 0xE8; /* 1000 */
  buf[n++] = 0x07;
  for (unsigned i = 0; i < 1000; i++) {
    buf[n++] = (uint8_t)(0x80 | (i & 0x7F));
    buf[n++] = (uint8_t)(i >> 7);
  }
  buf[n++] = 0x09;
  wasm_error err = {0};
  wasm_reader rdr = wasm_reader_make(buf, 0, n, &err);
  wasm_instr in;
  cr_assert(wasm_read_instr(&rdr, &in), "%s", err.msg);
  cr_assert_eq(in.imm.br_table.count, 1000);
  for (unsigned i = 0; i < 1000; i++)
    cr_assert_eq(in.imm.br_table.targets[i], i);
  cr_assert_eq(in.imm.br_table.default_target, 9);
  rdr.pos = 0;
  cr_assert(wasm_read_instr(&rdr, &in));
  cr_assert_eq(in.imm.br_table.targets[999], 999);
  wasm_reader_finish(&rdr);
}

Test(instr, br_table_hostile_count_and_truncation) {
  rd r = READ(0x0E, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x00);
  cr_assert(!r.ok, "0xFFFFFFFF targets in 2 bytes");
  cr_assert_eq(r.err.offset, AT + 1);
  r = READ(0x0E, 0x02, 0x00, 0x01); /* default missing */
  EXPECT_FAIL(r, AT + 4, "unexpected end");
}

Test(instr, select_t) {
  rd r = READ(0x1C, 0x01, 0x7F);
  EXPECT_OP(r, WASM_OP_SELECT_T);
  cr_assert_eq(r.in.imm.select.count, 1);
  cr_assert_eq(r.in.imm.select.type, WASM_I32);
  r = READ(0x1C, 0x01, 0x6F);
  cr_assert_eq(r.in.imm.select.type, WASM_EXTERNREF);
  r = READ(0x1C, 0x01, 0x7B);
  cr_assert_eq(r.in.imm.select.type, WASM_V128);
  /* count 0 and 2 are well-formed binary; the validator rejects them */
  r = READ(0x1C, 0x00);
  EXPECT_OP(r, WASM_OP_SELECT_T);
  cr_assert_eq(r.in.imm.select.count, 0);
  r = READ(0x1C, 0x02, 0x7F, 0x7E);
  EXPECT_OP(r, WASM_OP_SELECT_T);
  cr_assert_eq(r.in.imm.select.count, 2);
  cr_assert_eq(r.len, 4);

  r = READ(0x1C, 0x01, 0x40);
  EXPECT_FAIL(r, AT + 2, "malformed value type");
  r = READ(0x1C, 0x01); /* the type is missing */
  cr_assert(!r.ok);
  cr_assert(r.err.offset == AT + 1 || r.err.offset == AT + 2);
}

Test(instr, reftype) {
  rd r = READ(0xD0, 0x70);
  EXPECT_OP(r, WASM_OP_REF_NULL);
  cr_assert_eq(r.in.imm.reftype, WASM_FUNCREF);
  r = READ(0xD0, 0x6F);
  cr_assert_eq(r.in.imm.reftype, WASM_EXTERNREF);
  /* Wasm 3.0: the immediate is a heap type, kept as (ref null ht) */
  r = READ(0xD0, 0x6E);
  cr_assert_eq(r.in.imm.reftype, WASM_HT_ANY);
  r = READ(0xD0, 0x05);
  cr_assert_eq(r.in.imm.reftype, wasm_vt_ref(true, WASM_HT_INDEX + 5));
  r = READ(0xD0, 0x7F);
  EXPECT_FAIL(r, AT + 1, "malformed heap type");
  r = READ(0xD0, 0x40);
  EXPECT_FAIL(r, AT + 1, "malformed heap type");
}

Test(instr, memarg) {
  rd r = READ(0x28, 0x02, 0x10);
  EXPECT_OP(r, WASM_OP_I32_LOAD);
  cr_assert_eq(r.in.imm.mem.align, 2);
  cr_assert_eq(r.in.imm.mem.offset, 16);
  cr_assert_eq(r.in.imm.mem.memory, 0);
  r = READ(0x37, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
  EXPECT_OP(r, WASM_OP_I64_STORE);
  cr_assert_eq(r.in.imm.mem.offset, UINT32_MAX);
  /* an alignment larger than natural is well-formed (validation rejects) */
  r = READ(0x28, 0x1F, 0x00);
  EXPECT_OP(r, WASM_OP_I32_LOAD);
  cr_assert_eq(r.in.imm.mem.align, 31);
  /* offsets are u32 in Wasm 2.0 */
  r = READ(0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10);
  EXPECT_FAIL(r, AT + 2, "integer too large");
  r = READ(0x28, 0x82, 0x80, 0x80, 0x80, 0x10, 0x00);
  EXPECT_FAIL(r, AT + 1, "integer too large");

  r = READ(0xFD, 0x00, 0x04, 0x00);
  EXPECT_OP(r, WASM_OP_V128_LOAD);
  cr_assert_eq(r.in.imm.mem.align, 4);
}

Test(instr, memarg_with_lane_and_lanes) {
  rd r = READ(0xFD, 84, 0x00, 0x08, 0x0F); /* v128.load8_lane a=0 o=8 lane 15 */
  EXPECT_OP(r, WASM_OP_V128_LOAD8_LANE);
  cr_assert_eq(r.in.imm.mem.align, 0);
  cr_assert_eq(r.in.imm.mem.offset, 8);
  cr_assert_eq(r.in.imm.mem.lane, 15);
  r = READ(0xFD, 91, 0x03, 0x00, 0x01);
  EXPECT_OP(r, WASM_OP_V128_STORE64_LANE);
  cr_assert_eq(r.in.imm.mem.lane, 1);
  /* lane indices are a byte; the range check is the validator's */
  r = READ(0xFD, 21, 0x0F);
  EXPECT_OP(r, WASM_OP_I8X16_EXTRACT_LANE_S);
  cr_assert_eq(r.in.imm.lane, 15);
  r = READ(0xFD, 33, 0xFF);
  EXPECT_OP(r, WASM_OP_F64X2_EXTRACT_LANE);
  cr_assert_eq(r.in.imm.lane, 255);
  cr_assert_eq(r.len, 3);
}

Test(instr, shuffle) {
  rd r = READ(0xFD, 13, 0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14,
              31);
  EXPECT_OP(r, WASM_OP_I8X16_SHUFFLE);
  cr_assert_eq(r.in.imm.v128[1], 17);
  cr_assert_eq(r.in.imm.v128[15], 31);
  cr_assert_eq(r.len, 18);
  /* an index >= 32 is well-formed; the validator rejects it */
  r = READ(0xFD, 13, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  EXPECT_OP(r, WASM_OP_I8X16_SHUFFLE);
  cr_assert_eq(r.in.imm.v128[0], 32);
}

/* ---- block types --------------------------------------------------------- */

Test(instr, blocktype_empty_and_valtypes) {
  rd r = READ(0x02, 0x40);
  EXPECT_OP(r, WASM_OP_BLOCK);
  cr_assert_eq(r.in.imm.block.kind, WASM_BLOCK_EMPTY);
  const uint8_t vts[] = {0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F};
  for (size_t i = 0; i < sizeof vts; i++) {
    r = read_one((uint8_t[]){0x03, vts[i]}, 2);
    EXPECT_OP(r, WASM_OP_LOOP);
    cr_assert_eq(r.in.imm.block.kind, WASM_BLOCK_VALTYPE, "0x%02x", vts[i]);
    cr_assert_eq(r.in.imm.block.valtype, vts[i]);
    cr_assert_eq(r.len, 2);
  }
  r = READ(0x04, 0x7E);
  EXPECT_OP(r, WASM_OP_IF);
  cr_assert_eq(r.in.imm.block.valtype, WASM_I64);
}

Test(instr, blocktype_type_index) {
  rd r = READ(0x02, 0x00);
  cr_assert_eq(r.in.imm.block.kind, WASM_BLOCK_TYPEIDX);
  cr_assert_eq(r.in.imm.block.typeidx, 0);
  r = READ(0x02, 0x3F);
  cr_assert_eq(r.in.imm.block.kind, WASM_BLOCK_TYPEIDX);
  cr_assert_eq(r.in.imm.block.typeidx, 63);
  r = READ(0x02, 0xC0, 0x00); /* 64 needs two bytes in s33 */
  cr_assert_eq(r.in.imm.block.kind, WASM_BLOCK_TYPEIDX);
  cr_assert_eq(r.in.imm.block.typeidx, 64);
  r = READ(0x02, 0x80, 0x80, 0x00); /* padded 0 */
  cr_assert_eq(r.in.imm.block.kind, WASM_BLOCK_TYPEIDX);
  cr_assert_eq(r.in.imm.block.typeidx, 0);
  r = READ(0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F); /* s33 2^32-1 */
  EXPECT_OP(r, WASM_OP_BLOCK);
  cr_assert_eq(r.in.imm.block.kind, WASM_BLOCK_TYPEIDX);
  cr_assert_eq(r.in.imm.block.typeidx, UINT32_MAX);
}

Test(instr, blocktype_negative_garbage) {
  /* single bytes in the negative s33 range that are neither 0x40 nor a
   * value type */
  const uint8_t bad[] = {0x41, 0x60, 0x65, 0x62, 0x7A, 0x50};
  for (size_t i = 0; i < sizeof bad; i++) {
    rd r = read_one((uint8_t[]){0x02, bad[i]}, 2);
    cr_assert(!r.ok, "blocktype 0x%02x accepted", bad[i]);
    cr_assert_eq(r.err.offset, AT + 1);
  }
  /* Wasm 3.0 reference types: the shorthands and 0x64/0x63 + heap type */
  rd ok = READ(0x02, 0x6E);
  cr_assert_eq(ok.in.imm.block.kind, WASM_BLOCK_VALTYPE);
  cr_assert_eq(ok.in.imm.block.valtype, WASM_HT_ANY);
  ok = READ(0x02, 0x64, 0x70);
  cr_assert_eq(ok.in.imm.block.valtype, wasm_vt_ref(false, WASM_HT_FUNC));
  ok = READ(0x02, 0x63, 0x03);
  cr_assert_eq(ok.in.imm.block.valtype, wasm_vt_ref(true, WASM_HT_INDEX + 3));
  /* value types and 0x40 are single bytes, not any s33 with those low bits */
  rd r = READ(0x02, 0xFF, 0x7F); /* -1 in two bytes: not "i32" */
  cr_assert(!r.ok, "two-byte -1 accepted as a block type");
  r = READ(0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F); /* -1 in five bytes */
  cr_assert(!r.ok, "five-byte -1 accepted as a block type");
  r = READ(0x02, 0x80, 0x80, 0x80, 0x80, 0x70); /* -2^32 */
  cr_assert(!r.ok, "-2^32 accepted as a block type");
  r = READ(0x02);
  EXPECT_FAIL(r, AT + 1, "unexpected end");
  r = READ(0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
  EXPECT_FAIL(r, AT + 1, "integer representation too long");
}

Test(instr, blocktype_empty_must_be_the_single_byte_0x40) {
  /* -64 in two bytes: as s33 it is negative, so not a type index, and it
   * is not the byte 0x40 either (spec 5.4.1: blocktype ::= 0x40 | valtype
   * | s33 with x >= 0). */
  rd r = READ(0x02, 0xC0, 0x7F);
  cr_assert(!r.ok, "two-byte -64 accepted as the empty block type");
  /* -192: its low seven bits are 0x40 as well */
  r = READ(0x02, 0xC0, 0x7E);
  cr_assert(!r.ok, "-192 accepted as the empty block type");
}

/* ---- reserved zero bytes ------------------------------------------------- */

Test(instr, memory_size_and_grow_zero_byte) {
  rd r = READ(0x3F, 0x00);
  EXPECT_OP(r, WASM_OP_MEMORY_SIZE);
  cr_assert_eq(r.in.imm.index, 0);
  cr_assert_eq(r.len, 2);
  r = READ(0x40, 0x00);
  EXPECT_OP(r, WASM_OP_MEMORY_GROW);
  r = READ(0x3F, 0x01);
  EXPECT_FAIL(r, AT + 1, "zero byte expected");
  r = READ(0x40, 0x01);
  EXPECT_FAIL(r, AT + 1, "zero byte expected");
  /* the reserved byte is a byte, not a LEB128: 0x80 0x00 is malformed */
  r = READ(0x3F, 0x80, 0x00);
  EXPECT_FAIL(r, AT + 1, "zero byte expected");
  r = READ(0x3F);
  EXPECT_FAIL(r, AT + 1, "unexpected end");
}

Test(instr, bulk_memory_zero_bytes) {
  rd r = READ(0xFC, 10, 0x00, 0x00);
  EXPECT_OP(r, WASM_OP_MEMORY_COPY);
  cr_assert_eq(r.len, 4);
  r = READ(0xFC, 10, 0x01, 0x00);
  EXPECT_FAIL(r, AT + 2, "zero byte expected");
  r = READ(0xFC, 10, 0x00, 0x01);
  EXPECT_FAIL(r, AT + 3, "zero byte expected");
  r = READ(0xFC, 10, 0x00);
  EXPECT_FAIL(r, AT + 3, "unexpected end");

  r = READ(0xFC, 11, 0x00);
  EXPECT_OP(r, WASM_OP_MEMORY_FILL);
  r = READ(0xFC, 11, 0x01);
  EXPECT_FAIL(r, AT + 2, "zero byte expected");

  r = READ(0xFC, 8, 0x05, 0x00);
  EXPECT_OP(r, WASM_OP_MEMORY_INIT);
  cr_assert_eq(r.in.imm.index2.a, 5);
  cr_assert_eq(r.in.imm.index2.b, 0);
  r = READ(0xFC, 8, 0x05, 0x01);
  EXPECT_FAIL(r, AT + 3, "zero byte expected");
  r = READ(0xFC, 8, 0x85, 0x01, 0x02);
  EXPECT_FAIL(r, AT + 4, "zero byte expected");
}
