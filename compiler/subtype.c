/* subtype.c: Wasm 3.0 type-section semantics: validity of the type
 * definitions (recursive groups, declared supertypes), type equivalence
 * and the subtyping relation over heap and value types.
 *
 * Equivalence is iso-recursive: two types are the same when their
 * recursive groups are structurally equal and they sit at the same place
 * in them, where a reference into the group counts by its position in
 * the group and a reference outside it by the identity of the type it
 * names. wasm_check_types computes, once per module, `canon` for every
 * type (the first equivalent type of the module), so that equivalence is
 * one compare everywhere else. Subtyping of concrete types follows the
 * declared supertype chain (declared subtyping is checked structurally
 * once, here); abstract heap types form the spec's fixed hierarchies:
 *   none <: i31, struct, array <: eq <: any   (concrete structs under
 *   struct, arrays under array), nofunc <: concrete funcs <: func,
 *   noextern <: extern, noexn <: exn.
 * The functions are pure over the module, so lowering and the runtime's
 * descriptor builder can ask the same questions as the validator.
 */
#include <stdlib.h>
#include <string.h>

#include "subtype.h"

/* ---- heap and value types -------------------------------------------------- */

static bool concrete(wasm_heaptype ht) {
  return ht >= WASM_HT_INDEX && ht < WASM_HT_BOT;
}

/* The composite kind of concrete heap type ht (0 when not a known type). */
static uint8_t kind_of(const wasm_module *m, wasm_heaptype ht) {
  uint32_t i = ht - WASM_HT_INDEX;
  return concrete(ht) && i < m->ntypes ? m->subtypes[i].kind : 0;
}

bool wasm_types_equiv(const wasm_module *m, uint32_t a, uint32_t b) {
  return a == b || (a < m->ntypes && b < m->ntypes &&
                    m->subtypes[a].canon == m->subtypes[b].canon);
}

/* a <: b for two type indices: b is a or among a's declared ancestors
 * (up to equivalence). Chains are finite: a supertype's index is always
 * smaller than its subtype's (wasm_check_types). */
static bool index_sub(const wasm_module *m, uint32_t a, uint32_t b) {
  while (a < m->ntypes) {
    if (wasm_types_equiv(m, a, b))
      return true;
    a = m->subtypes[a].super;
  }
  return false;
}

bool wasm_heap_sub(const wasm_module *m, wasm_heaptype a, wasm_heaptype b) {
  if (a == WASM_HT_BOT) /* the validator's bottom: below everything */
    return true;
  if (concrete(a) && concrete(b))
    return index_sub(m, a - WASM_HT_INDEX, b - WASM_HT_INDEX);
  if (a == b)
    return true;
  uint8_t ka = kind_of(m, a), kb = kind_of(m, b);
  switch (b) {
  case WASM_HT_ANY:
  case WASM_HT_EQ:
    return a == WASM_HT_EQ || a == WASM_HT_I31 || a == WASM_HT_STRUCT ||
           a == WASM_HT_ARRAY || a == WASM_HT_NONE ||
           ka == WASM_COMP_STRUCT || ka == WASM_COMP_ARRAY;
  case WASM_HT_I31:
    return a == WASM_HT_NONE;
  case WASM_HT_STRUCT:
    return a == WASM_HT_NONE || ka == WASM_COMP_STRUCT;
  case WASM_HT_ARRAY:
    return a == WASM_HT_NONE || ka == WASM_COMP_ARRAY;
  case WASM_HT_FUNC:
    return a == WASM_HT_NOFUNC || ka == WASM_COMP_FUNC;
  case WASM_HT_EXTERN:
    return a == WASM_HT_NOEXTERN;
  case WASM_HT_EXN:
    return a == WASM_HT_NOEXN;
  default:
    break;
  }
  /* b concrete, a abstract: only the bottom of b's hierarchy */
  if (kb == WASM_COMP_FUNC)
    return a == WASM_HT_NOFUNC;
  if (kb == WASM_COMP_STRUCT || kb == WASM_COMP_ARRAY)
    return a == WASM_HT_NONE;
  return false;
}

bool wasm_vt_sub(const wasm_module *m, wasm_vtype a, wasm_vtype b) {
  if (a == b)
    return true;
  if (!wasm_vt_is_ref(a) || !wasm_vt_is_ref(b))
    return false;
  if (wasm_vt_nullable(a) && !wasm_vt_nullable(b))
    return false;
  return wasm_heap_sub(m, wasm_vt_heap(a), wasm_vt_heap(b));
}

bool wasm_vt_equiv(const wasm_module *m, wasm_vtype a, wasm_vtype b) {
  if (a == b)
    return true;
  if (!wasm_vt_is_ref(a) || !wasm_vt_is_ref(b) ||
      wasm_vt_nullable(a) != wasm_vt_nullable(b))
    return false;
  wasm_heaptype ha = wasm_vt_heap(a), hb = wasm_vt_heap(b);
  return concrete(ha) && concrete(hb) &&
         wasm_types_equiv(m, ha - WASM_HT_INDEX, hb - WASM_HT_INDEX);
}

