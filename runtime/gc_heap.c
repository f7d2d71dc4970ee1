/* gc_heap.c: each thread's GC heap (Wasm 3.0 GC): the reservation and
 * its 64 KiB blocks, size classes, the bump runs of wasmrt_gc, the slow
 * path of allocation (GC_ALLOC, GC_ARRAY_NEW, gc_alloc*), and giving
 * empty blocks back to the system after a collection. See gc_heap.h for
 * the layout; gc_collect.c marks.
 *
 * Allocation of a class's object, slow path: take the next run of free
 * cells (unmarked by the last collection, not handed out since) from the
 * class's blocks, zero it and bump through it; else take a free block
 * (zeroed: one run of the whole block); else collect; else, at
 * the heap limit, fail (NULL: the caller traps "out of memory"). Large
 * objects take whole free blocks, zeroed too. Nothing here ever
 * aborts: a hostile module's sizes and lengths end in NULL at worst.
 */
#include <pthread.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "gc_heap.h"
#include "internal.h"

/* The per-thread state generated code reaches (wasmrt_abi.h). */
WASMRT_API _Thread_local wasmrt_gc_thread wasmrt_gc;

#define GC_CLASSES(X)                                                          \
  X(16) X(32) X(48) X(64) X(80) X(96) X(112) X(128) X(144) X(160) X(176)       \
  X(192) X(208) X(224) X(240) X(256)                                           \
  X(320) X(384) X(448) X(512) X(640) X(768) X(896) X(1024) X(1280) X(1536)     \
  X(1792) X(2048) X(2560) X(3072) X(3584) X(4096) X(5120) X(6144) X(7168)      \
  X(8192) X(9360) X(10912) X(13104) X(16384) X(21840) X(32768)
#define GC_SIZE_OF(s) s,
#define GC_COUNT_OF(s) (GC_BLOCK_SIZE / (s)),
#define GC_INV_OF(s) (uint32_t)((1ull << 32) / (s) + 1),
const uint32_t gc_class_size[GC_NCLASSES] = {GC_CLASSES(GC_SIZE_OF)};
const uint32_t gc_class_count[GC_NCLASSES] = {GC_CLASSES(GC_COUNT_OF)};
const uint32_t gc_class_inv[GC_NCLASSES] = {GC_CLASSES(GC_INV_OF)};
_Static_assert(sizeof gc_class_size == GC_NCLASSES * sizeof(uint32_t),
               "GC_NCLASSES is the length of GC_CLASSES");

static _Atomic uint64_t default_limit = WASMRT_GC_DEFAULT_HEAP_LIMIT;
static _Thread_local gc_heap *tl_heap;
static pthread_key_t heap_key;
static pthread_once_t heap_key_once = PTHREAD_ONCE_INIT;

/* ---- the heap of a thread ----------------------------------------------- */

static void heap_free(void *p) {
  gc_heap *h = p;
  if (!h) return;
  /* A pthread key destructor: the thread is ending, its objects with it.
   * Its runs point into the reservation: empty them first. */
  for (uint32_t c = 0; c < WASMRT_GC_NCLASSES; c++)
    wasmrt_gc.bump[c].cursor = wasmrt_gc.bump[c].limit = NULL;
  wasmrt_gc.roots = NULL;
  if (tl_heap == h) tl_heap = NULL;
  munmap(h->base, h->reserved);
  munmap(h->meta, h->meta_bytes);
  free(h->stack);
  free(h);
}

static void make_heap_key(void) { pthread_key_create(&heap_key, heap_free); }

gc_heap *gc_heap_current(void) { return tl_heap; }

uint64_t gc_default_limit(void) { return default_limit; }
void gc_set_default_limit(uint64_t bytes) { default_limit = bytes; }

/* The reservation: the limit rounded up to blocks, within
 * [GC_MIN_RESERVE, GC_MAX_RESERVE]; halved until the system gives it
 * (address space is not unbounded on every target: riscv64 Sv39 has
 * 256 GiB for everything). The heap can then never exceed it, whatever
 * the limit says later. */
