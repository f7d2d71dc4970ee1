/* lower_simd.c: lowering of SIMD128 (every 0xFD instruction) to LLVM vector
 * IR with Wasm's lane semantics.
 *
 * A v128 lives on the operand stack as <2 x i64> (lower.h); each operation
 * bitcasts its operands to the lane shape it works on (<16 x i8>, <8 x i16>,
 * <4 x i32>, <2 x i64>, <4 x float>, <2 x double>) and its result back.
 * Bitcasts are free in the backends, so this costs nothing.
 *
 * Everything is target-independent IR (no x86/NEON intrinsics): the generic
 * forms chosen here (sext of compares, smin/smax + trunc for narrowing,
 * widening adds for avgr, shuffles for extends, an iN bitcast of an i1
 * vector for bitmask) are the ones LLVM's backends pattern-match to native
 * instructions (packsswb/packuswb, pavgb, pmovmskb, pshufb with SSSE3, tbl,
 * urhadd, ...). Float min/max and the saturating truncations pick between
 * two equivalent IR forms by target triple (AArch64 has them natively, LLVM
 * 19's x86 lowering of the generic intrinsics is poor): see fminmax and
 * trunc_sat; both forms pass the spec tests.
 *
 * Memory accesses take their address from lower_address (lower_memory.c),
 * which handles guard pages versus explicit bounds checks; every access is
 * emitted with alignment 1 because Wasm's alignment immediate is only a hint.
 */
#include <stdio.h>
#include <string.h>

#include "keep_traps.h"
#include "lower.h"
#include "quiet_nan.h"
#include "target.h"

/* Lane shapes of a v128. */
typedef enum { I8, I16, I32, I64, F32, F64 } shape;

static const unsigned shape_lanes[] = {16, 8, 4, 2, 4, 2};
static const unsigned shape_bits[] = {8, 16, 32, 64, 32, 64};

static LLVMTypeRef lane_ty(lower_module *lm, shape s) {
  switch (s) {
  case I8: return lm->t_i8;
  case I16: return lm->t_i16;
  case I32: return lm->t_i32;
  case I64: return lm->t_i64;
  case F32: return lm->t_f32;
  case F64: return lm->t_f64;
  }
  return lm->t_i64;
}

static LLVMTypeRef vec_ty(lower_module *lm, shape s) {
  return LLVMVectorType(lane_ty(lm, s), shape_lanes[s]);
}

/* Integer vector of the same lane count and width as s (compare results). */
static LLVMTypeRef ivec_ty(lower_module *lm, shape s) {
  return LLVMVectorType(LLVMIntTypeInContext(lm->llctx, shape_bits[s]),
                        shape_lanes[s]);
}

/* <n x iBITS> */
static LLVMTypeRef ivec_n(lower_module *lm, unsigned bits, unsigned n) {
  return LLVMVectorType(LLVMIntTypeInContext(lm->llctx, bits), n);
}

static LLVMValueRef pop_as(lower_func *lf, LLVMTypeRef ty) {
  return LLVMBuildBitCast(lf->lm->b, lower_pop(lf), ty, "");
}

static LLVMValueRef pop_vec(lower_func *lf, shape s) {
  return pop_as(lf, vec_ty(lf->lm, s));
}

static void push_vec(lower_func *lf, LLVMValueRef v) {
  lower_push(lf, LLVMBuildBitCast(lf->lm->b, v, lf->lm->t_v128, ""));
}

static LLVMValueRef const_i32(lower_module *lm, uint32_t v) {
  return LLVMConstInt(lm->t_i32, v, false);
}

/* shufflevector a, b with a constant mask (b NULL: poison). */
static LLVMValueRef shuffle(lower_func *lf, LLVMValueRef a, LLVMValueRef b,
                            const unsigned *idx, unsigned n) {
  lower_module *lm = lf->lm;
  LLVMValueRef m[32];
  for (unsigned i = 0; i < n; i++) m[i] = const_i32(lm, idx[i]);
  if (!b) b = LLVMGetPoison(LLVMTypeOf(a));
  return LLVMBuildShuffleVector(lm->b, a, b, LLVMConstVector(m, n), "");
}

/* Lanes [first, first + n) of v, step `step` (1: a half; 2: evens/odds). */
static LLVMValueRef lanes(lower_func *lf, LLVMValueRef v, unsigned first,
                          unsigned step, unsigned n) {
  unsigned idx[16];
  for (unsigned i = 0; i < n; i++) idx[i] = first + i * step;
  return shuffle(lf, v, NULL, idx, n);
}

/* Concatenation of a and b (same vector type, n lanes each). */
static LLVMValueRef concat(lower_func *lf, LLVMValueRef a, LLVMValueRef b,
                           unsigned n) {
  unsigned idx[32];
  for (unsigned i = 0; i < 2 * n; i++) idx[i] = i;
  return shuffle(lf, a, b, idx, 2 * n);
}

/* The canonical splat: insertelement into lane 0 + zero-mask shuffle. */
static LLVMValueRef splat(lower_func *lf, LLVMValueRef x, unsigned n) {
  lower_module *lm = lf->lm;
  LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(x), n);
  LLVMValueRef v = LLVMBuildInsertElement(lm->b, LLVMGetPoison(vt), x,
                                          const_i32(lm, 0), "");
  return LLVMBuildShuffleVector(lm->b, v, LLVMGetPoison(vt),
                                LLVMConstNull(ivec_n(lm, 32, n)), "");
}

static LLVMValueRef splat_const(LLVMTypeRef lane, uint64_t c, unsigned n) {
  LLVMValueRef e[16];
  for (unsigned i = 0; i < n; i++) e[i] = LLVMConstInt(lane, c, false);
  return LLVMConstVector(e, n);
}

static LLVMValueRef intr1(lower_func *lf, const char *name, LLVMValueRef a) {
  LLVMTypeRef t = LLVMTypeOf(a);
  return lower_intrinsic(lf, name, &t, 1, &a, 1);
}

static LLVMValueRef intr2(lower_func *lf, const char *name, LLVMValueRef a,
                          LLVMValueRef b) {
  LLVMTypeRef t = LLVMTypeOf(a);
  LLVMValueRef args[2] = {a, b};
  return lower_intrinsic(lf, name, &t, 1, args, 2);
}

/* AArch64 has native instructions for some operations whose generic
 * lowering elsewhere (x86 above all) is poor; see fminmax and trunc_sat. */
static bool target_is_aarch64(lower_module *lm) {
  const char *t = LLVMGetTarget(lm->mod);
  return t && (!strncmp(t, "aarch64", 7) || !strncmp(t, "arm64", 5));
}

/* ---- memory -------------------------------------------------------------- */

/* A load of `ty` (size bytes) at the popped index; alignment 1 because
 * Wasm only promises that the hint is not larger than natural. */
static LLVMValueRef load_at(lower_func *lf, const wasm_instr *in,
                            LLVMValueRef index, LLVMTypeRef ty,
                            unsigned size) {
  LLVMValueRef p = lower_address(lf, in, index, size);
  LLVMValueRef v = LLVMBuildLoad2(lf->lm->b, ty, p, "");
  if (!lower_mem_checked(lf->lm, in->imm.mem.memory))
    keep_traps_tag(lf->lm, v); /* an unused one must still trap */
  lower_mem_access_tag(lf->lm, in->imm.mem.memory, v);
  LLVMSetAlignment(v, 1);
  return v;
}

static void store_at(lower_func *lf, const wasm_instr *in, LLVMValueRef index,
                     LLVMValueRef v, unsigned size) {
  LLVMValueRef p = lower_address(lf, in, index, size);
  LLVMValueRef st = LLVMBuildStore(lf->lm->b, v, p);
  lower_mem_access_tag(lf->lm, in->imm.mem.memory, st);
  LLVMSetAlignment(st, 1);
}

/* v128.loadKxN_s/u: N lanes of K bits, sign/zero-extended to 2K bits. */
static bool load_extend(lower_func *lf, const wasm_instr *in, unsigned bits,
                        bool is_signed) {
  lower_module *lm = lf->lm;
  unsigned n = 64 / bits;
  LLVMValueRef v = load_at(lf, in, lower_pop(lf), ivec_n(lm, bits, n), 8);
  LLVMTypeRef wide = ivec_n(lm, 2 * bits, n);
  v = is_signed ? LLVMBuildSExt(lm->b, v, wide, "")
                : LLVMBuildZExt(lm->b, v, wide, "");
  push_vec(lf, v);
  return true;
}

static bool load_splat(lower_func *lf, const wasm_instr *in, shape s) {
  LLVMValueRef x = load_at(lf, in, lower_pop(lf), lane_ty(lf->lm, s),
                           shape_bits[s] / 8);
  push_vec(lf, splat(lf, x, shape_lanes[s]));
  return true;
}