wasm_heaptype wasm_heap_top(const wasm_module *m, wasm_heaptype ht) {
  switch (ht) {
  case WASM_HT_FUNC: case WASM_HT_NOFUNC: return WASM_HT_FUNC;
  case WASM_HT_EXTERN: case WASM_HT_NOEXTERN: return WASM_HT_EXTERN;
  case WASM_HT_EXN: case WASM_HT_NOEXN: return WASM_HT_EXN;
  default: break;
  }
  return kind_of(m, ht) == WASM_COMP_FUNC ? WASM_HT_FUNC : WASM_HT_ANY;
}

/* ---- the type section ------------------------------------------------------- */

/* Every type index a definition uses, through fn(ctx, index, offset);
 * stops at the first false. */
typedef bool (*index_fn)(void *ctx, uint32_t idx);

static bool each_vt_index(wasm_vtype t, index_fn fn, void *ctx) {
  wasm_heaptype ht = wasm_vt_heap(t);
  if (!(t & WASM_VT_REF) || ht < WASM_HT_INDEX)
    return true;
  return fn(ctx, ht == WASM_HT_INVALID ? UINT32_MAX : ht - WASM_HT_INDEX);
}

static bool each_index(const wasm_module *m, uint32_t i, index_fn fn,
                       void *ctx) {
  const wasm_functype *ft = &m->types[i];
  const wasm_subtype *st = &m->subtypes[i];
  for (uint32_t k = 0; k < ft->nparams; k++)
    if (!each_vt_index(ft->params[k], fn, ctx))
      return false;
  for (uint32_t k = 0; k < ft->nresults; k++)
    if (!each_vt_index(ft->results[k], fn, ctx))
      return false;
  for (uint32_t k = 0; k < st->nfields; k++)
    if (!each_vt_index(st->fields[k].type, fn, ctx))
      return false;
  return true;
}

typedef struct {
  const wasm_module *m;
  wasm_error *err;
  uint32_t type, limit;
} range_ctx;

static bool in_range(void *p, uint32_t idx) {
  range_ctx *c = p;
  if (idx < c->limit)
    return true;
  return wasm_fail(c->err, c->m->subtypes[c->type].offset,
                   "unknown type %u: type %u may only refer to types "
                   "0..%u (its recursive group ends there)",
                   idx, c->type, c->limit - 1);
}

/* A field of a subtype against the supertype's field at the same place
 * (a struct's, or an array's element): mutability must agree; an
 * immutable field may be read only, so its type may be a subtype
 * (covariant), while a mutable one is also written through the
 * supertype, so its type must be equivalent. Packed types are not value
 * types: wasm_vt_sub and wasm_vt_equiv hold for them only when equal. */
static bool field_matches(const wasm_module *m, const wasm_fieldtype *a,
                          const wasm_fieldtype *b) {
  if (a->mutable_ != b->mutable_)
    return false;
  return a->mutable_ ? wasm_vt_equiv(m, a->type, b->type)
                     : wasm_vt_sub(m, a->type, b->type);
}

/* A declared supertype's structure must admit the subtype's: functions
 * take contravariant parameters and give covariant results; a struct
 * has at least the supertype's fields (width subtyping), each matching
 * (depth subtyping); an array's element matches. */
static bool matches_super(const wasm_module *m, uint32_t sub, uint32_t sup) {
  const wasm_subtype *sa = &m->subtypes[sub], *sb = &m->subtypes[sup];
  if (sa->kind != sb->kind)
    return false;
  if (sa->kind == WASM_COMP_STRUCT || sa->kind == WASM_COMP_ARRAY) {
    if (sa->nfields < sb->nfields)
      return false;
    for (uint32_t i = 0; i < sb->nfields; i++)
      if (!field_matches(m, &sa->fields[i], &sb->fields[i]))
        return false;
    return true;
  }
  const wasm_functype *a = &m->types[sub], *b = &m->types[sup];
  if (a->nparams != b->nparams || a->nresults != b->nresults)
    return false;
  for (uint32_t i = 0; i < a->nparams; i++)
    if (!wasm_vt_sub(m, b->params[i], a->params[i]))
      return false;
  for (uint32_t i = 0; i < a->nresults; i++)
    if (!wasm_vt_sub(m, a->results[i], b->results[i]))
      return false;
  return true;
}

/* One word per reference to a type, as group comparison sees it:
 * position in the group, or the canonical index of a type outside. */
static uint64_t enc_vt(const wasm_module *m, wasm_vtype t, uint32_t first,
                       uint32_t size) {
  wasm_heaptype ht = wasm_vt_heap(t);
  if (!(t & WASM_VT_REF) || ht < WASM_HT_INDEX)
    return t;
  uint32_t x = ht - WASM_HT_INDEX;
  uint64_t nullable = wasm_vt_nullable(t);
  if (x >= first && x - first < size)
    return 1ull << 40 | nullable << 39 | 1ull << 38 | (x - first);
  return 1ull << 40 | nullable << 39 | m->subtypes[x].canon;
}

