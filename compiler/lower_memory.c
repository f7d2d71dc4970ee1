/* lower_memory.c: lowering of the memory instruction family (see lower.h):
 * every non-SIMD load and store, memory.size, memory.grow, the bulk memory
 * instructions (memory.fill/copy/init, data.drop), and lower_address, the
 * one place where a Wasm effective address becomes a host pointer (the
 * SIMD loads and stores of lower_simd.c use it too).
 *
 * Sandboxing. By default the runtime reserves, for each memory, the whole
 * range an instruction can reach (zext(i32) + u32 offset + access size <
 * 8 GiB + a little) with everything past the current size inaccessible, so
 * an effective address needs no compare: an out-of-bounds access faults in
 * the guard region and the runtime's signal handler turns the fault into
 * WASMRT_TRAP_MEMORY_OOB. With lower_options.bounds_checks (no guard
 * region) every access compares its end against the memory's current size
 * first. The address is always computed in 64 bits, so index + offset never
 * wraps around to a low address.
 *
 * Loads are LLVM load instructions (never intrinsics) that go through
 * keep_traps_tag: in guard-page mode they start volatile, and emit.c makes
 * those whose value stays used plain again, so that an unused out-of-bounds
 * load still executes, and thus still traps (keep_traps.c).
 */
#include <stddef.h>
#include <stdio.h>

#include "keep_traps.h"
#include "lower.h"

/* Load a field of type ty at byte offset off of the struct at ptr.
 * invariant: the field never changes during the instance's lifetime (the
 * address of a memory, its base), which lets LLVM hoist and CSE it. */
static LLVMValueRef load_field(lower_func *lf, LLVMValueRef ptr, size_t off,
                               LLVMTypeRef ty, bool invariant,
                               const char *name) {
  lower_module *lm = lf->lm;
  LLVMValueRef p = ptr;
  if (off != 0) {
    LLVMValueRef idx = lower_const_i64(lm, off);
    p = LLVMBuildGEP2(lm->b, lm->t_i8, ptr, &idx, 1, "");
  }
  LLVMValueRef v = LLVMBuildLoad2(lm->b, ty, p, name);
  if (invariant) {
    LLVMMetadataRef empty = LLVMMDNodeInContext2(lm->llctx, NULL, 0);
    LLVMSetMetadata(v, lm->md_invariant,
                    LLVMMetadataAsValue(lm->llctx, empty));
  }
  return v;
}

/* Pointer to the wasmrt_memory of memory index mem. */
static LLVMValueRef memory_struct(lower_func *lf, uint32_t mem) {
  lower_module *lm = lf->lm;
  if (mem == 0)
    return lower_vmctx_slot(lf, WASMRT_VMCTX_MEM0, true);
  /* Multi-memory only: Wasm 2.0 validation allows memory 0 alone. */
  LLVMValueRef mems = lower_vmctx_slot(lf, WASMRT_VMCTX_MEMORIES, true);
  return load_field(lf, mems, (size_t)mem * sizeof(void *), lm->t_ptr, true,
                    "mem");
}

/* First byte of memory mem: fixed for the memory's lifetime (the runtime
 * grows memories in place), so it is loaded once per function for memory 0. */
static LLVMValueRef memory_base(lower_func *lf, uint32_t mem) {
  if (mem == 0) {
    if (lf->mem0_base)
      return lf->mem0_base;
    return lower_vmctx_slot(lf, WASMRT_VMCTX_MEM0_BASE, true);
  }
  return load_field(lf, memory_struct(lf, mem), offsetof(wasmrt_memory, base),
                    lf->lm->t_ptr, true, "membase");
}

/* Current size of memory mem in bytes (i64). Never invariant: memory.grow,
 * here or in another instance sharing the memory, changes it. A shared
 * memory may be grown by another thread at any moment, so its size is
 * read atomically (wasmrt_abi.h, wasmrt_memory): `ordering` seq_cst for
 * memory.size (the threads spec makes it a sequentially consistent read),
 * monotonic for bounds checks (the grower commits pages before it stores
 * the size, so any size seen covers accessible pages). */
