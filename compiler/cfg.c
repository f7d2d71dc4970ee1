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
/* The edges of the CFG as index lists: successors and predecessors. */
static void edges(cfg *g) {
  unsigned n = g->n;
  g->nsucc = xcalloc(n, sizeof *g->nsucc);
  g->succ = xcalloc(n, sizeof *g->succ);
  g->npred = xcalloc(n, sizeof *g->npred);
  for (unsigned i = 0; i < n; i++) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(g->blocks[i]);
    unsigned ns = term ? LLVMGetNumSuccessors(term) : 0;
    g->succ[i] = xcalloc(ns, sizeof **g->succ);
    for (unsigned k = 0; k < ns; k++) {
      uint32_t j = blockmap_get(&g->map, LLVMGetSuccessor(term, k));
      if (j != UINT32_MAX) {
        g->succ[i][g->nsucc[i]++] = j;
        g->npred[j]++;
      }
    }
  }
  g->pred = xcalloc(n, sizeof *g->pred);
  uint32_t *np = xcalloc(n, sizeof *np);
  for (unsigned i = 0; i < n; i++)
    g->pred[i] = xcalloc(g->npred[i], sizeof **g->pred);
  for (unsigned i = 0; i < n; i++)
    for (unsigned k = 0; k < g->nsucc[i]; k++) {
      uint32_t j = g->succ[i][k];
      g->pred[j][np[j]++] = i;
    }
  free(np);
}

static uint32_t *dominators(const cfg *g) {
  unsigned n = g->n;
  uint32_t *const *succ = g->succ, *const *pred = g->pred;
  const uint32_t *nsucc = g->nsucc, *npred = g->npred;

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
  edges(g);
  g->idom = dominators(g);
  return true;
}

void cfg_free(cfg *g) {
  for (unsigned i = 0; i < g->n; i++) {
    free(g->succ[i]);
    free(g->pred[i]);
  }
  free(g->succ);
  free(g->pred);
  free(g->nsucc);
  free(g->npred);
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

bool *cfg_innermost_loop_blocks(const cfg *g) {
  unsigned n = g->n;
  bool *mark = xcalloc(n, sizeof *mark);
  bool *header = xcalloc(n, sizeof *header);
  for (uint32_t l = 0; l < n; l++)
    for (unsigned k = 0; cfg_reachable(g, l) && k < g->nsucc[l]; k++)
      if (cfg_dominates(g, g->succ[l][k], l))
        header[g->succ[l][k]] = true;
  uint32_t *in = xcalloc(n, sizeof *in); /* loop number + 1 of the last visit */
  uint32_t *stack = xcalloc(n, sizeof *stack), *body = xcalloc(n, sizeof *body);
  uint32_t loop = 0;
  for (uint32_t l = 0; l < n; l++)
    for (unsigned k = 0; cfg_reachable(g, l) && k < g->nsucc[l]; k++) {
      uint32_t h = g->succ[l][k];
      if (!cfg_dominates(g, h, l))
        continue;
      /* the natural loop of back edge l -> h: h, and every block that
       * reaches l without passing through h */
      loop++;
      unsigned sp = 0, nb = 0;
      bool innermost = true;
      in[h] = loop;
      body[nb++] = h;
      if (in[l] != loop) {
        in[l] = loop;
        stack[sp++] = l;
      }
      while (sp) {
        uint32_t b = stack[--sp];
        body[nb++] = b;
        if (header[b])
          innermost = false; /* another loop's header inside this one */
        for (unsigned q = 0; q < g->npred[b]; q++) {
          uint32_t p = g->pred[b][q];
          if (in[p] != loop && cfg_reachable(g, p)) {
            in[p] = loop;
            stack[sp++] = p;
          }
        }
      }
      for (unsigned i = 0; innermost && i < nb; i++)
        mark[body[i]] = true;
    }
  free(in);
  free(stack);
  free(body);
  free(header);
  return mark;
}