static uint64_t enc_super(const wasm_module *m, uint32_t x, uint32_t first,
                          uint32_t size) {
  if (x == WASM_NO_SUPER)
    return UINT64_MAX;
  return enc_vt(m, wasm_vt_ref(false, WASM_HT_INDEX + x), first, size);
}

/* Group [f1, f1+n) equals group [f2, f2+n), structurally? */
static bool groups_equal(const wasm_module *m, uint32_t f1, uint32_t f2,
                         uint32_t n) {
  for (uint32_t k = 0; k < n; k++) {
    const wasm_subtype *a = &m->subtypes[f1 + k], *b = &m->subtypes[f2 + k];
    const wasm_functype *fa = &m->types[f1 + k], *fb = &m->types[f2 + k];
    if (a->kind != b->kind || a->final != b->final ||
        enc_super(m, a->super, f1, n) != enc_super(m, b->super, f2, n) ||
        fa->nparams != fb->nparams || fa->nresults != fb->nresults ||
        a->nfields != b->nfields)
      return false;
    for (uint32_t i = 0; i < fa->nparams; i++)
      if (enc_vt(m, fa->params[i], f1, n) != enc_vt(m, fb->params[i], f2, n))
        return false;
    for (uint32_t i = 0; i < fa->nresults; i++)
      if (enc_vt(m, fa->results[i], f1, n) !=
          enc_vt(m, fb->results[i], f2, n))
        return false;
    for (uint32_t i = 0; i < a->nfields; i++)
      if (a->fields[i].mutable_ != b->fields[i].mutable_ ||
          enc_vt(m, a->fields[i].type, f1, n) !=
              enc_vt(m, b->fields[i].type, f2, n))
        return false;
  }
  return true;
}

static uint64_t mix(uint64_t h, uint64_t w) {
  return (h ^ w) * 0x100000001b3ull;
}

static uint64_t group_hash(const wasm_module *m, uint32_t f, uint32_t n) {
  uint64_t h = 0xcbf29ce484222325ull ^ n;
  for (uint32_t k = 0; k < n; k++) {
    const wasm_subtype *s = &m->subtypes[f + k];
    const wasm_functype *ft = &m->types[f + k];
    h = mix(h, (uint64_t)s->kind << 8 | s->final);
    h = mix(h, enc_super(m, s->super, f, n));
    h = mix(h, (uint64_t)ft->nparams << 32 | ft->nresults);
    for (uint32_t i = 0; i < ft->nparams; i++)
      h = mix(h, enc_vt(m, ft->params[i], f, n));
    for (uint32_t i = 0; i < ft->nresults; i++)
      h = mix(h, enc_vt(m, ft->results[i], f, n));
    for (uint32_t i = 0; i < s->nfields; i++)
      h = mix(h, enc_vt(m, s->fields[i].type, f, n) << 1 |
                     s->fields[i].mutable_);
  }
  return h;
}

bool wasm_check_types(wasm_module *m, wasm_error *err) {
  /* Indices first: canonicalisation reads the canon of every type a
   * group refers to outside itself, so those must be earlier types. */
  for (uint32_t i = 0; i < m->ntypes; i++) {
    const wasm_subtype *st = &m->subtypes[i];
    range_ctx c = {m, err, i, st->rec_first + st->rec_size};
    if (!each_index(m, i, in_range, &c))
      return false;
    if (st->nsupers > 1)
      return wasm_fail(err, st->offset,
                       "sub type %u declares %u supertypes (at most 1)", i,
                       st->nsupers);
    if (st->nsupers == 1 && st->super >= i)
      return wasm_fail(err, st->offset,
                       "unknown type %u: the supertype of type %u must be "
                       "defined before it",
                       st->super, i);
  }

  /* Canonical indices, group by group. */
  uint64_t *hashes = calloc(m->ntypes ? m->ntypes : 1, sizeof *hashes);
  if (!hashes)
    return wasm_fail(err, 0, "out of memory");
  for (uint32_t f = 0; f < m->ntypes; f += m->subtypes[f].rec_size) {
    uint32_t n = m->subtypes[f].rec_size;
    uint64_t h = hashes[f] = group_hash(m, f, n);
    uint32_t same = UINT32_MAX;
    for (uint32_t g = 0; g < f && same == UINT32_MAX;
         g += m->subtypes[g].rec_size)
      if (hashes[g] == h && m->subtypes[g].rec_size == n &&
          groups_equal(m, g, f, n))
        same = g;
    for (uint32_t k = 0; k < n; k++)
      m->subtypes[f + k].canon =
          same == UINT32_MAX ? f + k : m->subtypes[same + k].canon;
  }
  free(hashes);

  /* Declared subtyping, now that equivalence is known. */
  for (uint32_t i = 0; i < m->ntypes; i++) {
    const wasm_subtype *st = &m->subtypes[i];
    if (st->super == WASM_NO_SUPER)
      continue;
    if (m->subtypes[st->super].final)
      return wasm_fail(err, st->offset,
                       "sub type %u has final type %u as its supertype", i,
                       st->super);
    if (!matches_super(m, i, st->super))
      return wasm_fail(err, st->offset,
                       "sub type %u does not match its supertype %u", i,
                       st->super);
  }
  return true;
}
