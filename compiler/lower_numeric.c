/* lower_numeric.c: lowering of the numeric instruction family (lower.h):
 * constants, integer and float comparisons and arithmetic, conversions,
 * reinterpretations, sign extension and the saturating truncations
 * (opcodes 0x41..0x44, 0x45..0xC4, 0xFC 0..7).
 *
 * Everything maps to plain IR or to an LLVM intrinsic, never to a call of
 * our own, so that the optimiser sees through it and the backend picks the
 * best instruction. Where LLVM's semantics differ from Wasm's (division
 * traps, srem overflow, float->int out of range, shift counts, sign-bit
 * operations on NaNs, quieting of signalling NaNs by arithmetic: see
 * float_binop and quiet_nan.c) the difference is handled explicitly here; the trap
 * branches go through lower_trap_if, which makes them cold.
 */
#include <stdio.h>
#include <string.h>

#include "lower.h"
#include "quiet_nan.h"

/* ---- small builders ------------------------------------------------------ */

static LLVMValueRef zext_i1(lower_func *lf, LLVMValueRef c) {
  return LLVMBuildZExt(lf->lm->b, c, lf->lm->t_i32, "");
}

static bool is_const_int(LLVMValueRef v, long long *out) {
  if (!LLVMIsAConstantInt(v)) return false;
  *out = LLVMConstIntGetSExtValue(v);
  return true;
}

/* A float constant from its bit pattern: built as a bitcast of the integer
 * so that NaN payloads (signalling ones included) survive exactly. */
static LLVMValueRef const_f32_bits(lower_module *lm, uint32_t bits) {
  return LLVMConstBitCast(LLVMConstInt(lm->t_i32, bits, false), lm->t_f32);
}

static LLVMValueRef const_f64_bits(lower_module *lm, uint64_t bits) {
  return LLVMConstBitCast(LLVMConstInt(lm->t_i64, bits, false), lm->t_f64);
}

/* ---- integers ------------------------------------------------------------ */

static void int_cmp(lower_func *lf, LLVMIntPredicate p) {
  LLVMValueRef y = lower_pop(lf), x = lower_pop(lf);
  lower_push(lf, zext_i1(lf, LLVMBuildICmp(lf->lm->b, p, x, y, "")));
}

static void int_eqz(lower_func *lf) {
  LLVMValueRef x = lower_pop(lf);
  LLVMValueRef zero = LLVMConstNull(LLVMTypeOf(x));
  lower_push(lf, zext_i1(lf, LLVMBuildICmp(lf->lm->b, LLVMIntEQ, x, zero, "")));
}

/* clz/ctz: Wasm defines the result for 0 (the width), so is_zero_poison is
 * false; popcnt has no such flag. */
static void int_bitcount(lower_func *lf, const char *name, bool zero_flag) {
  LLVMValueRef x = lower_pop(lf);
  LLVMTypeRef t = LLVMTypeOf(x);
  LLVMValueRef args[2] = {x, LLVMConstInt(lf->lm->t_i1, 0, false)};
  lower_push(lf, lower_intrinsic(lf, name, &t, 1, args, zero_flag ? 2 : 1));
}

typedef LLVMValueRef (*binop_fn)(LLVMBuilderRef, LLVMValueRef, LLVMValueRef,
                                 const char *);

static void int_binop(lower_func *lf, binop_fn f) {
  LLVMValueRef y = lower_pop(lf), x = lower_pop(lf);
  lower_push(lf, f(lf->lm->b, x, y, ""));
}

/* Shifts take the count modulo the width; LLVM's shl/ashr/lshr are poison
 * for counts >= width, so the mask is required (x86 masks anyway, so the
 * backend drops the `and`). */
static void int_shift(lower_func *lf, binop_fn f) {
  LLVMValueRef y = lower_pop(lf), x = lower_pop(lf);
  LLVMTypeRef t = LLVMTypeOf(x);
  unsigned width = LLVMGetIntTypeWidth(t);
  y = LLVMBuildAnd(lf->lm->b, y, LLVMConstInt(t, width - 1, false), "");
  lower_push(lf, f(lf->lm->b, x, y, ""));
}