static bool reserve(gc_heap *h, uint64_t limit) {
  /* Bounded before rounding up: a limit near 2^64 (--gc-heap-limit takes
   * any) must not wrap around to the minimum. */
  if (limit > GC_MAX_RESERVE) limit = GC_MAX_RESERVE;
  uint64_t want = (limit + GC_BLOCK_SIZE - 1) & ~(uint64_t)(GC_BLOCK_SIZE - 1);
  if (want < GC_MIN_RESERVE) want = GC_MIN_RESERVE;
  for (; want >= GC_MIN_RESERVE; want /= 2) {
    uint64_t nb = want >> GC_BLOCK_SHIFT;
    size_t meta = nb * sizeof(gc_block) + nb * GC_MARK_WORDS * 8 + (nb + 63) / 64 * 8;
    void *p = mmap(NULL, want, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) continue;
    /* Read/write at once: only the pages of blocks in use are touched. */
    void *m = mmap(NULL, meta, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
      munmap(p, want);
      continue;
    }
    h->base = p;
    h->reserved = want;
    h->nblocks = (uint32_t)nb;
    h->meta = m;
    h->meta_bytes = meta;
    h->info = m;
    h->marks = (uint64_t *)(h->info + nb);
    h->freemap = h->marks + nb * GC_MARK_WORDS;
    return true;
  }
  return false;
}

gc_heap *gc_heap_get(void) {
  if (tl_heap) return tl_heap;
  gc_heap *h = calloc(1, sizeof *h);
  if (!h) return NULL;
  h->limit = default_limit;
  if (!reserve(h, h->limit)) {
    free(h);
    return NULL;
  }
  for (uint32_t c = 0; c < GC_NCLASSES; c++) h->sweep_block[c] = GC_NONE;
  pthread_once(&heap_key_once, make_heap_key);
  if (pthread_setspecific(heap_key, h) != 0) {
    munmap(h->base, h->reserved);
    munmap(h->meta, h->meta_bytes);
    free(h);
    return NULL;
  }
  tl_heap = h;
  return h;
}

/* ---- blocks ---------------------------------------------------------------- */

static inline bool is_free(const gc_heap *h, uint32_t b) {
  return h->freemap[b / 64] >> (b % 64) & 1;
}
static inline void set_free(gc_heap *h, uint32_t b, bool f) {
  if (f)
    h->freemap[b / 64] |= 1ull << (b % 64);
  else
    h->freemap[b / 64] &= ~(1ull << (b % 64));
}

/* Commits `need` more blocks at hw (a megabyte at least, when there is
 * room, to keep mprotect calls few; the kernel merges the mappings). */
static bool extend(gc_heap *h, uint32_t need) {
  uint32_t room = h->nblocks - h->hw;
  if (need > room) return false;
  uint32_t grow = need < 16 ? 16 : need;
  if (grow > room) grow = room;
  uint8_t *at = h->base + ((uint64_t)h->hw << GC_BLOCK_SHIFT);
  if (mprotect(at, (uint64_t)grow << GC_BLOCK_SHIFT, PROT_READ | PROT_WRITE) != 0) {
    grow = need; /* strict overcommit: ask for no more than needed */
    if (mprotect(at, (uint64_t)grow << GC_BLOCK_SHIFT, PROT_READ | PROT_WRITE) != 0)
      return false;
  }
  for (uint32_t b = h->hw; b < h->hw + grow; b++) set_free(h, b, true);
  h->hw += grow;
  return true;
}

/* The first run of n free blocks (lowest address first, so the heap
 * stays compact), committing more at hw when none is free below it;
 * GC_NONE when the reservation is full or the system refuses. */
static uint32_t find_free(gc_heap *h, uint32_t n) {
  uint32_t run = 0;
  uint32_t from = n == 1 ? h->free_hint / 64 : 0;
  uint32_t nw = (h->hw + 63) / 64;
  for (uint32_t w = from; w < nw; w++) {
    uint64_t bits = h->freemap[w];
    if (bits == 0) {
      run = 0;
      continue;
    }
    if (bits == ~0ull && (w + 1) * 64 <= h->hw) {
      run += 64;
      if (run >= n) return (w + 1) * 64 - run;
      continue;
    }
    for (uint32_t i = 0; i < 64; i++) {
      uint32_t b = w * 64 + i;
      if (b >= h->hw) break;
      if (bits >> i & 1) {
        if (++run >= n) return b + 1 - run;
      } else {
        run = 0;
      }
    }
  }
  /* run: the free blocks just below hw; the rest comes from above it. */
  uint32_t start = h->hw - run;
  if (!extend(h, n - run)) return GC_NONE;
  return start;
}

