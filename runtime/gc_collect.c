/* gc_collect.c: collecting a thread's GC heap: marking from the roots,
 * then gc_heap_sweep_blocks (gc_heap.c) gives empty blocks back and lists
 * the blocks with free cells for lazy sweeping by the allocator.
 *
 * Roots: the calling thread's shadow stack (wasmrt_gc.roots, each
 * frame's slots), the root providers registered with gc_add_roots (one
 * process-wide list: globals, tables, segments... register once and are
 * visited by every thread's collections, which ignore the words of other
 * heaps), and the thread's host handles (gc_api.c).
 *
 * Marking is precise and never recursive: a marked object waits on an
 * explicit, growable mark stack until its fields are traced, so a list
 * of a million objects costs one stack entry at a time, not a million C
 * frames; an array of references is traced in slices (below), so a wide
 * one does not stack all its elements at once. When the stack cannot
 * grow (out of memory), the object stays marked but unscanned and
 * `overflow` is set; the heap is then rescanned for marked objects, whose
 * fields are traced again (marked fields are skipped), until a pass ends
 * without overflow. Slow, but it never crashes and never loses an
 * object.
 *
 * A word is an object of this heap only when its tag is 10 and it is the
 * start of a cell of a block in use (or of a large object's first block):
 * anything else (another thread's object, a host value, an i31, a
 * funcref) is ignored, so a provider may hand over any word it holds.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gc_heap.h"
#include "internal.h"

struct gc_tracer {
  gc_heap *h;
};

/* The root providers. Collections read the list (any number at once,
 * one per thread); registering writes it. A provider runs with the read
 * lock held, so it must not register or remove one itself. */
static pthread_rwlock_t providers_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct provider {
  gc_root_fn fn;
  void *arg;
} *providers;
static size_t nproviders, providers_cap;

#define STACK_FIRST 1024u
/* A mark stack above this many entries is freed after the collection
 * that grew it, rather than kept for the thread's lifetime. */
#define STACK_KEEP 65536u
static _Atomic size_t stack_max; /* tests only; 0: no bound */

void gc_test_set_mark_stack_max(size_t entries) { stack_max = entries; }

/* Room for n more entries on the mark stack: false when it cannot grow. */
static bool stack_room(gc_heap *h, size_t n) {
  if (h->cap - h->sp >= n) return true;
  size_t max = stack_max;
  size_t ncap = h->cap ? h->cap * 2 : STACK_FIRST;
  if (max && ncap > max) ncap = max;
  if (ncap < h->sp + n) return false;
  void **ns = realloc(h->stack, ncap * sizeof *ns);
  if (!ns) return false;
  h->stack = ns;
  h->cap = ncap;
  return true;
}

static void push(gc_heap *h, void *obj) {
  if (stack_room(h, 1))
    h->stack[h->sp++] = obj;
  else
    h->overflow = true; /* marked, not scanned: the rescan finds it */
}

/* Marks the object w refers to, if it is one of h's, and queues it. */
static inline void mark(gc_heap *h, uintptr_t w) {
  if ((w & 3) != WASMRT_GC_TAG) return;
  uintptr_t off = w - WASMRT_GC_TAG - (uintptr_t)h->base;
  if (off >= (uintptr_t)h->hw << GC_BLOCK_SHIFT) return;
  uint32_t b = (uint32_t)(off >> GC_BLOCK_SHIFT);
  uint32_t in = (uint32_t)(off & (GC_BLOCK_SIZE - 1));
  gc_block *blk = &h->info[b];
  uint64_t bytes;
  if (blk->kind == GC_BLOCK_CELLS) {
    uint32_t c = blk->cls;
    uint32_t i = (uint32_t)(((uint64_t)in * gc_class_inv[c]) >> 32);
    if (i * gc_class_size[c] != in || i >= gc_class_count[c]) return;
    bytes = gc_class_size[c];
  } else if (blk->kind == GC_BLOCK_LARGE && in == 0) {
    bytes = (uint64_t)blk->nblocks << GC_BLOCK_SHIFT;
  } else {
    return;
  }
  uint64_t *mw = &h->marks[(size_t)b * GC_MARK_WORDS + (in >> 10)];
  uint64_t bit = 1ull << ((in >> 4) & 63);
  if (*mw & bit) return;
  *mw |= bit;
  blk->live++;
  h->marked_bytes += bytes;
  push(h, h->base + off);
}

static inline uintptr_t load_word(const uint8_t *p) {
  uintptr_t w;
  memcpy(&w, p, sizeof w);
  return w;
}

/* An array of references is traced ARRAY_SLICE elements at a time: the
 * rest waits on the stack as a continuation (two entries: the next
 * index, then the array's address with bit 0 set; objects are
 * 16-aligned), so a wide array does not put all its elements on the
 * stack at once: the stack stays about ARRAY_SLICE times the depth of
 * the graph, not the number of objects. */
#define ARRAY_SLICE 256u

static void trace_elems(gc_heap *h, uint8_t *arr, uint32_t from) {
  uint32_t len;
  memcpy(&len, arr + WASMRT_GC_ARRAY_LENGTH, sizeof len);
  /* Never past the object's own cells, whatever its length word says. */
  uint64_t bytes = gc_heap_object_bytes(h, arr);
  uint64_t room = bytes > WASMRT_GC_ARRAY_DATA ? (bytes - WASMRT_GC_ARRAY_DATA) / 8 : 0;
  if (len > room) len = (uint32_t)room;
  if (from >= len) return;
  uint32_t to = len;
  if (len - from > ARRAY_SLICE) {
    to = from + ARRAY_SLICE;
    if (stack_room(h, 2)) {
      h->stack[h->sp++] = (void *)(uintptr_t)to;
      h->stack[h->sp++] = (void *)((uintptr_t)arr | 1);
    } else {
      h->overflow = true; /* the rescan traces the array whole */
    }
  }
  const uint8_t *p = arr + WASMRT_GC_ARRAY_DATA;
  for (uint32_t i = from; i < to; i++) mark(h, load_word(p + (size_t)i * 8));
}

