/* emit.h: from one LLVM module to native machine code (the emitter).
 *
 * An emit_target wraps one LLVM target machine: a supported target triple
 * (a row of the table in target.c), a CPU (the architecture's baseline by
 * default, `native` or a named CPU on request), extra features, PIC
 * relocation (the objects go into shared objects) and a codegen level.
 * emit_module() then gives a lowered module the target's triple and data
 * layout, optionally verifies it (and again after wasmc's IR passes),
 * optimises it with the new pass manager
 * ("default<O0..O3>") and writes an object file to a path or to memory.
 *
 * A target is independent of any module and can be reused for many
 * modules (the spec harness compiles hundreds with one), from one thread
 * at a time; emit_target_clone makes one for another thread.
 *
 * The emitter knows nothing of Wasm: a whole Wasm module goes through
 * codegen.h (emit_wasm_module), which lowers it, whole or in chunks, and
 * calls emit_module for each LLVM module. target.h (the table, target
 * names) comes with this header.
 */
#ifndef WASMC_EMIT_H
#define WASMC_EMIT_H

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stddef.h>

#include "target.h"

/* The revision of the generated code: raised whenever the same module,
 * options and LLVM would now give different code (a lowering fix, a new
 * scheme), so that `wasmc run`'s compile cache never serves code from an
 * older wasmc of the same version. 2: float arithmetic as plain LLVM
 * operations with quieted operands (quiet_nan.c). 3: table lookups without
 * wrap (addr_nowrap.c), conditional stores as selects (store_ifconv.c), a
 * memory base per access family (alias_families.c). 4: counter starts
 * whose parity LLVM can see (loop_parity.c). 5: conditional stores only
 * in innermost loops; byte-compare loops with a vector prefix
 * (cmp_loop.c). 6: a function of --chunk-size bytes or more compiles in
 * a chunk of its own (codegen.c). 7: no unwind tables for a module
 * without tags run by wasmc's WASI host (lower_options.no_unwind). 8: the
 * call-stack check a pure call until code generation, so that inlined
 * copies merge (stack_check.c). 9: no inliner before keep_traps'
 * release; a call whose result is not needed stays a call. 10:
 * default<O1>/<O2> without the module simplification prefix the early
 * pipeline has done (emit.c). 11: functions named by the name section
 * (NAME.wasm.IDX symbols, lower.c). */
#define EMIT_CODEGEN_REVISION 11

typedef struct {
  const char *triple;   /* "x86_64", "x86_64-linux-gnu", ...; NULL = host */
  const char *cpu;      /* NULL = baseline, "native" = this machine's CPU */
  const char *features; /* extra LLVM features, "+avx2,-sse4.2"; NULL = none */
  int opt_level;        /* 0..3 */
  bool verify;          /* LLVMVerifyModule before optimising, after
                           wasmc's IR passes and before code generation */
  bool emit_llvm;       /* write the optimised LLVM IR (text), not an object;
                           the module is then never compiled in chunks */
} emit_options;

typedef struct emit_target emit_target;

/* Creates a target machine; NULL with a message in err (unknown target,
 * CPU or opt level; `native` for a foreign architecture). */
emit_target *emit_target_new(const emit_options *o, char *err, size_t errsz);
/* A second target machine like t (same triple, CPU, features, level), for
 * another thread: an LLVM target machine is not shared between threads. */
emit_target *emit_target_clone(const emit_target *t, char *err, size_t errsz);
void emit_target_free(emit_target *t);

const char *emit_target_triple(const emit_target *t); /* canonical */
const char *emit_target_cpu(const emit_target *t);    /* resolved CPU name */
const char *emit_target_features(const emit_target *t);
/* The runtime-checkable CPU features (runtime/cpu_features.def) the code
 * may use beyond the architecture's baseline, comma-separated, and the
 * options that chose them ("--cpu x86-64-v3"), as recorded in the module
 * descriptor; both NULL when the target needs nothing beyond the
 * baseline (always so without --cpu/--features). */
const char *emit_target_cpu_required(const emit_target *t);
const char *emit_target_built_with(const emit_target *t);
/* The C compiler driver that links for this target ("cc" on the host,
 * e.g. "aarch64-linux-gnu-gcc" for a cross target). */
const char *emit_target_linker(const emit_target *t);
/* The target's architecture ("aarch64"), and whether it is this
 * machine's (then the code runs here; else under an emulator). */
const char *emit_target_arch(const emit_target *t);
bool emit_target_is_native(const emit_target *t);
/* Whether t writes LLVM IR (--emit-llvm) rather than objects. */
bool emit_target_emits_llvm(const emit_target *t);

/* Where emit_module's time went, for --time-report: seconds of wall
 * (CLOCK_MONOTONIC) and of the calling thread's CPU
 * (CLOCK_THREAD_CPUTIME_ID). optimise is everything between the lowering
 * and code generation (wasmc's IR passes, verification, LLVM's
 * default<On> pipeline); codegen is LLVM's object emission (instruction
 * selection, register allocation, the object file). */
typedef struct {
  double optimise_wall, optimise_cpu;
  double codegen_wall, codegen_cpu;
} emit_times;

/* Sets the module's triple and data layout, verifies it (if asked),
 * optimises it at the target's level, and emits an object file: to `path`
 * when non-NULL, else into *out (an LLVM memory buffer, freed by the
 * caller with LLVMDisposeMemoryBuffer). The module is modified (optimised)
 * but stays owned by the caller. When times is non-NULL, the time of each
 * phase is added to it. false + message in err on failure. */
bool emit_module(emit_target *t, LLVMModuleRef m, const char *path,
                 LLVMMemoryBufferRef *out, emit_times *times, char *err,
                 size_t errsz);

#endif