/* n blocks, marked in use; GC_NONE at the heap limit. */
static uint32_t take_blocks(gc_heap *h, uint32_t n) {
  if (((uint64_t)h->in_use + n) << GC_BLOCK_SHIFT > h->limit) return GC_NONE;
  uint32_t b = find_free(h, n);
  if (b == GC_NONE) return GC_NONE;
  for (uint32_t i = 0; i < n; i++) {
    set_free(h, b + i, false);
    if (h->info[b + i].dirty) /* kept by the last sweep: not zero */
      memset(h->base + ((uint64_t)(b + i) << GC_BLOCK_SHIFT), 0, GC_BLOCK_SIZE);
  }
  if (n == 1) h->free_hint = b;
  h->in_use += n;
  h->taken += n;
  return b;
}

/* Whether taking n blocks should collect first: the growth since the
 * last collection passed max(live bytes, GC_MIN_TRIGGER), or the limit
 * would be passed. */
static bool should_collect(const gc_heap *h, uint32_t n) {
  uint64_t grown = ((uint64_t)h->taken + n) << GC_BLOCK_SHIFT;
  uint64_t budget = h->live_bytes > GC_MIN_TRIGGER ? h->live_bytes : GC_MIN_TRIGGER;
  return grown > budget || ((uint64_t)h->in_use + n) << GC_BLOCK_SHIFT > h->limit;
}

/* ---- runs ------------------------------------------------------------------ */

wasmrt_gc_bump *gc_heap_run(gc_heap *h, uint32_t c) {
  return c < WASMRT_GC_NCLASSES ? &wasmrt_gc.bump[c] : &h->medium[c - WASMRT_GC_NCLASSES];
}

static void retire_run(gc_heap *h, uint32_t c) {
  wasmrt_gc_bump *r = gc_heap_run(h, c);
  if (h->run_start[c] && r->cursor >= h->run_start[c])
    h->allocated += (uint64_t)(r->cursor - h->run_start[c]) / gc_class_size[c];
  h->run_start[c] = NULL;
  r->cursor = r->limit = NULL;
}

void gc_heap_retire_runs(gc_heap *h) {
  for (uint32_t c = 0; c < GC_NCLASSES; c++) retire_run(h, c);
}

static inline bool marked(const uint64_t *m, uint32_t bit) { return m[bit / 64] >> (bit % 64) & 1; }

/* The next run of free cells of class c from its sweep list, zeroed,
 * into r. */
static bool next_run(gc_heap *h, uint32_t c, wasmrt_gc_bump *r) {
  uint32_t size = gc_class_size[c], count = gc_class_count[c], step = size / 16;
  while (h->sweep_block[c] != GC_NONE) {
    uint32_t b = h->sweep_block[c], i = h->sweep_pos[c];
    const uint64_t *m = h->marks + (size_t)b * GC_MARK_WORDS;
    while (i < count && marked(m, i * step)) i++;
    if (i < count) {
      uint32_t j = i + 1;
      while (j < count && !marked(m, j * step)) j++;
      h->sweep_pos[c] = j;
      uint8_t *blk = h->base + ((uint64_t)b << GC_BLOCK_SHIFT);
      r->cursor = blk + (size_t)i * size;
      r->limit = blk + (size_t)j * size;
      /* Dead objects' bytes: the inline path hands out zeroed cells. */
      memset(r->cursor, 0, (size_t)(r->limit - r->cursor));
      return true;
    }
    h->sweep_block[c] = h->info[b].next;
    h->sweep_pos[c] = 0;
  }
  return false;
}

/* A cell of class c. */
static void *alloc_cell(gc_heap *h, uint32_t c) {
  uint32_t size = gc_class_size[c];
  wasmrt_gc_bump *r = gc_heap_run(h, c);
  if (r->cursor && (size_t)(r->limit - r->cursor) >= size) {
    void *obj = r->cursor;
    r->cursor += size;
    return obj;
  }
  retire_run(h, c);
  bool collected = false;
  for (;;) {
    if (next_run(h, c, r)) break;
    if (!collected && should_collect(h, 1)) {
      gc_heap_collect(h);
      collected = true;
      continue;
    }
    uint32_t b = take_blocks(h, 1);
    if (b != GC_NONE) {
      h->info[b] = (gc_block){.kind = GC_BLOCK_CELLS, .cls = (uint8_t)c, .next = GC_NONE};
      /* A block taken is all zero (take_blocks clears a kept one): one
       * run of every cell, no sweeping. */
      r->cursor = h->base + ((uint64_t)b << GC_BLOCK_SHIFT);
      r->limit = r->cursor + (size_t)gc_class_count[c] * size;
      break;
    }
    if (collected) return NULL;
    gc_heap_collect(h);
    collected = true;
  }
  h->run_start[c] = r->cursor;
  void *obj = r->cursor;
  r->cursor += size;
  return obj;
}

