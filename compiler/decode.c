/* decode.c: the WebAssembly 2.0 binary format (spec chapter 5) -> wasm_module.
 *
 * One pass over the sections, checking their order, their sizes and the
 * encoding of everything in them. Function bodies stay byte ranges: the
 * validator decodes their instructions once, so decoding a module costs no
 * per-instruction work. Constant expressions, which are tiny and needed by
 * every later stage, are decoded into instruction arrays here.
 *
 * Every vector length is checked against the bytes left before anything is
 * allocated for it (read_vec_count), so what we allocate is bounded by a
 * small multiple of the input size whatever the input says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"
#include "reader.h"

enum {
  SEC_CUSTOM = 0,
  SEC_TYPE = 1,
  SEC_IMPORT = 2,
  SEC_FUNCTION = 3,
  SEC_TABLE = 4,
  SEC_MEMORY = 5,
  SEC_GLOBAL = 6,
  SEC_EXPORT = 7,
  SEC_START = 8,
  SEC_ELEMENT = 9,
  SEC_CODE = 10,
  SEC_DATA = 11,
  SEC_DATACOUNT = 12,
  SEC_TAG = 13, /* exception handling: between memory and global */
  SEC_COUNT
};

static const char *const section_names[SEC_COUNT] = {
    "custom", "type",    "import", "function", "table", "memory",   "global",
    "export", "start",   "element", "code",    "data",  "datacount", "tag"};

/* Position of each section id in the required order: datacount (12) sits
 * between element (9) and code (10), and tag (13) between memory (5) and
 * global (6), so the ids alone do not give it. */
static const uint8_t section_rank[SEC_COUNT] = {0, 1, 2,  3,  4,  5,  7,
                                                8, 9, 10, 12, 13, 11, 6};

typedef struct {
  wasm_module *m;
  wasm_reader r; /* r.end is narrowed to the current section or code entry */
  wasm_error *err;

  /* instructions of the constant expression being read, before they get
   * their exact-size copy in the arena */
  wasm_instr *scratch;
  size_t scratch_cap;

  uint32_t sections_cap;
  int name_section;    /* index in m->sections, or -1 */
  size_t name_payload; /* where its payload starts (after its name) */

  /* index spaces already built (imports + definitions) */
  bool have_funcs, have_tables, have_memories, have_globals, have_tags;

  bool have_code_section, have_data_section;
  uint32_t ndefined_funcs;  /* as declared by the function section */
  size_t function_count_at; /* offset of that count, for messages */
  size_t datacount_at;
} decoder;

static bool oom(decoder *d) {
  return wasm_fail(d->err, d->r.pos, "out of memory");
}

/* ---- small pieces of the grammar ---------------------------------------- */

/* A vector length, bounded so that allocating n entries stays proportional
 * to the input: every entry takes at least min bytes. A count larger than
 * the bytes left is "length out of bounds"; one that merely cannot fit at
 * min bytes per entry means the entries run out early, and is reported as
 * the end it will hit ("unexpected end of section or function" inside the
 * file). */
static bool read_vec_count(decoder *d, uint32_t min, const char *what,
                           uint32_t *n) {
  size_t at = d->r.pos;
  if (!wasm_read_count(&d->r, 1, n))
    return false;
  size_t left = d->r.end - d->r.pos;
  if ((uint64_t)*n * min > left)
    return wasm_fail(d->err, at,
                     "unexpected end: a vector of %u %s needs at least %llu "
                     "bytes, only %zu are left",
                     *n, what, (unsigned long long)*n * min, left);
  return true;
}

static bool read_valtype(decoder *d, wasm_vtype *out) {
  return wasm_read_valtype(&d->r, out);
}

static bool read_reftype(decoder *d, wasm_vtype *out) {
  return wasm_read_reftype(&d->r, out);
}

/* Limits (Wasm 3.0): a flags byte, bit 0 = a maximum follows, bit 1 =
 * shared (threads; memories only, `shared` false for tables), bit 2 = the
 * 64-bit address type (memory64, table64), whose bounds are u64 instead
 * of u32. Range checks (min <= max, the page bound, a shared memory's
 * maximum) are validation rules, so only the encoding is checked here. */
static bool read_limits(decoder *d, wasm_limits *l, bool memory) {
  size_t at = d->r.pos;
  uint8_t flag;
  if (!wasm_read_u8(&d->r, &flag))
    return false;
  uint8_t allowed = memory ? 0x07 : 0x05;
  /* The spec's tests read the flag as a one-bit LEB128, hence their
   * wording for the two ways it can be wrong. */
  if (flag & ~allowed)
    return wasm_fail(d->err, at,
                     "%s: malformed limits flags 0x%02x (expected %s)",
                     flag & 0x80 ? "integer representation too long"
                                 : "integer too large",
                     flag,
                     memory ? "0x00..0x07" : "0x00, 0x01, 0x04 or 0x05");
  l->is64 = (flag & 4) != 0;
  l->shared = (flag & 2) != 0;
  l->has_max = flag & 1;
  l->max = 0;
  if (l->is64)
    return wasm_read_u64(&d->r, &l->min) &&
           (!l->has_max || wasm_read_u64(&d->r, &l->max));
  uint32_t min, max = 0;
  if (!wasm_read_u32(&d->r, &min))
    return false;
  if (l->has_max && !wasm_read_u32(&d->r, &max))
    return false;
  l->min = min;
  l->max = max;
  return true;
}

