/* gc_stub_tmp.c: TEMPORARY stand-ins for the GC heap (gc_heap.c,
 * gc_collect.c, gc_api.c are being written elsewhere), so that the
 * integration work links and its tests run. Not a collector: objects are
 * malloc'd and never freed; gc_collect calls every root provider with a
 * tracer that only counts object words. DROP this file (and its line in
 * CMakeLists.txt) when the real heap is merged. */
#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "internal.h"

WASMRT_API _Thread_local wasmrt_gc_thread wasmrt_gc;

void *gc_alloc(const wasmrt_rtt *rtt, size_t bytes) {
  if (bytes < 16) bytes = 16;
  void *p = aligned_alloc(16, (bytes + 15) & ~(size_t)15);
  if (!p) return NULL;
  memset(p, 0, bytes);
  *(const wasmrt_rtt **)p = rtt;
  return p;
}

void *gc_alloc_array(const wasmrt_rtt *rtt, uint64_t len) {
  if (len > UINT32_MAX || len * rtt->size > WASMRT_GC_MAX_ARRAY_BYTES) return NULL;
  uint8_t *p = gc_alloc(rtt, WASMRT_GC_ARRAY_DATA + len * rtt->size);
  if (p) *(uint32_t *)(p + WASMRT_GC_ARRAY_LENGTH) = (uint32_t)len;
  return p;
}

struct gc_tracer {
  size_t objects;
};

typedef struct provider {
  gc_root_fn fn;
  void *arg;
  struct provider *next;
} provider;
static provider *providers;

bool gc_add_roots(gc_root_fn fn, void *arg) {
  provider *p = malloc(sizeof *p);
  if (!p) return false;
  *p = (provider){fn, arg, providers};
  providers = p;
  return true;
}

void gc_remove_roots(gc_root_fn fn, void *arg) {
  for (provider **pp = &providers; *pp; pp = &(*pp)->next)
    if ((*pp)->fn == fn && (*pp)->arg == arg) {
      provider *dead = *pp;
      *pp = dead->next;
      free(dead);
      return;
    }
}

void gc_visit(gc_tracer *t, uintptr_t word) {
  if (gc_is_object(word)) t->objects++;
}

void gc_visit_range(gc_tracer *t, void *const *words, size_t n) {
  for (size_t i = 0; i < n; i++) gc_visit(t, (uintptr_t)words[i]);
}

void gc_collect(void) {
  gc_tracer t = {0};
  for (provider *p = providers; p; p = p->next) p->fn(p->arg, &t);
}