static LLVMValueRef memory_size_bytes(lower_func *lf, uint32_t mem,
                                      LLVMAtomicOrdering ordering) {
  LLVMValueRef v =
      load_field(lf, memory_struct(lf, mem), offsetof(wasmrt_memory, size),
                 lf->lm->t_i64, false, "memsize");
  if (lower_memory_shared(lf->lm, mem)) {
    LLVMSetOrdering(v, ordering);
    LLVMSetAlignment(v, 8);
  }
  return v;
}

LLVMValueRef lower_address(lower_func *lf, const wasm_instr *in,
                           LLVMValueRef index, unsigned size) {
  lower_module *lm = lf->lm;
  uint32_t mem = in->imm.mem.memory;
  uint64_t offset = in->imm.mem.offset; /* a u32 in Wasm 2.0 */
  LLVMValueRef idx = LLVMBuildZExt(lm->b, index, lm->t_i64, "");

  if (lm->opts.bounds_checks) {
    /* end = index + offset + size <= 2^33 + 16: no overflow in 64 bits. */
    LLVMValueRef end = LLVMBuildAdd(
        lm->b, idx, lower_const_i64(lm, offset + size), "end");
    LLVMValueRef oob = LLVMBuildICmp(
        lm->b, LLVMIntUGT, end,
        memory_size_bytes(lf, mem, LLVMAtomicOrderingMonotonic), "oob");
    lower_trap_if(lf, oob, WASMRT_TRAP_MEMORY_OOB);
  }

  LLVMValueRef ea = idx;
  if (offset != 0)
    ea = LLVMBuildAdd(lm->b, idx, lower_const_i64(lm, offset), "ea");
  /* Not inbounds: in guard-page mode the pointer may well point past the
   * memory, into the guard region, and must then fault, not be poison. */
  return LLVMBuildGEP2(lm->b, lm->t_i8, memory_base(lf, mem), &ea, 1, "addr");
}

/* A load: the memory type loaded (its byte count = access size), then
 * extension to the result type when the access is narrower. */
static bool lower_load(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  LLVMTypeRef mty, rty;
  bool sext = false;
  unsigned size;
  switch (in->op) {
  case WASM_OP_I32_LOAD: mty = rty = lm->t_i32; size = 4; break;
  case WASM_OP_I64_LOAD: mty = rty = lm->t_i64; size = 8; break;
  case WASM_OP_F32_LOAD: mty = rty = lm->t_f32; size = 4; break;
  case WASM_OP_F64_LOAD: mty = rty = lm->t_f64; size = 8; break;
  case WASM_OP_I32_LOAD8_S: sext = true; /* fallthrough */
  case WASM_OP_I32_LOAD8_U: mty = lm->t_i8; rty = lm->t_i32; size = 1; break;
  case WASM_OP_I32_LOAD16_S: sext = true; /* fallthrough */
  case WASM_OP_I32_LOAD16_U: mty = lm->t_i16; rty = lm->t_i32; size = 2; break;
  case WASM_OP_I64_LOAD8_S: sext = true; /* fallthrough */
  case WASM_OP_I64_LOAD8_U: mty = lm->t_i8; rty = lm->t_i64; size = 1; break;
  case WASM_OP_I64_LOAD16_S: sext = true; /* fallthrough */
  case WASM_OP_I64_LOAD16_U: mty = lm->t_i16; rty = lm->t_i64; size = 2; break;
  case WASM_OP_I64_LOAD32_S: sext = true; /* fallthrough */
  case WASM_OP_I64_LOAD32_U: mty = lm->t_i32; rty = lm->t_i64; size = 4; break;
  default: return false;
  }
  LLVMValueRef index = lower_pop(lf);
  LLVMValueRef addr = lower_address(lf, in, index, size);
  LLVMValueRef v = LLVMBuildLoad2(lm->b, mty, addr, "");
  keep_traps_tag(lm, v);
  /* The alignment immediate is only a hint: unaligned accesses are valid
   * Wasm, so promising more than 1 to LLVM would be a lie. */
  LLVMSetAlignment(v, 1);
  if (mty != rty)
    v = sext ? LLVMBuildSExt(lm->b, v, rty, "") : LLVMBuildZExt(lm->b, v, rty, "");
  lower_push(lf, v);
  return true;
}