static bool read_tabletype(decoder *d, wasm_tabletype *t) {
  return read_reftype(d, &t->elem) && read_limits(d, &t->limits, false);
}

static bool read_globaltype(decoder *d, wasm_globaltype *g) {
  if (!read_valtype(d, &g->type))
    return false;
  size_t at = d->r.pos;
  uint8_t mut;
  if (!wasm_read_u8(&d->r, &mut))
    return false;
  if (mut > 1)
    return wasm_fail(d->err, at, "malformed mutability 0x%02x", mut);
  g->mutable_ = mut;
  return true;
}

/* A tag type: the attribute byte (0: an exception, the only kind there
 * is) and the index of its function type. */
static bool read_tagtype(decoder *d, uint32_t *type) {
  size_t at = d->r.pos;
  uint8_t attr;
  if (!wasm_read_u8(&d->r, &attr))
    return false;
  if (attr != 0)
    return wasm_fail(d->err, at,
                     "malformed tag attribute 0x%02x (expected 0x00)", attr);
  return wasm_read_u32(&d->r, type);
}

/* vec(valtype), into the arena. A count beyond the bytes left is refused
 * first (every type takes at least one byte). */
static bool read_valtypes(decoder *d, uint32_t *n, const wasm_vtype **types) {
  if (!wasm_read_count(&d->r, 1, n))
    return false;
  wasm_vtype *t = wasm_arena_array(&d->m->arena, *n, sizeof *t);
  if (!t && *n)
    return oom(d);
  for (uint32_t i = 0; i < *n; i++)
    if (!read_valtype(d, &t[i]))
      return false;
  *types = t;
  return true;
}

/* An expression up to its final `end`. Structured instructions are
 * followed so that a nested `end` does not cut the expression short: the
 * binary grammar allows any instruction here, and judging which ones are
 * constant is the validator's job ("constant expression required"). */
static bool read_constexpr(decoder *d, wasm_constexpr *out) {
  wasm_reader *r = &d->r;
  out->offset = (uint32_t)r->pos;
  size_t n = 0;
  uint32_t depth = 0;
  for (;;) {
    wasm_instr in;
    if (!wasm_read_instr(r, &in))
      return false;
    if (in.op == WASM_OP_END) {
      if (depth == 0)
        break;
      depth--;
    } else if (in.op == WASM_OP_BLOCK || in.op == WASM_OP_LOOP ||
               in.op == WASM_OP_IF) {
      depth++;
    } else if (in.op == WASM_OP_BR_TABLE) {
      /* the targets live in the reader's scratch buffer until the next
       * instruction; the stored copy must not dangle */
      uint32_t *t = wasm_arena_array(&d->m->arena, in.imm.br_table.count,
                                     sizeof *t);
      if (!t)
        return oom(d);
      if (in.imm.br_table.count)
        memcpy(t, in.imm.br_table.targets, in.imm.br_table.count * sizeof *t);
      in.imm.br_table.targets = t;
    }
    if (n == d->scratch_cap) {
      size_t cap = d->scratch_cap ? d->scratch_cap * 2 : 16;
      wasm_instr *s = realloc(d->scratch, cap * sizeof *s);
      if (!s)
        return oom(d);
      d->scratch = s;
      d->scratch_cap = cap;
    }
    d->scratch[n++] = in;
  }
  out->ninstrs = (uint32_t)n;
  out->instrs = NULL;
  if (n) {
    out->instrs = wasm_arena_array(&d->m->arena, n, sizeof *out->instrs);
    if (!out->instrs)
      return oom(d);
    memcpy(out->instrs, d->scratch, n * sizeof *out->instrs);
  }
  return true;
}

/* ---- index spaces ------------------------------------------------------- */

/* The funcs/tables/memories/globals arrays cover imports and definitions,
 * so each is built once its definitions' count is known (or at the end,
 * with imports only, when the defining section is absent). */
