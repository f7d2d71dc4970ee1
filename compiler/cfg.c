/* cfg.c: the control-flow facts of a function that the IR passes of
 * emit.c share: its blocks numbered in layout order (the entry is 0), a
 * map back from block to number, and the dominator tree
 * (interface: cfg.h).
 */
#include "cfg.h"

#include <stdint.h>
#include <stdlib.h>

/* ---- a small open-addressing map: basic block -> block index ------------- */

static size_t hash_ptr(const void *p, size_t cap) {
  uintptr_t x = (uintptr_t)p;
  x ^= x >> 17;
  x *= UINT64_C(0x9e3779b97f4a7c15);
  return (size_t)(x >> 7) & (cap - 1);
}

static void *xcalloc(size_t n, size_t sz) {
  void *p = calloc(n ? n : 1, sz);
  if (!p)
    abort();
  return p;
}

static void blockmap_init(blockmap *m, size_t n) {
  m->cap = 16;
  while (m->cap < 2 * n)
    m->cap *= 2;
  m->keys = xcalloc(m->cap, sizeof *m->keys);
  m->vals = xcalloc(m->cap, sizeof *m->vals);
}

static void blockmap_put(blockmap *m, LLVMBasicBlockRef b, uint32_t v) {
  size_t i = hash_ptr(b, m->cap);
  while (m->keys[i] && m->keys[i] != b)
    i = (i + 1) & (m->cap - 1);
  m->keys[i] = b;
  m->vals[i] = v;
}

static uint32_t blockmap_get(const blockmap *m, LLVMBasicBlockRef b) {
  size_t i = hash_ptr(b, m->cap);
  while (m->keys[i]) {
    if (m->keys[i] == b)
      return m->vals[i];
    i = (i + 1) & (m->cap - 1);
  }
  return UINT32_MAX;
}

/* ---- dominators ------------------------------------------------------------ */

/* Immediate dominators by the iterative algorithm of Cooper, Harvey and
 * Kennedy ("A Simple, Fast Dominance Algorithm"): idom[i] is the index of
 * block i's immediate dominator, i itself for the entry (block 0), and
 * UINT32_MAX for a block not reachable from the entry. */
static uint32_t *dominators(LLVMBasicBlockRef *blocks, unsigned n,
                            const blockmap *map) {
  /* successors, as index lists */
  uint32_t *nsucc = xcalloc(n, sizeof *nsucc);
  uint32_t **succ = xcalloc(n, sizeof *succ);
  uint32_t *npred = xcalloc(n, sizeof *npred);
  for (unsigned i = 0; i < n; i++) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(blocks[i]);
    unsigned ns = term ? LLVMGetNumSuccessors(term) : 0;
    succ[i] = xcalloc(ns, sizeof **succ);
    for (unsigned k = 0; k < ns; k++) {
      uint32_t j = blockmap_get(map, LLVMGetSuccessor(term, k));
      if (j != UINT32_MAX) {
        succ[i][nsucc[i]++] = j;
        npred[j]++;
      }
    }
  }
  uint32_t **pred = xcalloc(n, sizeof *pred);
  uint32_t *np = xcalloc(n, sizeof *np);
  for (unsigned i = 0; i < n; i++)
    pred[i] = xcalloc(npred[i], sizeof **pred);
  for (unsigned i = 0; i < n; i++)
    for (unsigned k = 0; k < nsucc[i]; k++)
      pred[succ[i][k]][np[succ[i][k]]++] = i;

  /* reverse postorder of the blocks reachable from the entry */
  uint32_t *rpo = xcalloc(n, sizeof *rpo);     /* position -> block */
  uint32_t *order = xcalloc(n, sizeof *order); /* block -> position */
  uint32_t *stack = xcalloc(n, sizeof *stack), *next = xcalloc(n, sizeof *next);
  bool *seen = xcalloc(n, sizeof *seen);
  unsigned sp = 0, post = n;
  stack[sp++] = 0;
  seen[0] = true;
  while (sp) {
    uint32_t b = stack[sp - 1];
    if (next[b] < nsucc[b]) {
      uint32_t c = succ[b][next[b]++];
      if (!seen[c]) {
        seen[c] = true;
        stack[sp++] = c;
      }
    } else {
      rpo[--post] = b;
      sp--;
    }
  }
  unsigned first = post; /* rpo[first..n) are the reachable blocks */
  for (unsigned i = 0; i < n; i++)
    order[i] = UINT32_MAX;
  for (unsigned k = first; k < n; k++)
    order[rpo[k]] = k;

  uint32_t *idom = xcalloc(n, sizeof *idom);
  for (unsigned i = 0; i < n; i++)
    idom[i] = UINT32_MAX;
  idom[0] = 0;
  for (bool changed = true; changed;) {
    changed = false;
    for (unsigned k = first + 1; k < n; k++) {
      uint32_t b = rpo[k], nd = UINT32_MAX;
      for (unsigned q = 0; q < npred[b]; q++) {
        uint32_t p = pred[b][q];
        if (idom[p] == UINT32_MAX)
          continue;
        if (nd == UINT32_MAX) {
          nd = p;
          continue;
        }
        uint32_t a = p, c = nd; /* intersect */
        while (a != c) {
          while (order[a] > order[c])
            a = idom[a];
          while (order[c] > order[a])
            c = idom[c];
        }
        nd = a;
      }
      if (nd != UINT32_MAX && idom[b] != nd) {
        idom[b] = nd;
        changed = true;
      }
    }
  }

  for (unsigned i = 0; i < n; i++) {
    free(succ[i]);
    free(pred[i]);
  }
  free(succ);
  free(pred);
  free(nsucc);
  free(npred);
  free(np);
  free(rpo);
  free(order);
  free(stack);
  free(next);
  free(seen);
  return idom;
}

/* ---- the interface -------------------------------------------------------- */

bool cfg_build(cfg *g, LLVMValueRef f) {
  g->n = LLVMCountBasicBlocks(f);
  if (g->n == 0)
    return false;
  g->blocks = xcalloc(g->n, sizeof *g->blocks);
  LLVMGetBasicBlocks(f, g->blocks);
  blockmap_init(&g->map, g->n);
  for (unsigned i = 0; i < g->n; i++)
    blockmap_put(&g->map, g->blocks[i], i);
  g->idom = dominators(g->blocks, g->n, &g->map);
  return true;
}

void cfg_free(cfg *g) {
  free(g->blocks);
  free(g->map.keys);
  free(g->map.vals);
  free(g->idom);
}

uint32_t cfg_index(const cfg *g, LLVMBasicBlockRef b) {
  return blockmap_get(&g->map, b);
}

bool cfg_reachable(const cfg *g, uint32_t i) {
  return i < g->n && g->idom[i] != UINT32_MAX;
}

bool cfg_dominates(const cfg *g, uint32_t a, uint32_t b) {
  if (!cfg_reachable(g, a) || !cfg_reachable(g, b))
    return false;
  for (;;) {
    if (b == a)
      return true;
    if (g->idom[b] == b)
      return false;
    b = g->idom[b];
  }
}
