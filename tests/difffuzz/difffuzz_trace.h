/* difffuzz_trace.h: the trace format of the differential fuzzer
 * (scripts/difffuzz), shared by its two programs.
 *
 * difffuzz-run runs a module compiled by wasmc and writes a trace;
 * difffuzz-compare reads binaryen's `wasm-opt --fuzz-exec-before` log of
 * the same module and checks that the trace says the same. One line per
 * event:
 *   call NAME                 an export is about to be called
 *   log V...                  a fuzzing-support logging import was called
 *   result NAME V...          the export returned these values (no line
 *                             when it returns none)
 *   trap KIND                 a trap; KIND is one of TRACE_TRAP_KINDS
 *   exception                 a Wasm exception no handler caught
 *   error MESSAGE             anything else that went wrong (never in
 *                             binaryen's log, so always a mismatch)
 * Values are typed, so the comparison can be exact although binaryen's
 * text is not typed (it prints f32 42.0 as "42" and floats in JavaScript's
 * shortest form):
 *   i32:-5  i64:123         decimal
 *   f32:X   f64:X           X is C's exact hex float (%a) of the value (an
 *                           f32 through its double: exact), "inf",
 *                           "-inf", or "[-]nan:0xPAYLOAD" for a NaN
 *   v128:0xL0:0xL1:0xL2:0xL3  the four 32-bit lanes, low lane first
 *   funcref  externref  exnref  a reference prints as its type, as
 *                           binaryen prints reference results
 */
#ifndef DIFFFUZZ_TRACE_H
#define DIFFFUZZ_TRACE_H

/* The trap kinds (the spec's trap categories, one word each), with the
 * runtime's wasmrt_trap_code names. difffuzz-compare maps binaryen's
 * messages onto the same words. */
#define TRACE_TRAP_KINDS(X)                                                   \
  X(UNREACHABLE, "unreachable")                                              \
  X(MEMORY_OOB, "memory-oob")                                                \
  X(TABLE_OOB, "table-oob")                                                  \
  X(UNDEFINED_ELEMENT, "undefined-element")                                  \
  X(UNINITIALIZED, "uninitialized-element")                                  \
  X(INDIRECT_TYPE, "indirect-call-type")                                     \
  X(INT_DIV_ZERO, "divide-by-zero")                                          \
  X(INT_OVERFLOW, "integer-overflow")                                        \
  X(INVALID_CONVERSION, "invalid-conversion")                                \
  X(STACK_EXHAUSTED, "stack-exhausted")                                      \
  X(UNALIGNED_ATOMIC, "unaligned-atomic")                                    \
  X(NULL_FUNC_REF, "null-function-reference")                                \
  X(NULL_REF, "null-reference")

#endif