static bool load_zero(lower_func *lf, const wasm_instr *in, shape s) {
  lower_module *lm = lf->lm;
  LLVMValueRef x = load_at(lf, in, lower_pop(lf), lane_ty(lm, s),
                           shape_bits[s] / 8);
  push_vec(lf, LLVMBuildInsertElement(lm->b, LLVMConstNull(vec_ty(lm, s)), x,
                                      const_i32(lm, 0), ""));
  return true;
}

static bool load_lane(lower_func *lf, const wasm_instr *in, shape s) {
  lower_module *lm = lf->lm;
  LLVMValueRef v = pop_vec(lf, s);
  LLVMValueRef x = load_at(lf, in, lower_pop(lf), lane_ty(lm, s),
                           shape_bits[s] / 8);
  push_vec(lf, LLVMBuildInsertElement(lm->b, v, x,
                                      const_i32(lm, in->imm.mem.lane), ""));
  return true;
}

static bool store_lane(lower_func *lf, const wasm_instr *in, shape s) {
  lower_module *lm = lf->lm;
  LLVMValueRef v = pop_vec(lf, s);
  LLVMValueRef x = LLVMBuildExtractElement(
      lm->b, v, const_i32(lm, in->imm.mem.lane), "");
  store_at(lf, in, lower_pop(lf), x, shape_bits[s] / 8);
  return true;
}

/* ---- lanes, constants, shuffles ------------------------------------------ */

static bool v128_const(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  uint64_t half[2] = {0, 0};
  for (int i = 0; i < 16; i++)
    half[i / 8] |= (uint64_t)in->imm.v128[i] << (8 * (i % 8));
  LLVMValueRef e[2] = {LLVMConstInt(lm->t_i64, half[0], false),
                       LLVMConstInt(lm->t_i64, half[1], false)};
  lower_push(lf, LLVMConstVector(e, 2));
  return true;
}

static bool i8x16_shuffle(lower_func *lf, const wasm_instr *in) {
  LLVMValueRef b = pop_vec(lf, I8);
  LLVMValueRef a = pop_vec(lf, I8);
  unsigned idx[16];
  for (int i = 0; i < 16; i++) idx[i] = in->imm.v128[i]; /* validated < 32 */
  push_vec(lf, shuffle(lf, a, b, idx, 16));
  return true;
}

/* swizzle: r[i] = idx[i] < 16 ? a[idx[i]] : 0. There is no generic LLVM
 * operation for a variable byte permute, so it is a build_vector of dynamic
 * extracts whose indices are the lanes of one (masked) index vector: the
 * shape x86's backend turns into pshufb when SSSE3 is available; the
 * out-of-range lanes are cleared by a vector select afterwards. */
static bool i8x16_swizzle(lower_func *lf) {
  lower_module *lm = lf->lm;
  LLVMBuilderRef b = lm->b;
  LLVMValueRef idx = pop_vec(lf, I8);
  LLVMValueRef a = pop_vec(lf, I8);
  LLVMTypeRef v16 = vec_ty(lm, I8);
  /* masking keeps the dynamic extract in range (out-of-range is poison) */
  LLVMValueRef m = LLVMBuildAnd(b, idx, splat_const(lm->t_i8, 15, 16), "");
  LLVMValueRef r = LLVMGetPoison(v16);
  for (unsigned i = 0; i < 16; i++) {
    LLVMValueRef k = LLVMBuildExtractElement(b, m, const_i32(lm, i), "");
    LLVMValueRef x = LLVMBuildExtractElement(b, a, k, "");
    r = LLVMBuildInsertElement(b, r, x, const_i32(lm, i), "");
  }
  LLVMValueRef in_range = LLVMBuildICmp(
      b, LLVMIntULT, idx, splat_const(lm->t_i8, 16, 16), "");
  push_vec(lf, LLVMBuildSelect(b, in_range, r, LLVMConstNull(v16), ""));
  return true;
}

static bool splat_op(lower_func *lf, shape s) {
  LLVMValueRef x = lower_pop(lf);
  if (s == I8 || s == I16)
    x = LLVMBuildTrunc(lf->lm->b, x, lane_ty(lf->lm, s), "");
  push_vec(lf, splat(lf, x, shape_lanes[s]));
  return true;
}

/* ext: 0 none, 1 sign-extend, 2 zero-extend (i8/i16 lanes to i32) */
static bool extract_lane(lower_func *lf, const wasm_instr *in, shape s,
                         int ext) {
  lower_module *lm = lf->lm;
  LLVMValueRef v = pop_vec(lf, s);
  LLVMValueRef x =
      LLVMBuildExtractElement(lm->b, v, const_i32(lm, in->imm.lane), "");
  if (ext == 1) x = LLVMBuildSExt(lm->b, x, lm->t_i32, "");
  if (ext == 2) x = LLVMBuildZExt(lm->b, x, lm->t_i32, "");
  lower_push(lf, x);
  return true;
}

static bool replace_lane(lower_func *lf, const wasm_instr *in, shape s) {
  lower_module *lm = lf->lm;
  LLVMValueRef x = lower_pop(lf);
  LLVMValueRef v = pop_vec(lf, s);
  if (s == I8 || s == I16) x = LLVMBuildTrunc(lm->b, x, lane_ty(lm, s), "");
  push_vec(lf, LLVMBuildInsertElement(lm->b, v, x,
                                      const_i32(lm, in->imm.lane), ""));
  return true;
}

/* ---- arithmetic and comparisons ------------------------------------------ */

/* Float lanes: operands that may hold signalling NaNs are quieted first,
 * as for scalars (quiet_nan.c), so that folds such as x*1.0 -> x keep
 * Wasm's NaN rule. */
static bool binop(lower_func *lf, shape s, LLVMOpcode op) {
  LLVMValueRef b = pop_vec(lf, s);
  LLVMValueRef a = pop_vec(lf, s);
  if (s == F32 || s == F64) {
    a = quiet_nan_operand(lf, a);
    b = quiet_nan_operand(lf, b);
  }
  push_vec(lf, LLVMBuildBinOp(lf->lm->b, op, a, b, ""));
  return true;
}

static bool bin_intr(lower_func *lf, shape s, const char *name) {
  LLVMValueRef b = pop_vec(lf, s);
  LLVMValueRef a = pop_vec(lf, s);
  push_vec(lf, intr2(lf, name, a, b));
  return true;
}

static bool un_intr(lower_func *lf, shape s, const char *name) {
  push_vec(lf, intr1(lf, name, pop_vec(lf, s)));
  return true;
}

/* Comparisons give all-ones / all-zeros lanes: sext of the i1 result.
 * One body for both kinds; `fp` picks the LLVM builder, and `pred` is the
 * LLVMIntPredicate or LLVMRealPredicate that goes with it. For floats, ne
 * is unordered (true when either lane is NaN), the others ordered. */
static bool cmp(lower_func *lf, shape s, bool fp, int pred) {
  lower_module *lm = lf->lm;
  LLVMValueRef b = pop_vec(lf, s);
  LLVMValueRef a = pop_vec(lf, s);
  LLVMValueRef c = fp ? LLVMBuildFCmp(lm->b, (LLVMRealPredicate)pred, a, b, "")
                      : LLVMBuildICmp(lm->b, (LLVMIntPredicate)pred, a, b, "");
  push_vec(lf, LLVMBuildSExt(lm->b, c, ivec_ty(lm, s), ""));
  return true;
}

static bool icmp(lower_func *lf, shape s, LLVMIntPredicate p) {
  return cmp(lf, s, false, (int)p);
}

static bool fcmp(lower_func *lf, shape s, LLVMRealPredicate p) {
  return cmp(lf, s, true, (int)p);
}

/* Shift counts are taken modulo the lane width, then splatted. */
static bool shift(lower_func *lf, shape s, LLVMOpcode op) {
  lower_module *lm = lf->lm;
  LLVMValueRef n = lower_pop(lf);
  LLVMValueRef v = pop_vec(lf, s);
  n = LLVMBuildAnd(lm->b, n, const_i32(lm, shape_bits[s] - 1), "");
  if (s == I8 || s == I16) n = LLVMBuildTrunc(lm->b, n, lane_ty(lm, s), "");
  if (s == I64) n = LLVMBuildZExt(lm->b, n, lm->t_i64, "");
  push_vec(lf, LLVMBuildBinOp(lm->b, op, v, splat(lf, n, shape_lanes[s]), ""));
  return true;
}

