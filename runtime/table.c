/* table.c: tables of references. The element array is plain heap memory
 * (generated code bounds-checks table accesses explicitly against `size`),
 * reallocated when the table grows: generated code reloads `elems` after
 * anything that may grow a table. Slots hold wasmrt_funcref pointers or
 * reference words (externref, GC's any hierarchy); NULL is ref.null.
 *
 * A table of the any or extern hierarchy is a root provider of the GC
 * (gc.h) from creation to wasmrt_table_free, whoever made it (an
 * instance or the host); the provider reads elems and size when the
 * collector calls it, since growing moves them. */
#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "internal.h"

/* Another thread's collection may call this while the owner grows the
 * table: the lock keeps the realloc from freeing elems under it. */
static void table_roots(void *arg, gc_tracer *tr) {
  rt_table *t = arg;
  pthread_mutex_lock(&t->gc_lock);
  gc_visit_range(tr, (void *const *)t->pub.elems, t->pub.size);
  pthread_mutex_unlock(&t->gc_lock);
}

/* Growth beyond this many elements fails (table.grow returns -1), as the
 * spec allows: it keeps a runaway grow from exhausting host memory. */
#define TABLE_HARD_LIMIT 10000000u

wasmrt_table *rt_table_create(uint32_t elem_type, uint64_t min, uint64_t max, bool has_max,
                              bool is64, void *init, wasmrt_error *err) {
  if (has_max && min > max) {
    rt_error(err, "size minimum must not be greater than maximum");
    return NULL;
  }
  if (min > TABLE_HARD_LIMIT) {
    rt_error(err, "table of %llu elements is too large for this runtime (at most %u)",
             (unsigned long long)min, TABLE_HARD_LIMIT);
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
  for (uint64_t i = 0; init && i < min; i++) elems[i] = init;
  uint64_t nomax = is64 ? UINT64_MAX : UINT32_MAX;
  t->pub = (wasmrt_table){elems, (uint32_t)min, has_max ? max : nomax,
                          min ? (uint32_t)min : 1, elem_type};
  t->has_max = has_max;
  t->is64 = is64;
  if (rt_vt_is_gc_ref(elem_type)) {
    pthread_mutex_init(&t->gc_lock, NULL);
    if (!gc_add_roots(table_roots, &t->pub)) {
      pthread_mutex_destroy(&t->gc_lock);
      free(elems);
      free(t);
      rt_error(err, "out of memory");
      return NULL;
    }
    t->gc_roots = true;
  }
  return &t->pub;
}

int64_t rt_table_grow(wasmrt_table *t, uint64_t delta, void *init) {
  uint32_t old = t->size;
  if (delta > TABLE_HARD_LIMIT) return -1; /* also keeps old + delta exact */
  uint64_t n = (uint64_t)old + delta;
  if (n > t->max || n > TABLE_HARD_LIMIT) return -1;
  rt_table *rt = (rt_table *)t;
  if (rt->gc_roots) pthread_mutex_lock(&rt->gc_lock);
  if (n > t->capacity) {
    uint64_t cap = (uint64_t)t->capacity * 2;
    if (cap < n) cap = n;
    if (cap > TABLE_HARD_LIMIT) cap = n;
    void **e = realloc(t->elems, cap * sizeof(void *));
    if (!e) {
      if (rt->gc_roots) pthread_mutex_unlock(&rt->gc_lock);
      return -1;
    }
    t->elems = e;
    t->capacity = (uint32_t)cap;
  }
  for (uint64_t i = old; i < n; i++) t->elems[i] = init;
  t->size = (uint32_t)n;
  if (rt->gc_roots) pthread_mutex_unlock(&rt->gc_lock);
  return old;
}

WASMRT_API wasmrt_table *wasmrt_table_new(uint8_t elem_type, uint32_t min, uint32_t max,
                                          bool has_max, wasmrt_error *err) {
  if (elem_type != WASMRT_FUNCREF && elem_type != WASMRT_EXTERNREF &&
      elem_type != WASMRT_ANYREF) {
    rt_error(err, "invalid table element type 0x%02x", elem_type);
    return NULL;
  }
  return rt_table_create(elem_type, min, max, has_max, false, NULL, err);
}

WASMRT_API wasmrt_table *wasmrt_table_new64(uint8_t elem_type, uint64_t min, uint64_t max,
                                            bool has_max, wasmrt_error *err) {
  if (elem_type != WASMRT_FUNCREF && elem_type != WASMRT_EXTERNREF &&
      elem_type != WASMRT_ANYREF) {
    rt_error(err, "invalid table element type 0x%02x", elem_type);
    return NULL;
  }
  return rt_table_create(elem_type, min, max, has_max, true, NULL, err);
}

WASMRT_API void wasmrt_table_free(wasmrt_table *t) {
  if (!t) return;
  if (((rt_table *)t)->gc_roots) {
    gc_remove_roots(table_roots, t);
    pthread_mutex_destroy(&((rt_table *)t)->gc_lock);
  }
  free(t->elems);
  free((rt_table *)t);
}
