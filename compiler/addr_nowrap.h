/* addr_nowrap.h: i32 address arithmetic that provably does not wrap, so
 * that LLVM sees Wasm's memory accesses as the affine, consecutive
 * accesses they are (the reasoning is in addr_nowrap.c).
 */
#ifndef WASMC_ADDR_NOWRAP_H
#define WASMC_ADDR_NOWRAP_H

#include <stdbool.h>

#include <llvm-c/Core.h>

/* Emission, after keep_traps_release's early pipeline (locals are SSA
 * values then) and before the default<On> pipeline: marks `add i32 x, y`
 * (0 <= y <= 65536) nuw wherever an access of linear memory 0 at index x
 * is executed before it (earlier in its block, or in a dominating block).
 * Returns how many adds it marked. */
unsigned addr_nowrap_mark(LLVMModuleRef m);

/* The vmctx parameter of f (its first, a pointer), or NULL for a
 * declaration or a function without one: what the IR passes of emit.c
 * look at. */
LLVMValueRef addr_func_vmctx(LLVMValueRef f);

/* Whether v is the load of linear memory 0's base from the vmctx of the
 * function whose first parameter is vmctx (shared with alias_families.c). */
bool addr_is_mem0_base(LLVMValueRef v, LLVMValueRef vmctx);

/* The i32 index x of a load or store of memory 0 at base + zext(x)
 * [+ constant offset], or NULL (shared with loop_parity.c). */
LLVMValueRef addr_access_index(LLVMValueRef in, LLVMValueRef vmctx);

#endif