static bool build_space(decoder *d, wasm_externkind kind, uint32_t ndefined) {
  wasm_module *m = d->m;
  uint32_t nimported = kind == WASM_EXTERN_FUNC     ? m->nimported_funcs
                       : kind == WASM_EXTERN_TABLE  ? m->nimported_tables
                       : kind == WASM_EXTERN_MEMORY ? m->nimported_memories
                                                    : m->nimported_globals;
  uint64_t total = (uint64_t)nimported + ndefined;
  if (total > UINT32_MAX)
    return wasm_fail(d->err, d->r.pos, "too many %ss (%llu)",
                     wasm_externkind_name(kind), (unsigned long long)total);
  size_t elem = kind == WASM_EXTERN_FUNC     ? sizeof(wasm_func)
                : kind == WASM_EXTERN_TABLE  ? sizeof(wasm_tabletype)
                : kind == WASM_EXTERN_MEMORY ? sizeof(wasm_memtype)
                                             : sizeof(wasm_global);
  void *arr = wasm_arena_array(&m->arena, (size_t)total, elem);
  if (!arr)
    return oom(d);
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    const wasm_import *imp = &m->imports[i];
    if (imp->kind != kind)
      continue;
    switch (kind) {
    case WASM_EXTERN_FUNC: {
      wasm_func *f = &((wasm_func *)arr)[k++];
      f->type = imp->desc.func_type;
      f->imported = true;
      break;
    }
    case WASM_EXTERN_TABLE:
      ((wasm_tabletype *)arr)[k++] = imp->desc.table;
      break;
    case WASM_EXTERN_MEMORY:
      ((wasm_memtype *)arr)[k++] = imp->desc.memory;
      break;
    case WASM_EXTERN_GLOBAL: {
      wasm_global *g = &((wasm_global *)arr)[k++];
      g->type = imp->desc.global;
      g->imported = true;
      break;
    }
    case WASM_EXTERN_TAG: /* build_tags' job */
      break;
    }
  }
  switch (kind) {
  case WASM_EXTERN_FUNC:
    m->funcs = arr;
    m->nfuncs = (uint32_t)total;
    d->have_funcs = true;
    break;
  case WASM_EXTERN_TABLE:
    m->tables = arr;
    m->ntables = (uint32_t)total;
    d->have_tables = true;
    break;
  case WASM_EXTERN_MEMORY:
    m->memories = arr;
    m->nmemories = (uint32_t)total;
    d->have_memories = true;
    break;
  case WASM_EXTERN_GLOBAL:
    m->globals = arr;
    m->nglobals = (uint32_t)total;
    d->have_globals = true;
    break;
  case WASM_EXTERN_TAG:
    break;
  }
  return true;
}

/* ---- sections ----------------------------------------------------------- */

/* A struct or array field: storage type (value type, or packed i8/i16)
 * and mutability. */
static bool read_fieldtype(decoder *d, wasm_fieldtype *f) {
  wasm_reader *r = &d->r;
  if (r->pos < r->end && (r->base[r->pos] == WASM_PACKED_I8 ||
                          r->base[r->pos] == WASM_PACKED_I16)) {
    f->type = r->base[r->pos++];
  } else if (!read_valtype(d, &f->type)) {
    return false;
  }
  size_t at = r->pos;
  uint8_t mut;
  if (!wasm_read_u8(r, &mut))
    return false;
  if (mut > 1)
    return wasm_fail(d->err, at, "malformed mutability 0x%02x", mut);
  f->mutable_ = mut;
  return true;
}

/* A composite type: func (0x60), struct (0x5F) or array (0x5E). */
static bool read_comptype(decoder *d, uint32_t idx, wasm_functype *ft,
                          wasm_subtype *st) {
  size_t at = d->r.pos;
  uint8_t form;
  if (!wasm_read_u8(&d->r, &form))
    return false;
  st->kind = form;
  switch (form) {
  case WASM_COMP_FUNC:
    return read_valtypes(d, &ft->nparams, &ft->params) &&
           read_valtypes(d, &ft->nresults, &ft->results);
  case WASM_COMP_STRUCT: {
    if (!wasm_read_count(&d->r, 2, &st->nfields))
      return false;
    wasm_fieldtype *f =
        wasm_arena_array(&d->m->arena, st->nfields, sizeof *f);
    if (!f && st->nfields)
      return oom(d);
    for (uint32_t i = 0; i < st->nfields; i++)
      if (!read_fieldtype(d, &f[i]))
        return false;
    st->fields = f;
    return true;
  }
  case WASM_COMP_ARRAY: {
    wasm_fieldtype *f = wasm_arena_alloc(&d->m->arena, sizeof *f);
    if (!f)
      return oom(d);
    st->nfields = 1;
    st->fields = f;
    return read_fieldtype(d, f);
  }
  default:
    return wasm_fail(d->err, at,
                     "malformed functype: type %u starts with 0x%02x, "
                     "expected 0x60 (func), 0x5F (struct), 0x5E (array), "
                     "0x50/0x4F (sub) or 0x4E (rec)",
                     idx, form);
  }
}

/* A subtype: `sub` (0x50) or `sub final` (0x4F) with its supertypes, or
 * a bare composite type (final, no supertype). */
static bool read_subtype(decoder *d, uint32_t idx, wasm_functype *ft,
                         wasm_subtype *st) {
  wasm_reader *r = &d->r;
  st->offset = (uint32_t)r->pos;
  st->super = WASM_NO_SUPER;
  st->final = true;
  uint8_t b = r->pos < r->end ? r->base[r->pos] : 0;
  if (b == 0x50 || b == 0x4F) {
    r->pos++;
    st->final = b == 0x4F;
    if (!wasm_read_count(r, 1, &st->nsupers))
      return false;
    for (uint32_t i = 0; i < st->nsupers; i++) {
      uint32_t x;
      if (!wasm_read_u32(r, &x))
        return false;
      if (i == 0)
        st->super = x;
    }
  }
  return read_comptype(d, idx, ft, st);
}

