/* cmp_loop.h: byte-compare loops (wasi-libc's memcmp) get a 16-byte
 * vector prefix where both ranges are in bounds (the reasoning is in
 * cmp_loop.c).
 */
#ifndef WASMC_CMP_LOOP_H
#define WASMC_CMP_LOOP_H

#include <llvm-c/Core.h>

/* Emission at -O2/-O3, after keep_traps_release's early pipeline and
 * before the default<On> pipeline. Returns how many loops it changed. */
unsigned cmp_loop_vectorise(LLVMModuleRef m);

#endif
