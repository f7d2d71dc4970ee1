/* types.c: the process-wide registry of canonical types.
 *
 * A type id names a type up to Wasm 3.0's iso-recursive equivalence,
 * across every module loaded in the process and every host function:
 * two types get the same id exactly when their recursive groups are
 * structurally the same (references into the group counted by position,
 * references outside it by canonical id) and they sit at the same place
 * in them. So call_indirect's check is one compare for equal types, and
 * `sub` chains (declared subtyping) are kept per id for the rest
 * (wasmrt_type_sub, import matching).
 *
 * The registry holds groups, keyed by a list of 64-bit words (per type:
 * kind and finality, supertype, arity, one word per value type, and for
 * struct and array types one word per field: its storage type, packed
 * codes included, and its mutability); a group's types get consecutive
 * ids. Each struct and array id also has its one wasmrt_rtt (GC): the
 * run-time type objects point to, whose address is the type's identity
 * in generated code's casts, so it is made once, when the group is first
 * interned, and never freed. Each id also
 * keeps the flat signature (how values are passed) and the host->Wasm
 * entry trampolines that loaded modules provide for it, so that
 * wasmrt_call can call any funcref whichever module it came from.
 * Entries are never removed (ids stay valid for the process lifetime);
 * trampolines are forgotten when the module providing them is unloaded.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct tramp {
  const void *owner;
  wasmrt_entry_fn entry;
  struct tramp *next;
} tramp;

typedef struct {
  wasmrt_functype_desc type; /* flat signature; points into bytes below */
  uint8_t *bytes;
  uint32_t kind, final;
  uint32_t super; /* canonical id of the declared supertype, or UINT32_MAX */
  tramp *tramps;
  wasmrt_rtt *rtt; /* struct and array types: their run-time type */
} type_entry;

typedef struct {
  uint64_t hash;
  uint64_t *words;
  uint32_t nwords;
  uint32_t first, size; /* ids [first, first + size) */
} group_entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static type_entry **entries; /* entries[id]; each entry's address is stable */
static uint32_t nentries, cap;
static group_entry *groups;
static uint32_t ngroups, groups_cap;

/* ---- value types ------------------------------------------------------------ */

static bool vt_is_ref(uint32_t t) {
  return (t & WASMRT_VT_REF) || (t >= 0x69 && t <= 0x74);
}
static bool vt_nullable(uint32_t t) {
  return !(t & WASMRT_VT_REF) || (t & WASMRT_VT_NULL);
}
static uint32_t vt_heap(uint32_t t) {
  return (t & WASMRT_VT_REF) ? t & ~(uint32_t)(WASMRT_VT_REF | WASMRT_VT_NULL) : t;
}

uint32_t rt_vt_canon(uint32_t t, const uint32_t *ids) {
  uint32_t ht = vt_heap(t);
  if (!(t & WASMRT_VT_REF) || ht < WASMRT_HT_INDEX) return t;
  return (t & (WASMRT_VT_REF | WASMRT_VT_NULL)) | (WASMRT_HT_INDEX + ids[ht - WASMRT_HT_INDEX]);
}

/* ---- group keys --------------------------------------------------------------- */

/* One value type of a definition in group [first, first+size) of a module
 * whose earlier types have canonical ids `ids`. */
static uint64_t enc_vt(uint32_t t, uint32_t first, uint32_t size, const uint32_t *ids) {
  uint32_t ht = vt_heap(t);
  if (!(t & WASMRT_VT_REF) || ht < WASMRT_HT_INDEX) return t;
  uint32_t x = ht - WASMRT_HT_INDEX;
  uint64_t nullable = vt_nullable(t);
  if (x >= first && x - first < size)
    return 1ull << 40 | nullable << 39 | 1ull << 38 | (x - first);
  return 1ull << 40 | nullable << 39 | ids[x];
}

static uint64_t mix(uint64_t h, uint64_t w) { return (h ^ w) * 0x100000001b3ull; }

typedef struct {
  uint64_t *w;
  uint32_t n, cap;
  bool oom;
} words;

static void put(words *k, uint64_t w) {
  if (k->n == k->cap) {
    uint32_t c = k->cap ? k->cap * 2 : 32;
    uint64_t *p = realloc(k->w, c * sizeof *p);
    if (!p) {
      k->oom = true;
      return;
    }
    k->w = p;
    k->cap = c;
  }
  k->w[k->n++] = w;
}

