/* arena.h: a bump allocator that owns everything a decoded module holds.
 *
 * Modules are built once and freed whole, so per-object frees would only
 * cost time and leak risk. Allocations are zeroed. A failed allocation
 * returns NULL; callers turn that into an error, never a crash.
 */
#ifndef WASMC_ARENA_H
#define WASMC_ARENA_H

#include <stddef.h>

typedef struct wasm_arena_block wasm_arena_block;
typedef struct {
  wasm_arena_block *head;
  size_t total; /* bytes handed out, to cap hostile modules */
} wasm_arena;

void *wasm_arena_alloc(wasm_arena *a, size_t size);
/* n * size with overflow check */
void *wasm_arena_array(wasm_arena *a, size_t n, size_t size);
void wasm_arena_free(wasm_arena *a);

#endif
