/* alias_families.c: one copy of linear memory's base per family of
 * accesses, for the loop vectoriser's dependence analysis
 * (interface: alias_families.h).
 *
 * Why. Every access of Wasm memory 0 is base + index, all off one
 * pointer, so LLVM's loop access analysis (LAA) sees one underlying
 * object. When it cannot compute the distance between two of a loop's
 * accesses (rows i and k of a matrix, say), it gives up on dependence
 * analysis for that object and falls back to checking every pair of
 * accesses at run time: including the pairs of one array at constant
 * offsets, such as d[j] and d[j+1] of a loop that the Wasm producer
 * unrolled by two (clang does, for a target without vectors). Those
 * ranges always overlap, so the check always fails and the loop runs
 * scalar where native code, not unrolled, is vectorised (Floyd-Warshall
 * with --cpu native: 2.4x slower than clang -march=native).
 *
 * How. Before the default pipeline, each family of accesses, those whose
 * index comes from the same root value (an induction variable's start,
 * minus constant offsets, extensions and scalings), gets its own copy of
 * the base: a call `wasmc.mem0.family(base, K)` with a module-unique K,
 * declared without memory effects, so that it is hoisted and never
 * merged across families, and seen by LAA as a different underlying
 * object. Accesses of one family are analysed against each other
 * (constant distances), and families are checked against each other at
 * run time, one range each, as for native code with distinct arrays.
 * Alias analysis treats each copy as possibly aliasing anything, as it
 * did the base, so nothing is assumed that was not proven.
 * alias_families_join turns every call back into the base after the
 * pipeline, before code generation.
 */
#include "alias_families.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr_nowrap.h"
#include "ir_match.h"

/* The start value of v when v is an induction variable: a phi whose
 * incoming values are one start value and otherwise v + constant. */
static LLVMValueRef iv_start(LLVMValueRef v) {
  if (!LLVMIsAPHINode(v))
    return NULL;
  LLVMValueRef start = NULL;
  for (unsigned k = 0, n = LLVMCountIncoming(v); k < n; k++) {
    LLVMValueRef in = LLVMGetIncomingValue(v, k);
    if ((ir_is_op(in, LLVMAdd) || ir_is_op(in, LLVMSub)) &&
        LLVMGetOperand(in, 0) == v &&
        LLVMIsAConstantInt(LLVMGetOperand(in, 1)))
      continue; /* the step */
    if (start && in != start)
      return NULL;
    start = in;
  }
  return start;
}

/* The root of an index: what is left after constant offsets, extensions,
 * scalings by a constant and (once) an induction variable's step. Two
 * accesses with the same root are at a distance SCEV can compute; two
 * with different roots usually are not. Any answer is correct (the
 * copies of the base are the same address); a coarser one only keeps
 * more accesses in one family. */
static LLVMValueRef index_root(LLVMValueRef v) {
  bool through_phi = false;
  for (int depth = 0; depth < 16; depth++) {
    if (!LLVMIsAInstruction(v))
      return v;
    switch (LLVMGetInstructionOpcode(v)) {
    case LLVMZExt:
    case LLVMSExt:
    case LLVMTrunc:
      v = LLVMGetOperand(v, 0);
      continue;
    case LLVMAdd:
    case LLVMSub:
    case LLVMOr:
    case LLVMShl:
    case LLVMMul:
      if (LLVMIsAConstantInt(LLVMGetOperand(v, 1))) {
        v = LLVMGetOperand(v, 0);
        continue;
      }
      return v;
    case LLVMPHI: {
      LLVMValueRef s = through_phi ? NULL : iv_start(v);
      if (!s)
        return v;
      through_phi = true; /* only the innermost step: outer loops' phis
                             are what tells rows apart */
      v = s;
      continue;
    }
    default:
      return v;
    }
  }
  return v;
}

/* ---- per function: (base, root) -> copy of the base ---------------------- */

typedef struct {
  LLVMValueRef base, root, copy;
} family;