/* The key of a module's group starting at type index `first`. */
static void group_key(const wasmrt_module_desc *d, uint32_t first, const uint32_t *ids,
                      words *k) {
  const wasmrt_typedef_desc *g = &d->typedefs[first];
  uint32_t size = g->rec_size;
  for (uint32_t i = 0; i < size; i++) {
    const wasmrt_typedef_desc *t = &d->typedefs[first + i];
    put(k, (uint64_t)t->kind << 8 | (t->final ? 1 : 0));
    put(k, t->super == UINT32_MAX
               ? UINT64_MAX
               : enc_vt(WASMRT_VT_REF | (WASMRT_HT_INDEX + t->super), first, size, ids));
    put(k, (uint64_t)t->nparams << 32 | t->nresults);
    for (uint32_t p = 0; p < t->nparams; p++) put(k, enc_vt(t->params[p], first, size, ids));
    for (uint32_t r = 0; r < t->nresults; r++) put(k, enc_vt(t->results[r], first, size, ids));
    if (t->kind == WASMRT_COMP_FUNC) continue;
    /* GC: the fields, each its storage type (a packed code stays itself,
     * a reference into or out of the group is canonicalised as a
     * parameter's) with its mutability above the 42 bits enc_vt uses.
     * Offsets are not in the key: wasmrt_gc_layout derives them from the
     * types, the same in every module. */
    put(k, (uint64_t)1 << 63 | t->nfields);
    for (uint32_t f = 0; f < t->nfields; f++)
      put(k, enc_vt(t->fields[f].type, first, size, ids) |
                 (uint64_t)(t->fields[f].mutable_ ? 1 : 0) << 48);
  }
}

static type_entry *new_entry(const wasmrt_functype_desc *flat) {
  type_entry *e = calloc(1, sizeof *e);
  uint8_t *bytes = malloc(flat->nparams + flat->nresults + 1);
  if (!e || !bytes) {
    free(e);
    free(bytes);
    return NULL;
  }
  if (flat->nparams) memcpy(bytes, flat->params, flat->nparams);
  if (flat->nresults) memcpy(bytes + flat->nparams, flat->results, flat->nresults);
  e->bytes = bytes;
  e->type = (wasmrt_functype_desc){flat->nparams, flat->nresults, bytes, bytes + flat->nparams};
  e->super = UINT32_MAX;
  e->final = 1;
  e->kind = WASMRT_COMP_FUNC;
  return e;
}

/* Finds or adds the group with key k (lock held); its first id, or
 * UINT32_MAX when out of memory. `fresh` tells whether it was added (the
 * caller then fills the entries' kind, finality and supertypes). */
static uint32_t intern_group(words *k, uint32_t size, const wasmrt_functype_desc *const *flats,
                             bool *fresh) {
  uint64_t h = 0xcbf29ce484222325ull ^ size;
  for (uint32_t i = 0; i < k->n; i++) h = mix(h, k->w[i]);
  *fresh = false;
  /* Linear scan keyed by hash: modules have tens of types and the scan
   * runs once per group at load time. */
  for (uint32_t i = 0; i < ngroups; i++) {
    group_entry *g = &groups[i];
    if (g->hash == h && g->size == size && g->nwords == k->n &&
        memcmp(g->words, k->w, k->n * sizeof *k->w) == 0)
      return g->first;
  }
  if (ngroups == groups_cap) {
    uint32_t c = groups_cap ? groups_cap * 2 : 64;
    group_entry *p = realloc(groups, c * sizeof *p);
    if (!p) return UINT32_MAX;
    groups = p;
    groups_cap = c;
  }
  while (nentries + size > cap) {
    uint32_t c = cap ? cap * 2 : 64;
    type_entry **p = realloc(entries, c * sizeof *p);
    if (!p) return UINT32_MAX;
    entries = p;
    cap = c;
  }
  uint64_t *w = malloc((k->n ? k->n : 1) * sizeof *w);
  if (!w) return UINT32_MAX;
  memcpy(w, k->w, k->n * sizeof *w);
  uint32_t first = nentries;
  for (uint32_t i = 0; i < size; i++) {
    entries[first + i] = new_entry(flats[i]);
    if (!entries[first + i]) {
      while (i--) {
        free(entries[first + i]->bytes);
        free(entries[first + i]);
      }
      free(w);
      return UINT32_MAX;
    }
  }
  nentries += size;
  groups[ngroups++] = (group_entry){h, w, k->n, first, size};
  *fresh = true;
  return first;
}

