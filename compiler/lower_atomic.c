/* lower_atomic.c: lowering of the threads instructions (prefix 0xFE):
 * atomic loads and stores, the read-modify-write family, cmpxchg,
 * atomic.fence, memory.atomic.wait32/wait64 and memory.atomic.notify.
 *
 * Every access is an LLVM atomic instruction with seq_cst ordering (the
 * only ordering Wasm's atomics have) and its natural alignment, which the
 * code below guarantees: the effective address is checked first and an
 * unaligned one traps "unaligned atomic". The check is on the low bits of
 * index + offset (the memory's base is page-aligned, so they are the host
 * address's low bits too).
 *
 * Trap order. The spec checks bounds before alignment. With
 * --bounds-checks, lower_address compares first, so that order is kept.
 * With guard pages nothing is compared before the access; there, the cold
 * path of a misaligned address first touches the access's last byte with
 * a volatile load, which faults (-> out of bounds) when the access would
 * have reached past the memory, and only then traps "unaligned atomic".
 * The aligned path costs one and + compare + branch per atomic access.
 *
 * Atomics on non-shared memories are valid and behave the same (the
 * memory is just never seen by another thread). memory.atomic.wait on a
 * non-shared memory traps "expected shared memory" after the address
 * checks; notify on one returns 0 (nobody can be waiting). On a shared
 * memory both call the runtime (runtime/atomic_wait.c) with the checked
 * host address.
 *
 * What the targets make of it (LLVM 19, baseline CPUs of target.c):
 * x86_64: plain mov for loads, xchg for stores, lock xadd/cmpxchg (and a
 * cmpxchg loop for and/or/xor whose result is used). aarch64 (armv8-a,
 * no LSE): ldar/stlr, and ldaxr/stlxr loops for RMW and cmpxchg; with
 * --features +lse (or --cpu of an armv8.1+ core) LLVM uses the LSE
 * instructions (ldaddal, casal, swpal). riscv64 (RV64GC includes A):
 * amo*.w/.d.aqrl for 32/64-bit RMW, lr/sc loops for 8/16-bit ones and
 * cmpxchg, fence-based seq_cst loads and stores.
 */
#include <stdio.h>

#include "lower.h"

/* Access width in bytes: natural alignment = 2^aux (opcodes.def). */
static unsigned access_size(const wasm_instr *in) {
  return 1u << wasm_opinfos[in->op].aux;
}

/* With guard pages: reads the byte at addr + at (volatile, so it stays),
 * whose fault is the out-of-bounds trap of an access that does not itself
 * touch linear memory from generated code. With --bounds-checks the
 * address was compared already. */
static void touch(lower_module *lm, LLVMValueRef addr, unsigned at) {
  if (lm->opts.bounds_checks)
    return;
  LLVMValueRef p = addr;
  if (at) {
    LLVMValueRef off = lower_const_i64(lm, at);
    p = LLVMBuildGEP2(lm->b, lm->t_i8, addr, &off, 1, "");
  }
  LLVMValueRef v = LLVMBuildLoad2(lm->b, lm->t_i8, p, "touch");
  LLVMSetVolatile(v, true);
}

/* The checked host address of an atomic access of `size` bytes at
 * `index` (i32, or i64 for a 64-bit memory): bounds (lower_address), then
 * alignment. */
static LLVMValueRef atomic_address(lower_func *lf, const wasm_instr *in,
                                   LLVMValueRef index, unsigned size) {
  lower_module *lm = lf->lm;
  LLVMValueRef addr = lower_address(lf, in, index, size);
  if (size == 1)
    return addr;
  /* Only the low bits matter, so arithmetic in the index's type (i32, or
   * i64 for a 64-bit memory) suffices even though index + offset may
   * exceed it. */
  LLVMTypeRef it = LLVMTypeOf(index);
  LLVMValueRef ea = LLVMBuildAdd(
      lm->b, index, LLVMConstInt(it, in->imm.mem.offset, false), "");
  LLVMValueRef low =
      LLVMBuildAnd(lm->b, ea, LLVMConstInt(it, size - 1, false), "align.bits");
  LLVMValueRef bad = LLVMBuildICmp(lm->b, LLVMIntNE, low,
                                   LLVMConstInt(it, 0, false), "unaligned");
  LLVMBasicBlockRef cold =
      LLVMAppendBasicBlockInContext(lm->llctx, lf->fn, "unaligned");
  LLVMBasicBlockRef ok =
      LLVMAppendBasicBlockInContext(lm->llctx, lf->fn, "aligned");
  LLVMValueRef br = LLVMBuildCondBr(lm->b, bad, cold, ok);
  LLVMMetadataRef w[2] = {
      LLVMValueAsMetadata(LLVMConstInt(lm->t_i32, 1, false)),
      LLVMValueAsMetadata(LLVMConstInt(lm->t_i32, 2000, false))};
  LLVMMetadataRef ops[3] = {
      LLVMMDStringInContext2(lm->llctx, "branch_weights", 14), w[0], w[1]};
  LLVMSetMetadata(br, LLVMGetMDKindIDInContext(lm->llctx, "prof", 4),
                  LLVMMetadataAsValue(lm->llctx,
                                      LLVMMDNodeInContext2(lm->llctx, ops, 3)));
  LLVMPositionBuilderAtEnd(lm->b, cold);
  /* Guard pages: out of bounds wins over unaligned (see the top). */
  touch(lm, addr, size - 1);
  lower_trap(lf, WASMRT_TRAP_UNALIGNED_ATOMIC);
  /* lower_trap left the builder in an empty unreachable block */
  LLVMBuildUnreachable(lm->b);
  LLVMPositionBuilderAtEnd(lm->b, ok);
  return addr;
}