/* vec(rectype): a rec group (0x4E vec(subtype)) or one subtype, which is
 * a group of its own. The flat index space of types grows by a group's
 * size, so the arrays grow as groups are read (each type costs at least
 * two bytes of input, an empty struct's 0x5F 0x00, which bounds them). */
static bool decode_types(decoder *d) {
  wasm_module *m = d->m;
  wasm_reader *r = &d->r;
  uint32_t nrecs;
  if (!read_vec_count(d, 2, "types", &nrecs))
    return false;
  size_t cap = nrecs ? nrecs : 1, n = 0;
  wasm_functype *fts = calloc(cap, sizeof *fts);
  wasm_subtype *sts = calloc(cap, sizeof *sts);
  bool ok = fts && sts;
  if (!ok)
    oom(d);
  for (uint32_t g = 0; ok && g < nrecs; g++) {
    uint32_t size = 1;
    if (r->pos < r->end && r->base[r->pos] == 0x4E) {
      r->pos++;
      if (!wasm_read_count(r, 2, &size)) {
        ok = false;
        break;
      }
    }
    if (n + size > UINT32_MAX / 2) {
      ok = wasm_fail(d->err, r->pos, "too many types");
      break;
    }
    if (n + size > cap) {
      size_t ncap = cap;
      while (ncap < n + size)
        ncap *= 2;
      wasm_functype *f2 = realloc(fts, ncap * sizeof *f2);
      if (f2)
        fts = f2;
      wasm_subtype *s2 = realloc(sts, ncap * sizeof *s2);
      if (s2)
        sts = s2;
      if (!f2 || !s2) {
        ok = oom(d);
        break;
      }
      memset(fts + cap, 0, (ncap - cap) * sizeof *fts);
      memset(sts + cap, 0, (ncap - cap) * sizeof *sts);
      cap = ncap;
    }
    uint32_t first = (uint32_t)n;
    for (uint32_t k = 0; ok && k < size; k++, n++) {
      sts[n].rec_first = first;
      sts[n].rec_size = size;
      ok = read_subtype(d, (uint32_t)n, &fts[n], &sts[n]);
    }
  }
  if (ok) {
    m->nrecs = nrecs;
    m->ntypes = (uint32_t)n;
    m->types = wasm_arena_array(&m->arena, n ? n : 1, sizeof *m->types);
    m->subtypes = wasm_arena_array(&m->arena, n ? n : 1, sizeof *m->subtypes);
    if (!m->types || !m->subtypes)
      ok = oom(d);
    else if (n) {
      memcpy(m->types, fts, n * sizeof *fts);
      memcpy(m->subtypes, sts, n * sizeof *sts);
    }
  }
  free(fts);
  free(sts);
  return ok;
}

static bool decode_imports(decoder *d) {
  wasm_module *m = d->m;
  /* smallest import: two empty names, kind, one-byte type index */
  if (!read_vec_count(d, 4, "imports", &m->nimports))
    return false;
  m->imports = wasm_arena_array(&m->arena, m->nimports, sizeof *m->imports);
  if (!m->imports)
    return oom(d);
  for (uint32_t i = 0; i < m->nimports; i++) {
    wasm_import *imp = &m->imports[i];
    imp->offset = (uint32_t)d->r.pos;
    if (!wasm_read_name(&d->r, &m->arena, &imp->module) ||
        !wasm_read_name(&d->r, &m->arena, &imp->name))
      return false;
    size_t at = d->r.pos;
    uint8_t kind;
    if (!wasm_read_u8(&d->r, &kind))
      return false;
    imp->kind = (wasm_externkind)kind;
    switch (kind) {
    case WASM_EXTERN_FUNC:
      if (!wasm_read_u32(&d->r, &imp->desc.func_type))
        return false;
      m->nimported_funcs++;
      break;
    case WASM_EXTERN_TABLE:
      if (!read_tabletype(d, &imp->desc.table))
        return false;
      m->nimported_tables++;
      break;
    case WASM_EXTERN_MEMORY:
      if (!read_limits(d, &imp->desc.memory.limits, true))
        return false;
      m->nimported_memories++;
      break;
    case WASM_EXTERN_GLOBAL:
      if (!read_globaltype(d, &imp->desc.global))
        return false;
      m->nimported_globals++;
      break;
    case WASM_EXTERN_TAG:
      if (!read_tagtype(d, &imp->desc.tag_type))
        return false;
      m->nimported_tags++;
      break;
    default:
      return wasm_fail(d->err, at, "malformed import kind 0x%02x", kind);
    }
  }
  return true;
}

static bool decode_functions(decoder *d) {
  wasm_module *m = d->m;
  d->function_count_at = d->r.pos;
  uint32_t n;
  if (!read_vec_count(d, 1, "functions", &n))
    return false;
  if (!build_space(d, WASM_EXTERN_FUNC, n))
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!wasm_read_u32(&d->r, &m->funcs[m->nimported_funcs + i].type))
      return false;
  d->ndefined_funcs = n;
  return true;
}

