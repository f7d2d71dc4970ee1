/* cfg.h: a function's blocks, numbered, and its dominator tree, for the
 * IR passes of emit.c (addr_nowrap.c, loop_parity.c, store_ifconv.c).
 */
#ifndef WASMC_CFG_H
#define WASMC_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <llvm-c/Core.h>

typedef struct {
  LLVMBasicBlockRef *keys;
  uint32_t *vals;
  size_t cap; /* a power of two */
} blockmap;

typedef struct {
  LLVMBasicBlockRef *blocks; /* in layout order; blocks[0] is the entry */
  unsigned n;
  blockmap map;   /* block -> index */
  uint32_t *idom; /* immediate dominator's index; the entry's is itself,
                     an unreachable block's UINT32_MAX */
  uint32_t *nsucc, **succ; /* successors of each block, as indices */
  uint32_t *npred, **pred; /* predecessors of each block */
} cfg;

/* Numbers f's blocks and computes its dominators (Cooper, Harvey and
 * Kennedy). False, with nothing to free, for a function without blocks. */
bool cfg_build(cfg *g, LLVMValueRef f);
void cfg_free(cfg *g);

/* b's number, or UINT32_MAX for a block of another function. */
uint32_t cfg_index(const cfg *g, LLVMBasicBlockRef b);
/* Whether block i runs on some path from the entry. */
bool cfg_reachable(const cfg *g, uint32_t i);
/* Whether block a dominates block b (false when either is unreachable). */
bool cfg_dominates(const cfg *g, uint32_t a, uint32_t b);
/* A new array (the caller frees it) that is true for the blocks of the
 * natural loops that contain no other loop's header. */
bool *cfg_innermost_loop_blocks(const cfg *g);

#endif
