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
 * x + y cannot wrap for any 0 <= y <= 65536: the add is `nuw`. (If the
 * access traps, nothing after it runs.) This holds with guard pages and
 * with explicit bounds checks alike.
 *
 * How. After the early pipeline of keep_traps.c (locals are SSA values,
 * small callees are inlined) each `add i32 x, y` is marked nuw when y is
 * at most 65536 (a constant, or by its shape: a masked or zero-extended
 * byte scaled to a table offset, see umax_bound) and an access of memory
 * 0 at index x executes before it on every path: earlier in the same
 * block, or in a block that dominates it (a loop body before its latch,
 * the code before an `if` and after its join). An access at a loop's
 * pointer phi also proves the pointer's start value (the first pass
 * through the loop accessed it). A load that is later deleted as unused
 * only ever mattered when it would have trapped; keep_traps.c keeps such
 * loads. The induction variables of clang's wasm32 loops take the form
 * `x = phi(..., x + 16)` with an access at x in the loop body, and its
 * table lookups `t + (b << 2)` follow a loop that filled t, which this
 * covers.
 */
#include "addr_nowrap.h"
#include "cfg.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "wasmrt_abi.h"
#include "ir_match.h"

/* ---- recognising accesses of memory 0 ------------------------------------ */

/* The load of memory 0's base from vmctx slot WASMRT_VMCTX_MEM0_BASE (at
 * offset 0 of the vmctx, the function's first parameter). */
LLVMValueRef addr_func_vmctx(LLVMValueRef f) {
  if (LLVMIsDeclaration(f) || LLVMCountParams(f) == 0)
    return NULL;
  LLVMValueRef vmctx = LLVMGetParam(f, 0);
  return LLVMGetTypeKind(LLVMTypeOf(vmctx)) == LLVMPointerTypeKind ? vmctx
                                                                    : NULL;
}