/* Marks the references obj holds, as its rtt says: a struct's reference
 * fields, every element of an array of references. */
static void trace(gc_heap *h, uint8_t *obj) {
  const wasmrt_rtt *rtt;
  memcpy(&rtt, obj, sizeof rtt);
  if (!rtt) return; /* a cell being initialised never is reachable; be safe */
  if (rtt->kind == WASMRT_COMP_STRUCT) {
    for (uint32_t i = 0; i < rtt->nrefs; i++) mark(h, load_word(obj + rtt->ref_offsets[i]));
  } else if (rtt->kind == WASMRT_COMP_ARRAY && rtt->nrefs) {
    trace_elems(h, obj, 0);
  }
}

static void drain(gc_heap *h) {
  while (h->sp) {
    uintptr_t top = (uintptr_t)h->stack[--h->sp];
    if (top & 1) {
      uint32_t from = (uint32_t)(uintptr_t)h->stack[--h->sp];
      trace_elems(h, (uint8_t *)(top & ~(uintptr_t)1), from);
    } else {
      trace(h, (uint8_t *)top);
    }
  }
}

/* After an overflow: traces every marked object again. */
static void rescan(gc_heap *h) {
  for (uint32_t b = 0; b < h->hw;) {
    const gc_block *blk = &h->info[b];
    const uint64_t *m = h->marks + (size_t)b * GC_MARK_WORDS;
    uint8_t *start = h->base + ((uint64_t)b << GC_BLOCK_SHIFT);
    if (blk->kind == GC_BLOCK_CELLS) {
      uint32_t size = gc_class_size[blk->cls], count = gc_class_count[blk->cls];
      for (uint32_t i = 0; i < count; i++) {
        uint32_t bit = i * (size / 16);
        if (m[bit / 64] >> (bit % 64) & 1) {
          trace(h, start + (size_t)i * size);
          drain(h);
        }
      }
    } else if (blk->kind == GC_BLOCK_LARGE) {
      if (m[0] & 1) {
        trace(h, start);
        drain(h);
      }
      b += blk->nblocks;
      continue;
    }
    b++;
  }
}

void gc_visit(gc_tracer *t, uintptr_t word) { mark(t->h, word); }

void gc_visit_range(gc_tracer *t, void *const *words, size_t n) {
  for (size_t i = 0; i < n; i++) mark(t->h, (uintptr_t)words[i]);
}

bool gc_add_roots(gc_root_fn fn, void *arg) {
  bool ok = true;
  pthread_rwlock_wrlock(&providers_lock);
  if (nproviders == providers_cap) {
    size_t ncap = providers_cap ? providers_cap * 2 : 16;
    struct provider *np = realloc(providers, ncap * sizeof *np);
    if (np) {
      providers = np;
      providers_cap = ncap;
    } else {
      ok = false;
    }
  }
  if (ok) providers[nproviders++] = (struct provider){fn, arg};
  pthread_rwlock_unlock(&providers_lock);
  return ok;
}

void gc_remove_roots(gc_root_fn fn, void *arg) {
  pthread_rwlock_wrlock(&providers_lock);
  for (size_t i = nproviders; i-- > 0;) {
    if (providers[i].fn == fn && providers[i].arg == arg) {
      providers[i] = providers[--nproviders]; /* order does not matter */
      break;
    }
  }
  pthread_rwlock_unlock(&providers_lock);
}

void gc_heap_collect(gc_heap *h) {
  if (h->collecting) return; /* e.g. a provider allocating: never nested */
  h->collecting = true;
  /* The runs' unused cells are unmarked, so sweeping finds them again. */
  gc_heap_retire_runs(h);
  for (uint32_t b = 0; b < h->hw; b++) {
    gc_block *blk = &h->info[b];
    if (blk->kind == GC_BLOCK_CELLS || blk->kind == GC_BLOCK_LARGE) {
      memset(h->marks + (size_t)b * GC_MARK_WORDS, 0, GC_MARK_WORDS * 8);
      blk->live = 0;
    }
  }
  h->marked_bytes = 0;
  h->overflow = false;
  gc_tracer t = {h};

  for (wasmrt_gc_frame *f = wasmrt_gc.roots; f; f = f->prev) {
    gc_visit_range(&t, f->slots, f->nslots);
    drain(h);
  }
  pthread_rwlock_rdlock(&providers_lock);
  for (size_t i = 0; i < nproviders; i++) {
    providers[i].fn(providers[i].arg, &t);
    drain(h);
  }
  pthread_rwlock_unlock(&providers_lock);
  gc_handles_visit(&t);
  drain(h);
  while (h->overflow) {
    h->overflow = false;
    rescan(h);
  }

  gc_heap_sweep_blocks(h);
  h->live_bytes = h->marked_bytes;
  h->collections++;
  if (h->cap > STACK_KEEP) {
    free(h->stack);
    h->stack = NULL;
    h->cap = 0;
  }
  h->collecting = false;
}

void gc_collect(void) {
  gc_heap *h = gc_heap_current();
  if (h) gc_heap_collect(h);
}