/* An object of whole blocks: a run of free ones, zero once taken. */
static void *alloc_large(gc_heap *h, uint64_t bytes) {
  uint64_t n64 = (bytes + GC_BLOCK_SIZE - 1) >> GC_BLOCK_SHIFT;
  if (n64 > h->nblocks) return NULL;
  uint32_t n = (uint32_t)n64;
  bool collected = false;
  uint32_t b;
  for (;;) {
    if (!collected && should_collect(h, n)) {
      gc_heap_collect(h);
      collected = true;
    }
    b = take_blocks(h, n);
    if (b != GC_NONE) break;
    if (collected) return NULL;
    gc_heap_collect(h);
    collected = true;
  }
  h->info[b] = (gc_block){.kind = GC_BLOCK_LARGE, .nblocks = n, .next = GC_NONE};
  for (uint32_t i = 1; i < n; i++)
    h->info[b + i] = (gc_block){.kind = GC_BLOCK_LARGE_TAIL, .next = GC_NONE};
  h->allocated++;
  return h->base + ((uint64_t)b << GC_BLOCK_SHIFT);
}

static uint32_t class_of(uint64_t bytes) {
  if (bytes <= 16 * WASMRT_GC_NCLASSES) return bytes <= 16 ? 0 : (uint32_t)((bytes + 15) / 16 - 1);
  uint32_t c = WASMRT_GC_NCLASSES;
  while (gc_class_size[c] < bytes) c++;
  return c;
}

void *gc_heap_alloc(gc_heap *h, uint64_t bytes) {
  /* Not while marking (a root provider allocating): the mark bits are
   * half made, and a cell they do not show yet may be live. */
  if (h->collecting) return NULL;
  if (bytes <= GC_MAX_CELL) return alloc_cell(h, class_of(bytes));
  return alloc_large(h, bytes);
}

uint64_t gc_heap_object_bytes(const gc_heap *h, const void *obj) {
  uintptr_t off = (uintptr_t)obj - (uintptr_t)h->base;
  if (off >= (uintptr_t)h->hw << GC_BLOCK_SHIFT) return 0;
  const gc_block *blk = &h->info[off >> GC_BLOCK_SHIFT];
  uint32_t in = (uint32_t)(off & (GC_BLOCK_SIZE - 1));
  if (blk->kind == GC_BLOCK_CELLS) {
    uint32_t size = gc_class_size[blk->cls];
    uint32_t i = (uint32_t)(((uint64_t)in * gc_class_inv[blk->cls]) >> 32);
    return i * size == in && i < gc_class_count[blk->cls] ? size : 0;
  }
  if (blk->kind == GC_BLOCK_LARGE && in == 0) return (uint64_t)blk->nblocks << GC_BLOCK_SHIFT;
  return 0;
}

/* ---- after marking ---------------------------------------------------------- */

/* Gives blocks [ps, pe) back: their pages go (MADV_DONTNEED: zero when
 * touched again), their address space stays committed for reuse. */
static void flush_release(gc_heap *h, uint32_t ps, uint32_t pe) {
  if (pe > ps)
    madvise(h->base + ((uint64_t)ps << GC_BLOCK_SHIFT), (uint64_t)(pe - ps) << GC_BLOCK_SHIFT,
            MADV_DONTNEED);
}

static bool block_dead(const gc_heap *h, uint32_t b) {
  const gc_block *blk = &h->info[b];
  if (blk->kind == GC_BLOCK_CELLS) return blk->live == 0;
  if (blk->kind == GC_BLOCK_LARGE) return !(h->marks[(size_t)b * GC_MARK_WORDS] & 1);
  return false;
}

/* Free blocks are of two kinds. Given back (MADV_DONTNEED) they cost no
 * memory, but each of their pages faults and is zeroed by the kernel
 * when used again: measured, that was half the time of a program that
 * allocates short-lived objects. So a sweep keeps as many free blocks
 * resident ("dirty": a memset when taken) as the next cycle will take
 * before it collects, max(live bytes, GC_MIN_TRIGGER), but never more
 * than the limit leaves room for: blocks in use plus dirty ones stay
 * under it, and so does the resident set. The lowest free blocks are
 * kept, the rest given back, those kept by earlier sweeps included. */