static bool add_tramp(uint32_t id, const void *owner, wasmrt_entry_fn entry) {
  if (!entry) return true;
  tramp *t = malloc(sizeof *t);
  if (!t) return false;
  *t = (tramp){owner, entry, entries[id]->tramps};
  entries[id]->tramps = t;
  return true;
}

/* ---- run-time types (GC) ------------------------------------------------------ */

/* The rtt of struct or array type t, canonical id `id`, of a module whose
 * types up to t's group have canonical ids `ids` (lock held); NULL when
 * out of memory or when the descriptor is inconsistent (a supertype that
 * is not a struct or array type, a field list of the wrong length). */
static wasmrt_rtt *make_rtt(const wasmrt_typedef_desc *t, uint32_t id, const uint32_t *ids) {
  const wasmrt_rtt *sup = NULL;
  if (t->super != UINT32_MAX) {
    sup = entries[ids[t->super]]->rtt;
    if (!sup) return NULL;
  }
  if (t->kind == WASMRT_COMP_ARRAY ? t->nfields != 1 : t->kind != WASMRT_COMP_STRUCT)
    return NULL;
  uint32_t depth = sup ? sup->depth + 1 : 0;
  wasmrt_rtt *r = calloc(1, sizeof *r + (depth + 1) * sizeof r->supers[0]);
  uint32_t nrefs = 0;
  for (uint32_t f = 0; f < t->nfields; f++) nrefs += vt_is_ref(t->fields[f].type);
  uint32_t *offs = calloc(nrefs ? nrefs : 1, sizeof *offs);
  if (!r || !offs) {
    free(r);
    free(offs);
    return NULL;
  }
  r->kind = t->kind;
  r->depth = depth;
  r->type_id = id;
  if (t->kind == WASMRT_COMP_STRUCT) {
    /* the compiler's offsets (wasmrt_gc_layout), which equivalent types
     * of every module share */
    r->size = t->obj_size;
    for (uint32_t f = 0, n = 0; f < t->nfields; f++)
      if (vt_is_ref(t->fields[f].type)) offs[n++] = t->fields[f].offset;
    r->nrefs = nrefs;
    r->ref_offsets = offs;
  } else {
    r->size = wasmrt_gc_storage_size(t->fields[0].type);
    r->nrefs = nrefs; /* 1: every element is a reference word */
    r->elem_type = rt_vt_canon(t->fields[0].type, ids);
    free(offs);
  }
  for (uint32_t k = 0; k < depth; k++) r->supers[k] = sup->supers[k];
  r->supers[depth] = r;
  return r;
}

const wasmrt_rtt *rt_types_rtt(uint32_t id) {
  const wasmrt_rtt *r = NULL;
  pthread_mutex_lock(&lock);
  if (id < nentries) r = entries[id]->rtt;
  pthread_mutex_unlock(&lock);
  return r;
}

/* ---- interning ---------------------------------------------------------------- */

uint32_t rt_types_intern(const uint8_t *params, uint32_t np, const uint8_t *results,
                         uint32_t nr, const void *owner, wasmrt_entry_fn entry) {
  /* A flat signature of Wasm 2.0 types is a final function type alone in
   * its group, keyed as a module's would be (so the two meet). */
  words k = {0};
  put(&k, (uint64_t)WASMRT_COMP_FUNC << 8 | 1);
  put(&k, UINT64_MAX);
  put(&k, (uint64_t)np << 32 | nr);
  for (uint32_t i = 0; i < np; i++) put(&k, params[i]);
  for (uint32_t i = 0; i < nr; i++) put(&k, results[i]);
  if (k.oom) {
    free(k.w);
    return UINT32_MAX;
  }
  wasmrt_functype_desc flat = {np, nr, params, results};
  const wasmrt_functype_desc *flats[1] = {&flat};
  bool fresh;
  pthread_mutex_lock(&lock);
  uint32_t id = intern_group(&k, 1, flats, &fresh);
  if (id != UINT32_MAX && !add_tramp(id, owner, entry)) id = UINT32_MAX;
  pthread_mutex_unlock(&lock);
  free(k.w);
  return id;
}

