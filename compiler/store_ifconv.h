/* store_ifconv.h: a conditional store of a location just loaded becomes
 * an unconditional store of a select, so that loop bodies are straight
 * lines for the vectorisers (the reasoning is in store_ifconv.c).
 */
#ifndef WASMC_STORE_IFCONV_H
#define WASMC_STORE_IFCONV_H

#include <llvm-c/Core.h>

/* Emission at -O2/-O3, after keep_traps_release's early pipeline and
 * before the default<On> pipeline. Returns how many stores it moved. */
unsigned store_ifconv(LLVMModuleRef m);

#endif