static bool decode_tables(decoder *d) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_vec_count(d, 3, "tables", &n) ||
      !build_space(d, WASM_EXTERN_TABLE, n))
    return false;
  m->table_inits = wasm_arena_array(&m->arena, m->ntables ? m->ntables : 1,
                                    sizeof *m->table_inits);
  if (!m->table_inits)
    return oom(d);
  memset(m->table_inits, 0, (m->ntables ? m->ntables : 1) *
                                sizeof *m->table_inits);
  for (uint32_t i = 0; i < n; i++) {
    /* Wasm 3.0: 0x40 0x00 announces a table type followed by the
     * expression every slot starts with (a reference type never begins
     * with 0x40, so the two forms cannot be confused). */
    size_t at = d->r.pos;
    if (d->r.pos < d->r.end && d->r.base[d->r.pos] == 0x40) {
      uint8_t tag, zero;
      if (!wasm_read_u8(&d->r, &tag) || !wasm_read_u8(&d->r, &zero))
        return false;
      if (zero != 0x00)
        return wasm_fail(d->err, at, "malformed table: 0x40 0x%02x "
                         "(expected 0x40 0x00 before an initialised table)",
                         zero);
      if (!read_tabletype(d, &m->tables[m->nimported_tables + i]) ||
          !read_constexpr(d, &m->table_inits[m->nimported_tables + i]))
        return false;
      continue;
    }
    if (!read_tabletype(d, &m->tables[m->nimported_tables + i]))
      return false;
  }
  return true;
}

static bool decode_memories(decoder *d) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_vec_count(d, 2, "memories", &n) ||
      !build_space(d, WASM_EXTERN_MEMORY, n))
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!read_limits(d, &m->memories[m->nimported_memories + i].limits, true))
      return false;
  return true;
}

/* The tag index space: imported tags first, like the others. Built by the
 * tag section, or at the end (imports only) when there is none. */
static bool build_tags(decoder *d, uint32_t ndefined) {
  wasm_module *m = d->m;
  uint64_t total = (uint64_t)m->nimported_tags + ndefined;
  if (total > UINT32_MAX)
    return wasm_fail(d->err, d->r.pos, "too many tags (%llu)",
                     (unsigned long long)total);
  m->tags = wasm_arena_array(&m->arena, (size_t)total, sizeof *m->tags);
  if (!m->tags)
    return oom(d);
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->nimports; i++)
    if (m->imports[i].kind == WASM_EXTERN_TAG)
      m->tags[k++] = (wasm_tag){m->imports[i].desc.tag_type, true};
  m->ntags = (uint32_t)total;
  d->have_tags = true;
  return true;
}

static bool decode_tags(decoder *d) {
  wasm_module *m = d->m;
  uint32_t n;
  /* smallest tag: the attribute byte and a one-byte type index */
  if (!read_vec_count(d, 2, "tags", &n) || !build_tags(d, n))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    wasm_tag *t = &m->tags[m->nimported_tags + i];
    if (!read_tagtype(d, &t->type))
      return false;
  }
  return true;
}

static bool decode_globals(decoder *d) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_vec_count(d, 3, "globals", &n) ||
      !build_space(d, WASM_EXTERN_GLOBAL, n))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    wasm_global *g = &m->globals[m->nimported_globals + i];
    if (!read_globaltype(d, &g->type) || !read_constexpr(d, &g->init))
      return false;
  }
  return true;
}

static bool decode_exports(decoder *d) {
  wasm_module *m = d->m;
  if (!read_vec_count(d, 3, "exports", &m->nexports))
    return false;
  m->exports = wasm_arena_array(&m->arena, m->nexports, sizeof *m->exports);
  if (!m->exports)
    return oom(d);
  for (uint32_t i = 0; i < m->nexports; i++) {
    wasm_export *e = &m->exports[i];
    e->offset = (uint32_t)d->r.pos;
    if (!wasm_read_name(&d->r, &m->arena, &e->name))
      return false;
    size_t at = d->r.pos;
    uint8_t kind;
    if (!wasm_read_u8(&d->r, &kind))
      return false;
    if (kind > WASM_EXTERN_TAG)
      return wasm_fail(d->err, at, "malformed export kind 0x%02x", kind);
    e->kind = (wasm_externkind)kind;
    if (!wasm_read_u32(&d->r, &e->index))
      return false;
  }
  return true;
}

static bool decode_start(decoder *d) {
  d->m->has_start = true;
  return wasm_read_u32(&d->r, &d->m->start);
}

/* Flags 0..7 as three bits: bit 0 = passive or declarative, bit 1 =
 * explicit table index (active) or declarative (otherwise), bit 2 =
 * items are expressions rather than function indices. */
