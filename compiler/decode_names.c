/* decode_names.c: the `name` custom section (spec appendix 7.4): the module
 * name, function names and local names, used for symbols, traps and
 * `inspect`.
 *
 * The spec lets no custom section make a module malformed, and real
 * toolchains do emit odd name sections, so any problem here drops the
 * whole name section (a half-applied one would name things wrongly) and
 * leaves a one-line reason in m->name_warning instead of an error.
 */
#include <stdio.h>
#include <string.h>

#include "decode_internal.h"
#include "reader.h"

enum { SUB_MODULE = 0, SUB_FUNCTIONS = 1, SUB_LOCALS = 2 };

typedef struct {
  wasm_module *m;
  wasm_reader r;
  wasm_error err;
  /* results, installed in the module only if the whole section is sound */
  bool has_module_name;
  wasm_name module_name;
  wasm_name *func_names;
  uint32_t nlocal_names;
  wasm_local_names *local_names;
} names;

/* The spec asks for strictly increasing indices in every name map; relying
 * on that lets lookups binary-search and rules out duplicates. */
static bool read_index(names *n, const char *what, uint32_t i, uint32_t prev,
                       uint64_t limit, uint32_t *out) {
  size_t at = n->r.pos;
  if (!wasm_read_u32(&n->r, out))
    return false;
  if (i > 0 && *out <= prev)
    return wasm_fail(&n->err, at, "%s index %u out of order (after %u)", what,
                     *out, prev);
  if (*out >= limit)
    return wasm_fail(&n->err, at, "%s index %u out of range (%llu %ss)", what,
                     *out, (unsigned long long)limit, what);
  return true;
}

static bool read_function_names(names *n) {
  wasm_module *m = n->m;
  uint32_t count, prev = 0;
  if (!wasm_read_count(&n->r, 2, &count))
    return false;
  n->func_names = wasm_arena_array(&m->arena, m->nfuncs, sizeof *n->func_names);
  if (!n->func_names)
    return wasm_fail(&n->err, n->r.pos, "out of memory");
  for (uint32_t i = 0; i < count; i++) {
    uint32_t idx;
    if (!read_index(n, "function", i, prev, m->nfuncs, &idx) ||
        !wasm_read_name(&n->r, &m->arena, &n->func_names[idx]))
      return false;
    prev = idx;
  }
  return true;
}

/* Local indices cannot be checked against the function's local count:
 * its type index is not validated yet. Consumers must bound them. */
static bool read_local_names(names *n) {
  wasm_module *m = n->m;
  uint32_t count, prev = 0;
  if (!wasm_read_count(&n->r, 2, &count))
    return false;
  n->local_names = wasm_arena_array(&m->arena, count, sizeof *n->local_names);
  if (!n->local_names)
    return wasm_fail(&n->err, n->r.pos, "out of memory");
  n->nlocal_names = count;
  for (uint32_t i = 0; i < count; i++) {
    wasm_local_names *ln = &n->local_names[i];
    if (!read_index(n, "function", i, prev, m->nfuncs, &ln->func) ||
        !wasm_read_count(&n->r, 2, &ln->count))
      return false;
    prev = ln->func;
    ln->names = wasm_arena_array(&m->arena, ln->count, sizeof *ln->names);
    if (!ln->names)
      return wasm_fail(&n->err, n->r.pos, "out of memory");
    uint32_t lprev = 0;
    for (uint32_t k = 0; k < ln->count; k++) {
      wasm_naming *nm = &ln->names[k];
      if (!read_index(n, "local", k, lprev, (uint64_t)UINT32_MAX + 1,
                      &nm->index) ||
          !wasm_read_name(&n->r, &m->arena, &nm->name))
        return false;
      lprev = nm->index;
    }
  }
  return true;
}

static bool read_subsections(names *n) {
  wasm_reader *r = &n->r;
  size_t section_end = r->end;
  int last_id = -1;
  while (!wasm_reader_eof(r)) {
    size_t at = r->pos;
    uint8_t id;
    uint32_t size;
    if (!wasm_read_u8(r, &id) || !wasm_read_u32(r, &size))
      return false;
    if ((int)id <= last_id)
      return wasm_fail(&n->err, at,
                       "subsection %u %s (ids must increase)", id,
                       (int)id == last_id ? "repeated" : "out of order");
    last_id = id;
    if (size > r->end - r->pos)
      return wasm_fail(&n->err, at,
                       "subsection %u declares %u bytes, only %zu left", id,
                       size, r->end - r->pos);
    r->end = r->pos + size;
    bool ok = true;
    switch (id) {
    case SUB_MODULE:
      n->has_module_name = true;
      ok = wasm_read_name(r, &n->m->arena, &n->module_name);
      break;
    case SUB_FUNCTIONS:
      ok = read_function_names(n);
      break;
    case SUB_LOCALS:
      ok = read_local_names(n);
      break;
    default:
      /* extended-name-section ids (labels, types, tables, ...): not used */
      r->pos = r->end;
      break;
    }
    if (!ok)
      return false;
    if (r->pos != r->end)
      return wasm_fail(&n->err, r->pos,
                       "subsection %u size mismatch: declared %u bytes, "
                       "contents took %zu",
                       id, size, r->pos - (r->end - size));
    r->end = section_end;
  }
  return true;
}

void wasm_decode_name_section(wasm_module *m, size_t start, size_t end) {
  names n = {.m = m};
  n.r = wasm_reader_make(m->bytes, start, end, &n.err);
  bool ok = read_subsections(&n);
  wasm_reader_finish(&n.r);
  if (!ok) {
    snprintf(m->name_warning, sizeof m->name_warning,
             "name section ignored: %.100s (at 0x%zx)", n.err.msg,
             n.err.offset);
    return;
  }
  m->has_module_name = n.has_module_name;
  m->module_name = n.module_name;
  if (n.func_names)
    m->func_names = n.func_names;
  m->nlocal_names = n.nlocal_names;
  m->local_names = n.local_names;
}