typedef struct {
  family *v;
  size_t n, cap;
} family_list;

#define FAMILY_FN "wasmc.mem0.family"

/* The declaration of the copying function: ptr(ptr, i32), no memory
 * effects, so that LICM hoists it and GVN merges only equal calls. */
static LLVMValueRef family_fn(LLVMModuleRef m, LLVMTypeRef ptr,
                              LLVMTypeRef i32) {
  LLVMTypeRef params[2] = {ptr, i32};
  return ir_pure_decl(m, FAMILY_FN, LLVMFunctionType(ptr, params, 2, 0), true);
}

static LLVMValueRef family_copy(family_list *l, LLVMValueRef base,
                                LLVMValueRef root, LLVMBuilderRef b,
                                LLVMValueRef fn, unsigned *next_id) {
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].base == base && l->v[i].root == root)
      return l->v[i].copy;
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 16;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
    if (!l->v)
      abort();
  }
  /* right after the base's load, so that it dominates every access */
  LLVMPositionBuilderBefore(b, LLVMGetNextInstruction(base));
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn);
  LLVMValueRef args[2] = {
      base, LLVMConstInt(LLVMInt32TypeInContext(LLVMGetTypeContext(fty)),
                         (*next_id)++, false)};
  LLVMValueRef copy = LLVMBuildCall2(b, fty, fn, args, 2, "mem0.fam");
  l->v[l->n++] = (family){base, root, copy};
  return copy;
}

static unsigned split_function(LLVMValueRef f, unsigned *next_id) {
  LLVMValueRef vmctx = addr_func_vmctx(f);
  if (!vmctx)
    return 0;
  /* Only functions with loops matter to the vectoriser: a phi is the
   * cheap sign of one (and of every induction variable). */
  bool has_phi = false;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb && !has_phi;
       bb = LLVMGetNextBasicBlock(bb))
    has_phi = LLVMIsAPHINode(LLVMGetFirstInstruction(bb)) != NULL;
  if (!has_phi)
    return 0;

  LLVMContextRef ctx = LLVMGetTypeContext(LLVMTypeOf(vmctx));
  LLVMValueRef fn =
      family_fn(LLVMGetGlobalParent(f), LLVMTypeOf(vmctx), LLVMInt32TypeInContext(ctx));
  LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
  family_list fams = {0};
  unsigned rebased = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
       bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in;
         in = LLVMGetNextInstruction(in)) {
      if (!ir_is_op(in, LLVMGetElementPtr) || LLVMGetNumOperands(in) != 2)
        continue;
      LLVMValueRef base = LLVMGetOperand(in, 0), idx = LLVMGetOperand(in, 1);
      if (LLVMIsAConstant(idx) || !addr_is_mem0_base(base, vmctx))
        continue;
      LLVMSetOperand(in, 0,
                     family_copy(&fams, base, index_root(idx), b, fn, next_id));
      rebased++;
    }
  /* One family: nothing to tell apart; leave the base as it was. */
  if (fams.n < 2)
    for (size_t i = 0; i < fams.n; i++) {
      LLVMReplaceAllUsesWith(fams.v[i].copy, fams.v[i].base);
      LLVMInstructionEraseFromParent(fams.v[i].copy);
      rebased = 0;
    }
  free(fams.v);
  LLVMDisposeBuilder(b);
  return rebased;
}

unsigned alias_families_split(LLVMModuleRef m) {
  unsigned n = 0, next_id = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f))
      n += split_function(f, &next_id);
  return n;
}

void alias_families_join(LLVMModuleRef m) {
  LLVMValueRef fn = LLVMGetNamedFunction(m, FAMILY_FN);
  if (!fn)
    return;
  LLVMUseRef u;
  while ((u = LLVMGetFirstUse(fn))) {
    LLVMValueRef call = LLVMGetUser(u);
    LLVMReplaceAllUsesWith(call, LLVMGetOperand(call, 0));
    LLVMInstructionEraseFromParent(call);
  }
  LLVMDeleteFunction(fn);
}
