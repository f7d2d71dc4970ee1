/* lower_variable.c: locals and globals (see lower.h).
 *
 * Locals are the function's allocas (lower_func.c creates them in the
 * entry block, where mem2reg turns them into SSA values). A global lives
 * in the runtime's wasmrt_global, its value at offset 0; generated code
 * reaches it through vmctx slot GLOBALS, an array of wasmrt_global
 * pointers that is fixed at instantiation (imported globals are shared by
 * pointer, so a mutation is seen by every instance importing it).
 */
#include <stdio.h>

#include "lower.h"

static LLVMValueRef invariant_load(lower_func *lf, LLVMTypeRef t,
                                   LLVMValueRef p, unsigned align) {
  lower_module *lm = lf->lm;
  LLVMValueRef v = LLVMBuildLoad2(lm->b, t, p, "");
  LLVMSetAlignment(v, align);
  LLVMSetMetadata(v, lm->md_invariant,
                  LLVMMetadataAsValue(lm->llctx,
                                      LLVMMDNodeInContext2(lm->llctx, NULL, 0)));
  return v;
}

/* Address of global g's value. */
static LLVMValueRef global_ptr(lower_func *lf, uint32_t g) {
  lower_module *lm = lf->lm;
  LLVMValueRef arr = lower_vmctx_slot(lf, WASMRT_VMCTX_GLOBALS, true);
  LLVMValueRef off = lower_const_i64(lm, 8ull * g);
  LLVMValueRef slot = LLVMBuildInBoundsGEP2(lm->b, lm->t_i8, arr, &off, 1, "");
  return invariant_load(lf, lm->t_ptr, slot, 8);
}

bool lower_variable(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  uint32_t i = in->imm.index;
  switch (in->op) {
  case WASM_OP_LOCAL_GET:
    lower_push(lf, LLVMBuildLoad2(lm->b, lower_valtype(lm, lf->local_types[i]),
                                  lf->locals[i], ""));
    return true;
  case WASM_OP_LOCAL_SET: {
    LLVMValueRef v = lower_pop(lf);
    LLVMBuildStore(lm->b, v, lf->locals[i]);
    lower_debug_local_set(lf, i, v);
    return true;
  }
  case WASM_OP_LOCAL_TEE: {
    LLVMValueRef v = lower_pop(lf);
    LLVMBuildStore(lm->b, v, lf->locals[i]);
    lower_debug_local_set(lf, i, v);
    lower_push(lf, v);
    return true;
  }
  case WASM_OP_GLOBAL_GET: {
    const wasm_global *g = &lm->wm->globals[i];
    LLVMTypeRef t = lower_valtype(lm, g->type.type);
    LLVMValueRef p = global_ptr(lf, i);
    /* An immutable global never changes after instantiation. Accesses
     * claim 8-byte alignment only: the runtime may place a wasmrt_global
     * anywhere malloc does, and an over-aligned v128 access would fault. */
    LLVMValueRef v;
    if (g->type.mutable_) {
      v = LLVMBuildLoad2(lm->b, t, p, "");
      LLVMSetAlignment(v, 8);
    } else {
      v = invariant_load(lf, t, p, 8);
    }
    lower_push(lf, v);
    return true;
  }
  case WASM_OP_GLOBAL_SET: {
    LLVMValueRef v = lower_pop(lf);
    LLVMValueRef st = LLVMBuildStore(lm->b, v, global_ptr(lf, i));
    LLVMSetAlignment(st, 8);
    return true;
  }
  default:
    snprintf(lf->err, sizeof lm->err, "internal error: %s is not a variable",
             wasm_opinfos[in->op].text);
    return false;
  }
}
