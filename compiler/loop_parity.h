/* loop_parity.h: loops counting by K towards zero from a start whose
 * parity LLVM cannot see get a start it can (the reasoning, and why it is
 * exact, are in loop_parity.c).
 */
#ifndef WASMC_LOOP_PARITY_H
#define WASMC_LOOP_PARITY_H

#include <llvm-c/Core.h>

/* Emission at -O2/-O3, after addr_nowrap_mark and before the default<On>
 * pipeline. Returns how many loops it rewrote. */
unsigned loop_parity_fix(LLVMModuleRef m);

#endif
