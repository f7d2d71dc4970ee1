/* instr.c: the instruction reader and the opcode tables built from
 * opcodes.def. Decoding of immediates is table-driven (wasm_opinfo.imm), so
 * adding an instruction is one line in opcodes.def. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "reader.h"

const wasm_opinfo wasm_opinfos[WASM_OP_COUNT] = {
#define OP(name, prefix, code, imm, sig, aux, text) \
  {prefix, code, WASM_IMM_##imm, sig, aux, text},
#include "opcodes.def"
#undef OP
};

/* opcode byte / prefixed code -> wasm_opcode; NO_OP = not an opcode.
 * Slots: [0..255] single-byte, then the codes of each prefix in turn. */
enum {
  NO_OP = 0xFFFF,
  FB_CODES = 31,  /* GC */
  FC_CODES = 18,  /* saturating truncation, bulk memory, tables */
  FD_CODES = 0x114, /* SIMD, relaxed SIMD */
  FE_CODES = 0x4F,  /* threads */
  FB_BASE = 256,
  FC_BASE = FB_BASE + FB_CODES,
  FD_BASE = FC_BASE + FC_CODES,
  FE_BASE = FD_BASE + FD_CODES,
};
static uint16_t op_table[FE_BASE + FE_CODES];
static once_flag op_table_once = ONCE_FLAG_INIT;

static void build_op_table(void) {
  for (size_t i = 0; i < sizeof op_table / sizeof *op_table; i++)
    op_table[i] = NO_OP;
  for (uint16_t op = 0; op < WASM_OP_COUNT; op++) {
    const wasm_opinfo *oi = &wasm_opinfos[op];
    size_t slot = oi->prefix == 0      ? oi->code
                  : oi->prefix == 0xFB ? FB_BASE + oi->code
                  : oi->prefix == 0xFC ? FC_BASE + oi->code
                  : oi->prefix == 0xFD ? FD_BASE + oi->code
                                       : FE_BASE + oi->code;
    op_table[slot] = op;
  }
}

/* Each group of post-2.0 instructions in opcodes.def starts with the op
 * named here and runs to the next group's first op. */
const char *wasm_op_feature(uint16_t op) {
  static const struct { uint16_t first; const char *name; } groups[] = {
      {WASM_OP_THROW, "exception handling"},
      {WASM_OP_RETURN_CALL, "tail calls"},
      {WASM_OP_CALL_REF, "typed function references"},
      {WASM_OP_I8X16_RELAXED_SWIZZLE, "relaxed SIMD"},
      {WASM_OP_MEMORY_ATOMIC_NOTIFY, "threads"},
      {WASM_OP_REF_EQ, "GC"},
  };
  const char *name = NULL;
  for (size_t i = 0; i < sizeof groups / sizeof *groups; i++)
    if (op >= groups[i].first)
      name = groups[i].name;
  return op < WASM_OP_COUNT ? name : NULL;
}

/* Names of the abstract heap types, by code - WASM_HT_EXN: as a heap type
 * and as the nullable shorthand reference type. */
static const char *const heap_names[] = {
    "exn", "array", "struct", "i31", "eq", "any", "extern", "func", "none",
    "noextern", "nofunc", "noexn"};
static const char *const ref_shorthands[] = {
    "exnref", "arrayref", "structref", "i31ref", "eqref", "anyref",
    "externref", "funcref", "nullref", "nullexternref", "nullfuncref",
    "nullexnref"};

const char *wasm_vtype_name(wasm_vtype t) {
  switch (t) {
  case WASM_I32: return "i32";
  case WASM_I64: return "i64";
  case WASM_F32: return "f32";
  case WASM_F64: return "f64";
  case WASM_V128: return "v128";
  default: break;
  }
  if (t >= WASM_HT_EXN && t <= WASM_HT_NOEXN)
    return ref_shorthands[t - WASM_HT_EXN];
  if (!(t & WASM_VT_REF))
    return "<unknown type>";
  static _Thread_local char ring[4][48];
  static _Thread_local unsigned next;
  char *buf = ring[next++ % 4];
  wasm_heaptype ht = wasm_vt_heap(t);
  const char *null = wasm_vt_nullable(t) ? "null " : "";
  if (ht >= WASM_HT_EXN && ht <= WASM_HT_NOEXN)
    snprintf(buf, sizeof ring[0], "(ref %s%s)", null,
             heap_names[ht - WASM_HT_EXN]);
  else if (ht == WASM_HT_BOT)
    snprintf(buf, sizeof ring[0], "(ref %sbot)", null);
  else if (ht >= WASM_HT_INDEX && ht != WASM_HT_INVALID)
    snprintf(buf, sizeof ring[0], "(ref %s$%u)", null, ht - WASM_HT_INDEX);
  else
    snprintf(buf, sizeof ring[0], "(ref %s<unknown heap type>)", null);
  return buf;
}

