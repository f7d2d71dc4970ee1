/* cmp_loop.c: byte-compare loops (wasi-libc's memcmp) compare 16 bytes
 * at a time where the whole range is in bounds (interface: cmp_loop.h).
 *
 * Why. wasi-libc's memcmp, compiled into every module that compares
 * memory, is `while (n && *l == *r) l++, r++, n--`: a loop with an early
 * exit, which LLVM 19 does not vectorise, so comparing two 4 MiB buffers
 * takes a byte per cycle where glibc's memcmp takes 32 (bench/kernels/lz:
 * 9% of its time).
 *
 * How. Before such a loop (two i8 loads of memory 0 at i32 pointers p, q
 * stepping by 1, a count n stepping by -1, leaving on the first unequal
 * pair or when n reaches 0), a vector prefix compares 16-byte blocks
 * while more than 16 bytes remain, and then enters the original loop at
 * the first block that differs, or with the last 1..16 bytes. The loop
 * itself then finds the byte and leaves as before.
 *
 * Why it is exact. The prefix runs only when both ranges [p, p + n) and
 * [q, q + n) lie inside the memory's current size, so neither it nor the
 * bytes of the loop it skips could have trapped; it loads nothing outside
 * them, writes nothing, and hands the loop the pointers and count it
 * would have had after the skipped iterations (all of them equal pairs).
 */
#include "cmp_loop.h"

#include <stdbool.h>
#include <stddef.h>

#include "wasmrt_abi.h"
#include "addr_nowrap.h"
#include "ir_match.h"

static bool is_const(LLVMValueRef v, int64_t c) {
  return LLVMIsAConstantInt(v) && LLVMConstIntGetSExtValue(v) == c;
}

/* The memory-0 load of one byte at zext(phi) in block h: returns the phi
 * and the base, or NULL. */
static LLVMValueRef byte_load_phi(LLVMValueRef ld, LLVMBasicBlockRef h,
                                  LLVMValueRef vmctx, LLVMValueRef *base) {
  /* atomic loads (threads) must stay one access each */
  if (!LLVMIsALoadInst(ld) || LLVMGetVolatile(ld) ||
      LLVMGetOrdering(ld) != LLVMAtomicOrderingNotAtomic ||
      LLVMTypeOf(ld) != LLVMInt8TypeInContext(LLVMGetTypeContext(LLVMTypeOf(ld))))
    return NULL;
  LLVMValueRef gep = LLVMGetOperand(ld, 0);
  if (!ir_is_op(gep, LLVMGetElementPtr) || LLVMGetNumOperands(gep) != 2)
    return NULL;
  LLVMValueRef idx = LLVMGetOperand(gep, 1);
  if (!ir_is_op(idx, LLVMZExt))
    return NULL;
  LLVMValueRef p = LLVMGetOperand(idx, 0);
  if (!LLVMIsAPHINode(p) || LLVMGetInstructionParent(p) != h ||
      addr_access_index(ld, vmctx) != p)
    return NULL;
  *base = LLVMGetOperand(gep, 0);
  return p;
}

typedef struct {
  LLVMBasicBlockRef h, l, pre;
  LLVMValueRef p, q, n;       /* the header's phis */
  LLVMValueRef p0, q0, n0;    /* their start values */
  LLVMValueRef base;
} cmp_loop;

