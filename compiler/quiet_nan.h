/* quiet_nan.h: exact NaN semantics for float arithmetic that LLVM may still
 * optimise and vectorise (the reasoning is in quiet_nan.c).
 *
 * Lowering wraps each operand of fadd/fsub/fmul/fdiv, fpext/fptrunc and
 * the NaN path of min/max that may be a signalling NaN in
 * llvm.canonicalize (quiet_nan_operand). After the optimisation pipeline,
 * quiet_nan_finish removes every canonicalize whose use quiets in
 * hardware anyway and turns the few others into an operation instruction
 * selection cannot fold.
 */
#ifndef WASMC_QUIET_NAN_H
#define WASMC_QUIET_NAN_H

#include <llvm-c/Core.h>

#include "lower.h"

/* The operand x (f32, f64 or a vector of either) of an arithmetic
 * instruction, made safe against LLVM's identity folds (x*1.0 -> x, ...):
 * x itself when it cannot be a signalling NaN (the result of arithmetic,
 * a constant that is not one), the quieted constant for a signalling NaN
 * constant, else llvm.canonicalize(x). Only arithmetic may see the result:
 * loads, stores, locals, select and reinterpret keep the bits of x. */
LLVMValueRef quiet_nan_operand(lower_func *lf, LLVMValueRef x);

/* Emission, once locals are SSA values (after keep_traps_release's early
 * pipeline): removes every llvm.canonicalize whose operand cannot be a
 * signalling NaN, looking through phis (a loop-carried value fed only by
 * arithmetic is quiet). Returns how many it removed. */
unsigned quiet_nan_prune(LLVMModuleRef m);

/* Emission, after the optimisation pipeline and before code generation:
 * every llvm.canonicalize left in m is dropped from the uses that quiet a
 * NaN in hardware and cannot be folded to their operand by instruction
 * selection (arithmetic whose other operand is not an identity constant,
 * compares); for any other use it becomes a constrained multiplication by
 * 1.0 (which instruction selection keeps, and LLVM 19's x86 back end
 * cannot select llvm.canonicalize). keep_all: every canonicalize becomes
 * that multiplication, none is dropped: for unoptimised IR given to an
 * optimising code generator (aarch64 -O0, target.h's min_codegen_level),
 * whose selector forwards a constant stored to a local's stack slot to its
 * load and may then fold x*1.0 to x, a constant the IR does not show. */
void quiet_nan_finish(LLVMModuleRef m, bool keep_all);

#endif
