/* quiet_nan.c: Wasm's NaN rules for float arithmetic without giving up
 * LLVM's optimiser and vectoriser (interface: quiet_nan.h).
 *
 * The rule. A Wasm arithmetic instruction (add, sub, mul, div, sqrt, the
 * roundings, min, max, promote, demote) given a NaN returns a NaN with the
 * quiet bit set: never a signalling NaN. Everything else (loads, stores,
 * locals, select, reinterpret, abs/neg/copysign) keeps the bits.
 *
 * The problem. LLVM's arithmetic never creates a signalling NaN, and the
 * hardware of all three targets quiets one given to it. But LLVM folds
 * x*1.0, x/1.0, x+(-0.0), x-0.0 to x, x*-1.0 and -0.0-x to fneg x, and
 * fptrunc(fpext x) to x, before and during instruction selection, also
 * when the constant only appears after inlining or constant propagation:
 * a signalling x then comes out unquieted (float_exprs.wast checks it).
 * Constrained intrinsics (fpexcept.maytrap) turn those folds off, and with
 * them most of the optimiser and all vectorisation of float code.
 *
 * The scheme. A fold hands an operand through unchanged, so it is harmless
 * when no operand of arithmetic can be a signalling NaN. Lowering knows
 * where such operands come from (quiet_nan_operand): the result of
 * arithmetic never is one; a constant is one or is not (a signalling
 * constant is replaced by its quieted bits); anything else (a load, a
 * local, a parameter, a call result, a global, a reinterpret) is wrapped
 * in llvm.canonicalize, which quiets a NaN and is the identity on every
 * other value (denormals included, with the default IEEE mode). LLVM knows
 * canonicalize: it folds, hoists, CSEs and vectorises it, and x*1.0
 * becomes canonicalize(x), still quiet. Plain fadd/fmul... do the rest.
 *
 * Locals. During lowering a local is memory, so every local.get feeding
 * arithmetic is wrapped. Once the early pipeline has made locals SSA
 * values, quiet_nan_prune drops the canonicalize of every value that
 * cannot be signalling, phis included: a loop's float accumulators and
 * induction values, fed only by arithmetic, need none. Left alone, those
 * calls would still be gone after the pipeline, but they steer the
 * vectorisers' cost models meanwhile (SLP packs two scalar
 * canonicalizes it thinks expensive into a vector, shuffles and all).
 *
 * The cost, and why there is none left. After the pipeline, a
 * canonicalize that feeds fadd/fsub/fmul/fdiv is redundant: the hardware
 * instruction quiets the NaN itself, as long as instruction selection
 * cannot fold that instruction away, which needs its other operand to be
 * a constant identity (+-0 for add/sub, +-1 for mul/div). The IR
 * optimiser has finished by then, and the selector only sees constants
 * the IR already had. So quiet_nan_finish drops canonicalize from every
 * such use whose other operand is not an identity constant (nor a select
 * or phi of one), and from compares (a compare does not care). Where a
 * canonicalize is still used (a store, a return, a select, an identity
 * constant, a conversion the selector could fold), it becomes a
 * constrained fmul by 1.0: one multiplication, which LLVM 19's x86 back
 * end needs anyway (it cannot select llvm.canonicalize) and which the
 * selector keeps. Typical loops (loads feeding arithmetic) end up with
 * exactly the instructions of native code.
 */
#include "quiet_nan.h"
#include "ir_match.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- values and constants ------------------------------------------------- */

/* The float element type of t (t itself for a scalar), or NULL. */
static LLVMTypeRef float_elem(LLVMTypeRef t) {
  if (LLVMGetTypeKind(t) == LLVMVectorTypeKind)
    t = LLVMGetElementType(t);
  LLVMTypeKind k = LLVMGetTypeKind(t);
  return k == LLVMFloatTypeKind || k == LLVMDoubleTypeKind ? t : NULL;
}

static unsigned float_bits(LLVMTypeRef elem) {
  return LLVMGetTypeKind(elem) == LLVMDoubleTypeKind ? 64 : 32;
}