static bool decode_elem(decoder *d, wasm_elem *e) {
  wasm_module *m = d->m;
  e->entry_offset = (uint32_t)d->r.pos;
  uint32_t flags;
  if (!wasm_read_u32(&d->r, &flags))
    return false;
  if (flags > 7)
    return wasm_fail(d->err, e->entry_offset,
                     "malformed elements segment kind %u (expected 0..7)",
                     flags);
  bool exprs = flags & 4;
  if (flags & 1) {
    e->mode = flags & 2 ? WASM_SEG_DECLARATIVE : WASM_SEG_PASSIVE;
  } else {
    e->mode = WASM_SEG_ACTIVE;
    if ((flags & 2) && !wasm_read_u32(&d->r, &e->table))
      return false;
    if (!read_constexpr(d, &e->offset))
      return false;
  }
  /* Wasm 3.0 types segments of function indices (ref func): their items
   * are ref.func, never null; flag 4's expressions are (ref null func). */
  e->type = exprs ? WASM_FUNCREF : wasm_vt_ref(false, WASM_HT_FUNC);
  if (flags & 3) { /* flags 0 and 4 imply their type: no type byte */
    if (exprs) {
      if (!read_reftype(d, &e->type))
        return false;
    } else {
      size_t at = d->r.pos;
      uint8_t kind;
      if (!wasm_read_u8(&d->r, &kind))
        return false;
      if (kind != 0x00)
        return wasm_fail(d->err, at, "malformed element kind 0x%02x", kind);
    }
  }
  if (!read_vec_count(d, 1, "elements", &e->count))
    return false;
  e->items = wasm_arena_array(&m->arena, e->count, sizeof *e->items);
  if (!e->items)
    return oom(d);
  if (exprs) {
    for (uint32_t i = 0; i < e->count; i++)
      if (!read_constexpr(d, &e->items[i]))
        return false;
    return true;
  }
  /* funcidx items become `ref.func i` so that consumers see one form */
  wasm_instr *ins = wasm_arena_array(&m->arena, e->count, sizeof *ins);
  if (!ins)
    return oom(d);
  for (uint32_t i = 0; i < e->count; i++) {
    ins[i].op = WASM_OP_REF_FUNC;
    ins[i].offset = (uint32_t)d->r.pos;
    if (!wasm_read_u32(&d->r, &ins[i].imm.index))
      return false;
    e->items[i].instrs = &ins[i];
    e->items[i].ninstrs = 1;
    e->items[i].offset = ins[i].offset;
  }
  return true;
}

static bool decode_elems(decoder *d) {
  wasm_module *m = d->m;
  /* smallest segment: flags, an empty offset expression, an empty vector */
  if (!read_vec_count(d, 3, "element segments", &m->nelems))
    return false;
  m->elems = wasm_arena_array(&m->arena, m->nelems, sizeof *m->elems);
  if (!m->elems)
    return oom(d);
  for (uint32_t i = 0; i < m->nelems; i++)
    if (!decode_elem(d, &m->elems[i]))
      return false;
  return true;
}

static bool decode_datacount(decoder *d) {
  d->m->has_datacount = true;
  d->datacount_at = d->r.pos;
  return wasm_read_u32(&d->r, &d->m->datacount);
}

static bool decode_code_entry(decoder *d, wasm_func *f) {
  wasm_module *m = d->m;
  wasm_reader *r = &d->r;
  f->code_offset = (uint32_t)r->pos;
  uint32_t size;
  if (!wasm_read_u32(r, &size))
    return false;
  if (size > r->end - r->pos)
    return wasm_fail(d->err, f->code_offset,
                     "unexpected end: code entry declares %u bytes, only %zu "
                     "are left in the code section",
                     size, r->end - r->pos);
  size_t section_end = r->end;
  r->end = r->pos + size;

  size_t locals_at = r->pos;
  if (!read_vec_count(d, 2, "local declarations", &f->ngroups))
    return false;
  f->groups = wasm_arena_array(&m->arena, f->ngroups, sizeof *f->groups);
  if (!f->groups)
    return oom(d);
  /* Only the sum is kept: a group may declare 2^32-1 locals, and nothing
   * may be allocated per local. */
  uint64_t total = 0;
  for (uint32_t i = 0; i < f->ngroups; i++) {
    wasm_local_group *g = &f->groups[i];
    if (!wasm_read_u32(r, &g->count))
      return false;
    g->offset = (uint32_t)r->pos;
    if (!read_valtype(d, &g->type))
      return false;
    total += g->count;
    if (total > UINT32_MAX)
      return wasm_fail(d->err, locals_at,
                       "too many locals: the declarations add up to more "
                       "than 2^32-1");
  }
  f->nlocals = (uint32_t)total;
  f->body = r->base + r->pos;
  f->body_offset = (uint32_t)r->pos;
  f->body_len = (uint32_t)(r->end - r->pos);
  r->pos = r->end;
  r->end = section_end;
  return true;
}

static bool decode_code(decoder *d) {
  wasm_module *m = d->m;
  size_t at = d->r.pos;
  uint32_t n;
  /* smallest entry: a one-byte size and an empty locals vector */
  if (!read_vec_count(d, 2, "code entries", &n))
    return false;
  if (n != d->ndefined_funcs)
    return wasm_fail(d->err, at,
                     "function and code section have inconsistent lengths: "
                     "the function section declares %u, the code section %u",
                     d->ndefined_funcs, n);
  d->have_code_section = true;
  if (!d->have_funcs && !build_space(d, WASM_EXTERN_FUNC, 0))
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!decode_code_entry(d, &m->funcs[m->nimported_funcs + i]))
      return false;
  return true;
}

