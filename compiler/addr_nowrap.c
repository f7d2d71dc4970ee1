/* addr_nowrap.c: proving that i32 address arithmetic does not wrap
 * (interface: addr_nowrap.h).
 *
 * Why. Wasm computes addresses in i32 with wraparound: `x + 8` of
 * x = 0xfffffffc is 4. A memory access is base + zext(x + 8), and since
 * LLVM cannot rule out the wrap, it cannot see that base + zext(x) and
 * base + zext(x + 8) are 8 bytes apart, nor that zext of an i32 induction
 * variable {a,+,16} is the affine {zext a,+,16}. Both are what the loop
 * and SLP vectorisers, LSR and alias analysis need: without them, loops
 * of Wasm code (which producers have already unrolled and interleaved for
 * a target without vectors) stay scalar where native code is vectorised.
 *
 * The fact. A linear memory of this runtime never holds more than
 * WASMRT_MAX_MEMORY_PAGES = 65535 pages (the spec lets memory.grow fail
 * for any reason; runtime/memory.c refuses the 65536th page), so an
 * access at index x that did not trap had x + offset + width <= 2^32 -
 * 65536, hence x <= 2^32 - 65537. So once an access at x has executed,
 * x + C cannot wrap for any 0 <= C <= 65536: the add is `nuw`. (If the
 * access traps, nothing after it runs.) This holds with guard pages and
 * with explicit bounds checks alike.
 *
 * How. After the early pipeline of keep_traps.c (locals are SSA values,
 * small callees are inlined) each `add i32 x, C` is marked nuw when an
 * access of memory 0 at index x executes before it on every path: earlier
 * in the same block, or in a block that dominates it (a loop body before
 * its latch, the code before an `if` and after its join). A
 * load that is later deleted as unused only ever mattered when it would
 * have trapped; keep_traps.c keeps such loads. The induction variables of
 * clang's wasm32 loops take the form `x = phi(..., x + 16)` with an
 * access at x in the loop body, which this covers.
 */
#include "addr_nowrap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "../runtime/wasmrt_abi.h"

/* ---- a small open-addressing map: basic block -> block index ------------- */

typedef struct {
  LLVMBasicBlockRef *keys;
  uint32_t *vals;
  size_t cap; /* a power of two */
} blockmap;

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

/* ---- recognising accesses of memory 0 ------------------------------------ */

static bool is_op(LLVMValueRef v, LLVMOpcode op) {
  return v && LLVMIsAInstruction(v) && LLVMGetInstructionOpcode(v) == op;
}

/* The load of memory 0's base from vmctx slot WASMRT_VMCTX_MEM0_BASE (at
 * offset 0 of the vmctx, the function's first parameter). */
static bool is_mem0_base(LLVMValueRef v, LLVMValueRef vmctx) {
  if (!LLVMIsALoadInst(v))
    return false;
  LLVMValueRef p = LLVMGetOperand(v, 0);
  if (is_op(p, LLVMGetElementPtr) && LLVMGetNumOperands(p) == 2) {
    LLVMValueRef off = LLVMGetOperand(p, 1);
    if (!LLVMIsAConstantInt(off) || LLVMConstIntGetZExtValue(off) != 0)
      return false;
    p = LLVMGetOperand(p, 0);
  }
  _Static_assert(WASMRT_VMCTX_MEM0_BASE == 0, "memory 0's base is slot 0");
  return p == vmctx;
}

/* The i32 index x of a load or store of memory 0 at base + zext(x)
 * [+ offset], or NULL. */
static LLVMValueRef access_index(LLVMValueRef in, LLVMValueRef vmctx) {
  LLVMValueRef p;
  if (LLVMIsALoadInst(in))
    p = LLVMGetOperand(in, 0);
  else if (LLVMIsAStoreInst(in))
    p = LLVMGetOperand(in, 1);
  else
    return NULL;
  for (int depth = 0; depth < 4; depth++) {
    if (!is_op(p, LLVMGetElementPtr) || LLVMGetNumOperands(p) != 2)
      return NULL;
    LLVMValueRef base = LLVMGetOperand(p, 0), idx = LLVMGetOperand(p, 1);
    if (is_mem0_base(base, vmctx)) {
      /* base + (zext(x) [+ offset]) */
      if (is_op(idx, LLVMAdd) && LLVMIsAConstantInt(LLVMGetOperand(idx, 1)))
        idx = LLVMGetOperand(idx, 0);
      if (!is_op(idx, LLVMZExt))
        return NULL;
      LLVMValueRef x = LLVMGetOperand(idx, 0);
      LLVMTypeRef t = LLVMTypeOf(x);
      return LLVMGetTypeKind(t) == LLVMIntegerTypeKind &&
                     LLVMGetIntTypeWidth(t) == 32
                 ? x
                 : NULL;
    }
    if (!LLVMIsAConstantInt(idx))
      return NULL;
    p = base; /* (base + zext(x)) + offset */
  }
  return NULL;
}

/* ---- per block: the indices accessed ------------------------------------- */

typedef struct {
  LLVMValueRef *v;
  size_t n, cap;
} valset;