/* Rotations are funnel shifts of a value with itself; fshl/fshr already
 * take the count modulo the width. */
static void int_rotate(lower_func *lf, const char *name) {
  LLVMValueRef y = lower_pop(lf), x = lower_pop(lf);
  LLVMTypeRef t = LLVMTypeOf(x);
  LLVMValueRef args[3] = {x, x, y};
  lower_push(lf, lower_intrinsic(lf, name, &t, 1, args, 3));
}

typedef enum { DIV_S, DIV_U, REM_S, REM_U } divkind;

/* Division and remainder. Wasm traps on a zero divisor (LLVM: UB) and on
 * INT_MIN / -1 for div_s (LLVM: UB); rem_s of INT_MIN by -1 is 0 in Wasm
 * but UB in LLVM, so its divisor -1 is replaced by 1 (x % 1 == x % -1 == 0
 * for every x), which keeps the hot path branch-free. Checks on a constant
 * divisor are decided here, so that `x / 10` stays a plain udiv/sdiv
 * (which LLVM turns into a multiplication) even at -O0. */
static void int_divrem(lower_func *lf, divkind k) {
  lower_module *lm = lf->lm;
  LLVMBuilderRef b = lm->b;
  LLVMValueRef y = lower_pop(lf), x = lower_pop(lf);
  LLVMTypeRef t = LLVMTypeOf(x);
  unsigned width = LLVMGetIntTypeWidth(t);
  LLVMValueRef zero = LLVMConstNull(t);
  LLVMValueRef minus1 = LLVMConstAllOnes(t);
  long long cy;
  bool known = is_const_int(y, &cy);

  if (!known || cy == 0)
    lower_trap_if(lf, LLVMBuildICmp(b, LLVMIntEQ, y, zero, ""),
                  WASMRT_TRAP_INT_DIV_ZERO);

  LLVMValueRef r = NULL;
  switch (k) {
  case DIV_S:
    if (!known || cy == -1) {
      LLVMValueRef int_min = LLVMConstInt(t, UINT64_C(1) << (width - 1), false);
      LLVMValueRef ovf =
          LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntEQ, x, int_min, ""),
                       LLVMBuildICmp(b, LLVMIntEQ, y, minus1, ""), "");
      lower_trap_if(lf, ovf, WASMRT_TRAP_INT_OVERFLOW);
    }
    r = LLVMBuildSDiv(b, x, y, "");
    break;
  case REM_S:
    if (known && cy == -1) {
      r = zero;
    } else {
      if (!known) {
        LLVMValueRef is_m1 = LLVMBuildICmp(b, LLVMIntEQ, y, minus1, "");
        y = LLVMBuildSelect(b, is_m1, LLVMConstInt(t, 1, false), y, "");
      }
      r = LLVMBuildSRem(b, x, y, "");
    }
    break;
  case DIV_U: r = LLVMBuildUDiv(b, x, y, ""); break;
  case REM_U: r = LLVMBuildURem(b, x, y, ""); break;
  }
  lower_push(lf, r);
}

/* extend8_s etc.: truncate to the narrow width, sign-extend back. */
static void int_extend_s(lower_func *lf, LLVMTypeRef narrow) {
  LLVMValueRef x = lower_pop(lf);
  LLVMTypeRef t = LLVMTypeOf(x);
  LLVMValueRef n = LLVMBuildTrunc(lf->lm->b, x, narrow, "");
  lower_push(lf, LLVMBuildSExt(lf->lm->b, n, t, ""));
}

/* ---- floats -------------------------------------------------------------- */

/* eq/lt/gt/le/ge are false when either operand is NaN (ordered predicates);
 * ne is true then (unordered-or-not-equal). */