/* Whether h heads a byte-compare loop; fills *c. */
static bool match(LLVMBasicBlockRef h, LLVMValueRef vmctx, cmp_loop *c) {
  LLVMValueRef term = LLVMGetBasicBlockTerminator(h);
  if (!term || !LLVMIsABranchInst(term) || !LLVMIsConditional(term))
    return false;
  /* h: phis, the two byte loads and their addresses, icmp eq/ne, br */
  LLVMValueRef loads[2];
  unsigned nloads = 0, nphis = 0;
  LLVMValueRef phis[3];
  for (LLVMValueRef in = LLVMGetFirstInstruction(h); in != term;
       in = LLVMGetNextInstruction(in)) {
    if (LLVMIsAPHINode(in)) {
      if (nphis == 3)
        return false;
      phis[nphis++] = in;
    } else if (LLVMIsALoadInst(in)) {
      if (nloads == 2)
        return false;
      loads[nloads++] = in;
    } else if (!ir_is_op(in, LLVMZExt) && !ir_is_op(in, LLVMGetElementPtr) &&
               !LLVMIsAICmpInst(in)) {
      return false;
    }
  }
  if (nphis != 3 || nloads != 2)
    return false;
  LLVMValueRef b0, b1;
  LLVMValueRef p = byte_load_phi(loads[0], h, vmctx, &b0);
  LLVMValueRef q = byte_load_phi(loads[1], h, vmctx, &b1);
  if (!p || !q || p == q)
    return false;
  LLVMValueRef cmp = LLVMGetCondition(term);
  if (!LLVMIsAICmpInst(cmp))
    return false;
  LLVMValueRef x = LLVMGetOperand(cmp, 0), y = LLVMGetOperand(cmp, 1);
  if (!((x == loads[0] && y == loads[1]) || (x == loads[1] && y == loads[0])))
    return false;
  /* the successor taken on equal bytes is the latch */
  LLVMIntPredicate pred = LLVMGetICmpPredicate(cmp);
  if (pred != LLVMIntEQ && pred != LLVMIntNE)
    return false;
  LLVMBasicBlockRef l = LLVMGetSuccessor(term, pred == LLVMIntEQ ? 0 : 1);
  if (l == h)
    return false;
  /* l: p + 1, q + 1, n - 1, and leave when n - 1 == 0, else back to h */
  LLVMValueRef lt = LLVMGetBasicBlockTerminator(l);
  if (!lt || !LLVMIsABranchInst(lt) || !LLVMIsConditional(lt))
    return false;
  LLVMValueRef n = NULL;
  for (unsigned k = 0; k < 3; k++)
    if (phis[k] != p && phis[k] != q)
      n = phis[k];
  int kp = ir_incoming_index(p, l), kq = ir_incoming_index(q, l), kn = ir_incoming_index(n, l);
  if (kp < 0 || kq < 0 || kn < 0 || LLVMCountIncoming(p) != 2 ||
      LLVMCountIncoming(q) != 2 || LLVMCountIncoming(n) != 2)
    return false;
  LLVMValueRef pn = LLVMGetIncomingValue(p, (unsigned)kp);
  LLVMValueRef qn = LLVMGetIncomingValue(q, (unsigned)kq);
  LLVMValueRef nn = LLVMGetIncomingValue(n, (unsigned)kn);
  if (!ir_is_op(pn, LLVMAdd) || LLVMGetOperand(pn, 0) != p ||
      !is_const(LLVMGetOperand(pn, 1), 1) || !ir_is_op(qn, LLVMAdd) ||
      LLVMGetOperand(qn, 0) != q || !is_const(LLVMGetOperand(qn, 1), 1) ||
      !ir_is_op(nn, LLVMAdd) || LLVMGetOperand(nn, 0) != n ||
      !is_const(LLVMGetOperand(nn, 1), -1))
    return false;
  LLVMValueRef lc = LLVMGetCondition(lt);
  if (!LLVMIsAICmpInst(lc) || LLVMGetOperand(lc, 0) != nn ||
      !is_const(LLVMGetOperand(lc, 1), 0))
    return false;
  LLVMIntPredicate lp = LLVMGetICmpPredicate(lc);
  unsigned back = lp == LLVMIntEQ ? 1 : lp == LLVMIntNE ? 0 : 2;
  if (back == 2 || LLVMGetSuccessor(lt, back) != h)
    return false;
  /* nothing else in l that could write or trap */
  for (LLVMValueRef in = LLVMGetFirstInstruction(l); in != lt;
       in = LLVMGetNextInstruction(in))
    if (in != pn && in != qn && in != nn && in != lc)
      return false;
  /* entered from one block outside the loop */
  unsigned ke = 1 - (unsigned)kp;
  LLVMBasicBlockRef pre = LLVMGetIncomingBlock(p, ke);
  if (pre == l || pre == h || ir_incoming_index(q, pre) < 0 ||
      ir_incoming_index(n, pre) < 0)
    return false;
  c->h = h;
  c->l = l;
  c->pre = pre;
  c->p = p;
  c->q = q;
  c->n = n;
  c->p0 = LLVMGetIncomingValue(p, ke);
  c->q0 = LLVMGetIncomingValue(q, (unsigned)ir_incoming_index(q, pre));
  c->n0 = LLVMGetIncomingValue(n, (unsigned)ir_incoming_index(n, pre));
  c->base = b0;
  (void)b1; /* the same memory: both are memory 0's base */
  return true;
}

