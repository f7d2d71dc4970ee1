/* gc_api.c: the GC part of the embedding API (wasmrt.h): what a
 * reference word is, host handles (roots the host holds), the heap limit,
 * explicit collections and statistics.
 *
 * Handles are a per-thread doubly-linked list (a handle belongs to the
 * thread that made it, as its object belongs to that thread's heap):
 * holding and releasing are O(1) without locks, and every collection of
 * the thread visits the list. A handle outlives its thread's heap only as
 * memory the host must still release; its object is gone with the heap.
 */
#include <stdlib.h>
#include <string.h>

#include "gc_heap.h"
#include "internal.h"

struct wasmrt_ref_handle {
  uintptr_t word;
  struct wasmrt_ref_handle *prev, *next;
};

static _Thread_local wasmrt_ref_handle *handles;
static _Thread_local uint64_t nhandles;

void gc_handles_visit(gc_tracer *t) {
  for (wasmrt_ref_handle *h = handles; h; h = h->next) gc_visit(t, h->word);
}

uint64_t gc_handles_count(void) { return nhandles; }

WASMRT_API wasmrt_ref_kind wasmrt_ref_kind_of(const void *ref) {
  uintptr_t w = (uintptr_t)ref;
  if (w == 0) return WASMRT_REF_NULL;
  if (w & 1) return WASMRT_REF_I31;
  if (gc_is_object(w)) {
    const wasmrt_rtt *rtt;
    memcpy(&rtt, gc_object_of(w), sizeof rtt);
    return rtt && rtt->kind == WASMRT_COMP_ARRAY ? WASMRT_REF_ARRAY : WASMRT_REF_STRUCT;
  }
  return WASMRT_REF_HOST;
}

WASMRT_API int32_t wasmrt_ref_i31_value(const void *ref, bool sign_extend) {
  uintptr_t w = (uintptr_t)ref;
  if (!(w & 1)) return 0;
  uint32_t bits = (uint32_t)w; /* v << 1 | 1 */
  if (sign_extend) return (int32_t)bits >> 1; /* arithmetic on every target we build */
  return (int32_t)(bits >> 1);
}

WASMRT_API wasmrt_ref_handle *wasmrt_ref_hold(void *ref) {
  wasmrt_ref_handle *h = malloc(sizeof *h);
  if (!h) return NULL;
  h->word = (uintptr_t)ref;
  h->prev = NULL;
  h->next = handles;
  if (handles) handles->prev = h;
  handles = h;
  nhandles++;
  return h;
}

WASMRT_API void *wasmrt_ref_handle_get(const wasmrt_ref_handle *h) {
  return h ? (void *)h->word : NULL;
}

WASMRT_API void wasmrt_ref_release(wasmrt_ref_handle *h) {
  if (!h) return;
  if (h->prev)
    h->prev->next = h->next;
  else if (handles == h)
    handles = h->next;
  if (h->next) h->next->prev = h->prev;
  if (nhandles) nhandles--;
  free(h);
}

WASMRT_API bool wasmrt_gc_set_heap_limit(uint64_t bytes) {
  if (bytes == 0) return false;
  gc_set_default_limit(bytes);
  gc_heap *h = gc_heap_current();
  if (h) h->limit = bytes; /* never more than its reservation, in effect */
  return true;
}

WASMRT_API uint64_t wasmrt_gc_heap_limit(void) {
  gc_heap *h = gc_heap_current();
  return h ? h->limit : gc_default_limit();
}

WASMRT_API void wasmrt_gc_collect(void) { gc_collect(); }

WASMRT_API void wasmrt_gc_get_stats(wasmrt_gc_stats *out) {
  memset(out, 0, sizeof *out);
  out->handles = nhandles;
  gc_heap *h = gc_heap_current();
  if (!h) return;
  out->heap_bytes = (uint64_t)h->in_use << GC_BLOCK_SHIFT;
  out->live_bytes = h->live_bytes;
  out->collections = h->collections;
  /* Objects of the current runs are counted when a run is retired; add
   * those handed out so far (the inline path bumps without telling). */
  uint64_t n = h->allocated;
  for (uint32_t c = 0; c < GC_NCLASSES; c++) {
    wasmrt_gc_bump *r = gc_heap_run(h, c);
    if (h->run_start[c] && r->cursor >= h->run_start[c])
      n += (uint64_t)(r->cursor - h->run_start[c]) / gc_class_size[c];
  }
  out->allocated = n;
}