/* A store: narrow stores keep the low bytes of the value. */
static bool lower_store(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  LLVMTypeRef mty = NULL; /* NULL: the value's own type */
  unsigned size;
  switch (in->op) {
  case WASM_OP_I32_STORE: case WASM_OP_F32_STORE: size = 4; break;
  case WASM_OP_I64_STORE: case WASM_OP_F64_STORE: size = 8; break;
  case WASM_OP_I32_STORE8: case WASM_OP_I64_STORE8: mty = lm->t_i8; size = 1; break;
  case WASM_OP_I32_STORE16: case WASM_OP_I64_STORE16: mty = lm->t_i16; size = 2; break;
  case WASM_OP_I64_STORE32: mty = lm->t_i32; size = 4; break;
  default: return false;
  }
  LLVMValueRef value = lower_pop(lf);
  LLVMValueRef index = lower_pop(lf);
  LLVMValueRef addr = lower_address(lf, in, index, size);
  if (mty)
    value = LLVMBuildTrunc(lm->b, value, mty, "");
  LLVMValueRef st = LLVMBuildStore(lm->b, value, addr);
  LLVMSetAlignment(st, 1); /* see lower_load */
  return true;
}

bool lower_memory(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  LLVMValueRef args[5];

  if (lower_load(lf, in) || lower_store(lf, in))
    return true;

  switch (in->op) {
  case WASM_OP_MEMORY_SIZE: {
    /* size / 65536: the size is a multiple of the page, at most 2^32. */
    LLVMValueRef bytes = memory_size_bytes(
        lf, in->imm.index, LLVMAtomicOrderingSequentiallyConsistent);
    LLVMValueRef pages = LLVMBuildLShr(lm->b, bytes, lower_const_i64(lm, 16), "");
    lower_push(lf, LLVMBuildTrunc(lm->b, pages, lm->t_i32, "pages"));
    return true;
  }
  case WASM_OP_MEMORY_GROW: {
    /* The runtime grows in place (base never moves), so the cached
     * mem0_base stays valid; the size is reloaded at every use anyway. */
    args[1] = lower_pop(lf); /* delta in pages */
    args[0] = lower_const_i32(lm, in->imm.index);
    lower_push(lf, lower_call_rt(lf, RT_MEMORY_GROW, args, 2));
    return true;
  }
  case WASM_OP_MEMORY_FILL: {
    LLVMValueRef n = lower_pop(lf), value = lower_pop(lf), dst = lower_pop(lf);
    args[0] = lower_const_i32(lm, in->imm.index);
    args[1] = dst;
    args[2] = value;
    args[3] = n;
    lower_call_rt_checked(lf, RT_MEMORY_FILL, args, 4);
    return true;
  }
  case WASM_OP_MEMORY_COPY: {
    /* imm.index2 = (dst memory, src memory) */
    LLVMValueRef n = lower_pop(lf), src = lower_pop(lf), dst = lower_pop(lf);
    args[0] = lower_const_i32(lm, in->imm.index2.a);
    args[1] = lower_const_i32(lm, in->imm.index2.b);
    args[2] = dst;
    args[3] = src;
    args[4] = n;
    lower_call_rt_checked(lf, RT_MEMORY_COPY, args, 5);
    return true;
  }
  case WASM_OP_MEMORY_INIT: {
    /* imm.index2 = (data segment, memory) */
    LLVMValueRef n = lower_pop(lf), src = lower_pop(lf), dst = lower_pop(lf);
    args[0] = lower_const_i32(lm, in->imm.index2.b);
    args[1] = lower_const_i32(lm, in->imm.index2.a);
    args[2] = dst;
    args[3] = src;
    args[4] = n;
    lower_call_rt_checked(lf, RT_MEMORY_INIT, args, 5);
    return true;
  }
  case WASM_OP_DATA_DROP:
    args[0] = lower_const_i32(lm, in->imm.index);
    lower_call_rt(lf, RT_DATA_DROP, args, 1);
    return true;
  default:
    snprintf(lf->err, sizeof lm->err,
             "internal error: %s is not a memory instruction",
             wasm_opinfos[in->op].text);
    return false;
  }
}
