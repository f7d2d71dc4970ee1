/* stack_check.h: the call-stack check every function starts with, written
 * as a pure call until code generation so that LLVM merges the copies
 * inlining makes (see stack_check.c). */
#ifndef WASMC_STACK_CHECK_H
#define WASMC_STACK_CHECK_H

#include <llvm-c/Core.h>

/* Lowering: at the builder's position, an i1 that is true when the stack
 * pointer is below `limit` (the vmctx's stack limit, an i64): the call
 * `wasmc.stack_low(limit)`, declared in m on first use. */
LLVMValueRef stack_check_low(LLVMModuleRef m, LLVMBuilderRef b,
                             LLVMValueRef limit);

/* Emission, after the optimisation pipeline and before code generation (at
 * every level): each remaining wasmc.stack_low call becomes the compare
 * of the stack pointer (llvm.stacksave) with its limit, and the
 * declaration goes. */
void stack_check_expand(LLVMModuleRef m);

#endif