/* Replace phi ph of c->h by one whose way in from c->pre comes from the
 * two checks (v0) and from the prefix's exit (v1) instead. */
static void rebuild_phi(LLVMBuilderRef b, const cmp_loop *c, LLVMValueRef ph,
                        LLVMValueRef v0, LLVMBasicBlockRef from0a,
                        LLVMBasicBlockRef from0b, LLVMValueRef v1,
                        LLVMBasicBlockRef from1) {
  LLVMPositionBuilderBefore(b, ph);
  LLVMValueRef np = LLVMBuildPhi(b, LLVMTypeOf(ph), "");
  LLVMValueRef vals[4] = {v0, v0, v1,
                          LLVMGetIncomingValue(ph, (unsigned)ir_incoming_index(ph, c->l))};
  LLVMBasicBlockRef from[4] = {from0a, from0b, from1, c->l};
  LLVMAddIncoming(np, vals, from, 4);
  LLVMReplaceAllUsesWith(ph, np);
  LLVMInstructionEraseFromParent(ph);
}

static void vectorise(const cmp_loop *c, LLVMValueRef f, LLVMValueRef vmctx) {
  LLVMContextRef ctx = LLVMGetTypeContext(LLVMTypeOf(vmctx));
  LLVMTypeRef i1 = LLVMInt1TypeInContext(ctx), i8 = LLVMInt8TypeInContext(ctx);
  LLVMTypeRef i16 = LLVMInt16TypeInContext(ctx), i32 = LLVMInt32TypeInContext(ctx);
  LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx), ptr = LLVMTypeOf(vmctx);
  LLVMTypeRef v16 = LLVMVectorType(i8, 16);
  LLVMBasicBlockRef check = LLVMAppendBasicBlockInContext(ctx, f, "cmp.check");
  LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(ctx, f, "cmp.vec");
  LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(ctx, f, "cmp.next");
  LLVMBasicBlockRef diff = LLVMAppendBasicBlockInContext(ctx, f, "cmp.diff");
  LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(ctx, f, "cmp.done");
  LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);

  /* pre -> check instead of pre -> h */
  LLVMValueRef pt = LLVMGetBasicBlockTerminator(c->pre);
  for (unsigned k = 0, ns = LLVMGetNumSuccessors(pt); k < ns; k++)
    if (LLVMGetSuccessor(pt, k) == c->h)
      LLVMSetSuccessor(pt, k, check);

  /* check: n0 > 16 first (short compares pay one branch), then both
   * ranges inside the memory's current size (inb) */
  LLVMBasicBlockRef inb_bb = LLVMAppendBasicBlockInContext(ctx, f, "cmp.inb");
  LLVMPositionBuilderAtEnd(b, check);
  LLVMValueRef len = LLVMBuildZExt(b, c->n0, i64, "");
  LLVMValueRef big = LLVMBuildICmp(b, LLVMIntUGT, len, LLVMConstInt(i64, 16, false), "");
  LLVMBuildCondBr(b, big, inb_bb, c->h);
  LLVMPositionBuilderAtEnd(b, inb_bb);
  LLVMValueRef slot = LLVMBuildGEP2(
      b, i8, vmctx, (LLVMValueRef[]){LLVMConstInt(i64, 8 * WASMRT_VMCTX_MEM0, false)}, 1, "");
  LLVMValueRef mem = LLVMBuildLoad2(b, ptr, slot, "mem0");
  LLVMValueRef szp = LLVMBuildGEP2(
      b, i8, mem,
      (LLVMValueRef[]){LLVMConstInt(i64, offsetof(wasmrt_memory, size), false)}, 1, "");
  LLVMValueRef size = LLVMBuildLoad2(b, i64, szp, "mem0.size");
  LLVMValueRef a = LLVMBuildZExt(b, c->p0, i64, "");
  LLVMValueRef bb = LLVMBuildZExt(b, c->q0, i64, "");
  LLVMValueRef ina = LLVMBuildICmp(b, LLVMIntULE, LLVMBuildAdd(b, a, len, ""), size, "");
  LLVMValueRef inb = LLVMBuildICmp(b, LLVMIntULE, LLVMBuildAdd(b, bb, len, ""), size, "");
  LLVMBuildCondBr(b, LLVMBuildAnd(b, ina, inb, ""), body, c->h);

  /* body: compare the 16 bytes at offset i */
  LLVMPositionBuilderAtEnd(b, body);
  LLVMValueRef i = LLVMBuildPhi(b, i64, "cmp.i");
  LLVMValueRef pa = LLVMBuildGEP2(b, i8, c->base,
                                  (LLVMValueRef[]){LLVMBuildAdd(b, a, i, "")}, 1, "");
  LLVMValueRef pb = LLVMBuildGEP2(b, i8, c->base,
                                  (LLVMValueRef[]){LLVMBuildAdd(b, bb, i, "")}, 1, "");
  LLVMValueRef va = LLVMBuildLoad2(b, v16, pa, "");
  LLVMValueRef vb = LLVMBuildLoad2(b, v16, pb, "");
  LLVMSetAlignment(va, 1);
  LLVMSetAlignment(vb, 1);
  LLVMValueRef ne = LLVMBuildICmp(b, LLVMIntNE, va, vb, "");
  LLVMValueRef mask = LLVMBuildBitCast(b, ne, i16, "");
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, mask, LLVMConstInt(i16, 0, false), ""),
                  diff, next);

  /* next: on while more than 16 bytes remain after this block */
  LLVMPositionBuilderAtEnd(b, next);
  LLVMValueRef i2 = LLVMBuildAdd(b, i, LLVMConstInt(i64, 16, false), "");
  LLVMValueRef rest = LLVMBuildSub(b, len, i2, "");
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntUGT, rest, LLVMConstInt(i64, 16, false), ""),
                  body, done);
  LLVMAddIncoming(i, (LLVMValueRef[]){LLVMConstInt(i64, 0, false), i2},
                  (LLVMBasicBlockRef[]){inb_bb, next}, 2);

  /* diff: the first unequal byte of the block */
  LLVMPositionBuilderAtEnd(b, diff);
  LLVMTypeRef cttz_args[1] = {i16};
  LLVMValueRef cttz = LLVMGetIntrinsicDeclaration(
      LLVMGetGlobalParent(f), LLVMLookupIntrinsicID("llvm.cttz", 9), cttz_args, 1);
  LLVMValueRef tz = LLVMBuildCall2(
      b, LLVMIntrinsicGetType(ctx, LLVMLookupIntrinsicID("llvm.cttz", 9), cttz_args, 1),
      cttz, (LLVMValueRef[]){mask, LLVMConstInt(i1, 1, false)}, 2, "");
  LLVMValueRef k = LLVMBuildAdd(b, i, LLVMBuildZExt(b, tz, i64, ""), "");
  LLVMBuildBr(b, done);

  /* done: enter the loop k bytes further on */
  LLVMPositionBuilderAtEnd(b, done);
  LLVMValueRef skip = LLVMBuildPhi(b, i64, "cmp.skip");
  LLVMAddIncoming(skip, (LLVMValueRef[]){i2, k},
                  (LLVMBasicBlockRef[]){next, diff}, 2);
  LLVMValueRef s32 = LLVMBuildTrunc(b, skip, i32, "");
  LLVMValueRef p1 = LLVMBuildAdd(b, c->p0, s32, "");
  LLVMValueRef q1 = LLVMBuildAdd(b, c->q0, s32, "");
  LLVMValueRef n1 = LLVMBuildSub(b, c->n0, s32, "");
  LLVMBuildBr(b, c->h);

  rebuild_phi(b, c, c->p, c->p0, check, inb_bb, p1, done);
  rebuild_phi(b, c, c->q, c->q0, check, inb_bb, q1, done);
  rebuild_phi(b, c, c->n, c->n0, check, inb_bb, n1, done);
  LLVMDisposeBuilder(b);
}

unsigned cmp_loop_vectorise(LLVMModuleRef m) {
  unsigned n = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    LLVMValueRef vmctx = addr_func_vmctx(f);
    if (!vmctx)
      continue;
    /* collect first: vectorise appends blocks */
    unsigned nb = LLVMCountBasicBlocks(f);
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb && nb;
         bb = LLVMGetNextBasicBlock(bb), nb--) {
      cmp_loop c;
      if (match(bb, vmctx, &c)) {
        vectorise(&c, f, vmctx);
        n++;
      }
    }
  }
  return n;
}