static void float_cmp(lower_func *lf, LLVMRealPredicate p) {
  LLVMValueRef y = lower_pop(lf), x = lower_pop(lf);
  lower_push(lf, zext_i1(lf, LLVMBuildFCmp(lf->lm->b, p, x, y, "")));
}

/* fadd/fsub/fmul/fdiv: plain LLVM arithmetic, which the optimiser and the
 * vectoriser treat like native code's. Wasm requires a NaN result to be
 * quiet even where LLVM folds x*1.0, x-0.0, ... to x: operands that may be
 * signalling NaNs go through quiet_nan_operand (quiet_nan.c explains the
 * scheme and why it costs nothing in the common case). Rounding is always
 * to nearest-even. */
static void float_binop(lower_func *lf, LLVMOpcode op) {
  LLVMValueRef y = lower_pop(lf), x = lower_pop(lf);
  x = quiet_nan_operand(lf, x);
  y = quiet_nan_operand(lf, y);
  lower_push(lf, LLVMBuildBinOp(lf->lm->b, op, x, y, ""));
}

/* min/max: llvm.minimum/maximum give Wasm's ordering (-0 < +0) and return
 * a NaN when either operand is one, but may hand a signalling NaN operand
 * back unquieted; Wasm wants an arithmetic NaN. So when the operands are
 * unordered the result is x + y instead, which propagates a NaN operand
 * quieted exactly like every other arithmetic instruction. The select
 * compiles to a branch-free blend. */
static void float_minmax(lower_func *lf, const char *name) {
  LLVMBuilderRef b = lf->lm->b;
  LLVMValueRef y = lower_pop(lf), x = lower_pop(lf);
  LLVMTypeRef t = LLVMTypeOf(x);
  LLVMValueRef args[2] = {x, y};
  LLVMValueRef r = lower_intrinsic(lf, name, &t, 1, args, 2);
  LLVMValueRef uno = LLVMBuildFCmp(b, LLVMRealUNO, x, y, "");
  LLVMValueRef nan = LLVMBuildFAdd(b, quiet_nan_operand(lf, x),
                                   quiet_nan_operand(lf, y), "");
  lower_push(lf, LLVMBuildSelect(b, uno, nan, r, ""));
}

/* f32.demote_f64 / f64.promote_f32: plain fptrunc/fpext of a quiet
 * operand (fptrunc(fpext x) folds to x). */
static void float_resize(lower_func *lf, bool demote) {
  lower_module *lm = lf->lm;
  LLVMValueRef x = quiet_nan_operand(lf, lower_pop(lf));
  lower_push(lf, demote ? LLVMBuildFPTrunc(lm->b, x, lm->t_f32, "")
                        : LLVMBuildFPExt(lm->b, x, lm->t_f64, ""));
}

/* Unary float intrinsic overloaded on the operand type: sqrt, ceil, floor,
 * trunc, roundeven (= nearest: ties to even). */
static void float_unary(lower_func *lf, const char *name) {
  LLVMValueRef x = lower_pop(lf);
  LLVMTypeRef t = LLVMTypeOf(x);
  lower_push(lf, lower_intrinsic(lf, name, &t, 1, &x, 1));
}

typedef enum { SIGN_ABS, SIGN_NEG, SIGN_COPY } signop;

/* abs, neg and copysign only touch the sign bit and must leave NaN
 * payloads alone (the spec tests check the exact bits, signalling NaNs
 * included), so they are done as integer operations on the bits. LLVM
 * recognises the pattern and emits andps/xorps as for fabs/fneg. */