bool rt_types_intern_module(const wasmrt_module_desc *d, const void *owner, uint32_t *ids) {
  if (!d->typedefs) {
    for (uint32_t i = 0; i < d->ntypes; i++) {
      const wasmrt_functype_desc *t = &d->types[i];
      ids[i] = rt_types_intern(t->params, t->nparams, t->results, t->nresults, owner,
                               d->entries ? d->entries[i] : NULL);
      if (ids[i] == UINT32_MAX) return false;
    }
    return true;
  }
  bool ok = true;
  words k = {0};
  const wasmrt_functype_desc **flats = calloc(d->ntypes + 1, sizeof *flats);
  if (!flats) return false;
  pthread_mutex_lock(&lock);
  for (uint32_t f = 0; ok && f < d->ntypes; f += d->typedefs[f].rec_size) {
    uint32_t size = d->typedefs[f].rec_size;
    k.n = 0;
    group_key(d, f, ids, &k);
    if (k.oom) {
      ok = false;
      break;
    }
    for (uint32_t i = 0; i < size; i++) flats[i] = &d->types[f + i];
    bool fresh;
    uint32_t first = intern_group(&k, size, flats, &fresh);
    if (first == UINT32_MAX) {
      ok = false;
      break;
    }
    for (uint32_t i = 0; i < size; i++) ids[f + i] = first + i;
    for (uint32_t i = 0; fresh && i < size; i++) {
      const wasmrt_typedef_desc *t = &d->typedefs[f + i];
      type_entry *e = entries[first + i];
      e->kind = t->kind;
      e->final = t->final ? 1 : 0;
      /* a supertype precedes its subtype, so its id is known */
      e->super = t->super == UINT32_MAX ? UINT32_MAX : ids[t->super];
    }
    /* Run-time types, in index order so that a supertype's (which
     * precedes its subtypes) exists when a subtype's display copies it.
     * Not only for fresh groups: one whose rtt could not be made (out of
     * memory) gets it from the next module that interns the group. */
    for (uint32_t i = 0; ok && i < size; i++) {
      const wasmrt_typedef_desc *t = &d->typedefs[f + i];
      type_entry *e = entries[first + i];
      if (t->kind != WASMRT_COMP_FUNC && !e->rtt)
        ok = (e->rtt = make_rtt(t, first + i, ids)) != NULL;
    }
    for (uint32_t i = 0; ok && i < size; i++)
      ok = add_tramp(first + i, owner, d->entries ? d->entries[f + i] : NULL);
  }
  pthread_mutex_unlock(&lock);
  free(flats);
  free(k.w);
  return ok;
}

/* ---- subtyping ---------------------------------------------------------------- */

/* a <: b over ids (lock held): b is a or one of a's declared ancestors. */
static bool id_sub(uint32_t a, uint32_t b) {
  while (a < nentries) {
    if (a == b) return true;
    a = entries[a]->super;
  }
  return false;
}

static uint32_t id_kind(uint32_t id) { return id < nentries ? entries[id]->kind : 0; }

/* The abstract heap type a concrete one sits directly under: func,
 * struct or array (lock held). */
static uint32_t id_abstract(uint32_t id) {
  switch (id_kind(id)) {
  case WASMRT_COMP_STRUCT: return WASMRT_HT_STRUCT;
  case WASMRT_COMP_ARRAY: return WASMRT_HT_ARRAY;
  default: return WASMRT_HT_FUNC;
  }
}

/* Abstract heap types: a <: b. The hierarchies are
 *   any > eq > {i31, struct, array} > none
 *   func > nofunc, extern > noextern, exn > noexn. */