/* The integer type of the same shape as the float (vector) type t. */
static LLVMTypeRef int_shape(LLVMTypeRef t) {
  LLVMTypeRef e = float_elem(t);
  LLVMTypeRef it = LLVMIntTypeInContext(LLVMGetTypeContext(t), float_bits(e));
  if (LLVMGetTypeKind(t) == LLVMVectorTypeKind)
    return LLVMVectorType(it, LLVMGetVectorSize(t));
  return it;
}

static bool bits_snan(uint64_t v, unsigned bits) {
  uint64_t exp = bits == 64 ? UINT64_C(0x7ff0000000000000) : 0x7f800000u;
  uint64_t quiet = bits == 64 ? UINT64_C(0x0008000000000000) : 0x00400000u;
  uint64_t mant = bits == 64 ? UINT64_C(0x000fffffffffffff) : 0x007fffffu;
  return (v & exp) == exp && (v & mant) != 0 && (v & quiet) == 0;
}

static uint64_t quiet_bit(unsigned bits) {
  return bits == 64 ? UINT64_C(0x0008000000000000) : 0x00400000u;
}

/* The lanes of the float constant c as integer constants (n of them, at
 * most 64), for reading their bits. Returns the lane count, or 0 when c is
 * not a plain constant (a constant expression). An undef or poison lane
 * is returned as NULL. */
static unsigned const_lanes(LLVMValueRef c, LLVMValueRef lanes[64]) {
  LLVMTypeRef t = LLVMTypeOf(c);
  if (!float_elem(t))
    return 0;
  LLVMValueRef ci = LLVMConstBitCast(c, int_shape(t));
  if (LLVMGetTypeKind(t) != LLVMVectorTypeKind) {
    if (LLVMIsUndef(ci) || LLVMIsPoison(ci)) {
      lanes[0] = NULL;
      return 1;
    }
    if (!LLVMIsAConstantInt(ci))
      return 0;
    lanes[0] = ci;
    return 1;
  }
  unsigned n = LLVMGetVectorSize(t);
  if (n > 64)
    return 0;
  for (unsigned i = 0; i < n; i++) {
    LLVMValueRef e = LLVMGetAggregateElement(ci, i);
    if (!e)
      return 0;
    if (LLVMIsUndef(e) || LLVMIsPoison(e))
      lanes[i] = NULL;
    else if (LLVMIsAConstantInt(e))
      lanes[i] = e;
    else
      return 0;
  }
  return n;
}

/* c with every signalling NaN lane quieted (payload kept), c itself when
 * it has none, or NULL when its lanes cannot be read. */
static LLVMValueRef quiet_const(LLVMValueRef c) {
  LLVMValueRef lanes[64];
  unsigned n = const_lanes(c, lanes);
  if (n == 0)
    return NULL;
  LLVMTypeRef t = LLVMTypeOf(c);
  unsigned bits = float_bits(float_elem(t));
  bool changed = false;
  for (unsigned i = 0; i < n; i++) {
    if (!lanes[i])
      continue;
    uint64_t v = LLVMConstIntGetZExtValue(lanes[i]);
    if (bits_snan(v, bits)) {
      lanes[i] = LLVMConstInt(LLVMTypeOf(lanes[i]), v | quiet_bit(bits), false);
      changed = true;
    }
  }
  if (!changed)
    return c;
  if (LLVMGetTypeKind(t) != LLVMVectorTypeKind)
    return LLVMConstBitCast(lanes[0], t);
  /* Only defined lanes can be signalling, so a changed vector has one;
   * undef lanes become poison of the integer type. */
  LLVMTypeRef it = LLVMGetElementType(int_shape(t));
  for (unsigned i = 0; i < n; i++)
    if (!lanes[i])
      lanes[i] = LLVMGetPoison(it);
  return LLVMConstBitCast(LLVMConstVector(lanes, n), t);
}

/* Whether some lane of the constant c is one of the two values whose
 * bits (as unsigned integers) are a and b; unreadable lanes count. */