static void float_signop(lower_func *lf, signop op) {
  lower_module *lm = lf->lm;
  LLVMBuilderRef b = lm->b;
  LLVMValueRef y = op == SIGN_COPY ? lower_pop(lf) : NULL;
  LLVMValueRef x = lower_pop(lf);
  LLVMTypeRef ft = LLVMTypeOf(x);
  bool f64 = ft == lm->t_f64;
  LLVMTypeRef it = f64 ? lm->t_i64 : lm->t_i32;
  LLVMValueRef sign = f64 ? LLVMConstInt(it, UINT64_C(1) << 63, false)
                          : LLVMConstInt(it, UINT32_C(1) << 31, false);
  LLVMValueRef xi = LLVMBuildBitCast(b, x, it, "");
  LLVMValueRef r;
  switch (op) {
  case SIGN_ABS: r = LLVMBuildAnd(b, xi, LLVMConstNot(sign), ""); break;
  case SIGN_NEG: r = LLVMBuildXor(b, xi, sign, ""); break;
  default: {
    LLVMValueRef yi = LLVMBuildBitCast(b, y, it, "");
    r = LLVMBuildOr(b, LLVMBuildAnd(b, xi, LLVMConstNot(sign), ""),
                    LLVMBuildAnd(b, yi, sign, ""), "");
    break;
  }
  }
  lower_push(lf, LLVMBuildBitCast(b, r, ft, ""));
}

/* ---- conversions --------------------------------------------------------- */

/* Trapping float -> int truncation. NaN traps with "invalid conversion";
 * a value whose truncation is not representable traps with "integer
 * overflow". The valid inputs are exactly lo < x < hi with the exclusive
 * bounds below, all exactly representable in both float types:
 *   signed N:   hi = 2^(N-1); lo = the largest float below -2^(N-1) that
 *               is not in range: -2^(N-1) - 1 when the type has it
 *               (f64 for N=32), else -2^(N-1) - ulp (f32: 2^31+256 and
 *               2^63+2^40; f64, N=64: 2^63+2^11);
 *   unsigned N: lo = -1 (the truncation of (-1, 0) is 0), hi = 2^N. */
static void trunc_trapping(lower_func *lf, unsigned bits, bool is_signed) {
  lower_module *lm = lf->lm;
  LLVMBuilderRef b = lm->b;
  LLVMValueRef x = lower_pop(lf);
  LLVMTypeRef ft = LLVMTypeOf(x);
  bool f64 = ft == lm->t_f64;
  LLVMTypeRef it = bits == 64 ? lm->t_i64 : lm->t_i32;
  double lo, hi;
  if (is_signed) {
    hi = bits == 64 ? 9223372036854775808.0 : 2147483648.0;
    if (bits == 32)
      lo = f64 ? -2147483649.0 : -2147483904.0;
    else
      lo = f64 ? -9223372036854777856.0 : -9223373136366403584.0;
  } else {
    lo = -1.0;
    hi = bits == 64 ? 18446744073709551616.0 : 4294967296.0;
  }
  lower_trap_if(lf, LLVMBuildFCmp(b, LLVMRealUNO, x, x, ""),
                WASMRT_TRAP_INVALID_CONVERSION);
  /* x is not NaN here; "not (lo < x < hi)" as unordered compares. */
  LLVMValueRef out =
      LLVMBuildOr(b, LLVMBuildFCmp(b, LLVMRealULE, x, LLVMConstReal(ft, lo), ""),
                  LLVMBuildFCmp(b, LLVMRealUGE, x, LLVMConstReal(ft, hi), ""),
                  "");
  lower_trap_if(lf, out, WASMRT_TRAP_INT_OVERFLOW);
  lower_push(lf, is_signed ? LLVMBuildFPToSI(b, x, it, "")
                           : LLVMBuildFPToUI(b, x, it, ""));
}

/* Saturating truncation: exactly llvm.fptosi.sat / llvm.fptoui.sat (NaN ->
 * 0, out of range -> the nearest bound). */
static void trunc_sat(lower_func *lf, unsigned bits, bool is_signed) {
  lower_module *lm = lf->lm;
  LLVMValueRef x = lower_pop(lf);
  LLVMTypeRef tys[2] = {bits == 64 ? lm->t_i64 : lm->t_i32, LLVMTypeOf(x)};
  lower_push(lf, lower_intrinsic(lf,
                                 is_signed ? "llvm.fptosi.sat" : "llvm.fptoui.sat",
                                 tys, 2, &x, 1));
}

