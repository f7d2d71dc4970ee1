/* ir_match.h: the small LLVM IR matchers that emit.c's passes share
 * (addr_nowrap.c, alias_families.c, cmp_loop.c, loop_parity.c,
 * quiet_nan.c, store_ifconv.c).
 */
#ifndef WASMC_IR_MATCH_H
#define WASMC_IR_MATCH_H

#include <stdbool.h>

#include <llvm-c/Core.h>

/* Whether v is an instruction with opcode op (false for NULL). */
static inline bool ir_is_op(LLVMValueRef v, LLVMOpcode op) {
  return v && LLVMIsAInstruction(v) && LLVMGetInstructionOpcode(v) == op;
}

/* The index of phi p's incoming value from block b, or -1. */
static inline int ir_incoming_index(LLVMValueRef p, LLVMBasicBlockRef b) {
  for (unsigned k = 0, n = LLVMCountIncoming(p); k < n; k++)
    if (LLVMGetIncomingBlock(p, k) == b)
      return (int)k;
  return -1;
}

/* fn over every function of m that has a body, the sum of what it
 * returns: how each pass walks a module. */
static inline unsigned ir_sum_over_defined(LLVMModuleRef m,
                                           unsigned (*fn)(LLVMValueRef f)) {
  unsigned n = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f))
      n += fn(f);
  return n;
}

#endif