static bool const_has(LLVMValueRef c, uint64_t a, uint64_t b) {
  LLVMValueRef lanes[64];
  unsigned n = const_lanes(c, lanes);
  if (n == 0)
    return true;
  for (unsigned i = 0; i < n; i++) {
    if (!lanes[i])
      return true;
    uint64_t v = LLVMConstIntGetZExtValue(lanes[i]);
    if (v == a || v == b)
      return true;
  }
  return false;
}

/* ---- lowering: which operands may be signalling ---------------------------- */

static bool callee_has_prefix(LLVMValueRef call, const char *const *prefixes,
                              size_t n) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!callee || !LLVMIsAFunction(callee))
    return false;
  size_t len;
  const char *name = LLVMGetValueName2(callee, &len);
  for (size_t i = 0; i < n; i++)
    if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
      return true;
  return false;
}

/* The float whose bits the integer i carries with at most its sign bit
 * changed: the lowering of abs, neg and copysign (lower_numeric.c float_signop)
 * is and/xor/or on the bits of a bitcast float; NULL if i is not that. */
static LLVMValueRef sign_op_source(LLVMValueRef i) {
  if (!LLVMIsAInstruction(i))
    return NULL;
  LLVMOpcode op = LLVMGetInstructionOpcode(i);
  if (op == LLVMBitCast) {
    LLVMValueRef s = LLVMGetOperand(i, 0);
    return float_elem(LLVMTypeOf(s)) ? s : NULL;
  }
  if (op != LLVMAnd && op != LLVMXor && op != LLVMOr)
    return NULL;
  unsigned bits = LLVMGetIntTypeWidth(LLVMTypeOf(i));
  uint64_t sign = UINT64_C(1) << (bits - 1);
  uint64_t mask = bits == 64 ? UINT64_MAX : 0xffffffffu;
  LLVMValueRef a = LLVMGetOperand(i, 0), b = LLVMGetOperand(i, 1);
  if (op == LLVMOr) /* copysign: (x & ~sign) | (y & sign): x's bits */
    return sign_op_source(a);
  if (!LLVMIsAConstantInt(b))
    return NULL;
  uint64_t k = LLVMConstIntGetZExtValue(b);
  if (k != sign && k != (~sign & mask))
    return NULL;
  return sign_op_source(a);
}

/* A set of phi nodes (open addressing; NULL keys are empty slots). */
typedef struct {
  LLVMValueRef *keys;
  size_t cap, n; /* cap: a power of two, or 0 */
} phiset;

static size_t phiset_slot(const phiset *s, LLVMValueRef v) {
  uintptr_t x = (uintptr_t)v;
  x ^= x >> 17;
  x *= UINT64_C(0x9e3779b97f4a7c15);
  size_t i = (size_t)(x >> 7) & (s->cap - 1);
  while (s->keys[i] && s->keys[i] != v)
    i = (i + 1) & (s->cap - 1);
  return i;
}

static bool phiset_has(const phiset *s, LLVMValueRef v) {
  return s->cap && s->keys[phiset_slot(s, v)] == v;
}

static void phiset_add(phiset *s, LLVMValueRef v) {
  if (2 * (s->n + 1) > s->cap) {
    phiset old = *s;
    s->cap = old.cap ? 2 * old.cap : 64;
    s->keys = calloc(s->cap, sizeof *s->keys);
    if (!s->keys)
      abort();
    s->n = 0;
    for (size_t i = 0; i < old.cap; i++)
      if (old.keys[i])
        phiset_add(s, old.keys[i]);
    free(old.keys);
  }
  size_t i = phiset_slot(s, v);
  if (!s->keys[i]) {
    s->keys[i] = v;
    s->n++;
  }
}

/* Whether v may be a signalling NaN (lanes of a vector: any of them).
 * Conservative: true when in doubt. A phi may be one if it is in `bad`
 * (after the early pipeline, see quiet_nan_prune); with no set (during
 * lowering, where locals are memory) every phi may be one. */