/* The one-byte value types: numeric, vector and the abstract reference
 * shorthands. */
static bool one_byte_valtype(uint8_t b) {
  return (b >= WASM_V128 && b <= WASM_I32) ||
         (b >= WASM_HT_EXN && b <= WASM_HT_NOEXN);
}

/* A heap type: s33, negative for the one-byte abstract codes. */
bool wasm_read_heaptype(wasm_reader *r, wasm_heaptype *out) {
  size_t at = r->pos;
  int64_t v;
  if (!wasm_read_s33(r, &v))
    return false;
  if (v >= 0) {
    *out = v < WASM_HT_INVALID - WASM_HT_INDEX ? WASM_HT_INDEX + (uint32_t)v
                                              : WASM_HT_INVALID;
    return true;
  }
  uint8_t byte = (uint8_t)(v & 0x7F);
  if (r->pos != at + 1 || byte < WASM_HT_EXN || byte > WASM_HT_NOEXN)
    return wasm_fail(r->err, at, "malformed heap type");
  *out = byte;
  return true;
}

/* The rest of a value type whose first byte b was read at `at`. */
static bool finish_valtype(wasm_reader *r, size_t at, uint8_t b, bool ref_only,
                           wasm_vtype *out) {
  if (b == 0x64 || b == 0x63) {
    wasm_heaptype ht;
    if (!wasm_read_heaptype(r, &ht))
      return false;
    *out = wasm_vt_ref(b == 0x63, ht);
    return true;
  }
  if (one_byte_valtype(b) && (!ref_only || b < WASM_V128)) {
    *out = b;
    return true;
  }
  return wasm_fail(r->err, at, "malformed %s type 0x%02x",
                   ref_only ? "reference" : "value", b);
}

bool wasm_read_valtype(wasm_reader *r, wasm_vtype *out) {
  size_t at = r->pos;
  uint8_t b;
  return wasm_read_u8(r, &b) && finish_valtype(r, at, b, false, out);
}

bool wasm_read_reftype(wasm_reader *r, wasm_vtype *out) {
  size_t at = r->pos;
  uint8_t b;
  return wasm_read_u8(r, &b) && finish_valtype(r, at, b, true, out);
}

const char *wasm_externkind_name(wasm_externkind k) {
  static const char *const names[] = {"func", "table", "memory", "global",
                                      "tag"};
  return (unsigned)k < 5 ? names[k] : "<unknown kind>";
}

/* Single zero bytes reserved by the binary format (atomic.fence). */
static bool zero_byte(wasm_reader *r) {
  size_t at = r->pos;
  uint8_t b;
  if (!wasm_read_u8(r, &b))
    return false;
  if (b != 0)
    return wasm_fail(r->err, at, "zero byte expected");
  return true;
}

/* The memory index of memory.size/grow/fill/copy/init: a u32 since
 * multiple memories (Wasm 3.0), where Wasm 2.0 had a reserved zero byte.
 * An over-long encoding of index 0 (0x80 0x00 ...) is still refused as
 * 2.0 did: 3.0 allows it, but the 2.0 core suite tests that it is
 * malformed, no producer writes it, and accepting it would make the two
 * suites disagree (README, "Multiple memories"). */
static bool read_memidx(wasm_reader *r, uint32_t *out) {
  size_t at = r->pos;
  if (!wasm_read_u32(r, out))
    return false;
  if (*out == 0 && r->pos != at + 1)
    return wasm_fail(r->err, at,
                     "zero byte expected (memory index 0 in more than one "
                     "byte)");
  return true;
}

