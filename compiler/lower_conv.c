/* lower_conv.c: the native calling convention of Wasm functions, per
 * target (target.h's target_conv; runtime/wasmrt_abi.h, "Calling
 * convention of generated functions").
 *
 * Everything that depends on how a Wasm function is called natively is
 * here, so that the rest of the lowering speaks in Wasm values only:
 * the LLVM function type of a Wasm type, the Wasm parameters of a
 * function being defined, its return, and a call (ordinary or musttail).
 *
 *   TARGET_CONV_TAILCC (x86_64, aarch64): the natural prototype
 *     R f(ptr ctx, P...) under LLVM's tailcc, which lets musttail join
 *     any two prototypes, as long as the results fit in the return
 *     registers: with more results than the target's ret_gprs/ret_fprs
 *     (target.c), LLVM would return them through a hidden pointer, which
 *     musttail cannot pass on, so such a type returns void and leaves its
 *     results in the per-thread spill area, as on riscv64.
 *   TARGET_CONV_UNIFORM (riscv64): LLVM's RISC-V backend has no tailcc,
 *     and honours musttail only between identical prototypes with no
 *     stack arguments and at most two return registers (target.c). So
 *     every function has the same register-only fastcc prototype
 *     (ptr ctx, i64 x 11, double x 12, float x 8): parameters are given
 *     slots by class, what has no slot goes through the per-thread spill
 *     area, and results that need more than two registers too. The
 *     return type stays the type's own: return_call's callee has the
 *     caller's results (validation), so musttail still sees identical
 *     prototypes. For code that never spills this costs nothing: unused
 *     slots are poison (no moves), i32 is sign-extended as RV64 keeps it
 *     anyway, and fastcc has more argument registers than C.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lower.h"

/* LLVM's CallingConv::Tail (tailcc), which llvm-c/Core.h does not name. */
enum { LLVM_TAILCC = 18 };

/* ---- the uniform prototype ----------------------------------------------- */

/* Slot counts of the uniform prototype: ctx + 11 GPRs fill fastcc's 12
 * (a0-a7, t3-t6), 12 + 8 FPR slots its 20 (fa0-fa7, ft0-ft11). floats
 * have slots of their own because an f32 in a double slot would cost
 * conversions on both sides (and fcvt would lose NaN payloads). */
enum {
  UNI_INTS = 11,
  UNI_F64S = 12,
  UNI_F32S = 8,
  UNI_INT0 = 1, /* LLVM parameter index of the first slot of each class */
  UNI_F640 = UNI_INT0 + UNI_INTS,
  UNI_F320 = UNI_F640 + UNI_F64S,
  UNI_NPARAMS = UNI_F320 + UNI_F32S,
};

/* Where one Wasm parameter travels. */
typedef enum {
  LOC_DIRECT,   /* a slot of its own type (i64 slot for i64, f64, f32) */
  LOC_INT,      /* an i64 slot: i32/ref/f32/f64 bits, widened */
  LOC_INT2,     /* v128: i64 slots idx and idx + 1 */
  LOC_AREA,     /* spill area slot idx */
} loc_kind;

typedef struct {
  loc_kind kind;
  uint32_t idx; /* LLVM parameter index, or spill area slot */
} loc;

/* The locations of ft's parameters (locs[nparams]); returns how many
 * spill area slots they take. */
static uint32_t assign_params(const wasm_functype *ft, loc *locs) {
  uint32_t ni = 0, nd = 0, nf = 0, na = 0;
  for (uint32_t i = 0; i < ft->nparams; i++) {
    wasm_vtype t = ft->params[i];
    loc l = {LOC_AREA, 0};
    if (t == WASM_F64 && nd < UNI_F64S)
      l = (loc){LOC_DIRECT, UNI_F640 + nd++};
    else if (t == WASM_F32 && nf < UNI_F32S)
      l = (loc){LOC_DIRECT, UNI_F320 + nf++};
    else if (t == WASM_V128 && ni + 2 <= UNI_INTS)
      l = (loc){LOC_INT2, UNI_INT0 + (ni += 2) - 2};
    else if (t != WASM_V128 && ni < UNI_INTS)
      l = (loc){t == WASM_I64 ? LOC_DIRECT : LOC_INT, UNI_INT0 + ni++};
    if (l.kind == LOC_AREA)
      l.idx = na++;
    locs[i] = l;
  }
  return na;
}