static bool neg(lower_func *lf, shape s) {
  lower_module *lm = lf->lm;
  LLVMValueRef v = pop_vec(lf, s);
  push_vec(lf, LLVMBuildSub(lm->b, LLVMConstNull(vec_ty(lm, s)), v, ""));
  return true;
}

/* abs of INT_MIN is INT_MIN in Wasm: llvm.abs with is_int_min_poison=0. */
static bool iabs(lower_func *lf, shape s) {
  lower_module *lm = lf->lm;
  LLVMValueRef args[2] = {pop_vec(lf, s), LLVMConstInt(lm->t_i1, 0, false)};
  LLVMTypeRef t = vec_ty(lm, s);
  push_vec(lf, lower_intrinsic(lf, "llvm.abs", &t, 1, args, 2));
  return true;
}

static bool fneg(lower_func *lf, shape s) {
  push_vec(lf, LLVMBuildFNeg(lf->lm->b, pop_vec(lf, s), ""));
  return true;
}

/* pmin = b < a ? b : a, pmax = a < b ? b : a: exactly these selects (they
 * are not symmetric in NaN and ±0, which is the point of them). */
static bool pminmax(lower_func *lf, shape s, bool is_max) {
  lower_module *lm = lf->lm;
  LLVMValueRef b = pop_vec(lf, s);
  LLVMValueRef a = pop_vec(lf, s);
  LLVMValueRef c = is_max ? LLVMBuildFCmp(lm->b, LLVMRealOLT, a, b, "")
                          : LLVMBuildFCmp(lm->b, LLVMRealOLT, b, a, "");
  push_vec(lf, LLVMBuildSelect(lm->b, c, b, a, ""));
  return true;
}

/* min/max: NaN if either lane is NaN (an arithmetic NaN: the quiet bit set
 * even for a signalling input, which llvm.minimum does not promise), and
 * -0 < +0. Lanes with a NaN get the canonical NaN; the others:
 *  - on AArch64, llvm.minimum/maximum: a single fmin/fmax.
 *  - elsewhere "a < b ? a : b" selects in both operand orders (on x86 they
 *    are minps/maxps, which return the second operand when unordered or
 *    equal); equal lanes differ only for ±0, where OR of the bits gives -0
 *    (min) and AND gives +0 (max): 5-6 SSE instructions where llvm.minimum
 *    takes ~20 on SSE2, and plain IR that every backend can select (LLVM 19
 *    cannot soften llvm.minimum for a soft-float RISC-V, for instance). */
static bool fminmax(lower_func *lf, shape s, bool is_max) {
  lower_module *lm = lf->lm;
  LLVMBuilderRef b = lm->b;
  LLVMValueRef y = pop_vec(lf, s);
  LLVMValueRef x = pop_vec(lf, s);
  LLVMTypeRef it = ivec_ty(lm, s);
  LLVMValueRef r;
  if (target_is_aarch64(lm)) {
    r = intr2(lf, is_max ? "llvm.maximum" : "llvm.minimum", x, y);
  } else {
    LLVMRealPredicate p = is_max ? LLVMRealOGT : LLVMRealOLT;
    LLVMValueRef m1 =
        LLVMBuildSelect(b, LLVMBuildFCmp(b, p, x, y, ""), x, y, "");
    LLVMValueRef m2 =
        LLVMBuildSelect(b, LLVMBuildFCmp(b, p, y, x, ""), y, x, "");
    m1 = LLVMBuildBitCast(b, m1, it, "");
    m2 = LLVMBuildBitCast(b, m2, it, "");
    r = is_max ? LLVMBuildAnd(b, m1, m2, "") : LLVMBuildOr(b, m1, m2, "");
    r = LLVMBuildBitCast(b, r, vec_ty(lm, s), "");
  }
  uint64_t canon = s == F32 ? 0x7fc00000u : 0x7ff8000000000000u;
  LLVMValueRef nan = LLVMBuildBitCast(
      b, splat_const(LLVMIntTypeInContext(lm->llctx, shape_bits[s]), canon,
                     shape_lanes[s]),
      vec_ty(lm, s), "");
  LLVMValueRef uno = LLVMBuildFCmp(b, LLVMRealUNO, x, y, "");
  push_vec(lf, LLVMBuildSelect(b, uno, nan, r, ""));
  return true;
}

/* ---- bitwise ------------------------------------------------------------- */

static LLVMValueRef all_ones(lower_module *lm) {
  return LLVMConstAllOnes(lm->t_v128);
}

static bool v128_not(lower_func *lf) {
  lower_module *lm = lf->lm;
  lower_push(lf, LLVMBuildXor(lm->b, pop_as(lf, lm->t_v128), all_ones(lm), ""));
  return true;
}

static bool v128_andnot(lower_func *lf) {
  lower_module *lm = lf->lm;
  LLVMValueRef b = pop_as(lf, lm->t_v128);
  LLVMValueRef a = pop_as(lf, lm->t_v128);
  LLVMValueRef nb = LLVMBuildXor(lm->b, b, all_ones(lm), "");
  lower_push(lf, LLVMBuildAnd(lm->b, a, nb, ""));
  return true;
}

/* bitselect(v1, v2, c) = (v1 & c) | (v2 & ~c) */
static bool v128_bitselect(lower_func *lf) {
  lower_module *lm = lf->lm;
  LLVMBuilderRef b = lm->b;
  LLVMValueRef c = pop_as(lf, lm->t_v128);
  LLVMValueRef v2 = pop_as(lf, lm->t_v128);
  LLVMValueRef v1 = pop_as(lf, lm->t_v128);
  LLVMValueRef x = LLVMBuildAnd(b, v1, c, "");
  LLVMValueRef y =
      LLVMBuildAnd(b, v2, LLVMBuildXor(b, c, all_ones(lm), ""), "");
  lower_push(lf, LLVMBuildOr(b, x, y, ""));
  return true;
}

static bool any_true(lower_func *lf) {
  lower_module *lm = lf->lm;
  LLVMValueRef v = pop_as(lf, LLVMIntTypeInContext(lm->llctx, 128));
  LLVMValueRef c = LLVMBuildICmp(lm->b, LLVMIntNE, v,
                                 LLVMConstNull(LLVMTypeOf(v)), "");
  lower_push(lf, LLVMBuildZExt(lm->b, c, lm->t_i32, ""));
  return true;
}

/* Each lane compared with zero by `p`, the <N x i1> result as an iN bit
 * mask: the shape LLVM turns into pmovmskb / movmskps, which both
 * all_true and bitmask want. */
static LLVMValueRef lane_mask(lower_func *lf, shape s, LLVMIntPredicate p) {
  lower_module *lm = lf->lm;
  LLVMValueRef v = pop_vec(lf, s);
  LLVMValueRef c = LLVMBuildICmp(lm->b, p, v, LLVMConstNull(vec_ty(lm, s)), "");
  return LLVMBuildBitCast(lm->b, c, LLVMIntTypeInContext(lm->llctx, shape_lanes[s]), "");
}

/* all lanes non-zero: the mask == all ones */
static bool all_true(lower_func *lf, shape s) {
  lower_module *lm = lf->lm;
  LLVMValueRef bits = lane_mask(lf, s, LLVMIntNE);
  LLVMValueRef r =
      LLVMBuildICmp(lm->b, LLVMIntEQ, bits, LLVMConstAllOnes(LLVMTypeOf(bits)), "");
  lower_push(lf, LLVMBuildZExt(lm->b, r, lm->t_i32, ""));
  return true;
}

/* the lanes' sign bits */
static bool bitmask(lower_func *lf, shape s) {
  lower_module *lm = lf->lm;
  lower_push(lf, LLVMBuildZExt(lm->b, lane_mask(lf, s, LLVMIntSLT), lm->t_i32, ""));
  return true;
}

/* ---- widening and narrowing ---------------------------------------------- */

/* narrow: a ++ b as 2N signed lanes, clamped to the target range, truncated. */
static bool narrow(lower_func *lf, shape from, bool is_signed) {
  lower_module *lm = lf->lm;
  unsigned n = shape_lanes[from], bits = shape_bits[from];
  LLVMValueRef b = pop_vec(lf, from);
  LLVMValueRef a = pop_vec(lf, from);
  LLVMValueRef v = concat(lf, a, b, n);
  LLVMTypeRef lane = lane_ty(lm, from);
  unsigned half = bits / 2;
  int64_t lo = is_signed ? -((int64_t)1 << (half - 1)) : 0;
  int64_t hi = is_signed ? ((int64_t)1 << (half - 1)) - 1
                         : ((int64_t)1 << half) - 1;
  v = intr2(lf, "llvm.smax", v, splat_const(lane, (uint64_t)lo, 2 * n));
  v = intr2(lf, "llvm.smin", v, splat_const(lane, (uint64_t)hi, 2 * n));
  push_vec(lf, LLVMBuildTrunc(lm->b, v, ivec_n(lm, half, 2 * n), ""));
  return true;
}