static bool may_be_snan_in(LLVMValueRef v, int depth, const phiset *bad);

static bool may_be_snan(LLVMValueRef v, int depth) {
  return may_be_snan_in(v, depth, NULL);
}

static bool may_be_snan_in(LLVMValueRef v, int depth, const phiset *bad) {
  if (depth > 8)
    return true;
  if (LLVMIsAConstant(v)) {
    LLVMValueRef lanes[64];
    unsigned n = const_lanes(v, lanes);
    if (n == 0)
      return !LLVMIsUndef(v) && !LLVMIsPoison(v);
    unsigned bits = float_bits(float_elem(LLVMTypeOf(v)));
    for (unsigned i = 0; i < n; i++)
      if (lanes[i] && bits_snan(LLVMConstIntGetZExtValue(lanes[i]), bits))
        return true;
    return false;
  }
  if (!LLVMIsAInstruction(v))
    return true; /* parameters */
  switch (LLVMGetInstructionOpcode(v)) {
  case LLVMFAdd: case LLVMFSub: case LLVMFMul: case LLVMFDiv: case LLVMFRem:
  case LLVMSIToFP: case LLVMUIToFP:
    return false;
  case LLVMFNeg:
  case LLVMExtractElement:
    return may_be_snan_in(LLVMGetOperand(v, 0), depth + 1, bad);
  case LLVMSelect:
    return may_be_snan_in(LLVMGetOperand(v, 1), depth + 1, bad) ||
           may_be_snan_in(LLVMGetOperand(v, 2), depth + 1, bad);
  case LLVMInsertElement:
  case LLVMShuffleVector:
    return may_be_snan_in(LLVMGetOperand(v, 0), depth + 1, bad) ||
           may_be_snan_in(LLVMGetOperand(v, 1), depth + 1, bad);
  case LLVMBitCast: {
    /* A lane-shape change of a v128 (same float lanes), or the bits of
     * abs/neg/copysign. */
    LLVMValueRef s = LLVMGetOperand(v, 0);
    LLVMTypeRef st = LLVMTypeOf(s), vt = LLVMTypeOf(v);
    if (float_elem(st))
      return float_elem(st) == float_elem(vt) ? may_be_snan_in(s, depth + 1, bad) : true;
    while (LLVMIsAInstruction(s) && LLVMGetInstructionOpcode(s) == LLVMBitCast &&
           !float_elem(LLVMTypeOf(LLVMGetOperand(s, 0))) &&
           LLVMGetTypeKind(LLVMTypeOf(s)) == LLVMGetTypeKind(st))
      s = LLVMGetOperand(s, 0); /* <2 x i64> <-> <4 x i32> */
    if (LLVMGetTypeKind(st) == LLVMIntegerTypeKind) {
      LLVMValueRef src = sign_op_source(s);
      if (src && LLVMTypeOf(src) == vt)
        return may_be_snan_in(src, depth + 1, bad);
    }
    if (LLVMIsAInstruction(s) && LLVMGetInstructionOpcode(s) == LLVMBitCast) {
      LLVMValueRef f = LLVMGetOperand(s, 0);
      if (float_elem(LLVMTypeOf(f)) == float_elem(vt))
        return may_be_snan_in(f, depth + 1, bad);
    }
    return true;
  }
  case LLVMCall: {
    /* Results that are quiet: canonicalize itself, and the operations
     * that quiet in hardware with no identity fold (on riscv64 the
     * roundings are made so by emit.c's quiet_rounding_nans). */
    static const char *const quiet[] = {
        "llvm.canonicalize.", "llvm.sqrt.",      "llvm.ceil.",
        "llvm.floor.",        "llvm.trunc.",     "llvm.roundeven.",
        "llvm.experimental.constrained."};
    if (callee_has_prefix(v, quiet, sizeof quiet / sizeof *quiet))
      return false;
    static const char *const sign[] = {"llvm.fabs.", "llvm.copysign."};
    if (callee_has_prefix(v, sign, 2))
      return may_be_snan_in(LLVMGetOperand(v, 0), depth + 1, bad);
    return true;
  }
  case LLVMPHI:
    return !bad || phiset_has(bad, v);
  default:
    return true; /* loads, calls of Wasm functions, ... */
  }
}