static bool read_blocktype(wasm_reader *r, wasm_blocktype *bt) {
  size_t at = r->pos;
  int64_t v;
  if (!wasm_read_s33(r, &v))
    return false;
  if (v >= 0) {
    bt->kind = WASM_BLOCK_TYPEIDX;
    bt->typeidx = (uint32_t)v;
    return true;
  }
  /* Negative values are the one-byte forms only: 0x40 or a value type. */
  uint8_t byte = (uint8_t)(v & 0x7F);
  if (r->pos != at + 1)
    return wasm_fail(r->err, at, "malformed block type (multi-byte negative)");
  if (byte == 0x40) {
    bt->kind = WASM_BLOCK_EMPTY;
    return true;
  }
  if (one_byte_valtype(byte) || byte == 0x64 || byte == 0x63) {
    bt->kind = WASM_BLOCK_VALTYPE;
    return finish_valtype(r, at, byte, false, &bt->valtype);
  }
  return wasm_fail(r->err, at, "malformed block type 0x%02x", r->base[at]);
}

/* Makes the scratch buffer hold n words (n is bounded by the bytes left,
 * which wasm_read_count checked). */
static bool scratch(wasm_reader *r, uint64_t n) {
  if (n > r->targets_cap) {
    if (n > UINT32_MAX)
      return wasm_fail(r->err, r->pos, "out of memory");
    uint64_t cap = r->targets_cap ? r->targets_cap : 16;
    while (cap < n)
      cap *= 2;
    if (cap > UINT32_MAX)
      cap = n;
    uint32_t *t = realloc(r->targets, (size_t)cap * sizeof *t);
    if (!t)
      return wasm_fail(r->err, r->pos, "out of memory");
    r->targets = t;
    r->targets_cap = (uint32_t)cap;
  }
  return true;
}

static bool read_br_table(wasm_reader *r, wasm_instr *in) {
  uint32_t n;
  if (!wasm_read_count(r, 1, &n) || !scratch(r, n))
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!wasm_read_u32(r, &r->targets[i]))
      return false;
  in->imm.br_table.count = n;
  in->imm.br_table.targets = r->targets;
  return wasm_read_u32(r, &in->imm.br_table.default_target);
}

/* memarg (Wasm 3.0): the alignment exponent, with bit 6 set when a memory
 * index follows (multiple memories), then the offset as a u64 (memory64;
 * whether it fits the memory's index type is a validation rule). Flags of
 * 128 and up are no encoding at all. */
static bool read_memarg(wasm_reader *r, wasm_instr *in) {
  size_t at = r->pos;
  uint32_t flags;
  if (!wasm_read_u32(r, &flags))
    return false;
  if (flags >= 128)
    return wasm_fail(r->err, at,
                     "malformed memop flags 0x%x (alignment exponent below "
                     "64, plus 64 when a memory index follows)",
                     flags);
  in->imm.mem.memory = 0;
  if ((flags & 0x40) && !wasm_read_u32(r, &in->imm.mem.memory))
    return false;
  in->imm.mem.align = flags & 0x3F;
  size_t off_at = r->pos;
  if (!wasm_read_u64(r, &in->imm.mem.offset))
    return false;
  in->imm.mem.offset_len = (uint8_t)(r->pos - off_at);
  return true;
}

/* try_table's catch clauses go to the scratch buffer, three words each
 * (the layout of wasm_catch). */
static bool read_try_table(wasm_reader *r, wasm_instr *in) {
  uint32_t n;
  if (!read_blocktype(r, &in->imm.try_table.block) ||
      !wasm_read_count(r, 2, &n) ||
      !scratch(r, (uint64_t)n * (sizeof(wasm_catch) / sizeof(uint32_t))))
    return false;
  _Static_assert(sizeof(wasm_catch) % sizeof(uint32_t) == 0,
                 "wasm_catch is a whole number of words");
  wasm_catch *c = (wasm_catch *)r->targets;
  for (uint32_t i = 0; i < n; i++) {
    size_t at = r->pos;
    uint8_t kind;
    if (!wasm_read_u8(r, &kind))
      return false;
    if (kind > WASM_CATCH_ALL_REF)
      return wasm_fail(r->err, at, "malformed catch clause kind 0x%02x", kind);
    c[i].kind = kind;
    c[i].tag = 0;
    if ((kind == WASM_CATCH || kind == WASM_CATCH_REF) &&
        !wasm_read_u32(r, &c[i].tag))
      return false;
    if (!wasm_read_u32(r, &c[i].label))
      return false;
  }
  in->imm.try_table.count = n;
  in->imm.try_table.catches = c;
  return true;
}