static bool decode_datas(decoder *d) {
  wasm_module *m = d->m;
  size_t at = d->r.pos;
  /* smallest segment: passive flag and an empty byte vector */
  if (!read_vec_count(d, 2, "data segments", &m->ndatas))
    return false;
  d->have_data_section = true;
  if (m->has_datacount && m->ndatas != m->datacount)
    return wasm_fail(d->err, at,
                     "data count and data section have inconsistent lengths: "
                     "the data count section says %u, the data section has %u",
                     m->datacount, m->ndatas);
  m->datas = wasm_arena_array(&m->arena, m->ndatas, sizeof *m->datas);
  if (!m->datas)
    return oom(d);
  for (uint32_t i = 0; i < m->ndatas; i++) {
    wasm_data *s = &m->datas[i];
    s->entry_offset = (uint32_t)d->r.pos;
    uint32_t flags;
    if (!wasm_read_u32(&d->r, &flags))
      return false;
    if (flags > 2)
      return wasm_fail(d->err, s->entry_offset,
                       "malformed data segment kind %u (expected 0..2)", flags);
    if (flags == 1) {
      s->mode = WASM_SEG_PASSIVE;
    } else {
      s->mode = WASM_SEG_ACTIVE;
      if (flags == 2 && !wasm_read_u32(&d->r, &s->memory))
        return false;
      if (!read_constexpr(d, &s->offset))
        return false;
    }
    /* a byte string longer than what is left is an overrun like any
     * other: let wasm_read_bytes report it as "unexpected end" */
    if (!wasm_read_u32(&d->r, &s->len) ||
        !wasm_read_bytes(&d->r, s->len, &s->bytes))
      return false;
  }
  return true;
}

static bool decode_custom(decoder *d, wasm_section *s) {
  if (!wasm_read_name(&d->r, &d->m->arena, &s->custom_name))
    return false;
  if (d->name_section < 0 && s->custom_name.len == 4 &&
      memcmp(s->custom_name.str, "name", 4) == 0) {
    d->name_section = (int)d->m->nsections - 1;
    d->name_payload = d->r.pos;
  }
  d->r.pos = d->r.end; /* the rest is arbitrary bytes */
  return true;
}

static bool decode_section(decoder *d, uint8_t id, wasm_section *s) {
  switch (id) {
  case SEC_CUSTOM: return decode_custom(d, s);
  case SEC_TYPE: return decode_types(d);
  case SEC_IMPORT: return decode_imports(d);
  case SEC_FUNCTION: return decode_functions(d);
  case SEC_TABLE: return decode_tables(d);
  case SEC_MEMORY: return decode_memories(d);
  case SEC_GLOBAL: return decode_globals(d);
  case SEC_EXPORT: return decode_exports(d);
  case SEC_START: return decode_start(d);
  case SEC_ELEMENT: return decode_elems(d);
  case SEC_CODE: return decode_code(d);
  case SEC_DATA: return decode_datas(d);
  case SEC_DATACOUNT: return decode_datacount(d);
  case SEC_TAG: return decode_tags(d);
  }
  return wasm_fail(d->err, s->offset, "malformed section id %u", id);
}

static wasm_section *add_section(decoder *d) {
  wasm_module *m = d->m;
  if (m->nsections == d->sections_cap) {
    uint32_t cap = d->sections_cap ? d->sections_cap * 2 : 16;
    wasm_section *s = wasm_arena_array(&m->arena, cap, sizeof *s);
    if (!s)
      return NULL;
    if (m->nsections)
      memcpy(s, m->sections, m->nsections * sizeof *s);
    m->sections = s;
    d->sections_cap = cap;
  }
  return &m->sections[m->nsections++];
}

/* A read that runs out of bytes inside a section (or code entry) that is
 * not at the end of the file means the declared size was too small: say so
 * in the spec's words rather than suggesting the file is truncated. */
static void explain_overrun(decoder *d) {
  wasm_error *err = d->err;
  if (d->r.end >= d->m->size || strncmp(err->msg, "unexpected end", 14) != 0)
    return;
  static const char better[] = "unexpected end of section or function";
  char detail[sizeof err->msg];
  snprintf(detail, sizeof detail, "%s", err->msg + 14);
  snprintf(err->msg, sizeof err->msg, "%s%.*s", better,
           (int)(sizeof err->msg - sizeof better), detail);
}