LLVMValueRef quiet_nan_operand(lower_func *lf, LLVMValueRef x) {
  if (LLVMIsAConstant(x)) {
    LLVMValueRef q = quiet_const(x);
    if (q)
      return q;
  } else if (!may_be_snan(x, 0)) {
    return x;
  }
  LLVMTypeRef t = LLVMTypeOf(x);
  return lower_intrinsic(lf, "llvm.canonicalize", &t, 1, &x, 1);
}

/* ---- after the early pipeline: quiet locals -------------------------------- */

static bool is_canonicalize(LLVMValueRef in) {
  static const char *const p[] = {"llvm.canonicalize."};
  return LLVMIsACallInst(in) && callee_has_prefix(in, p, 1);
}

static bool is_float_phi(LLVMValueRef in) {
  return LLVMIsAPHINode(in) && float_elem(LLVMTypeOf(in));
}

/* One function: the phis that may carry a signalling NaN are the least
 * set closed under "has an incoming value that may be one" (a cycle of
 * phis fed only by arithmetic carries only quiet values); every
 * canonicalize of a value outside it goes. */
static unsigned prune_function(LLVMValueRef f) {
  size_t nphis = 0, cap = 0;
  LLVMValueRef *phis = NULL;
  bool any = false;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
       bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in;
         in = LLVMGetNextInstruction(in)) {
      any = any || is_canonicalize(in);
      if (!is_float_phi(in))
        continue;
      if (nphis == cap) {
        cap = cap ? 2 * cap : 64;
        phis = realloc(phis, cap * sizeof *phis);
        if (!phis)
          abort();
      }
      phis[nphis++] = in;
    }
  unsigned removed = 0;
  if (any) {
    phiset bad = {0};
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t i = 0; i < nphis; i++) {
        if (phiset_has(&bad, phis[i]))
          continue;
        unsigned n = LLVMCountIncoming(phis[i]);
        for (unsigned k = 0; k < n; k++)
          if (may_be_snan_in(LLVMGetIncomingValue(phis[i], k), 0, &bad)) {
            phiset_add(&bad, phis[i]);
            changed = true;
            break;
          }
      }
    }
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
         bb = LLVMGetNextBasicBlock(bb)) {
      LLVMValueRef next;
      for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in; in = next) {
        next = LLVMGetNextInstruction(in);
        if (!is_canonicalize(in))
          continue;
        LLVMValueRef x = LLVMGetOperand(in, 0);
        if (may_be_snan_in(x, 0, &bad))
          continue;
        LLVMReplaceAllUsesWith(in, x);
        LLVMInstructionEraseFromParent(in);
        removed++;
      }
    }
    free(bad.keys);
  }
  free(phis);
  return removed;
}

unsigned quiet_nan_prune(LLVMModuleRef m) {
  return ir_sum_over_defined(m, prune_function);
}

/* ---- after the pipeline ----------------------------------------------------- */

/* Whether the constant (or a select or phi with a constant arm) o holds,
 * in some lane, one of the identities a/b (bits of the element type) or
 * something unreadable. */
static bool may_hold(LLVMValueRef o, uint64_t a32, uint64_t b32, uint64_t a64,
                     uint64_t b64) {
  LLVMTypeRef e = float_elem(LLVMTypeOf(o));
  if (!e)
    return true;
  bool d = float_bits(e) == 64;
  uint64_t a = d ? a64 : a32, b = d ? b64 : b32;
  if (LLVMIsAConstant(o))
    return const_has(o, a, b);
  if (LLVMIsAInstruction(o)) {
    LLVMOpcode op = LLVMGetInstructionOpcode(o);
    if (op == LLVMSelect || op == LLVMPHI) {
      unsigned n = LLVMGetNumOperands(o);
      for (unsigned i = op == LLVMSelect ? 1 : 0; i < n; i++) {
        LLVMValueRef x = LLVMGetOperand(o, i);
        if (LLVMIsAConstant(x) && const_has(x, a, b))
          return true;
      }
    }
  }
  return false;
}

