/* lower_table.c: lowering of the table instruction family (see lower.h):
 * table.get/set/size inline, table.grow/fill/copy/init and elem.drop as
 * calls to the wasmrt_table_* helpers of runtime/wasmrt_abi.h.
 *
 * table.get, table.set and table.size are a bounds compare and a load or
 * store on the wasmrt_table, as call_indirect does: that is all the helpers
 * would do, and these sit in loops. `elems` and `size` are reloaded at each
 * use because table.grow (here, in a callee or in another instance sharing
 * the table) reallocates `elems` and changes `size`; only the address of
 * the wasmrt_table itself is invariant. Indices of a 64-bit table (table64)
 * are i64 and compared in 64 bits; the helpers take every index and size
 * as a u64 (zero-extended for a 32-bit table). The rest can trap on several
 * conditions the runtime already checks, so the helpers return a trap code
 * that lower_call_rt_checked raises in this function's name.
 */
#include <stddef.h>
#include <stdio.h>

#include "lower.h"

static LLVMValueRef field_ptr(lower_module *lm, LLVMValueRef ptr, size_t off) {
  if (off == 0)
    return ptr;
  LLVMValueRef idx = lower_const_i64(lm, off);
  return LLVMBuildGEP2(lm->b, lm->t_i8, ptr, &idx, 1, "");
}

/* Pointer to the wasmrt_table of table index t (fixed for the instance). */
static LLVMValueRef table_struct(lower_func *lf, uint32_t t) {
  lower_module *lm = lf->lm;
  LLVMValueRef tables = lower_vmctx_slot(lf, WASMRT_VMCTX_TABLES, true);
  LLVMValueRef p = field_ptr(lm, tables, (size_t)t * sizeof(void *));
  LLVMValueRef v = LLVMBuildLoad2(lm->b, lm->t_ptr, p, "table");
  LLVMMetadataRef empty = LLVMMDNodeInContext2(lm->llctx, NULL, 0);
  LLVMSetMetadata(v, lm->md_invariant, LLVMMetadataAsValue(lm->llctx, empty));
  return v;
}

static LLVMValueRef table_size(lower_func *lf, LLVMValueRef table) {
  lower_module *lm = lf->lm;
  return LLVMBuildLoad2(lm->b, lm->t_i32,
                        field_ptr(lm, table, offsetof(wasmrt_table, size)),
                        "tsize");
}

static bool is64(lower_func *lf, uint32_t t) {
  return lf->lm->wm->tables[t].limits.is64;
}

/* An index or size operand of table t as the i64 the runtime helpers take:
 * zero-extended from a 32-bit table's i32, as is for a 64-bit table. */
static LLVMValueRef to_u64(lower_func *lf, LLVMValueRef v) {
  lower_module *lm = lf->lm;
  return LLVMTypeOf(v) == lm->t_i64 ? v : LLVMBuildZExt(lm->b, v, lm->t_i64, "");
}

/* A helper's i64 result (old size or -1) as table t's address type. */
static LLVMValueRef from_i64(lower_func *lf, uint32_t t, LLVMValueRef v) {
  lower_module *lm = lf->lm;
  return is64(lf, t) ? v : LLVMBuildTrunc(lm->b, v, lm->t_i32, "");
}

/* &elems[i] after checking i < size (TABLE_OOB otherwise); i is an i32,
 * or an i64 for a 64-bit table, compared with the size in 64 bits. */
static LLVMValueRef table_slot(lower_func *lf, uint32_t t, LLVMValueRef i) {
  lower_module *lm = lf->lm;
  LLVMValueRef table = table_struct(lf, t);
  LLVMValueRef i64 = to_u64(lf, i);
  LLVMValueRef size = LLVMBuildZExt(lm->b, table_size(lf, table), lm->t_i64, "");
  LLVMValueRef oob = LLVMBuildICmp(lm->b, LLVMIntUGE, i64, size, "");
  lower_trap_if(lf, oob, WASMRT_TRAP_TABLE_OOB);
  LLVMValueRef elems = LLVMBuildLoad2(
      lm->b, lm->t_ptr, field_ptr(lm, table, offsetof(wasmrt_table, elems)),
      "elems");
  return LLVMBuildInBoundsGEP2(lm->b, lm->t_ptr, elems, &i64, 1, "slot");
}

bool lower_table(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  LLVMValueRef args[5];

  switch (in->op) {
  case WASM_OP_TABLE_GET: {
    LLVMValueRef i = lower_pop(lf);
    LLVMValueRef slot = table_slot(lf, in->imm.index, i);
    lower_push(lf, LLVMBuildLoad2(lm->b, lm->t_ptr, slot, "ref"));
    return true;
  }
  case WASM_OP_TABLE_SET: {
    LLVMValueRef v = lower_pop(lf), i = lower_pop(lf);
    LLVMValueRef slot = table_slot(lf, in->imm.index, i);
    LLVMBuildStore(lm->b, v, slot);
    return true;
  }
  case WASM_OP_TABLE_SIZE: {
    LLVMValueRef size = table_size(lf, table_struct(lf, in->imm.index));
    if (is64(lf, in->imm.index))
      size = LLVMBuildZExt(lm->b, size, lm->t_i64, "");
    lower_push(lf, size);
    return true;
  }
  case WASM_OP_TABLE_GROW: {
    LLVMValueRef n = lower_pop(lf), init = lower_pop(lf);
    args[0] = lower_const_i32(lm, in->imm.index);
    args[1] = init;
    args[2] = to_u64(lf, n);
    lower_push(lf, from_i64(lf, in->imm.index,
                            lower_call_rt(lf, RT_TABLE_GROW, args, 3)));
    return true;
  }
  case WASM_OP_TABLE_FILL: {
    LLVMValueRef n = lower_pop(lf), v = lower_pop(lf), i = lower_pop(lf);
    args[0] = lower_const_i32(lm, in->imm.index);
    args[1] = to_u64(lf, i);
    args[2] = v;
    args[3] = to_u64(lf, n);
    lower_call_rt_checked(lf, RT_TABLE_FILL, args, 4);
    return true;
  }
  case WASM_OP_TABLE_COPY: {
    /* imm.index2 = (dst table, src table) */
    LLVMValueRef n = lower_pop(lf), s = lower_pop(lf), d = lower_pop(lf);
    args[0] = lower_const_i32(lm, in->imm.index2.a);
    args[1] = lower_const_i32(lm, in->imm.index2.b);
    args[2] = to_u64(lf, d);
    args[3] = to_u64(lf, s);
    args[4] = to_u64(lf, n);
    lower_call_rt_checked(lf, RT_TABLE_COPY, args, 5);
    return true;
  }
  case WASM_OP_TABLE_INIT: {
    /* imm.index2 = (elem segment, table) */
    LLVMValueRef n = lower_pop(lf), s = lower_pop(lf), d = lower_pop(lf);
    args[0] = lower_const_i32(lm, in->imm.index2.b);
    args[1] = lower_const_i32(lm, in->imm.index2.a);
    args[2] = to_u64(lf, d);
    args[3] = s;
    args[4] = n;
    lower_call_rt_checked(lf, RT_TABLE_INIT, args, 5);
    return true;
  }
  case WASM_OP_ELEM_DROP:
    args[0] = lower_const_i32(lm, in->imm.index);
    lower_call_rt(lf, RT_ELEM_DROP, args, 1);
    return true;
  default:
    snprintf(lf->err, sizeof lm->err,
             "internal error: %s is not a table instruction",
             wasm_opinfos[in->op].text);
    return false;
  }
}
