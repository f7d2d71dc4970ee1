/* lower_call.c: calls and references (see lower.h).
 *
 * A defined function is called directly (its symbol, with our own
 * vmctx). Everything else goes through a wasmrt_funcref {code, ctx,
 * type_id}: an imported function through vmctx FUNCS[idx] (the runtime
 * binds it to another instance's function or to a host adapter),
 * call_indirect through a table element after the three checks the spec
 * orders: index in bounds, element not null, type a subtype (canonical
 * type ids, so equal types from different modules match; one compare
 * for a final type, the runtime's supertype walk otherwise). call_ref
 * needs only the null check: its operand's type is static.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lower.h"

/* wasmrt_funcref field offsets (wasmrt_abi.h). */
enum { FUNCREF_CODE = 0, FUNCREF_CTX = 8, FUNCREF_TYPE_ID = 16 };
/* wasmrt_table field offsets. */
enum { TABLE_ELEMS = 0, TABLE_SIZE = 8 };

static LLVMValueRef load_at(lower_func *lf, LLVMTypeRef t, LLVMValueRef base,
                            uint64_t off, bool invariant, const char *name) {
  lower_module *lm = lf->lm;
  LLVMValueRef o = lower_const_i64(lm, off);
  LLVMValueRef p = LLVMBuildInBoundsGEP2(lm->b, lm->t_i8, base, &o, 1, "");
  LLVMValueRef v = LLVMBuildLoad2(lm->b, t, p, name);
  LLVMSetAlignment(v, LLVMGetIntTypeWidth(t == lm->t_ptr ? lm->t_i64 : t) / 8);
  if (invariant)
    LLVMSetMetadata(v, lm->md_invariant,
                    LLVMMetadataAsValue(lm->llctx,
                                        LLVMMDNodeInContext2(lm->llctx, NULL, 0)));
  return v;
}

/* The wasmrt_funcref of function index f (immutable once instantiated). */
static LLVMValueRef funcref_of(lower_func *lf, uint32_t f) {
  LLVMValueRef funcs = lower_vmctx_slot(lf, WASMRT_VMCTX_FUNCS, true);
  return load_at(lf, lf->lm->t_ptr, funcs, 8ull * f, true, "funcref");
}

/* Pops the params of `ft`, calls fn(ctx, params...) and pushes the
 * results; for return_call* (lf->tail) a guaranteed tail call that ends
 * the block (lower_conv_call), so what follows is dead. */
static void emit_call(lower_func *lf, const wasm_functype *ft, LLVMTypeRef fnty,
                      LLVMValueRef fn, LLVMValueRef ctx) {
  lower_module *lm = lf->lm;
  uint32_t n = ft->nparams, m = ft->nresults;
  LLVMValueRef *args = malloc((n + m + 1) * sizeof *args);
  if (!args)
    abort();
  for (uint32_t i = n; i > 0; i--)
    args[i - 1] = lower_pop(lf);
  /* Inside an exception handler the call is an invoke to its landing
   * pad; return_call* stays a musttail call, never an invoke: the caller's
   * frame, and its handlers, are gone when the callee runs. */
  if (!lf->tail) {
    if (!lf->call_no_gc)
      lower_roots_safepoint(lf, NULL, 0);
    lm->unwind_to = lower_exn_unwind_dest(lf);
  } else {
    lower_roots_unlink(lf); /* the callee replaces this frame */
  }
  lower_conv_call(lm, ft, fnty, fn, ctx, args, lf->tail, args + n);
  lm->unwind_to = NULL;
  if (!lf->tail)
    for (uint32_t i = 0; i < m; i++)
      lower_push(lf, args[n + i]);
  free(args);
}

