/* target.h: the architectures wasmc generates code for, as a table.
 *
 * One row per supported architecture (target.c): its canonical triple,
 * baseline CPU and features, ABI, the LLVM initialisers and the C
 * compiler that links for it from another host. Adding an architecture
 * is one row (plus the runtime's port, runtime/arch.h). This is data and
 * name resolution only: target machines are emit.h's.
 */
#ifndef WASMC_TARGET_H
#define WASMC_TARGET_H

#include <stdbool.h>
#include <stddef.h>

/* How Wasm functions are called natively (see target.c for the facts
 * behind the choice per architecture). */
typedef enum {
  /* LLVM's tailcc: each Wasm type gets its natural prototype
   * R f(ctx, P...); the callee pops its stack arguments, so musttail
   * works between different prototypes. */
  TARGET_CONV_TAILCC,
  /* No tailcc in the backend: every Wasm function gets one uniform,
   * register-only prototype under LLVM's fastcc (ctx, 11 x i64,
   * 12 x double, 8 x float), values beyond those registers and results
   * beyond two registers go through the per-thread spill area
   * (wasmrt_spill_area). musttail with identical prototypes and no stack
   * arguments is what the backend can always honour. */
  TARGET_CONV_UNIFORM,
} target_conv;

typedef struct {
  const char *arch;     /* first component of the triple */
  const char *triple;   /* canonical triple for the short name */
  const char *cpu;      /* baseline CPU: runs on every machine of the arch */
  const char *features; /* baseline features (the Linux ABI's minimum) */
  const char *abi;      /* LLVM target ABI name, NULL = default */
  const char *cross_cc; /* C driver that links for it from another host */
  /* Added to the baseline features when cpu_features.c finds what a
   * --cpu/--features choice enables beyond the baseline: features of
   * LLVM's baseline CPU that some of LLVM's named CPUs lack, yet every
   * Linux machine of the architecture has (or user code cannot use);
   * left in, they would hide every other difference of such a CPU. */
  const char *probe_features;
  /* LLVM's lowering of ceil/floor/trunc/roundeven hands a signalling NaN
   * back unquieted (see emit.c's quiet_rounding_nans) */
  bool rounding_keeps_snan;
  /* The native calling convention of Wasm functions (lower_conv.c,
   * runtime/wasmrt_abi.h): both give guaranteed tail calls (return_call*
   * as musttail) between any two signatures, at every -O. */
  target_conv conv;
  /* TARGET_CONV_TAILCC: how many results LLVM 19's tailcc returns in
   * registers: integer-class values (i32, i64, references) and
   * float/vector-class ones (f32, f64, v128). With more, LLVM demotes the
   * return to a hidden pointer, which a musttail call cannot pass on
   * ("failed to perform tail call elimination on a call site marked
   * musttail"), so such a type returns its results through the spill
   * area instead (lower_conv.c). Measured with llc-19 on tailcc
   * prototypes; the limits are conservative where classes mix. */
  int ret_gprs, ret_fprs;
  /* LLVM 19 selects a load-and-replicate of one element (AArch64 ld1r)
   * for a splat shuffle of a volatile vector load, reading 4 of its 16
   * bytes, so an out-of-bounds v128.load near the memory's end did not
   * trap (tests/spec/wasmc/partial_oob_traps.wast, aarch64 -O0): such
   * loads are passed through an empty inline asm that the instruction
   * selector cannot see through (keep_traps_opaque_vector_loads). */
  bool splat_narrows_volatile_loads;
  /* LLVM 19's x86 instruction selection folds a volatile load that is a
   * select's value into the conditional move (`cmove (mem), reg`, which
   * always reads), and its cmov-to-branch conversion
   * (-x86-cmov-converter-force-mem-operand, on by default) then unfolds
   * it into a load on one side of a branch only: an out-of-bounds
   * `select (c) (i64.load ...)` returned the other value instead of
   * trapping (scripts/difffuzz seed 1000 module 18128, -O3;
   * tests/spec/wasmc/unused_load_traps.wast "select-load"). Such loads
   * go through an empty inline asm (keep_traps_opaque_select_loads). */
  bool cmov_unfolds_volatile_loads;
  /* relaxed SIMD's f32x4/f64x2.relaxed_madd/nmadd are fused (one rounding)
   * on this target: true where the baseline has vector or scalar FMA
   * (AArch64, RV64GC's D extension), false where it does not (x86-64's
   * SSE2), which then rounds the product and the sum (lower_simd.c).
   * Fixed per target, not per --cpu, so a module gives the same results
   * for every build for one architecture. */
  bool relaxed_madd_fused;
  /* The lowest LLVM code generation level (0 None .. 3 Aggressive) the
   * target is compiled at: -O0 keeps its unoptimised IR but codegen
   * runs at least at this level. AArch64 needs 1: at level None (the
   * fast register allocator) LLVM 19 reloads values spilled around a call
   * whose callee pops its stack arguments (tailcc, more arguments than
   * registers) with the stack pointer as it was before the pop, so they
   * read the wrong slots (tests/spec/wasmc/calls_stack_args.wast; it
   * crashed python.wasm built at -O0). Level Less uses the greedy
   * allocator, which places them right. */
  int min_codegen_level;
  /* The DWARF version of -g's debug information (0: 5). riscv64: 4,
   * because Debian 12's riscv64 ld (binutils 2.40) crashes (SIGSEGV)
   * linking an object whose DWARF 5 has range lists (.debug_rnglists,
   * DW_FORM_rnglistx: a compile unit of non-contiguous functions, as the
   * translation of a module's own DWARF makes) while x86_64's and
   * aarch64's ld of the same version link it. */
  int dwarf_version;
} target_row;

/* The row of an LLVM triple wasmc generates code for (NULL: the host),
 * or NULL when there is none. */
const target_row *target_of_triple(const char *triple);

/* The rows in table order (x86_64, aarch64, riscv64), e.g. for
 * `--print-targets`: i < emit_target_count(). */
size_t emit_target_count(void);
const target_row *target_at(size_t i);
const char *emit_target_arch_at(size_t i);   /* "aarch64" */
const char *emit_target_triple_at(size_t i); /* "aarch64-linux-gnu" */

/* Names of the supported targets, for help texts: "x86_64, aarch64,
 * riscv64" (the table's architectures in order). */
const char *emit_target_names(void);

/* The architecture of the machine wasmc runs on ("x86_64"): runtime/arch.h's
 * RT_ARCH_NAME. */
const char *target_host_arch(void);

/* The host's canonical triple (one of the supported ones), or NULL when
 * wasmc cannot generate code for this machine. */
const char *emit_host_triple(void);

/* The row for a user-given target name: a short architecture name
 * ("x86_64"), a Linux triple that starts with one ("aarch64-linux-gnu"),
 * or NULL (the host). The canonical triple goes to buf. NULL with a
 * message in err when wasmc does not support that target. */
const target_row *target_lookup(const char *name, char *buf, size_t bufsz,
                                char *err, size_t errsz);

/* target_lookup for callers that only want the triple: false with a
 * message in err when wasmc does not support that target. */
bool emit_resolve_triple(const char *name, char *buf, size_t bufsz,
                         char *err, size_t errsz);

#endif
