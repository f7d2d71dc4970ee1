/* loop_parity.c: a trip count LLVM can compute for loops that count by 2
 * (or 4, 8...) towards zero from a start of unknown parity
 * (interface: loop_parity.h).
 *
 * Why. When clang unrolls a loop by K for wasm32 with the odd iterations
 * peeled in front, the unrolled loop's counter c starts at a value s that
 * is a multiple of K on every path (the peeling made it so), then runs
 * c -= K until c == 0. SCEV cannot see that s is a multiple of K (it is a
 * phi of two candidates), so for it the loop may never end: no trip
 * count, and the loop vectoriser gives up (LU decomposition's row update
 * with --cpu native: 1.34x of clang -march=native, SLP's 2-wide vectors
 * only).
 *
 * The rewrite. The counter's start becomes s2 = s & -K when s is a
 * multiple of K, else (s & -K) with bit 31 set (counting down) or clear
 * (counting up): computed branch-free, its low bits are zero to
 * known-bits analysis, so SCEV divides.
 *  - s a multiple of K: s2 = s, nothing changes.
 *  - otherwise c never reaches 0 (c mod K never changes), so the original
 *    loop can only leave by another exit or by a trap. With s2 it could
 *    also leave through this exit, after at least 2^31 / K iterations
 *    (that is what bit 31 is for). We
 *    only rewrite when that cannot happen first: every iteration accesses
 *    memory 0 at index p, a pointer that grows by d per iteration with
 *    2K <= d <= 65536. An access that did not trap had p below 2^32 -
 *    65536 (no memory holds more, see addr_nowrap.c), so p + d did not
 *    wrap, and iteration i accesses p0 + i*d: it traps before i reaches
 *    2^32 / d <= 2^31 / K. Every iteration before that is the same in both
 *    loops (the counter feeds nothing but its exit test).
 */
#include "loop_parity.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr_nowrap.h"
#include "cfg.h"
#include "ir_match.h"

/* v's constant value as a signed 64-bit number, if v is an integer
 * constant. */
static bool const_int(LLVMValueRef v, int64_t *out) {
  if (!LLVMIsAConstantInt(v))
    return false;
  *out = LLVMConstIntGetSExtValue(v);
  return true;
}

/* Whether every user of v is one of a and b. */
static bool used_only_by(LLVMValueRef v, LLVMValueRef a, LLVMValueRef b) {
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef w = LLVMGetUser(u);
    if (w != a && w != b)
      return false;
  }
  return true;
}

/* Whether the loop of header h and latch l accesses memory 0, in a block
 * that runs on every iteration, at a pointer phi of h that grows by
 * between min_step and 65536 each iteration. */
static bool traps_before(const cfg *g, uint32_t h, uint32_t l,
                         LLVMValueRef vmctx, int64_t min_step) {
  LLVMBasicBlockRef latch = g->blocks[l];
  for (uint32_t b = l;; b = g->idom[b]) {
    for (LLVMValueRef in = LLVMGetFirstInstruction(g->blocks[b]); in;
         in = LLVMGetNextInstruction(in)) {
      LLVMValueRef p = addr_access_index(in, vmctx);
      if (!p || !LLVMIsAPHINode(p) ||
          LLVMGetInstructionParent(p) != g->blocks[h])
        continue;
      int k = ir_incoming_index(p, latch);
      if (k < 0)
        continue;
      LLVMValueRef next = LLVMGetIncomingValue(p, (unsigned)k);
      int64_t d;
      if (ir_is_op(next, LLVMAdd) && LLVMGetOperand(next, 0) == p &&
          const_int(LLVMGetOperand(next, 1), &d) && d >= min_step &&
          d <= 65536)
        return true;
    }
    if (b == h || !cfg_reachable(g, b) || g->idom[b] == b)
      return false;
  }
}