bool wasm_read_instr(wasm_reader *r, wasm_instr *in) {
  call_once(&op_table_once, build_op_table);
  const uint16_t *tab = op_table;
  size_t at = r->pos;
  uint8_t b;
  if (!wasm_read_u8(r, &b))
    return false;
  uint16_t op;
  if (b >= 0xFB && b <= 0xFE) {
    static const uint32_t limit[4] = {FB_CODES, FC_CODES, FD_CODES, FE_CODES};
    static const uint32_t base[4] = {FB_BASE, FC_BASE, FD_BASE, FE_BASE};
    uint32_t sub;
    if (!wasm_read_u32(r, &sub))
      return false;
    op = sub < limit[b - 0xFB] ? tab[base[b - 0xFB] + sub] : NO_OP;
    if (op == NO_OP)
      return wasm_fail(r->err, at, "illegal opcode 0x%02x %u", b, sub);
  } else {
    op = tab[b];
    if (op == NO_OP)
      return wasm_fail(r->err, at, "illegal opcode 0x%02x", b);
  }
  memset(&in->imm, 0, sizeof in->imm);
  in->op = op;
  in->offset = (uint32_t)at;

  switch ((wasm_immkind)wasm_opinfos[op].imm) {
  case WASM_IMM_NONE:
    return true;
  case WASM_IMM_BLOCKTYPE:
    return read_blocktype(r, &in->imm.block);
  case WASM_IMM_INDEX:
    return wasm_read_u32(r, &in->imm.index);
  case WASM_IMM_INDEX2:
    return wasm_read_u32(r, &in->imm.index2.a) &&
           wasm_read_u32(r, &in->imm.index2.b);
  case WASM_IMM_INDEX_MEMORY:
    return wasm_read_u32(r, &in->imm.index2.a) &&
           read_memidx(r, &in->imm.index2.b);
  case WASM_IMM_MEMORY:
    return read_memidx(r, &in->imm.index);
  case WASM_IMM_MEMORY2:
    return read_memidx(r, &in->imm.index2.a) &&
           read_memidx(r, &in->imm.index2.b);
  case WASM_IMM_BR_TABLE:
    return read_br_table(r, in);
  case WASM_IMM_SELECT_T: {
    uint32_t n;
    if (!wasm_read_count(r, 1, &n))
      return false;
    in->imm.select.count = n;
    for (uint32_t i = 0; i < n; i++) {
      wasm_vtype t;
      if (!wasm_read_valtype(r, &t))
        return false;
      if (i == 0)
        in->imm.select.type = t;
    }
    return true;
  }
  case WASM_IMM_REFTYPE: { /* ref.null: a heap type since Wasm 3.0 */
    wasm_heaptype ht;
    if (!wasm_read_heaptype(r, &ht))
      return false;
    in->imm.reftype = wasm_vt_ref(true, ht);
    return true;
  }
  case WASM_IMM_MEMARG:
    return read_memarg(r, in);
  case WASM_IMM_MEMARG_LANE:
    return read_memarg(r, in) && wasm_read_u8(r, &in->imm.mem.lane);
  case WASM_IMM_I32:
    return wasm_read_s32(r, &in->imm.i32);
  case WASM_IMM_I64:
    return wasm_read_s64(r, &in->imm.i64);
  case WASM_IMM_F32:
    return wasm_read_f32(r, &in->imm.f32_bits);
  case WASM_IMM_F64:
    return wasm_read_f64(r, &in->imm.f64_bits);
  case WASM_IMM_V128:
  case WASM_IMM_SHUFFLE: {
    const uint8_t *p = NULL;
    if (!wasm_read_bytes(r, 16, &p))
      return false;
    memcpy(in->imm.v128, p, 16);
    return true;
  }
  case WASM_IMM_LANE:
    return wasm_read_u8(r, &in->imm.lane);
  case WASM_IMM_TRY_TABLE:
    return read_try_table(r, in);
  case WASM_IMM_HEAPTYPE:
    return wasm_read_heaptype(r, &in->imm.heaptype);
  case WASM_IMM_BR_ON_CAST: {
    size_t fat = r->pos;
    if (!wasm_read_u8(r, &in->imm.br_on_cast.flags))
      return false;
    if (in->imm.br_on_cast.flags > 3)
      return wasm_fail(r->err, fat, "malformed br_on_cast flags 0x%02x",
                       in->imm.br_on_cast.flags);
    return wasm_read_u32(r, &in->imm.br_on_cast.label) &&
           wasm_read_heaptype(r, &in->imm.br_on_cast.from) &&
           wasm_read_heaptype(r, &in->imm.br_on_cast.to);
  }
  case WASM_IMM_FENCE:
    return zero_byte(r);
  }
  return wasm_fail(r->err, at, "internal error: immediate kind");
}