static bool decode_sections(decoder *d) {
  wasm_module *m = d->m;
  wasm_reader *r = &d->r;
  unsigned last_rank = 0;
  uint8_t last_id = 0;
  while (r->pos < m->size) {
    size_t at = r->pos;
    uint8_t id;
    if (!wasm_read_u8(r, &id))
      return false;
    if (id >= SEC_COUNT)
      return wasm_fail(d->err, at, "malformed section id %u", id);
    if (id != SEC_CUSTOM) {
      if (section_rank[id] <= last_rank) {
        if (id == last_id)
          return wasm_fail(d->err, at,
                           "unexpected content after last section: a second "
                           "%s section",
                           section_names[id]);
        return wasm_fail(d->err, at,
                         "unexpected content after last section: %s section "
                         "(id %u) after the %s section (id %u)",
                         section_names[id], id, section_names[last_id],
                         last_id);
      }
      last_rank = section_rank[id];
      last_id = id;
    }
    size_t size_at = r->pos;
    uint32_t size;
    if (!wasm_read_u32(r, &size))
      return false;
    if (size > m->size - r->pos)
      return wasm_fail(d->err, size_at,
                       "length out of bounds: %s section declares %u bytes, "
                       "only %zu are left in the file",
                       section_names[id], size, m->size - r->pos);
    wasm_section *s = add_section(d);
    if (!s)
      return oom(d);
    s->id = id;
    s->offset = (uint32_t)at;
    s->size = size;
    s->contents = (uint32_t)r->pos;
    r->end = r->pos + size;
    if (!decode_section(d, id, s)) {
      explain_overrun(d);
      return false;
    }
    if (r->pos != r->end)
      return wasm_fail(d->err, r->pos,
                       "section size mismatch: %s section declared %u bytes "
                       "but its contents took %zu",
                       section_names[id], size, r->pos - s->contents);
    r->end = m->size;
  }
  return true;
}

/* Checks that involve more than one section, once all are read. */
static bool finish(decoder *d) {
  wasm_module *m = d->m;
  if (d->ndefined_funcs && !d->have_code_section)
    return wasm_fail(d->err, d->function_count_at,
                     "function and code section have inconsistent lengths: "
                     "the function section declares %u, but there is no code "
                     "section",
                     d->ndefined_funcs);
  if (m->has_datacount && !d->have_data_section && m->datacount != 0)
    return wasm_fail(d->err, d->datacount_at,
                     "data count and data section have inconsistent lengths: "
                     "the data count section says %u, but there is no data "
                     "section",
                     m->datacount);
  if ((!d->have_funcs && !build_space(d, WASM_EXTERN_FUNC, 0)) ||
      (!d->have_tables && !build_space(d, WASM_EXTERN_TABLE, 0)) ||
      (!d->have_memories && !build_space(d, WASM_EXTERN_MEMORY, 0)) ||
      (!d->have_globals && !build_space(d, WASM_EXTERN_GLOBAL, 0)) ||
      (!d->have_tags && !build_tags(d, 0)))
    return false;
  /* every function has an entry, so consumers need no NULL check */
  m->func_names = wasm_arena_array(&m->arena, m->nfuncs, sizeof *m->func_names);
  if (!m->func_names)
    return oom(d);
  if (d->name_section >= 0) {
    const wasm_section *s = &m->sections[d->name_section];
    wasm_decode_name_section(m, d->name_payload, (size_t)s->contents + s->size);
  }
  return true;
}

static bool decode_header(decoder *d) {
  const uint8_t *b = d->m->bytes;
  size_t size = d->m->size;
  if (size < 4)
    return wasm_fail(d->err, size,
                     "unexpected end: %zu bytes, too short for the magic "
                     "header \\0asm",
                     size);
  if (memcmp(b, "\0asm", 4) != 0)
    return wasm_fail(d->err, 0,
                     "magic header not detected: the file starts with "
                     "%02x %02x %02x %02x, not 00 61 73 6d (\\0asm)",
                     b[0], b[1], b[2], b[3]);
  if (size < 8)
    return wasm_fail(d->err, size,
                     "unexpected end: %zu bytes, too short for the version",
                     size);
  uint32_t version = (uint32_t)b[4] | (uint32_t)b[5] << 8 |
                     (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
  if (version != 1)
    return wasm_fail(d->err, 4,
                     "unknown binary version %u (0x%08x); wasmc reads "
                     "version 1 (the core module format)",
                     version, version);
  return true;
}

wasm_module *wasm_decode(const uint8_t *bytes, size_t size,
                         const char *filename, wasm_error *err) {
  wasm_error local = {0};
  if (!err)
    err = &local;
  /* The module lives in its own arena, so one free releases everything. */
  wasm_arena arena = {0};
  wasm_module *m = wasm_arena_alloc(&arena, sizeof *m);
  if (!m) {
    wasm_fail(err, 0, "out of memory");
    return NULL;
  }
  m->arena = arena;
  m->bytes = bytes;
  m->size = size;
  if (filename) {
    size_t len = strlen(filename);
    char *copy = wasm_arena_alloc(&m->arena, len + 1);
    if (!copy) {
      wasm_fail(err, 0, "out of memory");
      wasm_module_free(m);
      return NULL;
    }
    memcpy(copy, filename, len + 1);
    m->filename = copy;
  }

  decoder d = {.m = m, .err = err, .name_section = -1};
  d.r = wasm_reader_make(bytes, 8, size, err);
  bool ok;
  /* Offsets are kept as u32 throughout the model. */
  if (size > UINT32_MAX)
    ok = wasm_fail(err, 0, "module too large: %zu bytes (at most 4 GiB)",
                   size);
  else
    ok = decode_header(&d) && decode_sections(&d) && finish(&d);
  wasm_reader_finish(&d.r);
  free(d.scratch);
  if (!ok) {
    wasm_module_free(m);
    return NULL;
  }
  return m;
}