static void valset_add(valset *s, LLVMValueRef v) {
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i] == v)
      return;
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 8;
    s->v = realloc(s->v, s->cap * sizeof *s->v);
    if (!s->v)
      abort();
  }
  s->v[s->n++] = v;
}

static bool valset_has(const valset *s, LLVMValueRef v) {
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i] == v)
      return true;
  return false;
}

/* An add that may be marked: add i32 x, C with 0 < C <= 65536, not nuw. */
static LLVMValueRef candidate(LLVMValueRef in) {
  if (!is_op(in, LLVMAdd) || LLVMGetNUW(in))
    return NULL;
  LLVMTypeRef t = LLVMTypeOf(in);
  if (LLVMGetIntTypeWidth(t) != 32)
    return NULL;
  LLVMValueRef c = LLVMGetOperand(in, 1);
  if (!LLVMIsAConstantInt(c))
    return NULL;
  uint64_t k = LLVMConstIntGetZExtValue(c);
  _Static_assert(WASMRT_MAX_MEMORY_PAGES <= 65535u,
                 "addr_nowrap needs 64 KiB below 2^32 that no memory reaches");
  return k > 0 && k <= 65536 ? LLVMGetOperand(in, 0) : NULL;
}

/* zext(x + C) of the add a (now nuw) becomes zext(x) + C in 64 bits:
 * the same value, but an address every later pass sees as x's plus a
 * constant (SLP's consecutive loads, addressing modes with a
 * displacement) without having to trust the flag through SCEV. */
static void widen_zexts(LLVMValueRef a, LLVMValueRef x) {
  LLVMValueRef c = LLVMGetOperand(a, 1);
  LLVMContextRef ctx = LLVMGetTypeContext(LLVMTypeOf(a));
  LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
  LLVMUseRef next;
  for (LLVMUseRef us = LLVMGetFirstUse(a); us; us = next) {
    next = LLVMGetNextUse(us);
    LLVMValueRef z = LLVMGetUser(us);
    if (!is_op(z, LLVMZExt) || LLVMTypeOf(z) != i64)
      continue;
    LLVMPositionBuilderBefore(b, z);
    LLVMValueRef zx = LLVMBuildZExt(b, x, i64, "");
    LLVMValueRef sum = LLVMBuildAdd(
        b, zx, LLVMConstInt(i64, LLVMConstIntGetZExtValue(c), false), "");
    LLVMSetNUW(sum, 1);
    LLVMSetNSW(sum, 1);
    LLVMReplaceAllUsesWith(z, sum);
    /* next may have been z's use of a, which goes with z */
    if (next && LLVMGetUser(next) == z)
      next = LLVMGetNextUse(next);
    LLVMInstructionEraseFromParent(z);
  }
  LLVMDisposeBuilder(b);
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

static unsigned mark_function(LLVMValueRef f) {
  unsigned nblocks = LLVMCountBasicBlocks(f);
  if (nblocks == 0 || LLVMCountParams(f) == 0)
    return 0;
  LLVMValueRef vmctx = LLVMGetParam(f, 0);
  if (LLVMGetTypeKind(LLVMTypeOf(vmctx)) != LLVMPointerTypeKind)
    return 0;

  LLVMBasicBlockRef *blocks = xcalloc(nblocks, sizeof *blocks);
  LLVMGetBasicBlocks(f, blocks);
  blockmap map;
  blockmap_init(&map, nblocks);
  for (unsigned i = 0; i < nblocks; i++)
    blockmap_put(&map, blocks[i], i);

  uint32_t *idom = dominators(blocks, nblocks, &map);

  /* Every index a block accesses. */
  valset *acc = xcalloc(nblocks, sizeof *acc);
  for (unsigned i = 0; i < nblocks; i++)
    for (LLVMValueRef in = LLVMGetFirstInstruction(blocks[i]); in;
         in = LLVMGetNextInstruction(in)) {
      LLVMValueRef x = access_index(in, vmctx);
      if (x)
        valset_add(&acc[i], x);
    }

  unsigned marked = 0;
  valset seen = {0};
  for (unsigned i = 0; i < nblocks; i++) {
    seen.n = 0;
    for (LLVMValueRef in = LLVMGetFirstInstruction(blocks[i]); in;
         in = LLVMGetNextInstruction(in)) {
      LLVMValueRef x = access_index(in, vmctx);
      if (x) {
        valset_add(&seen, x);
        continue;
      }
      if (!(x = candidate(in)))
        continue;
      bool ok = valset_has(&seen, x);
      /* Up the dominator tree: each dominator ran before, with the
       * value of x this add sees (x's definition dominates it, so no
       * path re-defines x without passing the dominator again). */
      for (uint32_t b = i; !ok && idom[b] != b && idom[b] != UINT32_MAX;) {
        b = idom[b];
        ok = valset_has(&acc[b], x);
      }
      if (ok) {
        LLVMSetNUW(in, 1);
        widen_zexts(in, x);
        marked++;
      }
    }
  }

  free(seen.v);
  for (unsigned i = 0; i < nblocks; i++)
    free(acc[i].v);
  free(acc);
  free(idom);
  free(map.keys);
  free(map.vals);
  free(blocks);
  return marked;
}

unsigned addr_nowrap_mark(LLVMModuleRef m) {
  unsigned n = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f))
      n += mark_function(f);
  return n;
}
