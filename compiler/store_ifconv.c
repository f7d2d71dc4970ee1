/* store_ifconv.c: `if (c) p[i] = v;` after a load of p[i] becomes
 * `p[i] = c ? v : p[i];` (interface: store_ifconv.h).
 *
 * Why. A conditional store keeps a loop's body in several blocks, and
 * LLVM's loop vectoriser then needs masked (or scattered) stores: on a
 * loop the Wasm producer unrolled by two (clang does, for a target
 * without vectors), that is an interleaved masked store, which LLVM 19
 * turns into scatters or leaves scalar (Floyd-Warshall's
 * `if (t < d[j]) d[j] = t`). An unconditional store of a select is one
 * straight-line body the vectoriser handles like any other, also at the
 * baseline CPU (no masked stores needed).
 *
 * Why it is exact. C compilers may not do this: another thread could
 * write p[i] between the load and the store. A Wasm 2.0 linear memory is
 * never shared between threads, and the store writes what the load read
 * when c is false, so no observer can tell. A shared memory (threads) is
 * seen by other threads, so a module whose memory is shared (named
 * metadata LOWER_MD_SHARED_MEMORY, lower.c) is left alone. The store cannot trap: the
 * load of the same address and width already ran. The pattern is narrow
 * on purpose: block P loads p[i] and ends in `br c, S, J` (either way
 * round) with nothing that writes memory after the load; S is reached
 * only from P and holds nothing but `store v, p[i]` and `br J`; and both
 * are in an innermost loop, the only place the vectoriser gains from it.
 */
#include "store_ifconv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "cfg.h"
#include "lower.h"
#include "ir_match.h"

/* The same address: one value, or the same GEP computed twice. */
static bool same_address(LLVMValueRef a, LLVMValueRef b) {
  if (a == b)
    return true;
  if (!ir_is_op(a, LLVMGetElementPtr) || !ir_is_op(b, LLVMGetElementPtr))
    return false;
  int n = LLVMGetNumOperands(a);
  if (n != LLVMGetNumOperands(b) ||
      LLVMGetGEPSourceElementType(a) != LLVMGetGEPSourceElementType(b))
    return false;
  for (int i = 0; i < n; i++)
    if (LLVMGetOperand(a, i) != LLVMGetOperand(b, i))
      return false;
  return true;
}

/* Whether instruction in may write memory (or order memory accesses). */
static bool may_write(LLVMValueRef in) {
  switch (LLVMGetInstructionOpcode(in)) {
  case LLVMStore:
  case LLVMCall:
  case LLVMInvoke:
  case LLVMAtomicRMW:
  case LLVMAtomicCmpXchg:
  case LLVMFence:
  case LLVMVAArg:
    return true;
  case LLVMLoad:
    return LLVMGetVolatile(in) || LLVMGetOrdering(in) != LLVMAtomicOrderingNotAtomic;
  default:
    return false;
  }
}

/* Whether every use of block s is in P's terminator. */
static bool only_from(LLVMBasicBlockRef s, LLVMValueRef term) {
  for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(s)); u;
       u = LLVMGetNextUse(u))
    if (LLVMGetUser(u) != term)
      return false;
  return true;
}

/* The load of p[i] of type t in block p, after which nothing up to the
 * terminator writes memory; or NULL. */
static LLVMValueRef last_load(LLVMBasicBlockRef p, LLVMValueRef addr,
                              LLVMTypeRef t) {
  LLVMValueRef term = LLVMGetBasicBlockTerminator(p);
  for (LLVMValueRef in = LLVMGetPreviousInstruction(term); in;
       in = LLVMGetPreviousInstruction(in)) {
    if (LLVMIsALoadInst(in) && !may_write(in) && LLVMTypeOf(in) == t &&
        same_address(LLVMGetOperand(in, 0), addr))
      return in;
    if (may_write(in))
      return NULL;
  }
  return NULL;
}

static bool convert(LLVMBasicBlockRef p, LLVMBuilderRef b, const cfg *g,
                    const bool *inner) {
  LLVMValueRef term = LLVMGetBasicBlockTerminator(p);
  if (!term || !LLVMIsABranchInst(term) || !LLVMIsConditional(term))
    return false;
  for (unsigned k = 0; k < 2; k++) {
    LLVMBasicBlockRef s = LLVMGetSuccessor(term, k);
    LLVMBasicBlockRef j = LLVMGetSuccessor(term, 1 - k);
    LLVMValueRef st = LLVMGetFirstInstruction(s);
    uint32_t si = cfg_index(g, s);
    if (si == UINT32_MAX || !inner[si])
      continue;
    if (s == j || s == p || !st || !LLVMIsAStoreInst(st) ||
        LLVMGetVolatile(st) ||
        LLVMGetOrdering(st) != LLVMAtomicOrderingNotAtomic)
      continue;
    LLVMValueRef br = LLVMGetNextInstruction(st);
    if (!br || !LLVMIsABranchInst(br) || LLVMIsConditional(br) ||
        LLVMGetSuccessor(br, 0) != j || !only_from(s, term))
      continue;
    /* v and the address are defined outside S, so before P's end (S's
     * only predecessor); the branch stays, only the store moves up. */
    LLVMValueRef v = LLVMGetOperand(st, 0), addr = LLVMGetOperand(st, 1);
    LLVMValueRef old = last_load(p, addr, LLVMTypeOf(v));
    if (!old)
      continue;
    LLVMPositionBuilderBefore(b, term);
    LLVMValueRef c = LLVMGetCondition(term);
    LLVMValueRef sel = k == 0 ? LLVMBuildSelect(b, c, v, old, "")
                              : LLVMBuildSelect(b, c, old, v, "");
    LLVMValueRef ns = LLVMBuildStore(b, sel, addr);
    LLVMSetAlignment(ns, LLVMGetAlignment(st));
    LLVMInstructionEraseFromParent(st);
    return true;
  }
  return false;
}

unsigned store_ifconv(LLVMModuleRef m) {
  unsigned n = 0;
  if (LLVMGetNamedMetadataNumOperands(m, LOWER_MD_SHARED_MEMORY))
    return 0;
  LLVMBuilderRef b = LLVMCreateBuilderInContext(LLVMGetModuleContext(m));
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    cfg g;
    if (LLVMIsDeclaration(f) || !cfg_build(&g, f))
      continue;
    /* Only in innermost loops, where the vectoriser may use it: elsewhere
     * (an interpreter's dispatch loop, straight-line code) a predictable
     * branch is cheaper than a store that writes back what was there. */
    bool *inner = cfg_innermost_loop_blocks(&g);
    for (uint32_t i = 0; i < g.n; i++)
      if (inner[i])
        n += convert(g.blocks[i], b, &g, inner);
    free(inner);
    cfg_free(&g);
  }
  LLVMDisposeBuilder(b);
  return n;
}