void gc_heap_sweep_blocks(gc_heap *h) {
  uint32_t tail[GC_NCLASSES];
  for (uint32_t c = 0; c < GC_NCLASSES; c++) h->sweep_block[c] = tail[c] = GC_NONE;
  /* Blocks in use after this sweep, and how many free ones to keep. */
  uint64_t in_use = 0;
  for (uint32_t b = 0; b < h->hw;) {
    uint32_t n = h->info[b].kind == GC_BLOCK_LARGE ? h->info[b].nblocks : 1;
    if ((h->info[b].kind == GC_BLOCK_CELLS || h->info[b].kind == GC_BLOCK_LARGE) &&
        !block_dead(h, b))
      in_use += n;
    b += n;
  }
  uint64_t want = h->marked_bytes > GC_MIN_TRIGGER ? h->marked_bytes : GC_MIN_TRIGGER;
  uint64_t keep = want >> GC_BLOCK_SHIFT;
  uint64_t room = h->limit >> GC_BLOCK_SHIFT;
  room = room > in_use ? room - in_use : 0;
  if (keep > room) keep = room;

  uint32_t ps = 0, pe = 0; /* pending release */
  for (uint32_t b = 0; b < h->hw;) {
    gc_block *blk = &h->info[b];
    uint32_t n = blk->kind == GC_BLOCK_LARGE ? blk->nblocks : 1;
    bool dead = block_dead(h, b);
    if (blk->kind == GC_BLOCK_CELLS && !dead && blk->live < gc_class_count[blk->cls]) {
      uint32_t c = blk->cls;
      blk->next = GC_NONE;
      if (tail[c] == GC_NONE)
        h->sweep_block[c] = b;
      else
        h->info[tail[c]].next = b;
      tail[c] = b;
    }
    if (dead || (blk->kind == GC_BLOCK_FREE && blk->dirty)) {
      if (dead) {
        h->in_use -= n;
        if (b < h->free_hint) h->free_hint = b;
      }
      for (uint32_t i = 0; i < n; i++) {
        bool resident = keep > 0;
        if (resident) keep--;
        h->info[b + i] = (gc_block){.kind = GC_BLOCK_FREE, .dirty = resident, .next = GC_NONE};
        set_free(h, b + i, true);
        if (resident) continue;
        if (pe != b + i) {
          flush_release(h, ps, pe);
          ps = b + i;
        }
        pe = b + i + 1;
      }
    }
    b += n;
  }
  flush_release(h, ps, pe);
  for (uint32_t c = 0; c < GC_NCLASSES; c++) h->sweep_pos[c] = 0;
  h->taken = 0;
}

/* ---- the interface ------------------------------------------------------------ */

void *gc_alloc(const wasmrt_rtt *rtt, size_t bytes) {
  gc_heap *h = gc_heap_get();
  if (!h) return NULL;
  void *obj = gc_heap_alloc(h, bytes < 8 ? 8 : bytes);
  if (obj) memcpy(obj, &rtt, sizeof rtt);
  return obj;
}

void *gc_alloc_array(const wasmrt_rtt *rtt, uint64_t len) {
  if (len > UINT32_MAX) return NULL;
  uint64_t data = len * rtt->size; /* < 2^32 * 2^32: no wrap */
  if (rtt->size > 16 || data > WASMRT_GC_MAX_ARRAY_BYTES) return NULL;
  void *obj = gc_alloc(rtt, WASMRT_GC_ARRAY_DATA + data);
  if (obj) {
    uint32_t n = (uint32_t)len;
    memcpy((uint8_t *)obj + WASMRT_GC_ARRAY_LENGTH, &n, sizeof n);
  }
  return obj;
}

WASMRT_API void *wasmrt_gc_alloc(wasmrt_vmctx *ctx, const wasmrt_rtt *rtt, uint32_t size) {
  (void)ctx;
  return gc_alloc(rtt, size);
}

WASMRT_API void *wasmrt_gc_array_new(wasmrt_vmctx *ctx, const wasmrt_rtt *rtt, uint32_t len) {
  (void)ctx;
  return gc_alloc_array(rtt, len);
}
