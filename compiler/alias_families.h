/* alias_families.h: a copy of linear memory's base per family of
 * accesses, so that LLVM's loop vectoriser checks distinct arrays against
 * each other at run time instead of giving up on a loop the Wasm producer
 * unrolled (the reasoning is in alias_families.c).
 */
#ifndef WASMC_ALIAS_FAMILIES_H
#define WASMC_ALIAS_FAMILIES_H

#include <llvm-c/Core.h>

/* Emission at -O2/-O3, before the default<On> pipeline: in functions with
 * loops, rebases the accesses of memory 0 on one call
 * wasmc.mem0.family(base, K) per family when there are several. Returns
 * how many address computations it rebased. */
unsigned alias_families_split(LLVMModuleRef m);

/* After the pipeline, before code generation: every such call becomes the
 * base again, and the declaration goes. */
void alias_families_join(LLVMModuleRef m);

#endif
