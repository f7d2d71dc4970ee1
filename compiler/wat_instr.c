/* wat_instr.c: instructions of the text format -> their binary encoding,
 * driven by opcodes.def.
 *
 * An operator's name is looked up in the table built from opcodes.def's
 * TEXT column, and its immediates are read according to the IMM column, so
 * an instruction added there is known here too. What the table cannot say
 * is which index space an index immediate lives in (br's label, call's
 * function, struct.get's type and field); that comes from the operator's
 * name (index_space below). Structured instructions (block, loop, if,
 * try_table, the legacy try) are handled in plain and folded form, with a
 * label stack for symbolic branch targets.
 */
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "wasm.h"
#include "wat_internal.h"

/* ---- the operator table ------------------------------------------------------- */

enum { NO_OP = 0xFFFF, OP_SLOTS = 2048 };
static uint16_t op_slots[OP_SLOTS]; /* open addressing: text -> wasm_opcode */
static once_flag op_once = ONCE_FLAG_INIT;

static uint32_t hash_text(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static void build_ops(void) {
  for (size_t i = 0; i < OP_SLOTS; i++)
    op_slots[i] = NO_OP;
  for (uint16_t op = 0; op < WASM_OP_COUNT; op++) {
    const char *t = wasm_opinfos[op].text;
    size_t n = strlen(t);
    uint32_t h = hash_text(t, n) & (OP_SLOTS - 1);
    for (;; h = (h + 1) & (OP_SLOTS - 1)) {
      if (op_slots[h] == NO_OP) {
        op_slots[h] = op; /* the first of equal names wins (select, ref.test) */
        break;
      }
      if (strcmp(wasm_opinfos[op_slots[h]].text, t) == 0)
        break;
    }
  }
}

static uint16_t lookup_op(const wat_token *t) {
  call_once(&op_once, build_ops);
  for (uint32_t h = hash_text(t->text, t->len) & (OP_SLOTS - 1);; h = (h + 1) & (OP_SLOTS - 1)) {
    uint16_t op = op_slots[h];
    if (op == NO_OP)
      return NO_OP;
    const char *s = wasm_opinfos[op].text;
    if (strlen(s) == t->len && memcmp(s, t->text, t->len) == 0)
      return op;
  }
}

static void emit_op(wat_buf *out, uint16_t op) {
  const wasm_opinfo *oi = &wasm_opinfos[op];
  if (oi->prefix) {
    wat_buf_byte(out, (uint8_t)oi->prefix);
    wat_buf_u32(out, oi->code);
  } else {
    wat_buf_byte(out, (uint8_t)oi->code);
  }
}

static bool starts(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

typedef enum { SP_LABEL, SP_FUNC, SP_TYPE, SP_LOCAL, SP_GLOBAL, SP_TABLE, SP_ELEM,
               SP_DATA, SP_TAG, SP_MEMORY } space_kind;

/* The index space of an INDEX immediate, from the operator's name. */
static space_kind index_space(const char *text) {
  if (starts(text, "br") || strcmp(text, "rethrow") == 0 || strcmp(text, "delegate") == 0)
    return SP_LABEL;
  if (strcmp(text, "call_ref") == 0 || strcmp(text, "return_call_ref") == 0 ||
      starts(text, "struct.") || starts(text, "array."))
    return SP_TYPE;
  if (starts(text, "call") || starts(text, "return_call") || strcmp(text, "ref.func") == 0)
    return SP_FUNC;
  if (starts(text, "local."))
    return SP_LOCAL;
  if (starts(text, "global."))
    return SP_GLOBAL;
  if (starts(text, "table."))
    return SP_TABLE;
  if (starts(text, "elem."))
    return SP_ELEM;
  if (starts(text, "data."))
    return SP_DATA;
  if (starts(text, "throw") || starts(text, "catch"))
    return SP_TAG;
  return SP_MEMORY;
}

static const char *const space_names[] = {"label", "function", "type", "local", "global",
                                          "table", "elem segment", "data segment", "tag",
                                          "memory"};

static int tlen(const wat_node *n) { return n->tok.len > 40 ? 40 : (int)n->tok.len; }

static bool is_index(const wat_node *n) {
  return n->tok.kind == WAT_NAT || n->tok.kind == WAT_ID;
}

/* ---- labels -------------------------------------------------------------------- */

static bool push_label(wat_mod *m, const wat_node *id) {
  if (m->nlabels == m->labels_cap) {
    uint32_t cap = m->labels_cap ? m->labels_cap * 2 : 16;
    wat_label *l = realloc(m->labels, cap * sizeof *l);
    if (!l)
      return wat_fail(m, id, "out of memory");
    m->labels = l;
    m->labels_cap = cap;
  }
  wat_label *l = &m->labels[m->nlabels];
  l->name = NULL;
  l->len = 0;
  if (id && !wat_id_name(m, id, &l->name, &l->len))
    return false;
  m->nlabels++;
  return true;
}

static bool label_index(wat_mod *m, const wat_node *n, uint32_t *out) {
  if (n->tok.kind == WAT_NAT) {
    uint64_t v;
    if (!wat_nat(&n->tok, 32, &v))
      return wat_fail(m, n, "i32 constant out of range");
    *out = (uint32_t)v;
    return true;
  }
  if (n->tok.kind != WAT_ID)
    return wat_fail(m, n, "unexpected token %.*s, expected a label", tlen(n), n->tok.text);
  const char *name;
  uint32_t len;
  if (!wat_id_name(m, n, &name, &len))
    return false;
  for (uint32_t k = m->nlabels; k-- > 0;)
    if (m->labels[k].name && m->labels[k].len == len &&
        memcmp(m->labels[k].name, name, len) == 0) {
      *out = m->nlabels - 1 - k;
      return true;
    }
  return wat_fail(m, n, "unknown label %.*s", tlen(n), n->tok.text);
}

/* `end $l` / `else $l` must repeat the block's label. */
static bool check_end_label(wat_mod *m, const wat_node *kids, uint32_t n, uint32_t *i) {
  if (*i < n && kids[*i].tok.kind == WAT_ID) {
    const wat_node *id = &kids[(*i)++];
    const char *name;
    uint32_t len;
    if (!wat_id_name(m, id, &name, &len))
      return false;
    const wat_label *l = &m->labels[m->nlabels - 1];
    if (!l->name || l->len != len || memcmp(l->name, name, len) != 0)
      return wat_fail(m, id, "mismatching label");
  }
  return true;
}

/* An index of a space (labels aside). */
static bool space_index(wat_mod *m, space_kind sp, const wat_node *n, uint32_t *out) {
  wat_space *spaces[] = {NULL, &m->funcs, &m->types, &m->locals, &m->globals, &m->tables,
                         &m->elems, &m->datas, &m->tags, &m->memories};
  if (sp == SP_LABEL)
    return label_index(m, n, out);
  return wat_index(m, spaces[sp], n, space_names[sp], out);
}

/* ---- immediates ----------------------------------------------------------------- */

typedef struct {
  const wat_node *kids;
  uint32_t n, *i;
} cursor;

static const wat_node *peek(cursor *c) { return *c->i < c->n ? &c->kids[*c->i] : NULL; }

static bool need(wat_mod *m, cursor *c, const wat_node *at, const char *what,
                 const wat_node **out) {
  *out = peek(c);
  if (!*out || wat_is_list(*out))
    return wat_fail(m, *out ? *out : at, "unexpected token, expected %s", what);
  (*c->i)++;
  return true;
}

/* memarg: memidx? offset=N? align=N? */
static bool memarg(wat_mod *m, cursor *c, uint16_t op, bool allow_mem, wat_buf *out) {
  uint32_t mem = 0;
  const wat_node *t = peek(c);
  if (allow_mem && t && is_index(t)) {
    if (!wat_index(m, &m->memories, t, "memory", &mem))
      return false;
    (*c->i)++;
  }
  uint64_t offset = 0;
  uint32_t align = wasm_opinfos[op].aux;
  t = peek(c);
  const wat_node *off_node = t;
  if (t && t->tok.kind == WAT_KEYWORD && t->tok.len > 7 && memcmp(t->tok.text, "offset=", 7) == 0) {
    wat_token v = {WAT_NAT, t->tok.off + 7, t->tok.len - 7, t->tok.text + 7};
    if (!wat_nat(&v, 64, &offset))
      return wat_fail(m, t, "offset out of range");
    (*c->i)++;
    t = peek(c);
  }
  if (t && t->tok.kind == WAT_KEYWORD && t->tok.len > 6 && memcmp(t->tok.text, "align=", 6) == 0) {
    wat_token v = {WAT_NAT, t->tok.off + 6, t->tok.len - 6, t->tok.text + 6};
    uint64_t a;
    if (!wat_nat(&v, 64, &a))
      return wat_fail(m, t, "alignment out of range");
    if (a == 0 || (a & (a - 1)))
      return wat_fail(m, t, "alignment must be a power of two");
    align = 0;
    while ((1ull << align) < a)
      align++;
    (*c->i)++;
  }
  if (offset > UINT32_MAX && (mem >= m->nmem64 || !m->mem64[mem]))
    return wat_fail(m, off_node, "i32 constant out of range (offset of a 32-bit memory)");
  if (mem != 0) {
    wat_buf_u32(out, align | 0x40);
    wat_buf_u32(out, mem);
  } else {
    wat_buf_u32(out, align);
  }
  wat_buf_u64(out, offset);
  return true;
}

static bool lane_index(wat_mod *m, cursor *c, const wat_node *at, wat_buf *out) {
  const wat_node *t;
  if (!need(m, c, at, "a lane index", &t))
    return false;
  uint64_t v;
  if (t->tok.kind != WAT_NAT)
    return wat_fail(m, t, "unexpected token %.*s, expected a lane index", tlen(t), t->tok.text);
  if (!wat_nat(&t->tok, 8, &v))
    return wat_fail(m, t, "malformed lane index");
  wat_buf_byte(out, (uint8_t)v);
  return true;
}

/* A v128 constant: shape and its lanes, as 16 little-endian bytes. */
static bool v128_const(wat_mod *m, cursor *c, const wat_node *at, uint8_t bytes[16]) {
  const wat_node *shape;
  if (!need(m, c, at, "a vector shape", &shape))
    return false;
  static const struct { const char *name; unsigned lanes, bits; bool fl; } shapes[] = {
      {"i8x16", 16, 8, false}, {"i16x8", 8, 16, false}, {"i32x4", 4, 32, false},
      {"i64x2", 2, 64, false}, {"f32x4", 4, 32, true},  {"f64x2", 2, 64, true}};
  for (size_t k = 0; k < 6; k++) {
    if (!wat_is_kw(shape, shapes[k].name))
      continue;
    for (unsigned l = 0; l < shapes[k].lanes; l++) {
      const wat_node *t = peek(c);
      if (!t || wat_is_list(t) || (t->tok.kind != WAT_NAT && t->tok.kind != WAT_INT &&
                                   t->tok.kind != WAT_FLOAT))
        return wat_fail(m, t ? t : at, "wrong number of lane literals");
      (*c->i)++;
      uint64_t v = 0;
      bool ok;
      if (!shapes[k].fl) {
        ok = wat_int(&t->tok, shapes[k].bits, &v);
      } else if (shapes[k].bits == 32) {
        uint32_t b;
        ok = wat_f32(&t->tok, &b);
        v = b;
      } else {
        ok = wat_f64(&t->tok, &v);
      }
      if (!ok)
        return wat_fail(m, t, "constant out of range");
      unsigned bytes_per = shapes[k].bits / 8;
      for (unsigned b = 0; b < bytes_per; b++)
        bytes[l * bytes_per + b] = (uint8_t)(v >> (8 * b));
    }
    return true;
  }
  return wat_fail(m, shape, "unexpected token %.*s, expected a vector shape", tlen(shape),
                  shape->tok.text);
}

/* The type use of call_indirect and return_call_indirect. */
static bool call_indirect_imm(wat_mod *m, cursor *c, wat_buf *out) {
  uint32_t table = 0, type;
  const wat_node *t = peek(c);
  if (t && is_index(t)) {
    if (!wat_index(m, &m->tables, t, "table", &table))
      return false;
    (*c->i)++;
  }
  if (!wat_typeuse(m, c->kids, c->n, c->i, WAT_PARAMS_UNNAMED, &type))
    return false;
  wat_buf_u32(out, type);
  wat_buf_u32(out, table);
  return true;
}

/* Up to `max` leading index immediates of space sp (optional ones). */
static uint32_t opt_indices(wat_mod *m, cursor *c, space_kind sp, uint32_t max,
                            uint32_t *v, bool *ok) {
  uint32_t k = 0;
  *ok = true;
  while (k < max && peek(c) && is_index(peek(c))) {
    if (!space_index(m, sp, peek(c), &v[k])) {
      *ok = false;
      return k;
    }
    (*c->i)++;
    k++;
  }
  return k;
}

/* An operator (not a structured one) with its immediates: opcode and
 * immediates appended to out. at is the operator's node. */
static bool plain_op(wat_mod *m, uint16_t op, const wat_node *at, cursor *c, wat_buf *out) {
  if (op == WASM_OP_SELECT)
    op = WASM_OP_SELECT_T; /* emits plain select without (result ...) */
  const wasm_opinfo *oi = &wasm_opinfos[op];
  const char *text = oi->text;
  const wat_node *t;
  uint32_t x, y;
  switch ((wasm_immkind)oi->imm) {
  case WASM_IMM_NONE:
    if (op == WASM_OP_DATA_DROP || op == WASM_OP_MEMORY_INIT)
      m->uses_data_count = true;
    emit_op(out, op);
    return true;
  case WASM_IMM_INDEX: {
    space_kind sp = index_space(text);
    if (sp == SP_DATA)
      m->uses_data_count = true;
    if (sp == SP_TABLE) { /* table.get/set/size/grow/fill: optional */
      bool ok;
      x = 0;
      opt_indices(m, c, SP_TABLE, 1, &x, &ok);
      if (!ok)
        return false;
    } else {
      if (!need(m, c, at, space_names[sp], &t) || !space_index(m, sp, t, &x))
        return false;
    }
    emit_op(out, op);
    wat_buf_u32(out, x);
    return true;
  }
  case WASM_IMM_INDEX2: {
    emit_op(out, op);
    if (starts(text, "call_indirect") || starts(text, "return_call_indirect"))
      return call_indirect_imm(m, c, out);
    if (strcmp(text, "table.init") == 0) {
      /* one index: the segment (of table 0); two: the table, then it */
      uint32_t k = 0;
      while (k < 2 && *c->i + k < c->n && is_index(&c->kids[*c->i + k]))
        k++;
      if (k == 0)
        return wat_fail(m, at, "unexpected token, expected an elem segment index");
      y = 0;
      if (k == 2 && !space_index(m, SP_TABLE, &c->kids[*c->i], &y))
        return false;
      if (!space_index(m, SP_ELEM, &c->kids[*c->i + k - 1], &x))
        return false;
      *c->i += k;
      wat_buf_u32(out, x);
      wat_buf_u32(out, y);
      return true;
    }
    if (strcmp(text, "table.copy") == 0) {
      uint32_t v[2] = {0, 0};
      bool ok;
      uint32_t k = opt_indices(m, c, SP_TABLE, 2, v, &ok);
      if (!ok)
        return false;
      if (k == 1)
        return wat_fail(m, at, "table.copy needs both or neither table index");
      wat_buf_u32(out, v[0]);
      wat_buf_u32(out, v[1]);
      return true;
    }
    /* GC: a type, then a field, a count, a segment or another type */
    if (!need(m, c, at, "a type index", &t) || !space_index(m, SP_TYPE, t, &x))
      return false;
    wat_buf_u32(out, x);
    const wat_node *t2;
    if (!need(m, c, at, "an index", &t2))
      return false;
    if (starts(text, "struct.")) {
      wat_space *fields = x < m->ntypeinfo ? &m->typeinfo[x].fields : NULL;
      if (t2->tok.kind == WAT_ID) {
        if (!fields)
          return wat_fail(m, t2, "unknown field %.*s", tlen(t2), t2->tok.text);
        if (!wat_index(m, fields, t2, "field", &y))
          return false;
      } else if (!wat_index(m, &m->types /* unused for nats */, t2, "field", &y)) {
        return false;
      }
    } else if (strcmp(text, "array.new_fixed") == 0) {
      uint64_t v;
      if (!wat_nat(&t2->tok, 32, &v))
        return wat_fail(m, t2, "i32 constant out of range");
      y = (uint32_t)v;
    } else if (strstr(text, "_data")) {
      m->uses_data_count = true;
      if (!space_index(m, SP_DATA, t2, &y))
        return false;
    } else if (strstr(text, "_elem")) {
      if (!space_index(m, SP_ELEM, t2, &y))
        return false;
    } else if (!space_index(m, SP_TYPE, t2, &y)) {
      return false;
    }
    wat_buf_u32(out, y);
    return true;
  }
  case WASM_IMM_INDEX_MEMORY: { /* memory.init memidx? dataidx */
    m->uses_data_count = true;
    uint32_t mem = 0;
    const wat_node *a = peek(c);
    const wat_node *b = *c->i + 1 < c->n ? &c->kids[*c->i + 1] : NULL;
    if (a && is_index(a) && b && is_index(b)) {
      if (!wat_index(m, &m->memories, a, "memory", &mem))
        return false;
      (*c->i)++;
    }
    if (!need(m, c, at, "a data segment index", &t) || !space_index(m, SP_DATA, t, &x))
      return false;
    emit_op(out, op);
    wat_buf_u32(out, x);
    wat_buf_u32(out, mem);
    return true;
  }
  case WASM_IMM_MEMORY:
  case WASM_IMM_MEMORY2: {
    uint32_t v[2] = {0, 0};
    bool ok;
    uint32_t want = oi->imm == WASM_IMM_MEMORY ? 1 : 2;
    uint32_t k = opt_indices(m, c, SP_MEMORY, want, v, &ok);
    if (!ok)
      return false;
    if (want == 2 && k == 1)
      return wat_fail(m, at, "memory.copy needs both or neither memory index");
    emit_op(out, op);
    for (uint32_t j = 0; j < want; j++)
      wat_buf_u32(out, v[j]);
    return true;
  }
  case WASM_IMM_BR_TABLE: {
    uint32_t count = 0;
    wat_buf targets = {0};
    while (peek(c) && is_index(peek(c))) {
      if (!label_index(m, peek(c), &x)) {
        wat_buf_free(&targets);
        return false;
      }
      wat_buf_u32(&targets, x);
      (*c->i)++;
      count++;
    }
    if (count == 0) {
      wat_buf_free(&targets);
      return wat_fail(m, at, "unexpected token, expected a label");
    }
    emit_op(out, op);
    /* the last target is the default: it is encoded last anyway */
    wat_buf_u32(out, count - 1);
    wat_buf_bytes(out, targets.p, targets.n);
    wat_buf_free(&targets);
    return true;
  }
  case WASM_IMM_SELECT_T: {
    wat_buf types = {0};
    uint32_t count = 0;
    bool any = false;
    while (peek(c) && wat_is_form(peek(c), "result")) {
      const wat_node *r = &c->kids[(*c->i)++];
      any = true;
      for (uint32_t j = 1; j < r->n;) {
        if (!wat_valtype(m, r->kids, r->n, &j, &types)) {
          wat_buf_free(&types);
          return false;
        }
        count++;
      }
    }
    if (!any) {
      emit_op(out, WASM_OP_SELECT);
    } else {
      emit_op(out, op);
      wat_buf_u32(out, count);
      wat_buf_bytes(out, types.p, types.n);
    }
    wat_buf_free(&types);
    return true;
  }
  case WASM_IMM_REFTYPE:
    if (!need(m, c, at, "a heap type", &t))
      return false;
    emit_op(out, op);
    return wat_heaptype(m, t, out);
  case WASM_IMM_HEAPTYPE: { /* ref.test / ref.cast with a reference type */
    t = peek(c);
    if (!t)
      return wat_fail(m, at, "unexpected end, expected a reference type");
    (*c->i)++;
    bool nullable;
    wat_buf ht = {0};
    if (!wat_reftype(m, t, &nullable, &ht)) {
      wat_buf_free(&ht);
      return false;
    }
    emit_op(out, nullable ? (uint16_t)(op + 1) : op); /* the _NULL variant follows */
    wat_buf_bytes(out, ht.p, ht.n);
    wat_buf_free(&ht);
    return true;
  }
  case WASM_IMM_BR_ON_CAST: {
    if (!need(m, c, at, "a label", &t) || !label_index(m, t, &x))
      return false;
    const wat_node *r1 = peek(c);
    if (!r1)
      return wat_fail(m, at, "unexpected end, expected a reference type");
    (*c->i)++;
    const wat_node *r2 = peek(c);
    if (!r2)
      return wat_fail(m, at, "unexpected end, expected a reference type");
    (*c->i)++;
    bool n1, n2;
    wat_buf h1 = {0}, h2 = {0};
    bool ok = wat_reftype(m, r1, &n1, &h1) && wat_reftype(m, r2, &n2, &h2);
    if (ok) {
      emit_op(out, op);
      wat_buf_byte(out, (uint8_t)((n1 ? 1 : 0) | (n2 ? 2 : 0)));
      wat_buf_u32(out, x);
      wat_buf_bytes(out, h1.p, h1.n);
      wat_buf_bytes(out, h2.p, h2.n);
    }
    wat_buf_free(&h1);
    wat_buf_free(&h2);
    return ok;
  }
  case WASM_IMM_MEMARG:
    emit_op(out, op);
    return memarg(m, c, op, true, out);
  case WASM_IMM_MEMARG_LANE: {
    /* memidx? offset? align? lane: a leading index is the memory only when
     * another index (the lane) follows the memarg */
    uint32_t save = *c->i;
    bool mem = false;
    const wat_node *a = peek(c);
    if (a && is_index(a)) {
      uint32_t j = *c->i + 1;
      while (j < c->n && c->kids[j].tok.kind == WAT_KEYWORD &&
             (starts(c->kids[j].tok.text, "offset=") || starts(c->kids[j].tok.text, "align=")))
        j++;
      mem = a->tok.kind == WAT_ID || (j < c->n && c->kids[j].tok.kind == WAT_NAT);
    }
    (void)save;
    emit_op(out, op);
    return memarg(m, c, op, mem, out) && lane_index(m, c, at, out);
  }
  case WASM_IMM_I32:
  case WASM_IMM_I64: {
    if (!need(m, c, at, "a number", &t))
      return false;
    uint64_t v;
    unsigned bits = oi->imm == WASM_IMM_I32 ? 32 : 64;
    if (t->tok.kind != WAT_NAT && t->tok.kind != WAT_INT)
      return wat_fail(m, t, t->tok.kind == WAT_FLOAT ? "constant out of range"
                                                      : "unexpected token, expected a number");
    if (!wat_int(&t->tok, bits, &v))
      return wat_fail(m, t, "constant out of range");
    emit_op(out, op);
    if (bits == 32)
      wat_buf_s32(out, (int32_t)(uint32_t)v);
    else
      wat_buf_s64(out, (int64_t)v);
    return true;
  }
  case WASM_IMM_F32: {
    uint32_t b;
    if (!need(m, c, at, "a number", &t))
      return false;
    if (t->tok.kind != WAT_NAT && t->tok.kind != WAT_INT && t->tok.kind != WAT_FLOAT)
      return wat_fail(m, t, "unexpected token, expected a number");
    if (!wat_f32(&t->tok, &b))
      return wat_fail(m, t, "constant out of range");
    emit_op(out, op);
    for (int k = 0; k < 4; k++)
      wat_buf_byte(out, (uint8_t)(b >> (8 * k)));
    return true;
  }
  case WASM_IMM_F64: {
    uint64_t b;
    if (!need(m, c, at, "a number", &t))
      return false;
    if (t->tok.kind != WAT_NAT && t->tok.kind != WAT_INT && t->tok.kind != WAT_FLOAT)
      return wat_fail(m, t, "unexpected token, expected a number");
    if (!wat_f64(&t->tok, &b))
      return wat_fail(m, t, "constant out of range");
    emit_op(out, op);
    for (int k = 0; k < 8; k++)
      wat_buf_byte(out, (uint8_t)(b >> (8 * k)));
    return true;
  }
  case WASM_IMM_V128: {
    uint8_t bytes[16];
    if (!v128_const(m, c, at, bytes))
      return false;
    emit_op(out, op);
    wat_buf_bytes(out, bytes, 16);
    return true;
  }
  case WASM_IMM_LANE:
    emit_op(out, op);
    return lane_index(m, c, at, out);
  case WASM_IMM_SHUFFLE:
    emit_op(out, op);
    for (int k = 0; k < 16; k++) {
      t = peek(c);
      if (!t || t->tok.kind != WAT_NAT)
        return wat_fail(m, t ? t : at, "invalid lane length");
      if (!lane_index(m, c, at, out))
        return false;
    }
    if (peek(c) && peek(c)->tok.kind == WAT_NAT)
      return wat_fail(m, peek(c), "invalid lane length");
    return true;
  case WASM_IMM_FENCE:
    emit_op(out, op);
    wat_buf_byte(out, 0);
    return true;
  case WASM_IMM_BLOCKTYPE:
  case WASM_IMM_TRY_TABLE:
    break;
  }
  return wat_fail(m, at, "unexpected token %.*s", tlen(at), at->tok.text);
}

/* ---- structured instructions --------------------------------------------------- */

static const char *const stop_end[] = {"end", NULL};
static const char *const stop_else_end[] = {"else", "end", NULL};
static const char *const stop_try[] = {"catch", "catch_all", "delegate", "end", NULL};

static bool in_stops(const wat_node *n, const char *const *stops) {
  for (; stops && *stops; stops++)
    if (wat_is_kw(n, *stops))
      return true;
  return false;
}

/* label? blocktype, for block/loop/if/try/try_table; pushes the label
 * after the block type (whose own names resolve outside it). */
static bool block_head(wat_mod *m, const wat_node *kids, uint32_t n, uint32_t *i,
                       wat_buf *bt, const wat_node **label) {
  *label = NULL;
  if (*i < n && kids[*i].tok.kind == WAT_ID)
    *label = &kids[(*i)++];
  return wat_blocktype(m, kids, n, i, bt);
}

/* try_table's catch clauses `(catch x l)` ..., resolved outside the block. */
static bool catch_clauses(wat_mod *m, const wat_node *kids, uint32_t n, uint32_t *i,
                          wat_buf *out) {
  wat_buf cl = {0};
  uint32_t count = 0;
  bool ok = true;
  while (ok && *i < n && wat_is_list(&kids[*i]) && kids[*i].n > 0) {
    const wat_node *c = &kids[*i];
    int kind = wat_is_kw(&c->kids[0], "catch")           ? 0
               : wat_is_kw(&c->kids[0], "catch_ref")     ? 1
               : wat_is_kw(&c->kids[0], "catch_all")     ? 2
               : wat_is_kw(&c->kids[0], "catch_all_ref") ? 3 : -1;
    if (kind < 0)
      break;
    (*i)++;
    uint32_t want = kind < 2 ? 3 : 2, x;
    if (c->n != want) {
      ok = wat_fail(m, c, "malformed catch clause");
      break;
    }
    wat_buf_byte(&cl, (uint8_t)kind);
    if (kind < 2) {
      ok = wat_index(m, &m->tags, &c->kids[1], "tag", &x);
      wat_buf_u32(&cl, x);
    }
    if (ok)
      ok = label_index(m, &c->kids[want - 1], &x);
    wat_buf_u32(&cl, x);
    count++;
  }
  if (ok) {
    wat_buf_u32(out, count);
    wat_buf_bytes(out, cl.p, cl.n);
  }
  wat_buf_free(&cl);
  return ok;
}

static bool folded(wat_mod *m, const wat_node *e, wat_buf *out);

/* A structured instruction in plain form, from its keyword at kids[*i]. */
static bool plain_block(wat_mod *m, const wat_node *kids, uint32_t n, uint32_t *i,
                        wat_buf *out) {
  const wat_node *kw = &kids[(*i)++];
  wat_buf bt = {0};
  const wat_node *label;
  bool is_try_table = wat_is_kw(kw, "try_table"), is_try = wat_is_kw(kw, "try");
  bool ok = block_head(m, kids, n, i, &bt, &label);
  wat_buf catches = {0};
  if (ok && is_try_table)
    ok = catch_clauses(m, kids, n, i, &catches);
  if (!ok) {
    wat_buf_free(&bt);
    wat_buf_free(&catches);
    return false;
  }
  wat_hint_emit(m, kw, out->n);
  wat_buf_byte(out, is_try_table ? 0x1F : is_try ? 0x06
                    : wat_is_kw(kw, "block") ? 0x02 : wat_is_kw(kw, "loop") ? 0x03 : 0x04);
  wat_buf_bytes(out, bt.p, bt.n);
  wat_buf_bytes(out, catches.p, catches.n);
  wat_buf_free(&bt);
  wat_buf_free(&catches);
  if (!push_label(m, label))
    return false;
  bool is_if = wat_is_kw(kw, "if");
  const char *const *stops = is_if ? stop_else_end : is_try ? stop_try : stop_end;
  if (!wat_instrs(m, kids, n, i, stops, out))
    return false;
  if (is_if && *i < n && wat_is_kw(&kids[*i], "else")) {
    (*i)++;
    if (!check_end_label(m, kids, n, i))
      return false;
    wat_buf_byte(out, 0x05);
    if (!wat_instrs(m, kids, n, i, stop_end, out))
      return false;
  }
  bool any_catch = false;
  while (is_try && *i < n && (wat_is_kw(&kids[*i], "catch") || wat_is_kw(&kids[*i], "catch_all"))) {
    bool all = wat_is_kw(&kids[(*i)++], "catch_all");
    any_catch = true;
    wat_buf_byte(out, all ? 0x19 : 0x07);
    if (!all) {
      uint32_t x;
      if (*i >= n || !wat_index(m, &m->tags, &kids[*i], "tag", &x))
        return *i >= n ? wat_fail(m, kw, "missing tag") : false;
      (*i)++;
      wat_buf_u32(out, x);
    }
    if (!wat_instrs(m, kids, n, i, stop_try, out))
      return false;
    if (all) /* catch_all is the last handler */
      break;
  }
  if (is_try && any_catch && *i < n && wat_is_kw(&kids[*i], "delegate"))
    return wat_fail(m, &kids[*i], "unexpected token: delegate after catch");
  if (is_try && *i < n && wat_is_kw(&kids[*i], "delegate")) {
    (*i)++;
    m->nlabels--;
    uint32_t x;
    if (*i >= n || !label_index(m, &kids[*i], &x))
      return *i >= n ? wat_fail(m, kw, "missing delegate label") : false;
    (*i)++;
    wat_buf_byte(out, 0x18);
    wat_buf_u32(out, x);
    return true;
  }
  if (*i >= n || !wat_is_kw(&kids[*i], "end"))
    return wat_fail(m, *i < n ? &kids[*i] : kw, "unexpected token, expected end");
  (*i)++;
  if (!check_end_label(m, kids, n, i))
    return false;
  m->nlabels--;
  wat_buf_byte(out, 0x0B);
  return true;
}

/* Folded instructions inside a list, from kids[*i] to the end. */
static bool folded_all(wat_mod *m, const wat_node *kids, uint32_t n, uint32_t i, wat_buf *out) {
  for (; i < n; i++) {
    if (!wat_is_list(&kids[i]))
      return wat_fail(m, &kids[i], "unexpected token %.*s", tlen(&kids[i]), kids[i].tok.text);
    if (!folded(m, &kids[i], out))
      return false;
  }
  return true;
}

/* A folded structured instruction: (block ...), (loop ...), (if ...),
 * (try_table ...), (try ...). */
static bool folded_block(wat_mod *m, const wat_node *e, wat_buf *out) {
  const wat_node *kw = &e->kids[0];
  uint32_t i = 1;
  wat_buf bt = {0}, catches = {0};
  const wat_node *label;
  bool is_if = wat_is_kw(kw, "if"), is_try = wat_is_kw(kw, "try");
  bool is_try_table = wat_is_kw(kw, "try_table");
  bool ok = block_head(m, e->kids, e->n, &i, &bt, &label);
  if (ok && is_try_table)
    ok = catch_clauses(m, e->kids, e->n, &i, &catches);
  if (ok && is_if) {
    /* the condition: folded expressions before (then ...) */
    while (ok && i < e->n && !wat_is_form(&e->kids[i], "then")) {
      if (!wat_is_list(&e->kids[i]) || wat_is_form(&e->kids[i], "else"))
        ok = wat_fail(m, &e->kids[i], "unexpected token, expected (then ...)");
      else
        ok = folded(m, &e->kids[i++], out);
    }
    if (ok && i >= e->n)
      ok = wat_fail(m, e, "missing (then ...)");
  }
  if (ok) {
    wat_hint_emit(m, e, out->n);
    wat_buf_byte(out, is_try_table ? 0x1F : is_try ? 0x06 : is_if ? 0x04
                      : wat_is_kw(kw, "block") ? 0x02 : 0x03);
    wat_buf_bytes(out, bt.p, bt.n);
    wat_buf_bytes(out, catches.p, catches.n);
    ok = push_label(m, label);
  }
  wat_buf_free(&bt);
  wat_buf_free(&catches);
  if (!ok)
    return false;
  if (is_if) {
    const wat_node *th = &e->kids[i++];
    uint32_t j = 1;
    if (!wat_instrs(m, th->kids, th->n, &j, NULL, out))
      return false;
    if (i < e->n && wat_is_form(&e->kids[i], "else")) {
      const wat_node *el = &e->kids[i++];
      wat_buf_byte(out, 0x05);
      j = 1;
      if (!wat_instrs(m, el->kids, el->n, &j, NULL, out))
        return false;
    }
    if (i < e->n)
      return wat_fail(m, &e->kids[i], "unexpected token after (else ...)");
  } else if (is_try) {
    if (i < e->n && wat_is_form(&e->kids[i], "do")) {
      const wat_node *d = &e->kids[i++];
      uint32_t j = 1;
      if (!wat_instrs(m, d->kids, d->n, &j, NULL, out))
        return false;
    }
    /* The legacy grammar: catch* then at most one catch_all, or a single
     * delegate instead of any of them. */
    bool any_catch = false, catch_all = false;
    for (; i < e->n; i++) {
      const wat_node *h = &e->kids[i];
      uint32_t j = 1;
      bool handler = wat_is_form(h, "catch") || wat_is_form(h, "catch_all");
      if (catch_all || (any_catch && wat_is_form(h, "delegate")))
        return wat_fail(m, h, "unexpected token after (%s ...)",
                        catch_all ? "catch_all" : "catch");
      any_catch |= handler;
      catch_all = wat_is_form(h, "catch_all");
      if (wat_is_form(h, "catch")) {
        uint32_t x;
        if (h->n < 2 || !wat_index(m, &m->tags, &h->kids[1], "tag", &x))
          return h->n < 2 ? wat_fail(m, h, "missing tag") : false;
        wat_buf_byte(out, 0x07);
        wat_buf_u32(out, x);
        j = 2;
      } else if (wat_is_form(h, "catch_all")) {
        wat_buf_byte(out, 0x19);
      } else if (wat_is_form(h, "delegate")) {
        m->nlabels--;
        uint32_t x;
        if (h->n != 2 || !label_index(m, &h->kids[1], &x))
          return h->n != 2 ? wat_fail(m, h, "malformed delegate") : false;
        wat_buf_byte(out, 0x18);
        wat_buf_u32(out, x);
        return i + 1 == e->n || wat_fail(m, &e->kids[i + 1], "unexpected token after delegate");
      } else {
        return wat_fail(m, h, "unexpected token in try");
      }
      if (!wat_instrs(m, h->kids, h->n, &j, NULL, out))
        return false;
    }
  } else {
    if (!wat_instrs(m, e->kids, e->n, &i, NULL, out))
      return false;
  }
  m->nlabels--;
  wat_buf_byte(out, 0x0B);
  return true;
}

static bool is_block_kw(const wat_node *n) {
  return wat_is_kw(n, "block") || wat_is_kw(n, "loop") || wat_is_kw(n, "if") ||
         wat_is_kw(n, "try_table") || wat_is_kw(n, "try");
}

/* A folded instruction `(op imm* folded*)`: operands first, then op. */
static bool folded(wat_mod *m, const wat_node *e, wat_buf *out) {
  if (e->n == 0 || e->kids[0].tok.kind != WAT_KEYWORD)
    return wat_fail(m, e->n ? &e->kids[0] : e, "unexpected token, expected an instruction");
  const wat_node *kw = &e->kids[0];
  if (!wat_hint_take(m, e))
    return false;
  if (is_block_kw(kw))
    return folded_block(m, e, out);
  uint16_t op = lookup_op(&kw->tok);
  if (op == NO_OP || wasm_opinfos[op].imm == WASM_IMM_BLOCKTYPE ||
      wasm_opinfos[op].imm == WASM_IMM_TRY_TABLE || op == WASM_OP_ELSE ||
      op == WASM_OP_END || op == WASM_OP_CATCH || op == WASM_OP_CATCH_ALL ||
      op == WASM_OP_DELEGATE)
    return wat_fail(m, kw, "unknown operator %.*s", tlen(kw), kw->tok.text);
  uint32_t i = 1;
  cursor c = {e->kids, e->n, &i};
  wat_buf ins = {0};
  bool ok = plain_op(m, op, kw, &c, &ins) && folded_all(m, e->kids, e->n, i, out);
  wat_hint_emit(m, e, out->n);
  wat_buf_bytes(out, ins.p, ins.n);
  wat_buf_free(&ins);
  return ok;
}

bool wat_instrs(wat_mod *m, const wat_node *kids, uint32_t n, uint32_t *i,
                const char *const *stops, wat_buf *out) {
  while (*i < n) {
    const wat_node *t = &kids[*i];
    if (wat_is_list(t)) {
      if (!folded(m, t, out))
        return false;
      (*i)++;
      continue;
    }
    if (in_stops(t, stops))
      return true;
    if (t->tok.kind != WAT_KEYWORD)
      return wat_fail(m, t, "unexpected token %.*s", tlen(t), t->tok.text);
    if (!wat_hint_take(m, t))
      return false;
    if (is_block_kw(t)) {
      if (!plain_block(m, kids, n, i, out))
        return false;
      continue;
    }
    uint16_t op = lookup_op(&t->tok);
    if (op == NO_OP || op == WASM_OP_ELSE || op == WASM_OP_END || op == WASM_OP_CATCH ||
        op == WASM_OP_CATCH_ALL || op == WASM_OP_DELEGATE) {
      if (op != NO_OP)
        return wat_fail(m, t, "unexpected token %.*s", tlen(t), t->tok.text);
      return wat_fail(m, t, "unknown operator %.*s", tlen(t), t->tok.text);
    }
    (*i)++;
    cursor c = {kids, n, i};
    wat_hint_emit(m, t, out->n); /* br_if: its opcode comes first */
    if (!plain_op(m, op, t, &c, out))
      return false;
  }
  return true;
}

bool wat_expr(wat_mod *m, const wat_node *kids, uint32_t n, uint32_t *i, wat_buf *out) {
  uint32_t saved = m->nlabels;
  m->nlabels = 0;
  bool ok = wat_instrs(m, kids, n, i, NULL, out);
  m->nlabels = saved;
  wat_buf_byte(out, 0x0B);
  return ok;
}