/* Lanes of v (shape s) from `first` with `step`, extended to twice the width. */
static LLVMValueRef widen(lower_func *lf, LLVMValueRef v, shape s,
                          unsigned first, unsigned step, bool is_signed) {
  lower_module *lm = lf->lm;
  unsigned n = shape_lanes[s] / 2;
  LLVMValueRef h = lanes(lf, v, first, step, n);
  LLVMTypeRef t = ivec_n(lm, 2 * shape_bits[s], n);
  return is_signed ? LLVMBuildSExt(lm->b, h, t, "")
                   : LLVMBuildZExt(lm->b, h, t, "");
}

static bool extend(lower_func *lf, shape from, bool high, bool is_signed) {
  LLVMValueRef v = pop_vec(lf, from);
  push_vec(lf, widen(lf, v, from, high ? shape_lanes[from] / 2 : 0, 1,
                     is_signed));
  return true;
}

static bool extadd_pairwise(lower_func *lf, shape from, bool is_signed) {
  LLVMValueRef v = pop_vec(lf, from);
  LLVMValueRef even = widen(lf, v, from, 0, 2, is_signed);
  LLVMValueRef odd = widen(lf, v, from, 1, 2, is_signed);
  push_vec(lf, LLVMBuildAdd(lf->lm->b, even, odd, ""));
  return true;
}

static bool extmul(lower_func *lf, shape from, bool high, bool is_signed) {
  unsigned first = high ? shape_lanes[from] / 2 : 0;
  LLVMValueRef b = widen(lf, pop_vec(lf, from), from, first, 1, is_signed);
  LLVMValueRef a = widen(lf, pop_vec(lf, from), from, first, 1, is_signed);
  push_vec(lf, LLVMBuildMul(lf->lm->b, a, b, ""));
  return true;
}

/* The products of two popped I8 or I16 operands' lanes, both
 * sign-extended to i32 lanes (exact: no product of two i16 overflows
 * i32). For the relaxed i8 dot products the second operand's lanes are
 * signed too: the i7 operand's top bit is the relaxed part. */
static LLVMValueRef mul_wide(lower_func *lf, shape from) {
  lower_module *lm = lf->lm;
  LLVMTypeRef w = ivec_n(lm, 32, shape_lanes[from]);
  LLVMValueRef b = LLVMBuildSExt(lm->b, pop_vec(lf, from), w, "");
  LLVMValueRef a = LLVMBuildSExt(lm->b, pop_vec(lf, from), w, "");
  return LLVMBuildMul(lm->b, a, b, "");
}

/* i32x4.dot_i16x8_s: products of the sign-extended lanes, pairwise sums
 * (wrapping: only -32768*-32768 twice overflows, as in pmaddwd). */
static bool dot(lower_func *lf) {
  lower_module *lm = lf->lm;
  LLVMValueRef p = mul_wide(lf, I16);
  LLVMValueRef even = lanes(lf, p, 0, 2, 4);
  LLVMValueRef odd = lanes(lf, p, 1, 2, 4);
  push_vec(lf, LLVMBuildAdd(lm->b, even, odd, ""));
  return true;
}

/* q15mulr_sat_s: (a*b + 0x4000) >> 15 saturated to i16; in i32 the sum
 * cannot overflow, and only -32768*-32768 exceeds the i16 range. */
static bool q15mulr(lower_func *lf) {
  lower_module *lm = lf->lm;
  LLVMValueRef p = mul_wide(lf, I16);
  p = LLVMBuildAdd(lm->b, p, splat_const(lm->t_i32, 0x4000, 8), "");
  p = LLVMBuildAShr(lm->b, p, splat_const(lm->t_i32, 15, 8), "");
  p = intr2(lf, "llvm.smin", p, splat_const(lm->t_i32, 0x7fff, 8));
  push_vec(lf, LLVMBuildTrunc(lm->b, p, ivec_n(lm, 16, 8), ""));
  return true;
}

/* avgr_u: (a + b + 1) >> 1 computed one width up so it cannot overflow
 * (the pattern x86 turns into pavgb/pavgw and AArch64 into urhadd). */
static bool avgr_u(lower_func *lf, shape s) {
  lower_module *lm = lf->lm;
  unsigned n = shape_lanes[s];
  LLVMTypeRef w = ivec_n(lm, 2 * shape_bits[s], n);
  LLVMValueRef b = LLVMBuildZExt(lm->b, pop_vec(lf, s), w, "");
  LLVMValueRef a = LLVMBuildZExt(lm->b, pop_vec(lf, s), w, "");
  LLVMTypeRef wl = LLVMIntTypeInContext(lm->llctx, 2 * shape_bits[s]);
  LLVMValueRef r = LLVMBuildAdd(lm->b, a, b, "");
  r = LLVMBuildAdd(lm->b, r, splat_const(wl, 1, n), "");
  r = LLVMBuildLShr(lm->b, r, splat_const(wl, 1, n), "");
  push_vec(lf, LLVMBuildTrunc(lm->b, r, vec_ty(lm, s), ""));
  return true;
}

/* ---- conversions ----------------------------------------------------------- */

static LLVMValueRef fconst_splat(LLVMTypeRef vt, double c) {
  unsigned n = LLVMGetVectorSize(vt);
  LLVMValueRef e[4];
  for (unsigned i = 0; i < n; i++) e[i] = LLVMConstReal(LLVMGetElementType(vt), c);
  return LLVMConstVector(e, n);
}

/* fcmp p (a, c) ? a : c, the shape of x86's minps/maxps (NaN a gives c). */
static LLVMValueRef clamp_sel(LLVMBuilderRef b, LLVMRealPredicate p,
                              LLVMValueRef a, LLVMValueRef c) {
  return LLVMBuildSelect(b, LLVMBuildFCmp(b, p, a, c, ""), a, c, "");
}

/* Saturating float->int32 lanes (NaN -> 0): exactly llvm.fpto[su]i.sat,
 * which AArch64 does in one fcvtz[su]. LLVM 19's x86 backend scalarizes
 * it (~28 instructions for 4 lanes), so elsewhere the value is first
 * clamped into the range where a plain fpto[su]i is defined, with selects
 * x86 turns into minps/maxps/cmpps, and the conversion becomes cvttps2dq.
 * Floats: 2^31 and 2^32 are exact, but the largest floats below them
 * (2^31-128, 2^32-256) are not the saturation values, so out-of-range lanes
 * are patched after the conversion; doubles represent the bounds exactly. */
static LLVMValueRef trunc_sat(lower_func *lf, LLVMValueRef v, LLVMTypeRef to,
                              bool is_signed) {
  lower_module *lm = lf->lm;
  LLVMBuilderRef b = lm->b;
  if (target_is_aarch64(lm)) {
    LLVMTypeRef ov[2] = {to, LLVMTypeOf(v)};
    return lower_intrinsic(lf, is_signed ? "llvm.fptosi.sat" : "llvm.fptoui.sat",
                           ov, 2, &v, 1);
  }
  LLVMTypeRef vt = LLVMTypeOf(v);
  bool is_f64 = LLVMGetElementType(vt) == lm->t_f64;
  double lo = is_signed ? -2147483648.0 : 0.0;
  double hi = is_signed ? 2147483648.0 : 4294967296.0; /* exclusive */
  LLVMValueRef zero = LLVMConstNull(vt);
  LLVMValueRef x;
  if (is_f64) {
    /* NaN -> 0, then clamp to [lo, hi - 1], all exact in a double */
    x = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealORD, v, v, ""), v, zero, "");
    x = clamp_sel(b, LLVMRealOLT, x, fconst_splat(vt, hi - 1));
    x = clamp_sel(b, LLVMRealOGT, x, fconst_splat(vt, lo));
    return is_signed ? LLVMBuildFPToSI(b, x, to, "")
                     : LLVMBuildFPToUI(b, x, to, "");
  }
  /* in range (false for NaN): convert; else convert 0 and patch */
  LLVMValueRef ge_lo = LLVMBuildFCmp(b, is_signed ? LLVMRealOGE : LLVMRealOGT,
                                     v, fconst_splat(vt, lo), "");
  LLVMValueRef lt_hi = LLVMBuildFCmp(b, LLVMRealOLT, v, fconst_splat(vt, hi), "");
  x = LLVMBuildSelect(b, LLVMBuildAnd(b, ge_lo, lt_hi, ""), v, zero, "");
  LLVMValueRef r = is_signed ? LLVMBuildFPToSI(b, x, to, "")
                             : LLVMBuildFPToUI(b, x, to, "");
  LLVMValueRef over = LLVMBuildFCmp(b, LLVMRealOGE, v, fconst_splat(vt, hi), "");
  r = LLVMBuildSelect(b, over,
                      splat_const(lm->t_i32, is_signed ? 0x7fffffff : 0xffffffff,
                                  LLVMGetVectorSize(vt)),
                      r, "");
  if (is_signed) {
    /* below -2^31: INT_MIN (the unsigned case already gave 0) */
    LLVMValueRef under =
        LLVMBuildFCmp(b, LLVMRealOLT, v, fconst_splat(vt, lo), "");
    r = LLVMBuildSelect(b, under,
                        splat_const(lm->t_i32, 0x80000000u, LLVMGetVectorSize(vt)),
                        r, "");
  }
  return r;
}