/* Registers the natural return of ft takes (a v128 two, any other value
 * one): the backend returns at most two in a tail call. */
static uint32_t result_regs(const wasm_functype *ft) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < ft->nresults; i++)
    n += ft->results[i] == WASM_V128 ? 2 : 1;
  return n;
}

static bool uniform(const lower_module *lm) {
  return lm->conv == TARGET_CONV_UNIFORM;
}

/* Results through the spill area: more than the registers a tail call
 * can return them in (found by scripts/difffuzz: `return_call` of a
 * function with five i64 results aborted LLVM on x86_64). */
static bool results_spilled(const lower_module *lm, const wasm_functype *ft) {
  if (uniform(lm))
    return result_regs(ft) > 2;
  int gprs = 0, fprs = 0;
  for (uint32_t i = 0; i < ft->nresults; i++) {
    wasm_vtype t = ft->results[i];
    if (t == WASM_F32 || t == WASM_F64 || t == WASM_V128)
      fprs++;
    else
      gprs++;
  }
  return gprs > lm->ret_gprs || fprs > lm->ret_fprs;
}

/* ---- function types -------------------------------------------------------- */

static LLVMTypeRef natural_result(lower_module *lm, const wasm_functype *ft) {
  if (ft->nresults == 0)
    return lm->t_void;
  if (ft->nresults == 1)
    return lower_valtype(lm, ft->results[0]);
  LLVMTypeRef *rs = malloc(ft->nresults * sizeof *rs);
  if (!rs)
    abort();
  for (uint32_t i = 0; i < ft->nresults; i++)
    rs[i] = lower_valtype(lm, ft->results[i]);
  LLVMTypeRef t = LLVMStructTypeInContext(lm->llctx, rs, ft->nresults, false);
  free(rs);
  return t;
}

LLVMTypeRef lower_conv_fn_type(lower_module *lm, const wasm_functype *ft) {
  LLVMTypeRef ret = results_spilled(lm, ft) ? lm->t_void : natural_result(lm, ft);
  if (uniform(lm)) {
    LLVMTypeRef params[UNI_NPARAMS];
    params[0] = lm->t_ptr;
    for (unsigned i = UNI_INT0; i < UNI_NPARAMS; i++)
      params[i] = i < UNI_F640 ? lm->t_i64 : i < UNI_F320 ? lm->t_f64 : lm->t_f32;
    return LLVMFunctionType(ret, params, UNI_NPARAMS, false);
  }
  LLVMTypeRef *params = malloc((ft->nparams + 1) * sizeof *params);
  if (!params)
    abort();
  params[0] = lm->t_ptr;
  for (uint32_t i = 0; i < ft->nparams; i++)
    params[i + 1] = lower_valtype(lm, ft->params[i]);
  LLVMTypeRef t = LLVMFunctionType(ret, params, ft->nparams + 1, false);
  free(params);
  return t;
}

uint32_t lower_conv_spill_slots(const lower_module *lm, const wasm_functype *ft) {
  if (!uniform(lm))
    return results_spilled(lm, ft) ? ft->nresults : 0;
  loc *locs = malloc((ft->nparams ? ft->nparams : 1) * sizeof *locs);
  if (!locs)
    abort();
  uint32_t n = assign_params(ft, locs);
  free(locs);
  if (results_spilled(lm, ft) && ft->nresults > n)
    n = ft->nresults;
  return n;
}

void lower_conv_init(lower_module *lm, const target_row *row) {
  lm->conv = row->conv;
  lm->wasm_cc = row->conv == TARGET_CONV_UNIFORM ? LLVMFastCallConv : LLVM_TAILCC;
  lm->ret_gprs = row->ret_gprs;
  lm->ret_fprs = row->ret_fprs;
}

/* ---- the spill area --------------------------------------------------------- */

/* This thread's spill area (wasmrt_spill_area): an initial-exec TLS load,
 * emitted only where a value is spilled. */
