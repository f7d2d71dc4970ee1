/* memory.c: linear memories.
 *
 * A guarded memory reserves WASMRT_GUARD_RESERVATION bytes of PROT_NONE
 * address space (4 GiB index + 4 GiB offset + a page for the access width)
 * with one mmap; its committed pages are made read/write with mprotect and
 * it grows in place, so `base` never moves and generated code needs no
 * bounds compare: an out-of-bounds access faults in the reservation and
 * the signal handler (trap.c) turns it into a trap. Nothing here touches
 * the pages: reserving and committing are O(1) whatever the memory's size,
 * and zero pages come from the kernel on first touch.
 *
 * An unguarded memory (module compiled with WASMRT_MODULE_BOUNDS_CHECKED,
 * or WASMRT_NO_GUARD=1 for standalone memories, or a host where 8 GiB of
 * address space is not available) reserves only max_pages: generated code
 * compares against `size` itself.
 *
 * Shared memories (threads) are the same reservations, never moved either;
 * growing one takes its lock and publishes the new size atomically
 * (rt_memory_grow), so other threads see either size, never a size whose
 * pages are not accessible yet.
 *
 * Guarded reservations are registered in a table the signal handler reads
 * without locks: an array that is only ever appended to or has entries
 * cleared, replaced (never freed) when it grows. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

typedef struct {
  _Atomic uintptr_t start, end;
} range;
typedef struct {
  uint32_t cap;
  range r[];
} range_table;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(range_table *) reg_table;
static _Atomic uint32_t reg_used; /* entries [0, reg_used) may be live */

static bool register_range(uintptr_t start, uintptr_t end) {
  pthread_mutex_lock(&reg_lock);
  range_table *t = atomic_load(&reg_table);
  uint32_t used = atomic_load(&reg_used);
  for (uint32_t i = 0; i < used; i++) { /* reuse a cleared entry */
    if (atomic_load(&t->r[i].start) == 0) {
      atomic_store(&t->r[i].end, end);
      atomic_store(&t->r[i].start, start);
      pthread_mutex_unlock(&reg_lock);
      return true;
    }
  }
  if (!t || used == t->cap) {
    uint32_t ncap = t ? t->cap * 2 : 256;
    range_table *n = calloc(1, sizeof *n + ncap * sizeof(range));
    if (!n) {
      pthread_mutex_unlock(&reg_lock);
      return false;
    }
    n->cap = ncap;
    for (uint32_t i = 0; i < used; i++) {
      atomic_store(&n->r[i].start, atomic_load(&t->r[i].start));
      atomic_store(&n->r[i].end, atomic_load(&t->r[i].end));
    }
    /* The old table is leaked on purpose: a signal handler on another
     * thread may be reading it right now. Growth is geometric, so the
     * total leaked is bounded by the live table's size. */
    atomic_store(&reg_table, n);
    t = n;
  }
  atomic_store(&t->r[used].end, end);
  atomic_store(&t->r[used].start, start);
  atomic_store(&reg_used, used + 1);
  pthread_mutex_unlock(&reg_lock);
  return true;
}

static void unregister_range(uintptr_t start) {
  pthread_mutex_lock(&reg_lock);
  range_table *t = atomic_load(&reg_table);
  uint32_t used = atomic_load(&reg_used);
  for (uint32_t i = 0; t && i < used; i++)
    if (atomic_load(&t->r[i].start) == start) atomic_store(&t->r[i].start, 0);
  pthread_mutex_unlock(&reg_lock);
}

/* Async-signal-safe: lock-free reads only. */
bool rt_memory_claims(uintptr_t addr) {
  range_table *t = atomic_load(&reg_table);
  uint32_t used = atomic_load(&reg_used);
  if (!t) return false;
  if (used > t->cap) used = t->cap;
  for (uint32_t i = 0; i < used; i++) {
    uintptr_t s = atomic_load(&t->r[i].start);
    if (s && addr >= s && addr < atomic_load(&t->r[i].end)) return true;
  }
  return false;
}

bool rt_memory_no_guard_mode(void) {
  const char *e = getenv("WASMRT_NO_GUARD");
  return e && *e && strcmp(e, "0") != 0;
}

