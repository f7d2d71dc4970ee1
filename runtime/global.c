/* global.c: standalone globals (host-created, e.g. the spectest module's
 * global_i32). Globals of an instance live in one array owned by the
 * instance (instance.c); both are plain wasmrt_global storage that
 * generated code reads and writes directly.
 *
 * A standalone global of the any or extern hierarchy (anyref, externref)
 * is a root provider of the GC while it exists: Wasm code that imports it
 * may store an object there that nothing else holds. */
#include <stdlib.h>

#include "gc.h"
#include "internal.h"

/* The public global first, so a wasmrt_global * is an rt_global *. */
typedef struct {
  wasmrt_global pub;
  bool gc_roots;
} rt_global;

static void global_roots(void *arg, gc_tracer *t) {
  gc_visit(t, (uintptr_t)((const wasmrt_global *)arg)->value.ref);
}

WASMRT_API wasmrt_global *wasmrt_global_new(uint8_t type, bool mutable_, wasmrt_val value) {
  bool gc = rt_flat_is_gc(type);
  /* a reference from the host: as wasmrt_call's parameters (embed.c) */
  if (gc && !rt_ref_word_ok((uintptr_t)value.ref)) return NULL;
  rt_global *g = aligned_alloc(_Alignof(rt_global), sizeof *g);
  if (!g) return NULL;
  *g = (rt_global){.pub = {.value = value, .type = type, .mutable_ = mutable_ ? 1 : 0}};
  if (gc) {
    if (!gc_add_roots(global_roots, &g->pub)) {
      free(g);
      return NULL;
    }
    g->gc_roots = true;
  }
  return &g->pub;
}

WASMRT_API void wasmrt_global_free(wasmrt_global *g) {
  if (!g) return;
  if (((rt_global *)g)->gc_roots) gc_remove_roots(global_roots, g);
  free(g);
}