typedef LLVMValueRef (*cast_fn)(LLVMBuilderRef, LLVMValueRef, LLVMTypeRef,
                                const char *);

static void cast(lower_func *lf, cast_fn f, LLVMTypeRef to) {
  LLVMValueRef x = lower_pop(lf);
  lower_push(lf, f(lf->lm->b, x, to, ""));
}

/* ---- dispatch ------------------------------------------------------------ */

bool lower_numeric(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  switch ((wasm_opcode)in->op) {
  /* constants */
  case WASM_OP_I32_CONST: lower_push(lf, lower_const_i32(lm, (uint32_t)in->imm.i32)); break;
  case WASM_OP_I64_CONST: lower_push(lf, lower_const_i64(lm, (uint64_t)in->imm.i64)); break;
  case WASM_OP_F32_CONST: lower_push(lf, const_f32_bits(lm, in->imm.f32_bits)); break;
  case WASM_OP_F64_CONST: lower_push(lf, const_f64_bits(lm, in->imm.f64_bits)); break;

  /* integer comparisons */
  case WASM_OP_I32_EQZ: case WASM_OP_I64_EQZ: int_eqz(lf); break;
  case WASM_OP_I32_EQ:   case WASM_OP_I64_EQ:   int_cmp(lf, LLVMIntEQ); break;
  case WASM_OP_I32_NE:   case WASM_OP_I64_NE:   int_cmp(lf, LLVMIntNE); break;
  case WASM_OP_I32_LT_S: case WASM_OP_I64_LT_S: int_cmp(lf, LLVMIntSLT); break;
  case WASM_OP_I32_LT_U: case WASM_OP_I64_LT_U: int_cmp(lf, LLVMIntULT); break;
  case WASM_OP_I32_GT_S: case WASM_OP_I64_GT_S: int_cmp(lf, LLVMIntSGT); break;
  case WASM_OP_I32_GT_U: case WASM_OP_I64_GT_U: int_cmp(lf, LLVMIntUGT); break;
  case WASM_OP_I32_LE_S: case WASM_OP_I64_LE_S: int_cmp(lf, LLVMIntSLE); break;
  case WASM_OP_I32_LE_U: case WASM_OP_I64_LE_U: int_cmp(lf, LLVMIntULE); break;
  case WASM_OP_I32_GE_S: case WASM_OP_I64_GE_S: int_cmp(lf, LLVMIntSGE); break;
  case WASM_OP_I32_GE_U: case WASM_OP_I64_GE_U: int_cmp(lf, LLVMIntUGE); break;

  /* float comparisons */
  case WASM_OP_F32_EQ: case WASM_OP_F64_EQ: float_cmp(lf, LLVMRealOEQ); break;
  case WASM_OP_F32_NE: case WASM_OP_F64_NE: float_cmp(lf, LLVMRealUNE); break;
  case WASM_OP_F32_LT: case WASM_OP_F64_LT: float_cmp(lf, LLVMRealOLT); break;
  case WASM_OP_F32_GT: case WASM_OP_F64_GT: float_cmp(lf, LLVMRealOGT); break;
  case WASM_OP_F32_LE: case WASM_OP_F64_LE: float_cmp(lf, LLVMRealOLE); break;
  case WASM_OP_F32_GE: case WASM_OP_F64_GE: float_cmp(lf, LLVMRealOGE); break;

  /* integer arithmetic */
  case WASM_OP_I32_CLZ:    case WASM_OP_I64_CLZ:    int_bitcount(lf, "llvm.ctlz", true); break;
  case WASM_OP_I32_CTZ:    case WASM_OP_I64_CTZ:    int_bitcount(lf, "llvm.cttz", true); break;
  case WASM_OP_I32_POPCNT: case WASM_OP_I64_POPCNT: int_bitcount(lf, "llvm.ctpop", false); break;
  case WASM_OP_I32_ADD: case WASM_OP_I64_ADD: int_binop(lf, LLVMBuildAdd); break;
  case WASM_OP_I32_SUB: case WASM_OP_I64_SUB: int_binop(lf, LLVMBuildSub); break;
  case WASM_OP_I32_MUL: case WASM_OP_I64_MUL: int_binop(lf, LLVMBuildMul); break;
  case WASM_OP_I32_DIV_S: case WASM_OP_I64_DIV_S: int_divrem(lf, DIV_S); break;
  case WASM_OP_I32_DIV_U: case WASM_OP_I64_DIV_U: int_divrem(lf, DIV_U); break;
  case WASM_OP_I32_REM_S: case WASM_OP_I64_REM_S: int_divrem(lf, REM_S); break;
  case WASM_OP_I32_REM_U: case WASM_OP_I64_REM_U: int_divrem(lf, REM_U); break;
  case WASM_OP_I32_AND: case WASM_OP_I64_AND: int_binop(lf, LLVMBuildAnd); break;
  case WASM_OP_I32_OR:  case WASM_OP_I64_OR:  int_binop(lf, LLVMBuildOr); break;
  case WASM_OP_I32_XOR: case WASM_OP_I64_XOR: int_binop(lf, LLVMBuildXor); break;
  case WASM_OP_I32_SHL:   case WASM_OP_I64_SHL:   int_shift(lf, LLVMBuildShl); break;
  case WASM_OP_I32_SHR_S: case WASM_OP_I64_SHR_S: int_shift(lf, LLVMBuildAShr); break;
  case WASM_OP_I32_SHR_U: case WASM_OP_I64_SHR_U: int_shift(lf, LLVMBuildLShr); break;
  case WASM_OP_I32_ROTL: case WASM_OP_I64_ROTL: int_rotate(lf, "llvm.fshl"); break;
  case WASM_OP_I32_ROTR: case WASM_OP_I64_ROTR: int_rotate(lf, "llvm.fshr"); break;

  /* float arithmetic */
  case WASM_OP_F32_ABS: case WASM_OP_F64_ABS: float_signop(lf, SIGN_ABS); break;
  case WASM_OP_F32_NEG: case WASM_OP_F64_NEG: float_signop(lf, SIGN_NEG); break;
  case WASM_OP_F32_COPYSIGN: case WASM_OP_F64_COPYSIGN: float_signop(lf, SIGN_COPY); break;
  case WASM_OP_F32_CEIL:    case WASM_OP_F64_CEIL:    float_unary(lf, "llvm.ceil"); break;
  case WASM_OP_F32_FLOOR:   case WASM_OP_F64_FLOOR:   float_unary(lf, "llvm.floor"); break;
  case WASM_OP_F32_TRUNC:   case WASM_OP_F64_TRUNC:   float_unary(lf, "llvm.trunc"); break;
  case WASM_OP_F32_NEAREST: case WASM_OP_F64_NEAREST: float_unary(lf, "llvm.roundeven"); break;
  case WASM_OP_F32_SQRT:    case WASM_OP_F64_SQRT:    float_unary(lf, "llvm.sqrt"); break;
  case WASM_OP_F32_MIN: case WASM_OP_F64_MIN: float_minmax(lf, "llvm.minimum"); break;
  case WASM_OP_F32_MAX: case WASM_OP_F64_MAX: float_minmax(lf, "llvm.maximum"); break;
  case WASM_OP_F32_ADD: case WASM_OP_F64_ADD: float_binop(lf, LLVMFAdd); break;
  case WASM_OP_F32_SUB: case WASM_OP_F64_SUB: float_binop(lf, LLVMFSub); break;
  case WASM_OP_F32_MUL: case WASM_OP_F64_MUL: float_binop(lf, LLVMFMul); break;
  case WASM_OP_F32_DIV: case WASM_OP_F64_DIV: float_binop(lf, LLVMFDiv); break;

  /* conversions */
  case WASM_OP_I32_WRAP_I64: cast(lf, LLVMBuildTrunc, lm->t_i32); break;
  case WASM_OP_I64_EXTEND_I32_S: cast(lf, LLVMBuildSExt, lm->t_i64); break;
  case WASM_OP_I64_EXTEND_I32_U: cast(lf, LLVMBuildZExt, lm->t_i64); break;
  case WASM_OP_I32_TRUNC_F32_S: case WASM_OP_I32_TRUNC_F64_S: trunc_trapping(lf, 32, true); break;
  case WASM_OP_I32_TRUNC_F32_U: case WASM_OP_I32_TRUNC_F64_U: trunc_trapping(lf, 32, false); break;
  case WASM_OP_I64_TRUNC_F32_S: case WASM_OP_I64_TRUNC_F64_S: trunc_trapping(lf, 64, true); break;
  case WASM_OP_I64_TRUNC_F32_U: case WASM_OP_I64_TRUNC_F64_U: trunc_trapping(lf, 64, false); break;
  case WASM_OP_I32_TRUNC_SAT_F32_S: case WASM_OP_I32_TRUNC_SAT_F64_S: trunc_sat(lf, 32, true); break;
  case WASM_OP_I32_TRUNC_SAT_F32_U: case WASM_OP_I32_TRUNC_SAT_F64_U: trunc_sat(lf, 32, false); break;
  case WASM_OP_I64_TRUNC_SAT_F32_S: case WASM_OP_I64_TRUNC_SAT_F64_S: trunc_sat(lf, 64, true); break;
  case WASM_OP_I64_TRUNC_SAT_F32_U: case WASM_OP_I64_TRUNC_SAT_F64_U: trunc_sat(lf, 64, false); break;
  /* sitofp/uitofp round to nearest-even, as Wasm requires */
  case WASM_OP_F32_CONVERT_I32_S: case WASM_OP_F32_CONVERT_I64_S: cast(lf, LLVMBuildSIToFP, lm->t_f32); break;
  case WASM_OP_F32_CONVERT_I32_U: case WASM_OP_F32_CONVERT_I64_U: cast(lf, LLVMBuildUIToFP, lm->t_f32); break;
  case WASM_OP_F64_CONVERT_I32_S: case WASM_OP_F64_CONVERT_I64_S: cast(lf, LLVMBuildSIToFP, lm->t_f64); break;
  case WASM_OP_F64_CONVERT_I32_U: case WASM_OP_F64_CONVERT_I64_U: cast(lf, LLVMBuildUIToFP, lm->t_f64); break;
  case WASM_OP_F32_DEMOTE_F64:  float_resize(lf, true); break;
  case WASM_OP_F64_PROMOTE_F32: float_resize(lf, false); break;
  case WASM_OP_I32_REINTERPRET_F32: cast(lf, LLVMBuildBitCast, lm->t_i32); break;
  case WASM_OP_I64_REINTERPRET_F64: cast(lf, LLVMBuildBitCast, lm->t_i64); break;
  case WASM_OP_F32_REINTERPRET_I32: cast(lf, LLVMBuildBitCast, lm->t_f32); break;
  case WASM_OP_F64_REINTERPRET_I64: cast(lf, LLVMBuildBitCast, lm->t_f64); break;

  /* sign extension */
  case WASM_OP_I32_EXTEND8_S:  case WASM_OP_I64_EXTEND8_S:  int_extend_s(lf, lm->t_i8); break;
  case WASM_OP_I32_EXTEND16_S: case WASM_OP_I64_EXTEND16_S: int_extend_s(lf, lm->t_i16); break;
  case WASM_OP_I64_EXTEND32_S: int_extend_s(lf, lm->t_i32); break;

  default:
    snprintf(lf->err, sizeof lf->lm->err,
             "internal error: %s is not a numeric instruction",
             wasm_opinfos[in->op].text);
    return false;
  }
  /* lower_intrinsic returns NULL (message in lf->err) when LLVM does not
   * know an intrinsic: report it instead of pushing NULL. */
  return lf->sp > 0 && lf->stack[lf->sp - 1] != NULL;
}