/* With guard pages the access itself is the bounds check, so it must
 * happen even when nothing changes and nobody reads the old value. LLVM
 * does not keep it: instcombine rewrites an RMW that stores back what it
 * read (add 0, or 0, and -1, ...) to `or 0`, and the x86 back end then
 * turns that into a fence on the stack (lowerIdempotentRMWIntoFencedLoad)
 * with no access to the memory at all, so an out-of-bounds
 * `i32.atomic.rmw.add (i32.const -1) (i32.const 0)` returned instead of
 * trapping (found by scripts/difffuzz). Volatile RMWs and cmpxchgs are
 * left as they are, by both. With --bounds-checks the compare traps
 * first, so they stay free to optimise. */
static void keep_access(lower_module *lm, LLVMValueRef access) {
  if (!lm->opts.bounds_checks)
    LLVMSetVolatile(access, true);
}

static LLVMTypeRef int_type(lower_module *lm, unsigned size) {
  switch (size) {
  case 1: return lm->t_i8;
  case 2: return lm->t_i16;
  case 4: return lm->t_i32;
  default: return lm->t_i64;
  }
}

/* The result type of an op: i64 when its signature ends in 'I'. */
static LLVMTypeRef result_type(lower_module *lm, const wasm_instr *in) {
  const char *sig = wasm_opinfos[in->op].sig;
  size_t n = 0;
  while (sig[n])
    n++;
  return n && sig[n - 1] == 'I' ? lm->t_i64 : lm->t_i32;
}

static LLVMValueRef widen(lower_module *lm, LLVMValueRef v, LLVMTypeRef to) {
  return LLVMTypeOf(v) == to ? v : LLVMBuildZExt(lm->b, v, to, "");
}

static LLVMValueRef narrow(lower_module *lm, LLVMValueRef v, LLVMTypeRef to) {
  return LLVMTypeOf(v) == to ? v : LLVMBuildTrunc(lm->b, v, to, "");
}

static const LLVMAtomicOrdering SEQ = LLVMAtomicOrderingSequentiallyConsistent;

static bool rmw_op(uint16_t op, LLVMAtomicRMWBinOp *out) {
  switch (op) {
#define RMW(W, BIN)                                                            \
  case WASM_OP_I32_ATOMIC_RMW_##W: case WASM_OP_I64_ATOMIC_RMW_##W:            \
  case WASM_OP_I32_ATOMIC_RMW8_##W##_U: case WASM_OP_I32_ATOMIC_RMW16_##W##_U: \
  case WASM_OP_I64_ATOMIC_RMW8_##W##_U: case WASM_OP_I64_ATOMIC_RMW16_##W##_U: \
  case WASM_OP_I64_ATOMIC_RMW32_##W##_U:                                       \
    *out = BIN;                                                                \
    return true;
    RMW(ADD, LLVMAtomicRMWBinOpAdd)
    RMW(SUB, LLVMAtomicRMWBinOpSub)
    RMW(AND, LLVMAtomicRMWBinOpAnd)
    RMW(OR, LLVMAtomicRMWBinOpOr)
    RMW(XOR, LLVMAtomicRMWBinOpXor)
    RMW(XCHG, LLVMAtomicRMWBinOpXchg)
#undef RMW
  default:
    return false;
  }
}

static bool is_load(uint16_t op) {
  return op >= WASM_OP_I32_ATOMIC_LOAD && op <= WASM_OP_I64_ATOMIC_LOAD32_U;
}

static bool is_store(uint16_t op) {
  return op >= WASM_OP_I32_ATOMIC_STORE && op <= WASM_OP_I64_ATOMIC_STORE32;
}

static bool is_cmpxchg(uint16_t op) {
  return op >= WASM_OP_I32_ATOMIC_RMW_CMPXCHG &&
         op <= WASM_OP_I64_ATOMIC_RMW32_CMPXCHG_U;
}

