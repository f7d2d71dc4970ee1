/* arena.c: bump allocation in 64 KiB blocks; large requests get their own
 * block so that one big array does not waste a chunk. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct wasm_arena_block {
  wasm_arena_block *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
};

enum { BLOCK_SIZE = 64 * 1024 };

void *wasm_arena_alloc(wasm_arena *a, size_t size) {
  size = (size + 15) & ~(size_t)15;
  if (size == 0)
    size = 16;
  wasm_arena_block *b = a->head;
  if (!b || b->cap - b->used < size) {
    size_t cap = size > BLOCK_SIZE / 4 ? size : BLOCK_SIZE;
    if (cap > SIZE_MAX - sizeof *b)
      return NULL;
    b = malloc(sizeof *b + cap);
    if (!b)
      return NULL;
    b->used = 0;
    b->cap = cap;
    /* A dedicated block for a large request goes behind the current one so
     * the current block keeps serving small requests. */
    if (a->head && cap != BLOCK_SIZE) {
      b->next = a->head->next;
      a->head->next = b;
    } else {
      b->next = a->head;
      a->head = b;
    }
  }
  void *p = b->data + b->used;
  b->used += size;
  a->total += size;
  memset(p, 0, size);
  return p;
}

void *wasm_arena_array(wasm_arena *a, size_t n, size_t size) {
  if (size && n > SIZE_MAX / size)
    return NULL;
  return wasm_arena_alloc(a, n * size);
}

void wasm_arena_free(wasm_arena *a) {
  wasm_arena_block *b = a->head;
  while (b) {
    wasm_arena_block *next = b->next;
    free(b);
    b = next;
  }
  a->head = NULL;
  a->total = 0;
}
