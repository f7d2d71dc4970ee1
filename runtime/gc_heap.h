/* gc_heap.h: the GC heap's private structures, shared by gc_heap.c
 * (blocks, allocation, giving empty blocks back), gc_collect.c (marking)
 * and gc_api.c (handles, limits, statistics), and by the heap's unit test
 * (tests/unit/test_gc_heap.c). Nothing here is part of a contract: the
 * rest of the runtime uses gc.h.
 *
 * A thread's heap is one reservation of address space, PROT_NONE until
 * used, cut into 64 KiB blocks. Blocks [0, hw) are committed (read/write);
 * a committed block is free (all zero: never touched, or given back with
 * MADV_DONTNEED; or "dirty", kept resident by a sweep for reuse), or
 * holds cells of one size class, or is part of a run of whole blocks
 * holding one large object. Metadata lives beside the
 * heap, never in it: generated code reads an object's word 0 (its rtt)
 * as is, so no mark bit can live there.
 *
 * Size classes: 0 .. WASMRT_GC_NCLASSES-1 are the ABI's (16 * (c + 1)
 * bytes, allocated inline through wasmrt_gc.bump[c]); the classes above
 * them, up to GC_MAX_CELL bytes, exist only here (the slow path bumps
 * through gc_heap.medium), so that an array of 300 bytes does not take a
 * 64 KiB block of its own. Bigger objects take whole blocks.
 */
#ifndef WASMRT_GC_HEAP_H
#define WASMRT_GC_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc.h"

#define GC_BLOCK_SHIFT 16u
#define GC_BLOCK_SIZE (1u << GC_BLOCK_SHIFT)
/* Mark bits: one per 16 bytes (an object starts on a 16-byte boundary),
 * 4096 per block, in 64 words. */
#define GC_MARK_WORDS (GC_BLOCK_SIZE / 16u / 64u)
#define GC_NCLASSES 42u
#define GC_MAX_CELL 32768u
/* The reservation: at least this much (so a small limit can be raised a
 * little later), at most GC_MAX_RESERVE (the side metadata is 1/120 of
 * it, reserved too). */
#define GC_MIN_RESERVE (64ull << 20)
#define GC_MAX_RESERVE (1ull << 40)
/* A collection starts once the blocks taken since the last one exceed
 * max(live bytes then, GC_MIN_TRIGGER): the heap grows to about twice
 * its live data, and a small heap is not collected over and over. */
#define GC_MIN_TRIGGER (4ull << 20)
#define GC_NONE UINT32_MAX

enum { GC_BLOCK_FREE = 0, GC_BLOCK_CELLS, GC_BLOCK_LARGE, GC_BLOCK_LARGE_TAIL };

typedef struct {
  uint8_t kind;     /* GC_BLOCK_* */
  uint8_t cls;      /* GC_BLOCK_CELLS: its size class */
  uint8_t dirty;    /* GC_BLOCK_FREE: kept resident, not zero (see
                       gc_heap_sweep_blocks) */
  uint8_t pad_;
  uint32_t live;    /* objects the current (or last) marking found in it */
  uint32_t next;    /* GC_BLOCK_CELLS: next block of its class to sweep */
  uint32_t nblocks; /* GC_BLOCK_LARGE: blocks of the object's run */
} gc_block;

/* Per class: the cell size, cells per block, and ceil(2^32 / size), with
 * which (offset * inv) >> 32 is offset / size for every offset in a
 * block (exact: offsets < 2^16, sizes <= 2^15). */
extern const uint32_t gc_class_size[GC_NCLASSES];
extern const uint32_t gc_class_count[GC_NCLASSES];
extern const uint32_t gc_class_inv[GC_NCLASSES];

typedef struct gc_heap {
  uint8_t *base;       /* the reservation */
  uint64_t reserved;   /* its bytes: nblocks << GC_BLOCK_SHIFT */
  uint32_t nblocks;
  uint32_t hw;         /* blocks [0, hw) are committed */
  gc_block *info;      /* per block */
  uint64_t *marks;     /* GC_MARK_WORDS per block */
  uint64_t *freemap;   /* bit b: block b (< hw) is free */
  void *meta;          /* the mapping info, marks and freemap are in */
  size_t meta_bytes;
  uint32_t free_hint;  /* no block below it is free */

  uint64_t limit;      /* the heap limit (bytes of blocks in use) */
  uint32_t in_use;     /* blocks not free */
  uint32_t taken;      /* blocks taken since the last collection */
  uint64_t live_bytes; /* bytes of the cells marked by the last collection */
  uint64_t allocated;  /* objects, ever (runs counted when retired) */
  uint64_t collections;

  /* Lazy sweeping: per class, the blocks the last collection left with
   * free cells (a list through gc_block.next), and how far allocation
   * got: block sweep_block, cells from sweep_pos on are not handed out
   * yet. Only moves forward until the next collection, so a cell handed
   * out since (unmarked, but maybe live) is never handed out again. */
  uint32_t sweep_block[GC_NCLASSES];
  uint32_t sweep_pos[GC_NCLASSES];
  /* The runs of the classes above the ABI's (those of the ABI's classes
   * are wasmrt_gc.bump), and where each class's current run started
   * (counting objects when it is retired). */
  wasmrt_gc_bump medium[GC_NCLASSES - WASMRT_GC_NCLASSES];
  uint8_t *run_start[GC_NCLASSES];

  /* Marking (gc_collect.c): the mark stack holds marked objects whose
   * fields are not traced yet; when it cannot grow, overflow is set and
   * the heap is rescanned for marked objects. */
  void **stack;
  size_t sp, cap;
  bool overflow;
  bool collecting;
  uint64_t marked_bytes;
} gc_heap;

/* The calling thread's heap: NULL when it has none (gc_heap_current) or
 * when none can be made (gc_heap_get makes it on first use). */
gc_heap *gc_heap_current(void);
gc_heap *gc_heap_get(void);
/* The run of class c: wasmrt_gc.bump[c] or h->medium[...]. */
wasmrt_gc_bump *gc_heap_run(gc_heap *h, uint32_t c);
/* Counts the objects of every class's current run and empties it (a
 * collection: their free cells are found again by sweeping). */
void gc_heap_retire_runs(gc_heap *h);
/* After marking: frees every block without a marked object (giving
 * back to the system those beyond what the next cycle will want), and
 * makes the lists of blocks with free cells for lazy sweeping. */
void gc_heap_sweep_blocks(gc_heap *h);
/* An object of `bytes`, zeroed (rtt not stored), or NULL. */
void *gc_heap_alloc(gc_heap *h, uint64_t bytes);
/* The bytes the cell or run of the object at obj takes (0: not an
 * object start of this heap). */
uint64_t gc_heap_object_bytes(const gc_heap *h, const void *obj);

/* The limit new heaps get (wasmrt_gc_set_heap_limit sets it). */
uint64_t gc_default_limit(void);
void gc_set_default_limit(uint64_t bytes);

/* gc_collect.c: a full collection of h (the calling thread's). */
void gc_heap_collect(gc_heap *h);

/* gc_api.c: the calling thread's handles as roots; how many it holds. */
void gc_handles_visit(gc_tracer *t);
uint64_t gc_handles_count(void);

/* For tests: the most entries the mark stack may have (0: no bound but
 * memory), so the overflow rescan can be exercised. */
void gc_test_set_mark_stack_max(size_t entries);

#endif