/* The 2-lane v (of the same lane type as the 4-lane result) with 2 zero lanes. */
static LLVMValueRef zero_high(lower_func *lf, LLVMValueRef v) {
  static const unsigned idx[4] = {0, 1, 2, 3};
  return shuffle(lf, v, LLVMConstNull(LLVMTypeOf(v)), idx, 4);
}

static bool trunc_sat_f32x4(lower_func *lf, bool is_signed) {
  LLVMValueRef v = pop_vec(lf, F32);
  push_vec(lf, trunc_sat(lf, v, vec_ty(lf->lm, I32), is_signed));
  return true;
}

static bool trunc_sat_f64x2_zero(lower_func *lf, bool is_signed) {
  LLVMValueRef v = pop_vec(lf, F64);
  v = trunc_sat(lf, v, ivec_n(lf->lm, 32, 2), is_signed);
  push_vec(lf, zero_high(lf, v));
  return true;
}

static bool convert_i32x4(lower_func *lf, bool is_signed) {
  lower_module *lm = lf->lm;
  LLVMValueRef v = pop_vec(lf, I32);
  LLVMTypeRef t = vec_ty(lm, F32);
  push_vec(lf, is_signed ? LLVMBuildSIToFP(lm->b, v, t, "")
                         : LLVMBuildUIToFP(lm->b, v, t, ""));
  return true;
}

static bool convert_low_i32x4(lower_func *lf, bool is_signed) {
  lower_module *lm = lf->lm;
  LLVMValueRef v = lanes(lf, pop_vec(lf, I32), 0, 1, 2);
  LLVMTypeRef t = vec_ty(lm, F64);
  push_vec(lf, is_signed ? LLVMBuildSIToFP(lm->b, v, t, "")
                         : LLVMBuildUIToFP(lm->b, v, t, ""));
  return true;
}

static bool demote_zero(lower_func *lf) {
  lower_module *lm = lf->lm;
  LLVMValueRef v = quiet_nan_operand(lf, pop_vec(lf, F64));
  v = LLVMBuildFPTrunc(lm->b, v, LLVMVectorType(lm->t_f32, 2), "");
  push_vec(lf, zero_high(lf, v));
  return true;
}

static bool promote_low(lower_func *lf) {
  lower_module *lm = lf->lm;
  LLVMValueRef v = lanes(lf, pop_vec(lf, F32), 0, 1, 2);
  v = quiet_nan_operand(lf, v);
  push_vec(lf, LLVMBuildFPExt(lm->b, v, vec_ty(lm, F64), ""));
  return true;
}

/* ---- dispatch -------------------------------------------------------------- */

/* ---- relaxed SIMD ----------------------------------------------------------
 *
 * Each relaxed instruction allows several results; wasmc picks one per
 * target, fixed for a given build (the same choice at every -O level and
 * --cpu, so results never depend on optimisation or the machine):
 *
 *   instruction                      x86_64          aarch64 / riscv64
 *   i8x16.relaxed_swizzle            i8x16.swizzle (index >= 16 gives 0)
 *   i32x4.relaxed_trunc_f32x4_s/u,   the trunc_sat instructions (NaN -> 0,
 *     relaxed_trunc_f64x2_s/u_zero   out of range saturates)
 *   f32x4/f64x2.relaxed_madd         a*b + c, two     fma(a, b, c), one
 *                                    roundings        rounding
 *   f32x4/f64x2.relaxed_nmadd        -(a*b) + c, two  fma(-a, b, c), one
 *                                    roundings        rounding
 *   i8x16..i64x2.relaxed_laneselect  v128.bitselect (bit by bit)
 *   f32x4/f64x2.relaxed_min/max      f32x4/f64x2.min/max (NaN in, NaN out;
 *                                    -0 < +0)
 *   i16x8.relaxed_q15mulr_s          i16x8.q15mulr_sat_s (saturating)
 *   i16x8.relaxed_dot_i8x16_i7x16_s  b's lanes signed; the pair sum
 *                                    saturated to i16
 *   i32x4.relaxed_dot_i8x16_i7x16_   b's lanes signed; four products summed
 *     add_s                          in i32 (exact), plus c, wrapping
 *
 * madd is fused where the target's baseline has FMA (target_row.
 * relaxed_madd_fused: AArch64, RV64GC), unfused on x86-64, whose baseline
 * SSE2 has none (an fma there would be a libm call per lane). The rest is
 * the deterministic 2.0 instruction each relaxed one was made to allow,
 * so the code is the same as theirs. */

static bool madd_fused(lower_module *lm) {
  char buf[64], err[128];
  const target_row *t = target_lookup(LLVMGetTarget(lm->mod), buf, sizeof buf,
                                      err, sizeof err);
  return t && t->relaxed_madd_fused;
}

/* relaxed_madd (negate false) and relaxed_nmadd (negate true). */
static bool relaxed_madd(lower_func *lf, shape s, bool negate) {
  lower_module *lm = lf->lm;
  LLVMBuilderRef b = lm->b;
  LLVMValueRef c = quiet_nan_operand(lf, pop_vec(lf, s));
  LLVMValueRef y = quiet_nan_operand(lf, pop_vec(lf, s));
  LLVMValueRef x = quiet_nan_operand(lf, pop_vec(lf, s));
  if (madd_fused(lm)) {
    if (negate)
      x = LLVMBuildFNeg(b, x, "");
    LLVMTypeRef t = LLVMTypeOf(x);
    LLVMValueRef args[3] = {x, y, c};
    push_vec(lf, lower_intrinsic(lf, "llvm.fma", &t, 1, args, 3));
    return true;
  }
  LLVMValueRef p = LLVMBuildFMul(b, x, y, "");
  if (negate)
    p = LLVMBuildFNeg(b, p, "");
  push_vec(lf, LLVMBuildFAdd(b, p, c, ""));
  return true;
}

static bool relaxed_dot_i16(lower_func *lf) {
  lower_module *lm = lf->lm;
  LLVMValueRef p = mul_wide(lf, I8);
  LLVMValueRef sum = LLVMBuildAdd(lm->b, lanes(lf, p, 0, 2, 8),
                                  lanes(lf, p, 1, 2, 8), "");
  /* only (-128 * -128) * 2 = 32768 leaves the i16 range */
  sum = intr2(lf, "llvm.smin", sum, splat_const(lm->t_i32, 0x7fff, 8));
  push_vec(lf, LLVMBuildTrunc(lm->b, sum, ivec_n(lm, 16, 8), ""));
  return true;
}

static bool relaxed_dot_add_i32(lower_func *lf) {
  lower_module *lm = lf->lm;
  LLVMValueRef c = pop_vec(lf, I32);
  LLVMValueRef p = mul_wide(lf, I8);
  LLVMValueRef sum = LLVMBuildAdd(lm->b, lanes(lf, p, 0, 4, 4),
                                  lanes(lf, p, 1, 4, 4), "");
  sum = LLVMBuildAdd(lm->b, sum, lanes(lf, p, 2, 4, 4), "");
  sum = LLVMBuildAdd(lm->b, sum, lanes(lf, p, 3, 4, 4), "");
  push_vec(lf, LLVMBuildAdd(lm->b, sum, c, ""));
  return true;
}