static void lower_call_direct(lower_func *lf, uint32_t f) {
  lower_module *lm = lf->lm;
  const wasm_module *wm = lm->wm;
  uint32_t t = wm->funcs[f].type;
  if (!wm->funcs[f].imported) {
    lf->call_no_gc = !lower_roots_may_collect(lm, f);
    emit_call(lf, &wm->types[t], lm->fn_types[t], lower_func_ref(lm, f),
              lf->vmctx);
    lf->call_no_gc = false;
    return;
  }
  LLVMValueRef fr = funcref_of(lf, f);
  LLVMValueRef code = load_at(lf, lm->t_ptr, fr, FUNCREF_CODE, true, "code");
  LLVMValueRef ctx = load_at(lf, lm->t_ptr, fr, FUNCREF_CTX, true, "ctx");
  emit_call(lf, &wm->types[t], lm->fn_types[t], code, ctx);
}

static void lower_call_indirect(lower_func *lf, uint32_t typeidx,
                                uint32_t table) {
  lower_module *lm = lf->lm;
  LLVMValueRef idx = lower_pop(lf);
  LLVMValueRef tables = lower_vmctx_slot(lf, WASMRT_VMCTX_TABLES, true);
  LLVMValueRef tab = load_at(lf, lm->t_ptr, tables, 8ull * table, true, "table");
  /* size and elems change when the table grows: plain loads. The index
   * is an i32, or an i64 for a 64-bit table (table64), compared in 64 bits
   * with the (32-bit) size. */
  LLVMValueRef size = load_at(lf, lm->t_i32, tab, TABLE_SIZE, false, "size");
  LLVMValueRef i64 = idx;
  if (lm->wm->tables[table].limits.is64)
    size = LLVMBuildZExt(lm->b, size, lm->t_i64, "");
  lower_trap_if(lf, LLVMBuildICmp(lm->b, LLVMIntUGE, idx, size, "oob"),
                WASMRT_TRAP_UNDEFINED_ELEMENT);
  if (!lm->wm->tables[table].limits.is64)
    i64 = LLVMBuildZExt(lm->b, idx, lm->t_i64, "");
  LLVMValueRef elems = load_at(lf, lm->t_ptr, tab, TABLE_ELEMS, false, "elems");
  LLVMValueRef slot = LLVMBuildInBoundsGEP2(lm->b, lm->t_ptr, elems, &i64, 1, "");
  LLVMValueRef fr = LLVMBuildLoad2(lm->b, lm->t_ptr, slot, "elem");
  LLVMSetAlignment(fr, 8);
  lower_trap_if(lf, LLVMBuildIsNull(lm->b, fr, "null"),
                WASMRT_TRAP_UNINITIALIZED);
  LLVMValueRef tid = load_at(lf, lm->t_i32, fr, FUNCREF_TYPE_ID, true, "type_id");
  LLVMValueRef ids = lower_vmctx_slot(lf, WASMRT_VMCTX_TYPE_IDS, true);
  LLVMValueRef want = load_at(lf, lm->t_i32, ids, 4ull * typeidx, true, "want");
  LLVMValueRef differ = LLVMBuildICmp(lm->b, LLVMIntNE, tid, want, "badtype");
  if (lm->wm->subtypes[typeidx].final) {
    /* No type can declare a final type its supertype: equal ids or trap. */
    lower_trap_if(lf, differ, WASMRT_TRAP_INDIRECT_TYPE);
  } else {
    /* A function of a declared subtype passes too: when the ids differ,
     * the runtime walks the funcref type's supertype chain (cold). */
    LLVMBasicBlockRef slow = LLVMAppendBasicBlockInContext(lm->llctx, lf->fn,
                                                           "subtype");
    LLVMBasicBlockRef ok = LLVMAppendBasicBlockInContext(lm->llctx, lf->fn,
                                                         "type.ok");
    LLVMBuildCondBr(lm->b, differ, slow, ok);
    LLVMPositionBuilderAtEnd(lm->b, slow);
    LLVMValueRef args[2] = {tid, want};
    LLVMValueRef sub = LLVMBuildCall2(lm->b, lm->rt_types[RT_TYPE_SUB],
                                      lm->rt[RT_TYPE_SUB], args, 2, "is_sub");
    lower_trap_if(lf, LLVMBuildICmp(lm->b, LLVMIntEQ, sub,
                                    lower_const_i32(lm, 0), "notsub"),
                  WASMRT_TRAP_INDIRECT_TYPE);
    LLVMBuildBr(lm->b, ok);
    LLVMPositionBuilderAtEnd(lm->b, ok);
  }
  LLVMValueRef code = load_at(lf, lm->t_ptr, fr, FUNCREF_CODE, true, "code");
  LLVMValueRef ctx = load_at(lf, lm->t_ptr, fr, FUNCREF_CTX, true, "ctx");
  emit_call(lf, &lm->wm->types[typeidx], lm->fn_types[typeidx], code, ctx);
}