bool addr_is_mem0_base(LLVMValueRef v, LLVMValueRef vmctx) {
  if (!LLVMIsALoadInst(v))
    return false;
  LLVMValueRef p = LLVMGetOperand(v, 0);
  if (ir_is_op(p, LLVMGetElementPtr) && LLVMGetNumOperands(p) == 2) {
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
LLVMValueRef addr_access_index(LLVMValueRef in, LLVMValueRef vmctx) {
  LLVMValueRef p;
  if (LLVMIsALoadInst(in))
    p = LLVMGetOperand(in, 0);
  else if (LLVMIsAStoreInst(in))
    p = LLVMGetOperand(in, 1);
  else
    return NULL;
  for (int depth = 0; depth < 4; depth++) {
    if (!ir_is_op(p, LLVMGetElementPtr) || LLVMGetNumOperands(p) != 2)
      return NULL;
    LLVMValueRef base = LLVMGetOperand(p, 0), idx = LLVMGetOperand(p, 1);
    if (addr_is_mem0_base(base, vmctx)) {
      /* base + (zext(x) [+ offset]) */
      if (ir_is_op(idx, LLVMAdd) && LLVMIsAConstantInt(LLVMGetOperand(idx, 1)))
        idx = LLVMGetOperand(idx, 0);
      if (!ir_is_op(idx, LLVMZExt))
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

/* An upper bound on the unsigned value of the i32 v, from its shape alone
 * (what LLVM's known bits would say, for the forms index arithmetic takes:
 * a masked or zero-extended byte, shifted into a table offset), or
 * UINT64_MAX when nothing is known. */
static uint64_t umax_bound(LLVMValueRef v, int depth) {
  const uint64_t top = UINT32_MAX;
  if (LLVMIsAConstantInt(v))
    return LLVMConstIntGetZExtValue(v);
  if (depth > 8 || !LLVMIsAInstruction(v))
    return UINT64_MAX;
  LLVMOpcode op = LLVMGetInstructionOpcode(v);
  if (op == LLVMZExt) {
    LLVMTypeRef t = LLVMTypeOf(LLVMGetOperand(v, 0));
    unsigned w = LLVMGetIntTypeWidth(t);
    return w < 32 ? (UINT64_C(1) << w) - 1 : UINT64_MAX;
  }
  if (op == LLVMSelect) {
    uint64_t a = umax_bound(LLVMGetOperand(v, 1), depth + 1);
    uint64_t b = umax_bound(LLVMGetOperand(v, 2), depth + 1);
    return a > b ? a : b;
  }
  if (LLVMGetNumOperands(v) != 2)
    return UINT64_MAX;
  LLVMValueRef l = LLVMGetOperand(v, 0), r = LLVMGetOperand(v, 1);
  uint64_t a = umax_bound(l, depth + 1);
  switch (op) {
  case LLVMAnd: {
    uint64_t b = umax_bound(r, depth + 1);
    return a < b ? a : b;
  }
  case LLVMLShr:
    if (!LLVMIsAConstantInt(r) || LLVMConstIntGetZExtValue(r) > 31)
      return UINT64_MAX;
    return (a < top ? a : top) >> LLVMConstIntGetZExtValue(r);
  case LLVMURem:
    if (!LLVMIsAConstantInt(r) || LLVMConstIntGetZExtValue(r) == 0)
      return UINT64_MAX;
    return LLVMConstIntGetZExtValue(r) - 1;
  default:
    break;
  }
  if (a > top)
    return UINT64_MAX;
  uint64_t b = umax_bound(r, depth + 1);
  if (b > top)
    return UINT64_MAX;
  uint64_t x;
  switch (op) {
  case LLVMShl: /* no bit of a bounded value is shifted out */
    x = b > 31 ? UINT64_MAX : a << b;
    break;
  case LLVMOr:
  case LLVMXor: /* no bit above the higher operand's top bit */
    for (x = 1; x <= (a > b ? a : b); x <<= 1)
      ;
    x -= 1;
    break;
  case LLVMAdd: /* these cannot wrap in 32 bits */
    x = a + b;
    break;
  case LLVMMul:
    x = a * b; /* both < 2^32: no 64-bit overflow */
    break;
  default:
    return UINT64_MAX;
  }
  return x <= top ? x : UINT64_MAX;
}

/* An add that may be marked: add i32 a, b, not nuw, where one operand
 * can be shown at most 65536. Returns whether; *small is that operand's
 * index (1 when both are small). */
static bool candidate(LLVMValueRef in, unsigned *small) {
  if (!ir_is_op(in, LLVMAdd) || LLVMGetNUW(in))
    return false;
  LLVMTypeRef t = LLVMTypeOf(in);
  if (LLVMGetTypeKind(t) != LLVMIntegerTypeKind ||
      LLVMGetIntTypeWidth(t) != 32)
    return false;
  _Static_assert(WASMRT_MAX_MEMORY_PAGES <= 65535u,
                 "addr_nowrap needs 64 KiB below 2^32 that no memory reaches");
  for (unsigned k = 2; k-- > 0;)
    if (umax_bound(LLVMGetOperand(in, k), 0) <= 65536) {
      *small = k;
      return true;
    }
  return false;
}

/* zext(x + y) of the add a (now nuw) becomes zext(x) + zext(y) in 64
 * bits: the same value, but an address every later pass sees as x's plus
 * an offset (SLP's consecutive loads, addressing modes with a
 * displacement or a scaled index) without having to trust the flag
 * through SCEV. */
static void widen_zexts(LLVMValueRef a) {
  LLVMContextRef ctx = LLVMGetTypeContext(LLVMTypeOf(a));
  LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
  LLVMUseRef next;
  for (LLVMUseRef us = LLVMGetFirstUse(a); us; us = next) {
    next = LLVMGetNextUse(us);
    LLVMValueRef z = LLVMGetUser(us);
    if (!ir_is_op(z, LLVMZExt) || LLVMTypeOf(z) != i64)
      continue;
    LLVMPositionBuilderBefore(b, z);
    LLVMValueRef zx = LLVMBuildZExt(b, LLVMGetOperand(a, 0), i64, "");
    LLVMValueRef zy = LLVMBuildZExt(b, LLVMGetOperand(a, 1), i64, "");
    LLVMValueRef sum = LLVMBuildAdd(b, zx, zy, "");
    if (LLVMIsAInstruction(sum)) {
      LLVMSetNUW(sum, 1);
      LLVMSetNSW(sum, 1);
    }
    LLVMReplaceAllUsesWith(z, sum);
    /* next may have been z's use of a, which goes with z */
    if (next && LLVMGetUser(next) == z)
      next = LLVMGetNextUse(next);
    LLVMInstructionEraseFromParent(z);
  }
  LLVMDisposeBuilder(b);
}

/* The value p had on entering its block from outside the part of the CFG
 * that block dominates (a loop's start value), when p is a phi of block
 * bi and that value is the same on every such edge; else NULL. An access
 * at p in block bi also proves that value in bounds: the first time the
 * block runs after that value's definition, it comes in through one of
 * those edges (a predecessor the block dominates can only be reached
 * through the block), so p is that value there. */
static LLVMValueRef phi_entry_value(LLVMValueRef p, uint32_t bi,
                                    const cfg *g) {
  if (!LLVMIsAPHINode(p) || cfg_index(g, LLVMGetInstructionParent(p)) != bi)
    return NULL;
  LLVMValueRef x = NULL;
  for (unsigned k = 0, n = LLVMCountIncoming(p); k < n; k++) {
    uint32_t pred = cfg_index(g, LLVMGetIncomingBlock(p, k));
    if (!cfg_reachable(g, pred))
      continue; /* never runs */
    if (cfg_dominates(g, bi, pred))
      continue; /* a back edge */
    LLVMValueRef v = LLVMGetIncomingValue(p, k);
    if (x && v != x)
      return NULL;
    x = v;
  }
  return x == p ? NULL : x;
}

/* Add to s the indices an access at index x in block bi proves in bounds
 * from there on. */
static void note_access(valset *s, LLVMValueRef x, uint32_t bi,
                        const cfg *g) {
  valset_add(s, x);
  LLVMValueRef x0 = phi_entry_value(x, bi, g);
  if (x0)
    valset_add(s, x0);
}

static unsigned mark_function(LLVMValueRef f) {
  LLVMValueRef vmctx = addr_func_vmctx(f);
  if (!vmctx)
    return 0;
  cfg g;
  if (!cfg_build(&g, f))
    return 0;

  /* Every index a block's accesses prove in bounds. */
  valset *acc = calloc(g.n, sizeof *acc);
  if (!acc)
    abort();
  for (unsigned i = 0; i < g.n; i++)
    for (LLVMValueRef in = LLVMGetFirstInstruction(g.blocks[i]); in;
         in = LLVMGetNextInstruction(in)) {
      LLVMValueRef x = addr_access_index(in, vmctx);
      if (x)
        note_access(&acc[i], x, i, &g);
    }

  unsigned marked = 0;
  valset seen = {0};
  for (unsigned i = 0; i < g.n; i++) {
    seen.n = 0;
    for (LLVMValueRef in = LLVMGetFirstInstruction(g.blocks[i]); in;
         in = LLVMGetNextInstruction(in)) {
      LLVMValueRef x = addr_access_index(in, vmctx);
      if (x) {
        note_access(&seen, x, i, &g);
        continue;
      }
      unsigned small;
      if (!candidate(in, &small))
        continue;
      /* The other operand must be an index accessed before: earlier in
       * this block, or in a block up the dominator tree (each dominator
       * ran before, with the value of x this add sees: x's definition
       * dominates the add, so no path re-defines x without passing the
       * dominator again). */
      x = LLVMGetOperand(in, 1 - small);
      bool ok = valset_has(&seen, x);
      for (uint32_t b = i; !ok && cfg_reachable(&g, b) && g.idom[b] != b;) {
        b = g.idom[b];
        ok = valset_has(&acc[b], x);
      }
      if (!ok) /* both small: a + b <= 131072 cannot wrap */
        ok = umax_bound(x, 0) <= 65536;
      if (ok) {
        LLVMSetNUW(in, 1);
        widen_zexts(in);
        marked++;
      }
    }
  }

  free(seen.v);
  for (unsigned i = 0; i < g.n; i++)
    free(acc[i].v);
  free(acc);
  cfg_free(&g);
  return marked;
}

unsigned addr_nowrap_mark(LLVMModuleRef m) {
  return ir_sum_over_defined(m, mark_function);
}