static bool abstract_sub(uint32_t a, uint32_t b) {
  if (a == b) return true;
  switch (b) {
  case WASMRT_HT_ANY:
    return a == WASMRT_HT_EQ || a == WASMRT_HT_I31 || a == WASMRT_HT_STRUCT ||
           a == WASMRT_HT_ARRAY || a == WASMRT_HT_NONE;
  case WASMRT_HT_EQ:
    return a == WASMRT_HT_I31 || a == WASMRT_HT_STRUCT || a == WASMRT_HT_ARRAY ||
           a == WASMRT_HT_NONE;
  case WASMRT_HT_I31: case WASMRT_HT_STRUCT: case WASMRT_HT_ARRAY: return a == WASMRT_HT_NONE;
  case WASMRT_HT_FUNC: return a == WASMRT_HT_NOFUNC;
  case WASMRT_HT_EXTERN: return a == WASMRT_HT_NOEXTERN;
  case WASMRT_HT_EXN: return a == WASMRT_HT_NOEXN;
  default: return false;
  }
}

/* Heap type a <: b, canonical (lock held): concrete types under their
 * declared chain and then their kind's abstract type; the bottom types
 * (none, nofunc) under every concrete type of their hierarchy. */
static bool heap_sub(uint32_t a, uint32_t b) {
  bool ca = a >= WASMRT_HT_INDEX, cb = b >= WASMRT_HT_INDEX;
  if (ca && cb) return id_sub(a - WASMRT_HT_INDEX, b - WASMRT_HT_INDEX);
  if (ca) return abstract_sub(id_abstract(a - WASMRT_HT_INDEX), b);
  if (cb)
    return a == (id_abstract(b - WASMRT_HT_INDEX) == WASMRT_HT_FUNC ? WASMRT_HT_NOFUNC
                                                                      : WASMRT_HT_NONE);
  return abstract_sub(a, b);
}

bool rt_vt_is_gc_ref(uint32_t t) {
  if (!vt_is_ref(t)) return false;
  uint32_t ht = vt_heap(t);
  if (ht >= WASMRT_HT_INDEX) {
    pthread_mutex_lock(&lock);
    uint32_t abs = id_abstract(ht - WASMRT_HT_INDEX);
    pthread_mutex_unlock(&lock);
    return abs != WASMRT_HT_FUNC;
  }
  return abstract_sub(ht, WASMRT_HT_ANY) || abstract_sub(ht, WASMRT_HT_EXTERN);
}

bool rt_vt_sub(uint32_t a, uint32_t b) {
  if (a == b) return true;
  if (!vt_is_ref(a) || !vt_is_ref(b)) return false;
  if (vt_nullable(a) && !vt_nullable(b)) return false;
  pthread_mutex_lock(&lock);
  bool r = heap_sub(vt_heap(a), vt_heap(b));
  pthread_mutex_unlock(&lock);
  return r;
}

bool rt_type_sub(uint32_t sub, uint32_t super) {
  if (sub == super) return true;
  pthread_mutex_lock(&lock);
  bool r = id_sub(sub, super);
  pthread_mutex_unlock(&lock);
  return r;
}

/* Called by generated code only when the ids differ and the expected
 * type is not final (final types keep the one-compare check). */
WASMRT_API uint32_t wasmrt_type_sub(uint32_t sub, uint32_t super) {
  return rt_type_sub(sub, super) ? 1 : 0;
}

/* ---- trampolines and flat signatures -------------------------------------------- */

void rt_types_forget_owner(const void *owner) {
  pthread_mutex_lock(&lock);
  for (uint32_t i = 0; i < nentries; i++) {
    tramp **pp = &entries[i]->tramps;
    while (*pp) {
      if ((*pp)->owner == owner) {
        tramp *dead = *pp;
        *pp = dead->next;
        free(dead);
      } else {
        pp = &(*pp)->next;
      }
    }
  }
  pthread_mutex_unlock(&lock);
}

wasmrt_entry_fn rt_types_entry(uint32_t id) {
  wasmrt_entry_fn f = NULL;
  pthread_mutex_lock(&lock);
  if (id < nentries && entries[id]->tramps) f = entries[id]->tramps->entry;
  pthread_mutex_unlock(&lock);
  return f;
}

const wasmrt_functype_desc *rt_types_get(uint32_t id) {
  const wasmrt_functype_desc *t = NULL;
  pthread_mutex_lock(&lock);
  if (id < nentries) t = &entries[id]->type;
  pthread_mutex_unlock(&lock);
  return t;
}

WASMRT_API const wasmrt_functype_desc *wasmrt_funcref_type(const wasmrt_funcref *fn) {
  return fn ? rt_types_get(fn->type_id) : NULL;
}