/* One latch: returns whether its loop's counter start was rewritten. */
static bool rewrite_latch(const cfg *g, uint32_t l, LLVMValueRef vmctx,
                          LLVMBuilderRef bld) {
  LLVMValueRef term = LLVMGetBasicBlockTerminator(g->blocks[l]);
  if (!term || !LLVMIsABranchInst(term) || !LLVMIsConditional(term))
    return false;
  /* which successor is the header (it dominates the latch) */
  uint32_t s0 = cfg_index(g, LLVMGetSuccessor(term, 0));
  uint32_t s1 = cfg_index(g, LLVMGetSuccessor(term, 1));
  bool back0 = cfg_dominates(g, s0, l), back1 = cfg_dominates(g, s1, l);
  if (back0 == back1)
    return false;
  uint32_t h = back0 ? s0 : s1;

  /* the exit test: next == 0 or c == -delta, leaving on equality */
  LLVMValueRef cmp = LLVMGetCondition(term);
  if (!LLVMIsAICmpInst(cmp) || LLVMGetFirstUse(cmp) == NULL ||
      LLVMGetNextUse(LLVMGetFirstUse(cmp)) != NULL)
    return false;
  LLVMIntPredicate pred = LLVMGetICmpPredicate(cmp);
  if (!((pred == LLVMIntEQ && !back0) || (pred == LLVMIntNE && back0)))
    return false; /* equal must mean: leave */
  LLVMValueRef a = LLVMGetOperand(cmp, 0), z = LLVMGetOperand(cmp, 1);
  int64_t zc;
  if (!const_int(z, &zc)) {
    LLVMValueRef t = a;
    a = z;
    z = t;
    if (!const_int(z, &zc))
      return false;
  }
  LLVMTypeRef i32 = LLVMTypeOf(a);
  if (LLVMGetTypeKind(i32) != LLVMIntegerTypeKind ||
      LLVMGetIntTypeWidth(i32) != 32)
    return false;

  /* a is next = c + delta (compared with 0) or c (compared with -delta) */
  LLVMValueRef c, next;
  int64_t delta;
  if (zc == 0 && ir_is_op(a, LLVMAdd) &&
      const_int(LLVMGetOperand(a, 1), &delta)) {
    next = a;
    c = LLVMGetOperand(a, 0);
  } else if (LLVMIsAPHINode(a)) {
    c = a;
    int k = ir_incoming_index(c, g->blocks[l]);
    if (k < 0)
      return false;
    next = LLVMGetIncomingValue(c, (unsigned)k);
    if (!ir_is_op(next, LLVMAdd) || LLVMGetOperand(next, 0) != c ||
        !const_int(LLVMGetOperand(next, 1), &delta) || zc != -delta)
      return false;
  } else {
    return false;
  }
  int64_t k_abs = delta < 0 ? -delta : delta;
  if (k_abs < 2 || k_abs > 65536 || (k_abs & (k_abs - 1)) != 0)
    return false;
  if (!LLVMIsAPHINode(c) || LLVMGetInstructionParent(c) != g->blocks[h] ||
      LLVMCountIncoming(c) != 2)
    return false;
  int kl = ir_incoming_index(c, g->blocks[l]);
  if (kl < 0 || LLVMGetIncomingValue(c, (unsigned)kl) != next)
    return false;
  unsigned ke = 1 - (unsigned)kl;
  LLVMBasicBlockRef pre = LLVMGetIncomingBlock(c, ke);
  uint32_t pi = cfg_index(g, pre);
  if (!cfg_reachable(g, pi) || cfg_dominates(g, h, pi))
    return false;
  /* the counter feeds nothing but its exit test */
  if (!used_only_by(c, next, cmp) || !used_only_by(next, c, cmp))
    return false;
  LLVMValueRef s = LLVMGetIncomingValue(c, ke);
  if (LLVMIsAConstantInt(s))
    return false; /* SCEV sees a constant's parity itself */
  if (!traps_before(g, h, l, vmctx, 2 * k_abs))
    return false;

  LLVMPositionBuilderBefore(bld, LLVMGetBasicBlockTerminator(pre));
  LLVMValueRef low = LLVMBuildAnd(bld, s, LLVMConstInt(i32, (uint64_t)-k_abs, true), "");
  LLVMValueRef rem = LLVMBuildAnd(bld, s, LLVMConstInt(i32, (uint64_t)(k_abs - 1), false), "");
  LLVMValueRef odd = LLVMBuildICmp(bld, LLVMIntNE, rem, LLVMConstInt(i32, 0, false), "");
  /* not a multiple: at least 2^31 / K iterations to 0 (from 2^31 or
   * above counting down, from 2^31 or below counting up) */
  LLVMValueRef s2;
  if (delta < 0) {
    LLVMValueRef hi = LLVMBuildSelect(
        bld, odd, LLVMConstInt(i32, UINT64_C(0x80000000), false),
        LLVMConstInt(i32, 0, false), "");
    s2 = LLVMBuildOr(bld, low, hi, "count.start");
  } else {
    LLVMValueRef mask = LLVMBuildSelect(
        bld, odd, LLVMConstInt(i32, UINT64_C(0x7fffffff), false),
        LLVMConstInt(i32, UINT64_C(0xffffffff), false), "");
    s2 = LLVMBuildAnd(bld, low, mask, "count.start");
  }
  LLVMSetOperand(c, ke, s2);
  return true;
}

unsigned loop_parity_fix(LLVMModuleRef m) {
  unsigned n = 0;
  LLVMBuilderRef bld = LLVMCreateBuilderInContext(LLVMGetModuleContext(m));
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    LLVMValueRef vmctx = addr_func_vmctx(f);
    if (!vmctx)
      continue;
    cfg g;
    if (!cfg_build(&g, f))
      continue;
    for (uint32_t l = 0; l < g.n; l++)
      if (cfg_reachable(&g, l))
        n += rewrite_latch(&g, l, vmctx, bld);
    cfg_free(&g);
  }
  LLVMDisposeBuilder(bld);
  return n;
}