static bool may_be_zero(LLVMValueRef o) {
  return may_hold(o, 0, 0x80000000u, 0, UINT64_C(0x8000000000000000));
}
static bool may_be_one(LLVMValueRef o) {
  return may_hold(o, 0x3f800000u, 0xbf800000u, UINT64_C(0x3ff0000000000000),
                  UINT64_C(0xbff0000000000000));
}

/* Lane moves and reinterpretations, which the instruction selector looks
 * through when it folds fptrunc(fpext x). */
static bool is_lane_move(LLVMValueRef v) {
  return ir_is_op(v, LLVMBitCast) || ir_is_op(v, LLVMShuffleVector) ||
         ir_is_op(v, LLVMExtractElement) || ir_is_op(v, LLVMInsertElement);
}

/* Whether a use of v, through lane moves, is an fptrunc. */
static bool reaches_fptrunc(LLVMValueRef v, int depth) {
  if (depth > 6)
    return true;
  for (LLVMUseRef us = LLVMGetFirstUse(v); us; us = LLVMGetNextUse(us)) {
    LLVMValueRef u = LLVMGetUser(us);
    if (ir_is_op(u, LLVMFPTrunc) ||
        (is_lane_move(u) && reaches_fptrunc(u, depth + 1)))
      return true;
  }
  return false;
}

/* Whether v comes, through lane moves, from an fpext. */
static bool from_fpext(LLVMValueRef v, int depth) {
  if (depth > 6)
    return true;
  if (ir_is_op(v, LLVMFPExt))
    return true;
  if (!is_lane_move(v))
    return false;
  unsigned n = LLVMGetNumOperands(v);
  for (unsigned i = 0; i < n; i++)
    if (from_fpext(LLVMGetOperand(v, i), depth + 1))
      return true;
  return false;
}

/* Whether user u, which reads c = canonicalize(x) as operand `pos`, quiets
 * a NaN by itself in every form instruction selection may give it. */
static bool use_quiets(LLVMValueRef u, unsigned pos, LLVMValueRef c,
                       LLVMValueRef x) {
  if (!LLVMIsAInstruction(u))
    return false;
  LLVMOpcode op = LLVMGetInstructionOpcode(u);
  switch (op) {
  case LLVMFCmp:
    return true;
  case LLVMFAdd: case LLVMFSub: case LLVMFMul: case LLVMFDiv: {
    LLVMValueRef o = LLVMGetOperand(u, pos ^ 1);
    if (o == c)
      return true; /* x op x */
    switch (op) {
    case LLVMFAdd: return !may_be_zero(o);      /* x + -0 */
    case LLVMFSub: return !may_be_zero(o);      /* x - 0, -0 - x */
    case LLVMFMul: return !may_be_one(o);       /* x * 1, x * -1 */
    default: return pos == 1 || !may_be_one(o); /* x / 1, x / -1 */
    }
  }
  case LLVMFPExt:
    /* fptrunc(fpext x) folds to x, also through lane moves */
    return !reaches_fptrunc(u, 0);
  case LLVMFPTrunc:
    return !from_fpext(x, 0);
  default:
    return false;
  }
}

