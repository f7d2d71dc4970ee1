/* table.c: tables of references. The element array is plain heap memory
 * (generated code bounds-checks table accesses explicitly against `size`),
 * reallocated when the table grows: generated code reloads `elems` after
 * anything that may grow a table. Slots hold wasmrt_funcref pointers or
 * externref values; NULL is ref.null. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Growth beyond this many elements fails (table.grow returns -1), as the
 * spec allows: it keeps a runaway grow from exhausting host memory. */
#define TABLE_HARD_LIMIT 10000000u

wasmrt_table *rt_table_create(uint32_t elem_type, uint32_t min, uint32_t max, bool has_max,
                              void *init, wasmrt_error *err) {
  if (has_max && min > max) {
    rt_error(err, "size minimum must not be greater than maximum");
    return NULL;
  }
  if (min > TABLE_HARD_LIMIT) {
    rt_error(err, "table of %u elements is too large for this runtime", min);
    return NULL;
  }
  rt_table *t = calloc(1, sizeof *t);
  void **elems = calloc(min ? min : 1, sizeof(void *));
  if (!t || !elems) {
    free(t);
    free(elems);
    rt_error(err, "out of memory");
    return NULL;
  }
  for (uint32_t i = 0; init && i < min; i++) elems[i] = init;
  t->pub = (wasmrt_table){elems, min, has_max ? max : UINT32_MAX, min ? min : 1, elem_type};
  t->has_max = has_max;
  return &t->pub;
}

int64_t rt_table_grow(wasmrt_table *t, uint32_t delta, void *init) {
  uint32_t old = t->size;
  uint64_t n = (uint64_t)old + delta;
  if (n > t->max || n > TABLE_HARD_LIMIT) return -1;
  if (n > t->capacity) {
    uint64_t cap = (uint64_t)t->capacity * 2;
    if (cap < n) cap = n;
    if (cap > TABLE_HARD_LIMIT) cap = n;
    void **e = realloc(t->elems, cap * sizeof(void *));
    if (!e) return -1;
    t->elems = e;
    t->capacity = (uint32_t)cap;
  }
  for (uint64_t i = old; i < n; i++) t->elems[i] = init;
  t->size = (uint32_t)n;
  return old;
}

WASMRT_API wasmrt_table *wasmrt_table_new(uint8_t elem_type, uint32_t min, uint32_t max,
                                          bool has_max, wasmrt_error *err) {
  if (elem_type != WASMRT_FUNCREF && elem_type != WASMRT_EXTERNREF) {
    rt_error(err, "invalid table element type 0x%02x", elem_type);
    return NULL;
  }
  return rt_table_create(elem_type, min, max, has_max, NULL, err);
}

WASMRT_API void wasmrt_table_free(wasmrt_table *t) {
  if (!t) return;
  free(t->elems);
  free((rt_table *)t);
}