bool lower_simd(lower_func *lf, const wasm_instr *in) {
  switch ((wasm_opcode)in->op) {
  /* memory */
  case WASM_OP_V128_LOAD:
    lower_push(lf, load_at(lf, in, lower_pop(lf), lf->lm->t_v128, 16));
    return true;
  case WASM_OP_V128_STORE: {
    LLVMValueRef v = pop_as(lf, lf->lm->t_v128);
    store_at(lf, in, lower_pop(lf), v, 16);
    return true;
  }
  case WASM_OP_V128_LOAD8X8_S: return load_extend(lf, in, 8, true);
  case WASM_OP_V128_LOAD8X8_U: return load_extend(lf, in, 8, false);
  case WASM_OP_V128_LOAD16X4_S: return load_extend(lf, in, 16, true);
  case WASM_OP_V128_LOAD16X4_U: return load_extend(lf, in, 16, false);
  case WASM_OP_V128_LOAD32X2_S: return load_extend(lf, in, 32, true);
  case WASM_OP_V128_LOAD32X2_U: return load_extend(lf, in, 32, false);
  case WASM_OP_V128_LOAD8_SPLAT: return load_splat(lf, in, I8);
  case WASM_OP_V128_LOAD16_SPLAT: return load_splat(lf, in, I16);
  case WASM_OP_V128_LOAD32_SPLAT: return load_splat(lf, in, I32);
  case WASM_OP_V128_LOAD64_SPLAT: return load_splat(lf, in, I64);
  case WASM_OP_V128_LOAD32_ZERO: return load_zero(lf, in, I32);
  case WASM_OP_V128_LOAD64_ZERO: return load_zero(lf, in, I64);
  case WASM_OP_V128_LOAD8_LANE: return load_lane(lf, in, I8);
  case WASM_OP_V128_LOAD16_LANE: return load_lane(lf, in, I16);
  case WASM_OP_V128_LOAD32_LANE: return load_lane(lf, in, I32);
  case WASM_OP_V128_LOAD64_LANE: return load_lane(lf, in, I64);
  case WASM_OP_V128_STORE8_LANE: return store_lane(lf, in, I8);
  case WASM_OP_V128_STORE16_LANE: return store_lane(lf, in, I16);
  case WASM_OP_V128_STORE32_LANE: return store_lane(lf, in, I32);
  case WASM_OP_V128_STORE64_LANE: return store_lane(lf, in, I64);

  /* constants, shuffles, lanes */
  case WASM_OP_V128_CONST: return v128_const(lf, in);
  case WASM_OP_I8X16_SHUFFLE: return i8x16_shuffle(lf, in);
  case WASM_OP_I8X16_SWIZZLE: return i8x16_swizzle(lf);
  case WASM_OP_I8X16_SPLAT: return splat_op(lf, I8);
  case WASM_OP_I16X8_SPLAT: return splat_op(lf, I16);
  case WASM_OP_I32X4_SPLAT: return splat_op(lf, I32);
  case WASM_OP_I64X2_SPLAT: return splat_op(lf, I64);
  case WASM_OP_F32X4_SPLAT: return splat_op(lf, F32);
  case WASM_OP_F64X2_SPLAT: return splat_op(lf, F64);
  case WASM_OP_I8X16_EXTRACT_LANE_S: return extract_lane(lf, in, I8, 1);
  case WASM_OP_I8X16_EXTRACT_LANE_U: return extract_lane(lf, in, I8, 2);
  case WASM_OP_I16X8_EXTRACT_LANE_S: return extract_lane(lf, in, I16, 1);
  case WASM_OP_I16X8_EXTRACT_LANE_U: return extract_lane(lf, in, I16, 2);
  case WASM_OP_I32X4_EXTRACT_LANE: return extract_lane(lf, in, I32, 0);
  case WASM_OP_I64X2_EXTRACT_LANE: return extract_lane(lf, in, I64, 0);
  case WASM_OP_F32X4_EXTRACT_LANE: return extract_lane(lf, in, F32, 0);
  case WASM_OP_F64X2_EXTRACT_LANE: return extract_lane(lf, in, F64, 0);
  case WASM_OP_I8X16_REPLACE_LANE: return replace_lane(lf, in, I8);
  case WASM_OP_I16X8_REPLACE_LANE: return replace_lane(lf, in, I16);
  case WASM_OP_I32X4_REPLACE_LANE: return replace_lane(lf, in, I32);
  case WASM_OP_I64X2_REPLACE_LANE: return replace_lane(lf, in, I64);
  case WASM_OP_F32X4_REPLACE_LANE: return replace_lane(lf, in, F32);
  case WASM_OP_F64X2_REPLACE_LANE: return replace_lane(lf, in, F64);

  /* integer comparisons */
  case WASM_OP_I8X16_EQ: return icmp(lf, I8, LLVMIntEQ);
  case WASM_OP_I8X16_NE: return icmp(lf, I8, LLVMIntNE);
  case WASM_OP_I8X16_LT_S: return icmp(lf, I8, LLVMIntSLT);
  case WASM_OP_I8X16_LT_U: return icmp(lf, I8, LLVMIntULT);
  case WASM_OP_I8X16_GT_S: return icmp(lf, I8, LLVMIntSGT);
  case WASM_OP_I8X16_GT_U: return icmp(lf, I8, LLVMIntUGT);
  case WASM_OP_I8X16_LE_S: return icmp(lf, I8, LLVMIntSLE);
  case WASM_OP_I8X16_LE_U: return icmp(lf, I8, LLVMIntULE);
  case WASM_OP_I8X16_GE_S: return icmp(lf, I8, LLVMIntSGE);
  case WASM_OP_I8X16_GE_U: return icmp(lf, I8, LLVMIntUGE);
  case WASM_OP_I16X8_EQ: return icmp(lf, I16, LLVMIntEQ);
  case WASM_OP_I16X8_NE: return icmp(lf, I16, LLVMIntNE);
  case WASM_OP_I16X8_LT_S: return icmp(lf, I16, LLVMIntSLT);
  case WASM_OP_I16X8_LT_U: return icmp(lf, I16, LLVMIntULT);
  case WASM_OP_I16X8_GT_S: return icmp(lf, I16, LLVMIntSGT);
  case WASM_OP_I16X8_GT_U: return icmp(lf, I16, LLVMIntUGT);
  case WASM_OP_I16X8_LE_S: return icmp(lf, I16, LLVMIntSLE);
  case WASM_OP_I16X8_LE_U: return icmp(lf, I16, LLVMIntULE);
  case WASM_OP_I16X8_GE_S: return icmp(lf, I16, LLVMIntSGE);
  case WASM_OP_I16X8_GE_U: return icmp(lf, I16, LLVMIntUGE);
  case WASM_OP_I32X4_EQ: return icmp(lf, I32, LLVMIntEQ);
  case WASM_OP_I32X4_NE: return icmp(lf, I32, LLVMIntNE);
  case WASM_OP_I32X4_LT_S: return icmp(lf, I32, LLVMIntSLT);
  case WASM_OP_I32X4_LT_U: return icmp(lf, I32, LLVMIntULT);
  case WASM_OP_I32X4_GT_S: return icmp(lf, I32, LLVMIntSGT);
  case WASM_OP_I32X4_GT_U: return icmp(lf, I32, LLVMIntUGT);
  case WASM_OP_I32X4_LE_S: return icmp(lf, I32, LLVMIntSLE);
  case WASM_OP_I32X4_LE_U: return icmp(lf, I32, LLVMIntULE);
  case WASM_OP_I32X4_GE_S: return icmp(lf, I32, LLVMIntSGE);
  case WASM_OP_I32X4_GE_U: return icmp(lf, I32, LLVMIntUGE);
  case WASM_OP_I64X2_EQ: return icmp(lf, I64, LLVMIntEQ);
  case WASM_OP_I64X2_NE: return icmp(lf, I64, LLVMIntNE);
  case WASM_OP_I64X2_LT_S: return icmp(lf, I64, LLVMIntSLT);
  case WASM_OP_I64X2_GT_S: return icmp(lf, I64, LLVMIntSGT);
  case WASM_OP_I64X2_LE_S: return icmp(lf, I64, LLVMIntSLE);
  case WASM_OP_I64X2_GE_S: return icmp(lf, I64, LLVMIntSGE);

  /* float comparisons */
  case WASM_OP_F32X4_EQ: return fcmp(lf, F32, LLVMRealOEQ);
  case WASM_OP_F32X4_NE: return fcmp(lf, F32, LLVMRealUNE);
  case WASM_OP_F32X4_LT: return fcmp(lf, F32, LLVMRealOLT);
  case WASM_OP_F32X4_GT: return fcmp(lf, F32, LLVMRealOGT);
  case WASM_OP_F32X4_LE: return fcmp(lf, F32, LLVMRealOLE);
  case WASM_OP_F32X4_GE: return fcmp(lf, F32, LLVMRealOGE);
  case WASM_OP_F64X2_EQ: return fcmp(lf, F64, LLVMRealOEQ);
  case WASM_OP_F64X2_NE: return fcmp(lf, F64, LLVMRealUNE);
  case WASM_OP_F64X2_LT: return fcmp(lf, F64, LLVMRealOLT);
  case WASM_OP_F64X2_GT: return fcmp(lf, F64, LLVMRealOGT);
  case WASM_OP_F64X2_LE: return fcmp(lf, F64, LLVMRealOLE);
  case WASM_OP_F64X2_GE: return fcmp(lf, F64, LLVMRealOGE);

  /* bitwise */
  case WASM_OP_V128_NOT: return v128_not(lf);
  case WASM_OP_V128_AND: return binop(lf, I64, LLVMAnd);
  case WASM_OP_V128_ANDNOT: return v128_andnot(lf);
  case WASM_OP_V128_OR: return binop(lf, I64, LLVMOr);
  case WASM_OP_V128_XOR: return binop(lf, I64, LLVMXor);
  case WASM_OP_V128_BITSELECT: return v128_bitselect(lf);
  case WASM_OP_V128_ANY_TRUE: return any_true(lf);
  case WASM_OP_I8X16_ALL_TRUE: return all_true(lf, I8);
  case WASM_OP_I16X8_ALL_TRUE: return all_true(lf, I16);
  case WASM_OP_I32X4_ALL_TRUE: return all_true(lf, I32);
  case WASM_OP_I64X2_ALL_TRUE: return all_true(lf, I64);
  case WASM_OP_I8X16_BITMASK: return bitmask(lf, I8);
  case WASM_OP_I16X8_BITMASK: return bitmask(lf, I16);
  case WASM_OP_I32X4_BITMASK: return bitmask(lf, I32);
  case WASM_OP_I64X2_BITMASK: return bitmask(lf, I64);

  /* integer unary */
  case WASM_OP_I8X16_ABS: return iabs(lf, I8);
  case WASM_OP_I16X8_ABS: return iabs(lf, I16);
  case WASM_OP_I32X4_ABS: return iabs(lf, I32);
  case WASM_OP_I64X2_ABS: return iabs(lf, I64);
  case WASM_OP_I8X16_NEG: return neg(lf, I8);
  case WASM_OP_I16X8_NEG: return neg(lf, I16);
  case WASM_OP_I32X4_NEG: return neg(lf, I32);
  case WASM_OP_I64X2_NEG: return neg(lf, I64);
  case WASM_OP_I8X16_POPCNT: return un_intr(lf, I8, "llvm.ctpop");

  /* narrowing, widening */
  case WASM_OP_I8X16_NARROW_I16X8_S: return narrow(lf, I16, true);
  case WASM_OP_I8X16_NARROW_I16X8_U: return narrow(lf, I16, false);
  case WASM_OP_I16X8_NARROW_I32X4_S: return narrow(lf, I32, true);
  case WASM_OP_I16X8_NARROW_I32X4_U: return narrow(lf, I32, false);
  case WASM_OP_I16X8_EXTEND_LOW_I8X16_S: return extend(lf, I8, false, true);
  case WASM_OP_I16X8_EXTEND_HIGH_I8X16_S: return extend(lf, I8, true, true);
  case WASM_OP_I16X8_EXTEND_LOW_I8X16_U: return extend(lf, I8, false, false);
  case WASM_OP_I16X8_EXTEND_HIGH_I8X16_U: return extend(lf, I8, true, false);
  case WASM_OP_I32X4_EXTEND_LOW_I16X8_S: return extend(lf, I16, false, true);
  case WASM_OP_I32X4_EXTEND_HIGH_I16X8_S: return extend(lf, I16, true, true);
  case WASM_OP_I32X4_EXTEND_LOW_I16X8_U: return extend(lf, I16, false, false);
  case WASM_OP_I32X4_EXTEND_HIGH_I16X8_U: return extend(lf, I16, true, false);
  case WASM_OP_I64X2_EXTEND_LOW_I32X4_S: return extend(lf, I32, false, true);
  case WASM_OP_I64X2_EXTEND_HIGH_I32X4_S: return extend(lf, I32, true, true);
  case WASM_OP_I64X2_EXTEND_LOW_I32X4_U: return extend(lf, I32, false, false);
  case WASM_OP_I64X2_EXTEND_HIGH_I32X4_U: return extend(lf, I32, true, false);
  case WASM_OP_I16X8_EXTADD_PAIRWISE_I8X16_S: return extadd_pairwise(lf, I8, true);
  case WASM_OP_I16X8_EXTADD_PAIRWISE_I8X16_U: return extadd_pairwise(lf, I8, false);
  case WASM_OP_I32X4_EXTADD_PAIRWISE_I16X8_S: return extadd_pairwise(lf, I16, true);
  case WASM_OP_I32X4_EXTADD_PAIRWISE_I16X8_U: return extadd_pairwise(lf, I16, false);
  case WASM_OP_I16X8_EXTMUL_LOW_I8X16_S: return extmul(lf, I8, false, true);
  case WASM_OP_I16X8_EXTMUL_HIGH_I8X16_S: return extmul(lf, I8, true, true);
  case WASM_OP_I16X8_EXTMUL_LOW_I8X16_U: return extmul(lf, I8, false, false);
  case WASM_OP_I16X8_EXTMUL_HIGH_I8X16_U: return extmul(lf, I8, true, false);
  case WASM_OP_I32X4_EXTMUL_LOW_I16X8_S: return extmul(lf, I16, false, true);
  case WASM_OP_I32X4_EXTMUL_HIGH_I16X8_S: return extmul(lf, I16, true, true);
  case WASM_OP_I32X4_EXTMUL_LOW_I16X8_U: return extmul(lf, I16, false, false);
  case WASM_OP_I32X4_EXTMUL_HIGH_I16X8_U: return extmul(lf, I16, true, false);
  case WASM_OP_I64X2_EXTMUL_LOW_I32X4_S: return extmul(lf, I32, false, true);
  case WASM_OP_I64X2_EXTMUL_HIGH_I32X4_S: return extmul(lf, I32, true, true);
  case WASM_OP_I64X2_EXTMUL_LOW_I32X4_U: return extmul(lf, I32, false, false);
  case WASM_OP_I64X2_EXTMUL_HIGH_I32X4_U: return extmul(lf, I32, true, false);
  case WASM_OP_I32X4_DOT_I16X8_S: return dot(lf);
  case WASM_OP_I16X8_Q15MULR_SAT_S: return q15mulr(lf);

  /* shifts */
  case WASM_OP_I8X16_SHL: return shift(lf, I8, LLVMShl);
  case WASM_OP_I8X16_SHR_S: return shift(lf, I8, LLVMAShr);
  case WASM_OP_I8X16_SHR_U: return shift(lf, I8, LLVMLShr);
  case WASM_OP_I16X8_SHL: return shift(lf, I16, LLVMShl);
  case WASM_OP_I16X8_SHR_S: return shift(lf, I16, LLVMAShr);
  case WASM_OP_I16X8_SHR_U: return shift(lf, I16, LLVMLShr);
  case WASM_OP_I32X4_SHL: return shift(lf, I32, LLVMShl);
  case WASM_OP_I32X4_SHR_S: return shift(lf, I32, LLVMAShr);
  case WASM_OP_I32X4_SHR_U: return shift(lf, I32, LLVMLShr);
  case WASM_OP_I64X2_SHL: return shift(lf, I64, LLVMShl);
  case WASM_OP_I64X2_SHR_S: return shift(lf, I64, LLVMAShr);
  case WASM_OP_I64X2_SHR_U: return shift(lf, I64, LLVMLShr);

  /* integer binary */
  case WASM_OP_I8X16_ADD: return binop(lf, I8, LLVMAdd);
  case WASM_OP_I8X16_SUB: return binop(lf, I8, LLVMSub);
  case WASM_OP_I16X8_ADD: return binop(lf, I16, LLVMAdd);
  case WASM_OP_I16X8_SUB: return binop(lf, I16, LLVMSub);
  case WASM_OP_I16X8_MUL: return binop(lf, I16, LLVMMul);
  case WASM_OP_I32X4_ADD: return binop(lf, I32, LLVMAdd);
  case WASM_OP_I32X4_SUB: return binop(lf, I32, LLVMSub);
  case WASM_OP_I32X4_MUL: return binop(lf, I32, LLVMMul);
  case WASM_OP_I64X2_ADD: return binop(lf, I64, LLVMAdd);
  case WASM_OP_I64X2_SUB: return binop(lf, I64, LLVMSub);
  case WASM_OP_I64X2_MUL: return binop(lf, I64, LLVMMul);
  case WASM_OP_I8X16_ADD_SAT_S: return bin_intr(lf, I8, "llvm.sadd.sat");
  case WASM_OP_I8X16_ADD_SAT_U: return bin_intr(lf, I8, "llvm.uadd.sat");
  case WASM_OP_I8X16_SUB_SAT_S: return bin_intr(lf, I8, "llvm.ssub.sat");
  case WASM_OP_I8X16_SUB_SAT_U: return bin_intr(lf, I8, "llvm.usub.sat");
  case WASM_OP_I16X8_ADD_SAT_S: return bin_intr(lf, I16, "llvm.sadd.sat");
  case WASM_OP_I16X8_ADD_SAT_U: return bin_intr(lf, I16, "llvm.uadd.sat");
  case WASM_OP_I16X8_SUB_SAT_S: return bin_intr(lf, I16, "llvm.ssub.sat");
  case WASM_OP_I16X8_SUB_SAT_U: return bin_intr(lf, I16, "llvm.usub.sat");
  case WASM_OP_I8X16_MIN_S: return bin_intr(lf, I8, "llvm.smin");
  case WASM_OP_I8X16_MIN_U: return bin_intr(lf, I8, "llvm.umin");
  case WASM_OP_I8X16_MAX_S: return bin_intr(lf, I8, "llvm.smax");
  case WASM_OP_I8X16_MAX_U: return bin_intr(lf, I8, "llvm.umax");
  case WASM_OP_I16X8_MIN_S: return bin_intr(lf, I16, "llvm.smin");
  case WASM_OP_I16X8_MIN_U: return bin_intr(lf, I16, "llvm.umin");
  case WASM_OP_I16X8_MAX_S: return bin_intr(lf, I16, "llvm.smax");
  case WASM_OP_I16X8_MAX_U: return bin_intr(lf, I16, "llvm.umax");
  case WASM_OP_I32X4_MIN_S: return bin_intr(lf, I32, "llvm.smin");
  case WASM_OP_I32X4_MIN_U: return bin_intr(lf, I32, "llvm.umin");
  case WASM_OP_I32X4_MAX_S: return bin_intr(lf, I32, "llvm.smax");
  case WASM_OP_I32X4_MAX_U: return bin_intr(lf, I32, "llvm.umax");
  case WASM_OP_I8X16_AVGR_U: return avgr_u(lf, I8);
  case WASM_OP_I16X8_AVGR_U: return avgr_u(lf, I16);

  /* float unary: abs/neg are sign-bit operations (NaN payloads kept) */
  case WASM_OP_F32X4_ABS: return un_intr(lf, F32, "llvm.fabs");
  case WASM_OP_F64X2_ABS: return un_intr(lf, F64, "llvm.fabs");
  case WASM_OP_F32X4_NEG: return fneg(lf, F32);
  case WASM_OP_F64X2_NEG: return fneg(lf, F64);
  case WASM_OP_F32X4_SQRT: return un_intr(lf, F32, "llvm.sqrt");
  case WASM_OP_F64X2_SQRT: return un_intr(lf, F64, "llvm.sqrt");
  case WASM_OP_F32X4_CEIL: return un_intr(lf, F32, "llvm.ceil");
  case WASM_OP_F32X4_FLOOR: return un_intr(lf, F32, "llvm.floor");
  case WASM_OP_F32X4_TRUNC: return un_intr(lf, F32, "llvm.trunc");
  case WASM_OP_F32X4_NEAREST: return un_intr(lf, F32, "llvm.roundeven");
  case WASM_OP_F64X2_CEIL: return un_intr(lf, F64, "llvm.ceil");
  case WASM_OP_F64X2_FLOOR: return un_intr(lf, F64, "llvm.floor");
  case WASM_OP_F64X2_TRUNC: return un_intr(lf, F64, "llvm.trunc");
  case WASM_OP_F64X2_NEAREST: return un_intr(lf, F64, "llvm.roundeven");

  /* float binary */
  case WASM_OP_F32X4_ADD: return binop(lf, F32, LLVMFAdd);
  case WASM_OP_F32X4_SUB: return binop(lf, F32, LLVMFSub);
  case WASM_OP_F32X4_MUL: return binop(lf, F32, LLVMFMul);
  case WASM_OP_F32X4_DIV: return binop(lf, F32, LLVMFDiv);
  case WASM_OP_F64X2_ADD: return binop(lf, F64, LLVMFAdd);
  case WASM_OP_F64X2_SUB: return binop(lf, F64, LLVMFSub);
  case WASM_OP_F64X2_MUL: return binop(lf, F64, LLVMFMul);
  case WASM_OP_F64X2_DIV: return binop(lf, F64, LLVMFDiv);
  case WASM_OP_F32X4_MIN: return fminmax(lf, F32, false);
  case WASM_OP_F32X4_MAX: return fminmax(lf, F32, true);
  case WASM_OP_F64X2_MIN: return fminmax(lf, F64, false);
  case WASM_OP_F64X2_MAX: return fminmax(lf, F64, true);
  case WASM_OP_F32X4_PMIN: return pminmax(lf, F32, false);
  case WASM_OP_F32X4_PMAX: return pminmax(lf, F32, true);
  case WASM_OP_F64X2_PMIN: return pminmax(lf, F64, false);
  case WASM_OP_F64X2_PMAX: return pminmax(lf, F64, true);

  /* conversions */
  case WASM_OP_I32X4_TRUNC_SAT_F32X4_S: return trunc_sat_f32x4(lf, true);
  case WASM_OP_I32X4_TRUNC_SAT_F32X4_U: return trunc_sat_f32x4(lf, false);
  case WASM_OP_I32X4_TRUNC_SAT_F64X2_S_ZERO: return trunc_sat_f64x2_zero(lf, true);
  case WASM_OP_I32X4_TRUNC_SAT_F64X2_U_ZERO: return trunc_sat_f64x2_zero(lf, false);
  case WASM_OP_F32X4_CONVERT_I32X4_S: return convert_i32x4(lf, true);
  case WASM_OP_F32X4_CONVERT_I32X4_U: return convert_i32x4(lf, false);
  case WASM_OP_F64X2_CONVERT_LOW_I32X4_S: return convert_low_i32x4(lf, true);
  case WASM_OP_F64X2_CONVERT_LOW_I32X4_U: return convert_low_i32x4(lf, false);
  case WASM_OP_F32X4_DEMOTE_F64X2_ZERO: return demote_zero(lf);
  case WASM_OP_F64X2_PROMOTE_LOW_F32X4: return promote_low(lf);

  /* relaxed SIMD (the table above relaxed_madd) */
  case WASM_OP_I8X16_RELAXED_SWIZZLE: return i8x16_swizzle(lf);
  case WASM_OP_I32X4_RELAXED_TRUNC_F32X4_S: return trunc_sat_f32x4(lf, true);
  case WASM_OP_I32X4_RELAXED_TRUNC_F32X4_U: return trunc_sat_f32x4(lf, false);
  case WASM_OP_I32X4_RELAXED_TRUNC_F64X2_S_ZERO: return trunc_sat_f64x2_zero(lf, true);
  case WASM_OP_I32X4_RELAXED_TRUNC_F64X2_U_ZERO: return trunc_sat_f64x2_zero(lf, false);
  case WASM_OP_F32X4_RELAXED_MADD: return relaxed_madd(lf, F32, false);
  case WASM_OP_F32X4_RELAXED_NMADD: return relaxed_madd(lf, F32, true);
  case WASM_OP_F64X2_RELAXED_MADD: return relaxed_madd(lf, F64, false);
  case WASM_OP_F64X2_RELAXED_NMADD: return relaxed_madd(lf, F64, true);
  case WASM_OP_I8X16_RELAXED_LANESELECT:
  case WASM_OP_I16X8_RELAXED_LANESELECT:
  case WASM_OP_I32X4_RELAXED_LANESELECT:
  case WASM_OP_I64X2_RELAXED_LANESELECT: return v128_bitselect(lf);
  case WASM_OP_F32X4_RELAXED_MIN: return fminmax(lf, F32, false);
  case WASM_OP_F32X4_RELAXED_MAX: return fminmax(lf, F32, true);
  case WASM_OP_F64X2_RELAXED_MIN: return fminmax(lf, F64, false);
  case WASM_OP_F64X2_RELAXED_MAX: return fminmax(lf, F64, true);
  case WASM_OP_I16X8_RELAXED_Q15MULR_S: return q15mulr(lf);
  case WASM_OP_I16X8_RELAXED_DOT_I8X16_I7X16_S: return relaxed_dot_i16(lf);
  case WASM_OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S: return relaxed_dot_add_i32(lf);

  default:
    break;
  }
  snprintf(lf->err, sizeof lf->lm->err, "internal error: %s is not a SIMD "
           "instruction", wasm_opinfos[in->op].text);
  return false;
}