/* memory.atomic.wait32/64 and notify. Neither accesses the memory from
 * generated code (notify only uses the address as a key; wait reads it in
 * the runtime, or not at all on an unshared memory), so with guard pages
 * the address is touched first: an out-of-bounds one traps here, before
 * "expected shared memory" (the spec's order) and never inside the
 * runtime. (scripts/difffuzz found notify at 0x80000004 of a 1 MiB
 * memory returning instead of trapping.) The access is aligned by now,
 * so its first byte is on the same page as its last. */
static void lower_wait_notify(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  bool shared = lower_memory_shared(lm, in->imm.mem.memory);
  LLVMValueRef args[3];
  if (in->op == WASM_OP_MEMORY_ATOMIC_NOTIFY) {
    LLVMValueRef count = lower_pop(lf);
    LLVMValueRef addr = atomic_address(lf, in, lower_pop(lf), 4);
    touch(lm, addr, 0);
    if (!shared) {
      lower_push(lf, lower_const_i32(lm, 0));
      return;
    }
    args[0] = addr;
    args[1] = count;
    lower_push(lf, lower_call_rt(lf, RT_ATOMIC_NOTIFY, args, 2));
    return;
  }
  bool wide = in->op == WASM_OP_MEMORY_ATOMIC_WAIT64;
  LLVMValueRef timeout = lower_pop(lf);
  LLVMValueRef expected = lower_pop(lf);
  LLVMValueRef addr = atomic_address(lf, in, lower_pop(lf), wide ? 8 : 4);
  touch(lm, addr, 0);
  if (!shared) {
    lower_trap(lf, WASMRT_TRAP_EXPECTED_SHARED);
    /* The result of dead code: lower_trap left the builder in a block
     * without predecessors. */
    lower_push(lf, lower_const_i32(lm, 0));
    return;
  }
  args[0] = addr;
  args[1] = expected;
  args[2] = timeout;
  lower_push(lf, lower_call_rt(lf, wide ? RT_ATOMIC_WAIT64 : RT_ATOMIC_WAIT32,
                               args, 3));
}

bool lower_atomic(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  uint16_t op = in->op;
  if (op == WASM_OP_ATOMIC_FENCE) {
    LLVMBuildFence(lm->b, SEQ, false, "");
    return true;
  }
  if (op == WASM_OP_MEMORY_ATOMIC_NOTIFY || op == WASM_OP_MEMORY_ATOMIC_WAIT32 ||
      op == WASM_OP_MEMORY_ATOMIC_WAIT64) {
    lower_wait_notify(lf, in);
    return true;
  }
  unsigned size = access_size(in);
  LLVMTypeRef mty = int_type(lm, size);
  if (is_load(op)) {
    LLVMValueRef addr = atomic_address(lf, in, lower_pop(lf), size);
    LLVMValueRef v = LLVMBuildLoad2(lm->b, mty, addr, "");
    LLVMSetOrdering(v, SEQ);
    LLVMSetAlignment(v, size);
    lower_push(lf, widen(lm, v, result_type(lm, in)));
    return true;
  }
  if (is_store(op)) {
    LLVMValueRef value = lower_pop(lf);
    LLVMValueRef addr = atomic_address(lf, in, lower_pop(lf), size);
    LLVMValueRef st = LLVMBuildStore(lm->b, narrow(lm, value, mty), addr);
    LLVMSetOrdering(st, SEQ);
    LLVMSetAlignment(st, size);
    return true;
  }
  LLVMAtomicRMWBinOp bin;
  if (rmw_op(op, &bin)) {
    LLVMValueRef value = lower_pop(lf);
    LLVMTypeRef rty = LLVMTypeOf(value);
    LLVMValueRef addr = atomic_address(lf, in, lower_pop(lf), size);
    LLVMValueRef old =
        LLVMBuildAtomicRMW(lm->b, bin, addr, narrow(lm, value, mty), SEQ, false);
    LLVMSetAlignment(old, size);
    keep_access(lm, old);
    lower_push(lf, widen(lm, old, rty));
    return true;
  }
  if (is_cmpxchg(op)) {
    /* The narrow forms compare the loaded bytes with `expected` wrapped
     * to the access width, and store `replacement` wrapped likewise. */
    LLVMValueRef repl = lower_pop(lf);
    LLVMValueRef expected = lower_pop(lf);
    LLVMTypeRef rty = LLVMTypeOf(repl);
    LLVMValueRef addr = atomic_address(lf, in, lower_pop(lf), size);
    LLVMValueRef pair = LLVMBuildAtomicCmpXchg(
        lm->b, addr, narrow(lm, expected, mty), narrow(lm, repl, mty), SEQ, SEQ,
        false);
    LLVMSetAlignment(pair, size);
    keep_access(lm, pair);
    LLVMValueRef old = LLVMBuildExtractValue(lm->b, pair, 0, "");
    lower_push(lf, widen(lm, old, rty));
    return true;
  }
  snprintf(lf->err, sizeof lm->err,
           "internal error: %s is not a threads instruction",
           wasm_opinfos[op].text);
  return false;
}