static LLVMValueRef spill_area(lower_module *lm) {
  LLVMValueRef g = LLVMGetNamedGlobal(lm->mod, WASMRT_SPILL_AREA_SYMBOL);
  if (!g) {
    g = LLVMAddGlobal(lm->mod, lm->t_ptr, WASMRT_SPILL_AREA_SYMBOL);
    LLVMSetLinkage(g, LLVMExternalLinkage);
    LLVMSetThreadLocal(g, true);
    LLVMSetThreadLocalMode(g, LLVMInitialExecTLSModel);
    LLVMSetAlignment(g, 8);
  }
  LLVMValueRef p = LLVMBuildLoad2(lm->b, lm->t_ptr, g, "spill");
  LLVMSetAlignment(p, 8);
  /* Set once per thread before any Wasm code runs, never changed. */
  LLVMSetMetadata(p, lm->md_invariant,
                  LLVMMetadataAsValue(lm->llctx, LLVMMDNodeInContext2(lm->llctx, NULL, 0)));
  LLVMSetMetadata(p, lm->md_nonnull,
                  LLVMMetadataAsValue(lm->llctx, LLVMMDNodeInContext2(lm->llctx, NULL, 0)));
  return p;
}

static LLVMValueRef area_slot(lower_module *lm, LLVMValueRef area, uint32_t i) {
  LLVMValueRef off = lower_const_i64(lm, 16ull * i); /* sizeof(wasmrt_val) */
  return LLVMBuildInBoundsGEP2(lm->b, lm->t_i8, area, &off, 1, "");
}

static void area_store(lower_module *lm, LLVMValueRef area, uint32_t i,
                       LLVMValueRef v) {
  LLVMSetAlignment(LLVMBuildStore(lm->b, v, area_slot(lm, area, i)), 8);
}

static LLVMValueRef area_load(lower_module *lm, LLVMValueRef area, uint32_t i,
                              wasm_vtype t) {
  LLVMValueRef v =
      LLVMBuildLoad2(lm->b, lower_valtype(lm, t), area_slot(lm, area, i), "");
  LLVMSetAlignment(v, 8);
  return v;
}

/* ---- values in slots -------------------------------------------------------- */

/* A Wasm value of type t as the i64 of an integer slot. */
static LLVMValueRef to_int_slot(lower_module *lm, wasm_vtype t, LLVMValueRef v) {
  switch (t) {
  case WASM_I64: return v;
  case WASM_I32: return LLVMBuildSExt(lm->b, v, lm->t_i64, "");
  case WASM_F64: return LLVMBuildBitCast(lm->b, v, lm->t_i64, "");
  case WASM_F32:
    return LLVMBuildSExt(lm->b, LLVMBuildBitCast(lm->b, v, lm->t_i32, ""),
                         lm->t_i64, "");
  default: return LLVMBuildPtrToInt(lm->b, v, lm->t_i64, ""); /* references */
  }
}

static LLVMValueRef from_int_slot(lower_module *lm, wasm_vtype t, LLVMValueRef v) {
  switch (t) {
  case WASM_I64: return v;
  case WASM_I32: return LLVMBuildTrunc(lm->b, v, lm->t_i32, "");
  case WASM_F64: return LLVMBuildBitCast(lm->b, v, lm->t_f64, "");
  case WASM_F32:
    return LLVMBuildBitCast(lm->b, LLVMBuildTrunc(lm->b, v, lm->t_i32, ""),
                            lm->t_f32, "");
  default: return LLVMBuildIntToPtr(lm->b, v, lm->t_ptr, "");
  }
}

/* ---- definitions ---------------------------------------------------------------- */

void lower_conv_params(lower_module *lm, LLVMValueRef fn,
                       const wasm_functype *ft, LLVMValueRef *out) {
  if (!uniform(lm)) {
    for (uint32_t i = 0; i < ft->nparams; i++)
      out[i] = LLVMGetParam(fn, i + 1);
    return;
  }
  loc *locs = malloc((ft->nparams ? ft->nparams : 1) * sizeof *locs);
  if (!locs)
    abort();
  /* Spilled parameters are read first, before anything that could call
   * and so reuse the area. */
  LLVMValueRef area = assign_params(ft, locs) ? spill_area(lm) : NULL;
  for (uint32_t i = 0; i < ft->nparams; i++) {
    wasm_vtype t = ft->params[i];
    LLVMValueRef p = locs[i].kind == LOC_AREA ? NULL : LLVMGetParam(fn, locs[i].idx);
    switch (locs[i].kind) {
    case LOC_DIRECT: out[i] = p; break;
    case LOC_INT: out[i] = from_int_slot(lm, t, p); break;
    case LOC_INT2: {
      LLVMValueRef v = LLVMGetUndef(lm->t_v128);
      v = LLVMBuildInsertElement(lm->b, v, p, lower_const_i32(lm, 0), "");
      v = LLVMBuildInsertElement(lm->b, v, LLVMGetParam(fn, locs[i].idx + 1),
                                 lower_const_i32(lm, 1), "");
      out[i] = v;
      break;
    }
    case LOC_AREA: out[i] = area_load(lm, area, locs[i].idx, t); break;
    }
  }
  free(locs);
}

