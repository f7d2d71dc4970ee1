/* keep_traps.h: out-of-bounds loads trap even when their value is unused.
 *
 * In guard-page mode a linear-memory load has no bounds compare: its fault
 * IS the trap. The optimiser deletes loads whose value is unused, and with
 * them the trap. So every memory load is emitted volatile and tagged
 * (keep_traps_tag, from lowering), and before the normal optimisation
 * pipeline emit.c calls keep_traps_release, which runs an early
 * simplification pipeline and then makes every tagged load
 * whose value is still used plain again, so that it optimises as usual;
 * only the loads left with no use stay volatile (and thus stay, and trap).
 * The reasoning and the remaining gap are in keep_traps.c.
 */
#ifndef WASMC_KEEP_TRAPS_H
#define WASMC_KEEP_TRAPS_H

#include <llvm-c/TargetMachine.h>
#include <stdbool.h>
#include <stddef.h>

#include "lower.h"

/* Lowering: `load` reads linear memory. In guard-page mode it becomes
 * volatile and tagged; in bounds-check mode (the compare traps whatever
 * happens to the load) it is left alone. Every memory load goes through
 * here (lower_memory.c, lower_simd.c). */
void keep_traps_tag(lower_module *lm, LLVMValueRef load);

/* Emission, before the default<On> pipeline. At -O0 the tagged loads stay
 * volatile (instruction selection folds dead values too, and speed does
 * not matter there); at -O1..-O3 the early pipeline runs and the tagged
 * loads that are still used become plain. Removes the tags. *simplified
 * tells whether the early pipeline ran (then the normal pipeline may skip
 * the module simplification it did; see emit.c). Returns false with a
 * message if a pass pipeline fails. Does nothing for a module without
 * tagged loads. */
bool keep_traps_release(LLVMModuleRef m, LLVMTargetMachineRef tm,
                        int opt_level, bool *simplified, char *err,
                        size_t errsz);

/* Emission, after the optimisation pipeline, at -O1..-O3: makes volatile
 * every load keep_traps_release tagged as a Wasm access (guard-page
 * modules only; nothing to do with --bounds-checks) some of whose bits
 * do not matter, so that code generation cannot narrow it to fewer bytes
 * and miss the out-of-bounds fault of its last ones (keep_traps.c). */
void keep_traps_whole_loads(LLVMModuleRef m);

/* Emission, on targets with splat_narrows_volatile_loads, at every -O:
 * each volatile Wasm v128 access (tagged as above) that feeds a shuffle
 * goes through an empty inline asm (constraint `asm_reg`, the target's
 * vector register class), so instruction selection cannot fold it into a
 * narrower load. */
void keep_traps_opaque_vector_loads(LLVMModuleRef m, const char *asm_reg);

/* Emission, on targets with cmov_unfolds_volatile_loads, at every -O:
 * each volatile integer Wasm access that is a select's true or false
 * value goes through an empty inline asm (constraint `asm_reg`, the
 * general-purpose registers), so instruction selection cannot fold it
 * into a conditional move that a later pass turns into a branch around
 * the load. */
void keep_traps_opaque_select_loads(LLVMModuleRef m, const char *asm_reg);

#endif
