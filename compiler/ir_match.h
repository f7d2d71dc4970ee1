/* ir_match.h: the small LLVM IR matchers and helpers that emit.c's passes
 * share (addr_nowrap.c, alias_families.c, cmp_loop.c, loop_parity.c,
 * quiet_nan.c, stack_check.c, store_ifconv.c), and the lowering's
 * function attributes (lower.c).
 */
#ifndef WASMC_IR_MATCH_H
#define WASMC_IR_MATCH_H

#include <stdbool.h>
#include <string.h>

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

/* Adds the enum attribute `attr` (value 0) to function fn. */
static inline void ir_fn_attr(LLVMValueRef fn, const char *attr) {
  LLVMContextRef c = LLVMGetModuleContext(LLVMGetGlobalParent(fn));
  unsigned kind = LLVMGetEnumAttributeKindForName(attr, strlen(attr));
  LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                          LLVMCreateEnumAttribute(c, kind, 0));
}

/* The declaration `name` (type fty) in m, added on first use: a function
 * of its arguments alone (memory(none), the MemoryEffects value 0;
 * nounwind, willreturn, nosync, nofree; speculatable when asked), whose
 * calls the optimiser merges, hoists and deletes like arithmetic. wasmc's
 * placeholders, each replaced after the pipeline and never defined
 * (alias_families.c, stack_check.c). */
static inline LLVMValueRef ir_pure_decl(LLVMModuleRef m, const char *name,
                                        LLVMTypeRef fty, bool speculatable) {
  LLVMValueRef fn = LLVMGetNamedFunction(m, name);
  if (fn)
    return fn;
  fn = LLVMAddFunction(m, name, fty);
  static const char *const attrs[] = {"memory", "nounwind", "willreturn",
                                      "nosync", "nofree"};
  for (size_t k = 0; k < sizeof attrs / sizeof attrs[0]; k++)
    ir_fn_attr(fn, attrs[k]);
  if (speculatable)
    ir_fn_attr(fn, "speculatable");
  return fn;
}

#endif