/* The constrained x * 1.0 that stands for a canonicalize still needed. */
static LLVMValueRef constrained_quiet(LLVMModuleRef m, LLVMBuilderRef b,
                                      LLVMValueRef x) {
  LLVMContextRef ctx = LLVMGetModuleContext(m);
  LLVMTypeRef t = LLVMTypeOf(x);
  LLVMValueRef one = LLVMConstReal(float_elem(t), 1.0);
  if (LLVMGetTypeKind(t) == LLVMVectorTypeKind) {
    unsigned n = LLVMGetVectorSize(t);
    LLVMValueRef *ones = malloc(n * sizeof *ones);
    if (!ones)
      abort();
    for (unsigned i = 0; i < n; i++)
      ones[i] = one;
    one = LLVMConstVector(ones, n);
    free(ones);
  }
  static const char name[] = "llvm.experimental.constrained.fmul";
  unsigned id = LLVMLookupIntrinsicID(name, sizeof name - 1);
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(m, id, &t, 1);
  LLVMTypeRef fty = LLVMIntrinsicGetType(ctx, id, &t, 1);
  LLVMValueRef args[4] = {
      x, one,
      LLVMMetadataAsValue(ctx, LLVMMDStringInContext2(ctx, "round.tonearest", 15)),
      LLVMMetadataAsValue(ctx, LLVMMDStringInContext2(ctx, "fpexcept.maytrap", 16))};
  return LLVMBuildCall2(b, fty, fn, args, 4, "");
}

/* A growable array of values. */
typedef struct {
  LLVMValueRef *v;
  size_t n, cap;
} valvec;

static void valvec_push(valvec *a, LLVMValueRef v) {
  if (a->n == a->cap) {
    a->cap = a->cap ? 2 * a->cap : 64;
    a->v = realloc(a->v, a->cap * sizeof *a->v);
    if (!a->v)
      abort();
  }
  a->v[a->n++] = v;
}

static void finish_call(LLVMModuleRef m, LLVMBuilderRef b, LLVMValueRef c,
                        bool keep_all) {
  LLVMValueRef x = LLVMGetOperand(c, 0);
  if (keep_all) {
    LLVMPositionBuilderBefore(b, c);
    LLVMReplaceAllUsesWith(c, constrained_quiet(m, b, x));
    LLVMInstructionEraseFromParent(c);
    return;
  }
  /* The distinct users first: rewriting operands edits the use list. */
  valvec users = {0};
  for (LLVMUseRef us = LLVMGetFirstUse(c); us; us = LLVMGetNextUse(us)) {
    LLVMValueRef u = LLVMGetUser(us);
    bool seen = false;
    for (size_t i = 0; i < users.n && !seen; i++)
      seen = users.v[i] == u;
    if (!seen)
      valvec_push(&users, u);
  }
  for (size_t k = 0; k < users.n; k++) {
    LLVMValueRef u = users.v[k];
    unsigned n = LLVMGetNumOperands(u);
    bool all = true;
    for (unsigned i = 0; i < n && all; i++)
      if (LLVMGetOperand(u, i) == c)
        all = use_quiets(u, i, c, x);
    if (!all)
      continue;
    for (unsigned i = 0; i < n; i++)
      if (LLVMGetOperand(u, i) == c)
        LLVMSetOperand(u, i, x);
  }
  free(users.v);
  if (LLVMGetFirstUse(c)) {
    LLVMPositionBuilderBefore(b, c);
    LLVMReplaceAllUsesWith(c, constrained_quiet(m, b, x));
  }
  LLVMInstructionEraseFromParent(c);
}

void quiet_nan_finish(LLVMModuleRef m, bool keep_all) {
  LLVMBuilderRef b = LLVMCreateBuilderInContext(LLVMGetModuleContext(m));
  LLVMValueRef next;
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = next) {
    next = LLVMGetNextFunction(f);
    size_t len;
    const char *name = LLVMGetValueName2(f, &len);
    if (strncmp(name, "llvm.canonicalize.", 18) != 0)
      continue;
    valvec calls = {0};
    for (LLVMUseRef us = LLVMGetFirstUse(f); us; us = LLVMGetNextUse(us)) {
      LLVMValueRef u = LLVMGetUser(us);
      if (LLVMIsACallInst(u) && LLVMGetCalledValue(u) == f)
        valvec_push(&calls, u);
    }
    for (size_t i = 0; i < calls.n; i++)
      finish_call(m, b, calls.v[i], keep_all);
    free(calls.v);
    if (!LLVMGetFirstUse(f))
      LLVMDeleteFunction(f);
  }
  LLVMDisposeBuilder(b);
}