wasmrt_memory *rt_memory_create(uint64_t min_pages, uint64_t max_pages, bool has_max,
                                bool guarded, wasmrt_error *err) {
  if (!has_max) max_pages = 65536;
  if (min_pages > 65536 || max_pages > 65536 || min_pages > max_pages) {
    rt_error(err, "memory size must be at most 65536 pages (4GiB)");
    return NULL;
  }
  if (min_pages > WASMRT_MAX_MEMORY_PAGES) {
    rt_error(err, "a memory of %llu pages is not supported: at most %u "
             "(4 GiB - 64 KiB; see WASMRT_MAX_MEMORY_PAGES)",
             (unsigned long long)min_pages, WASMRT_MAX_MEMORY_PAGES);
    return NULL;
  }
  rt_memory *m = calloc(1, sizeof *m);
  if (!m) {
    rt_error(err, "out of memory");
    return NULL;
  }
  uint64_t reserve = guarded ? WASMRT_GUARD_RESERVATION : max_pages * WASMRT_PAGE_SIZE;
  if (reserve == 0) reserve = WASMRT_PAGE_SIZE; /* keep base non-NULL and unique */
  void *p = mmap(NULL, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    rt_error(err, "cannot reserve %llu bytes of address space for a memory: %s",
             (unsigned long long)reserve, strerror(errno));
    free(m);
    return NULL;
  }
  uint64_t size = min_pages * WASMRT_PAGE_SIZE;
  if (size && mprotect(p, size, PROT_READ | PROT_WRITE) != 0) {
    rt_error(err, "cannot commit %llu bytes of memory: %s", (unsigned long long)size,
             strerror(errno));
    munmap(p, reserve);
    free(m);
    return NULL;
  }
  if (guarded && !register_range((uintptr_t)p, (uintptr_t)p + reserve)) {
    rt_error(err, "out of memory");
    munmap(p, reserve);
    free(m);
    return NULL;
  }
  m->pub = (wasmrt_memory){p, size, max_pages, reserve};
  m->has_max = has_max;
  m->guarded = guarded;
  return &m->pub;
}

void rt_memory_make_shared(wasmrt_memory *mem) {
  rt_memory *m = (rt_memory *)mem;
  pthread_mutex_init(&m->grow_lock, NULL);
  m->shared = true;
}

/* Growing is the same for both kinds of memory, except that a shared one
 * may be grown by several threads at once and read by others meanwhile:
 * growers take the memory's lock (so two of them cannot both commit from
 * the same old size), and the new size is stored atomically only after
 * mprotect has made the pages accessible, so any thread that sees it can
 * use them (the base never moves: the reservation was made up front). */
static int64_t grow_locked(wasmrt_memory *m, uint64_t delta) {
  uint64_t size = rt_memory_size(m);
  uint64_t old = size / WASMRT_PAGE_SIZE;
  if (delta == 0) return (int64_t)old;
  uint64_t npages = old + delta;
  if (npages > m->max_pages || npages > WASMRT_MAX_MEMORY_PAGES ||
      npages * WASMRT_PAGE_SIZE > m->reserved)
    return -1;
  if (mprotect(m->base + size, delta * WASMRT_PAGE_SIZE, PROT_READ | PROT_WRITE) != 0)
    return -1;
  __atomic_store_n(&m->size, npages * WASMRT_PAGE_SIZE, __ATOMIC_SEQ_CST);
  return (int64_t)old;
}

int64_t rt_memory_grow(wasmrt_memory *m, uint64_t delta) {
  rt_memory *rm = (rt_memory *)m;
  if (!rm->shared) return grow_locked(m, delta);
  pthread_mutex_lock(&rm->grow_lock);
  int64_t r = grow_locked(m, delta);
  pthread_mutex_unlock(&rm->grow_lock);
  return r;
}

WASMRT_API wasmrt_memory *wasmrt_memory_new(uint64_t min_pages, uint64_t max_pages,
                                            bool has_max, wasmrt_error *err) {
  rt_signals_init();
  bool guarded = !rt_memory_no_guard_mode();
  wasmrt_memory *m = rt_memory_create(min_pages, max_pages, has_max, guarded, err);
  /* Where 8 GiB of address space is not available (ulimit -v), fall back to
   * an unguarded memory: only bounds-checked modules can import it, which
   * instantiation checks. */
  if (!m && guarded) m = rt_memory_create(min_pages, max_pages, has_max, false, err);
  return m;
}

WASMRT_API wasmrt_memory *wasmrt_shared_memory_new(uint64_t min_pages, uint64_t max_pages,
                                                   wasmrt_error *err) {
  wasmrt_memory *m = wasmrt_memory_new(min_pages, max_pages, true, err);
  if (m) rt_memory_make_shared(m);
  return m;
}

WASMRT_API bool wasmrt_memory_is_shared(const wasmrt_memory *mem) {
  return rt_memory_shared(mem);
}

WASMRT_API void wasmrt_memory_free(wasmrt_memory *mem) {
  if (!mem) return;
  rt_memory *m = (rt_memory *)mem;
  if (m->guarded) unregister_range((uintptr_t)mem->base);
  if (m->shared) pthread_mutex_destroy(&m->grow_lock);
  munmap(mem->base, mem->reserved);
  free(m);
}

WASMRT_API int32_t wasmrt_memory_grow(wasmrt_vmctx *ctx, uint32_t mem, uint32_t delta_pages) {
  return (int32_t)rt_memory_grow(ctx->memories[mem], delta_pages);
}
