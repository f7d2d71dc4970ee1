/* gc.h: the GC heap's interface inside libwasmrt (Wasm 3.0 GC).
 *
 * gc_heap.c owns each thread's heap: a reservation of its own, 64 KiB
 * blocks of one size class each (or one large object), side mark bitmaps,
 * the bump runs of wasmrt_gc (wasmrt_abi.h) and the slow path of
 * allocation. gc_collect.c marks from the roots (the shadow stack of
 * wasmrt_gc.roots, the root providers below, host handles) with an
 * explicit mark stack and leaves unmarked cells free for the next runs.
 * gc_api.c is the embedding API of wasmrt.h (limits, handles, ref kinds).
 * gc_array.c holds the array entry points of generated code.
 *
 * References are words as wasmrt_abi.h "Garbage collection" says; every
 * function here that takes a reference takes that word, and every
 * function that makes an object returns its address (untagged).
 */
#ifndef WASMRT_GC_H
#define WASMRT_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmrt.h"

/* Word <-> object. */
static inline bool gc_is_object(uintptr_t w) { return (w & 3) == WASMRT_GC_TAG; }
static inline void *gc_object_of(uintptr_t w) { return (void *)(w - WASMRT_GC_TAG); }
static inline uintptr_t gc_word_of(void *obj) { return (uintptr_t)obj + WASMRT_GC_TAG; }

/* A zeroed object of `bytes` (the type's obj_size for a struct) with its
 * rtt stored, in the calling thread's heap; collects first when the heap
 * has grown enough since the last collection, and at the heap limit.
 * NULL when the limit cannot be met. */
void *gc_alloc(const wasmrt_rtt *rtt, size_t bytes);
/* An array of `len` elements (rtt->size bytes each), zeroed, length
 * stored. NULL when out of memory or longer than
 * WASMRT_GC_MAX_ARRAY_BYTES. */
void *gc_alloc_array(const wasmrt_rtt *rtt, uint64_t len);

/* Roots other than the shadow stack: a provider is called at every
 * collection of every thread's heap and gives each reference word it
 * holds to gc_visit (words of other threads' heaps, host values, i31s
 * and funcref/exnref pointers are ignored there). Globals and tables of
 * reference types, passive element segments, escaped exceptions and the
 * constant-expression evaluator register one each while they exist. */
typedef struct gc_tracer gc_tracer;
typedef void (*gc_root_fn)(void *arg, gc_tracer *t);
void gc_visit(gc_tracer *t, uintptr_t word);
void gc_visit_range(gc_tracer *t, void *const *words, size_t n);
/* A provider runs on the collecting thread while the list is locked for
 * reading (collections of several threads may run at once): it must not
 * register or remove a provider, allocate, or wait for a lock that a
 * thread may hold while it allocates or registers. Removing waits for
 * the collections running, so once gc_remove_roots returns, fn is not
 * running and will not be called with arg again.
 * Register and remove; registration fails (false) only out of memory. */
bool gc_add_roots(gc_root_fn fn, void *arg);
void gc_remove_roots(gc_root_fn fn, void *arg);

/* Runs a full collection of the calling thread's heap now (nothing when
 * the thread has none yet). */
void gc_collect(void);

#endif