void lower_conv_return(lower_module *lm, const wasm_functype *ft,
                       LLVMValueRef *vals) {
  if (results_spilled(lm, ft)) {
    LLVMValueRef area = spill_area(lm);
    for (uint32_t i = 0; i < ft->nresults; i++)
      area_store(lm, area, i, vals[i]);
    LLVMBuildRetVoid(lm->b);
  } else if (ft->nresults == 0) {
    LLVMBuildRetVoid(lm->b);
  } else if (ft->nresults == 1) {
    LLVMBuildRet(lm->b, vals[0]);
  } else {
    LLVMValueRef agg = LLVMGetUndef(natural_result(lm, ft));
    for (uint32_t i = 0; i < ft->nresults; i++)
      agg = LLVMBuildInsertValue(lm->b, agg, vals[i], i, "");
    LLVMBuildRet(lm->b, agg);
  }
}

/* ---- calls ------------------------------------------------------------------------ */

void lower_conv_call(lower_module *lm, const wasm_functype *ft,
                     LLVMTypeRef fnty, LLVMValueRef fn, LLVMValueRef ctx,
                     LLVMValueRef *args, bool musttail, LLVMValueRef *results) {
  unsigned nargv = uniform(lm) ? UNI_NPARAMS : ft->nparams + 1;
  LLVMValueRef *argv = malloc(nargv * sizeof *argv);
  loc *locs = malloc((ft->nparams ? ft->nparams : 1) * sizeof *locs);
  if (!argv || !locs)
    abort();
  argv[0] = ctx;
  LLVMValueRef area = NULL;
  if (!uniform(lm)) {
    for (uint32_t i = 0; i < ft->nparams; i++)
      argv[i + 1] = args[i];
  } else {
    LLVMTypeRef fty_params[UNI_NPARAMS];
    LLVMGetParamTypes(fnty, fty_params);
    for (unsigned i = 1; i < nargv; i++)
      argv[i] = LLVMGetPoison(fty_params[i]);
    if (assign_params(ft, locs) || results_spilled(lm, ft))
      area = spill_area(lm);
    /* The area is written last, right before the call: computing an
     * argument never calls, but keeping the stores together keeps that
     * obvious. */
    for (uint32_t i = 0; i < ft->nparams; i++) {
      wasm_vtype t = ft->params[i];
      switch (locs[i].kind) {
      case LOC_DIRECT: argv[locs[i].idx] = args[i]; break;
      case LOC_INT: argv[locs[i].idx] = to_int_slot(lm, t, args[i]); break;
      case LOC_INT2:
        argv[locs[i].idx] =
            LLVMBuildExtractElement(lm->b, args[i], lower_const_i32(lm, 0), "");
        argv[locs[i].idx + 1] =
            LLVMBuildExtractElement(lm->b, args[i], lower_const_i32(lm, 1), "");
        break;
      case LOC_AREA: break;
      }
    }
    for (uint32_t i = 0; i < ft->nparams; i++)
      if (locs[i].kind == LOC_AREA)
        area_store(lm, area, locs[i].idx, args[i]);
  }
  LLVMValueRef call = lower_wasm_call(lm, fnty, fn, argv, nargv, musttail);
  free(argv);
  free(locs);
  if (musttail) {
    /* The callee's results are ours (validation): whatever it returned,
     * in registers or already in the spill area, is returned as it is. */
    if (LLVMGetReturnType(fnty) == lm->t_void)
      LLVMBuildRetVoid(lm->b);
    else
      LLVMBuildRet(lm->b, call);
    return;
  }
  bool spilled = results_spilled(lm, ft);
  if (spilled && !area)
    area = spill_area(lm);
  for (uint32_t i = 0; i < ft->nresults; i++) {
    if (spilled)
      results[i] = area_load(lm, area, i, ft->results[i]);
    else if (ft->nresults == 1)
      results[i] = call;
    else
      results[i] = LLVMBuildExtractValue(lm->b, call, i, "");
  }
}