/* call_ref $t: the validator proved the reference's type a subtype of
 * $t, so beyond the null check there is nothing to compare: the
 * funcref's code has $t's native signature (subtypes of a function type
 * have the same parameter and result representations). */
static void lower_call_ref(lower_func *lf, uint32_t typeidx) {
  lower_module *lm = lf->lm;
  LLVMValueRef fr = lower_pop(lf);
  lower_trap_if(lf, LLVMBuildIsNull(lm->b, fr, "null"),
                WASMRT_TRAP_NULL_FUNC_REF);
  LLVMValueRef code = load_at(lf, lm->t_ptr, fr, FUNCREF_CODE, true, "code");
  LLVMValueRef ctx = load_at(lf, lm->t_ptr, fr, FUNCREF_CTX, true, "ctx");
  emit_call(lf, &lm->wm->types[typeidx], lm->fn_types[typeidx], code, ctx);
}

/* return_call*: the call is a guaranteed tail call (musttail, under
 * the target's convention: lower_conv.c), so an endless chain of them
 * runs in constant stack whatever the signatures. */
static bool tail_call(lower_func *lf, const wasm_instr *in) {
  lf->tail = true;
  if (in->op == WASM_OP_RETURN_CALL)
    lower_call_direct(lf, in->imm.index);
  else if (in->op == WASM_OP_RETURN_CALL_REF)
    lower_call_ref(lf, in->imm.index);
  else
    lower_call_indirect(lf, in->imm.index2.a, in->imm.index2.b);
  lf->tail = false;
  lf->frames[lf->nframes - 1].unreachable = true;
  return true;
}

bool lower_call(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  switch (in->op) {
  case WASM_OP_RETURN_CALL:
  case WASM_OP_RETURN_CALL_INDIRECT:
  case WASM_OP_RETURN_CALL_REF:
    return tail_call(lf, in);
  case WASM_OP_CALL_REF:
    lower_call_ref(lf, in->imm.index);
    return true;
  case WASM_OP_REF_AS_NON_NULL: {
    LLVMValueRef v = lower_pop(lf);
    lower_trap_if(lf, LLVMBuildIsNull(lm->b, v, "null"), WASMRT_TRAP_NULL_REF);
    lower_push(lf, v);
    return true;
  }
  case WASM_OP_CALL:
    lower_call_direct(lf, in->imm.index);
    return true;
  case WASM_OP_CALL_INDIRECT:
    lower_call_indirect(lf, in->imm.index2.a, in->imm.index2.b);
    return true;
  case WASM_OP_REF_NULL:
    lower_push(lf, LLVMConstNull(lm->t_ptr));
    return true;
  case WASM_OP_REF_IS_NULL: {
    LLVMValueRef v = lower_pop(lf);
    lower_push(lf, LLVMBuildZExt(lm->b, LLVMBuildIsNull(lm->b, v, ""),
                                 lm->t_i32, "is_null"));
    return true;
  }
  case WASM_OP_REF_FUNC:
    lower_push(lf, funcref_of(lf, in->imm.index));
    return true;
  default:
    snprintf(lf->err, sizeof lm->err, "internal error: %s is not a call",
             wasm_opinfos[in->op].text);
    return false;
  }
}
