/* codegen.h: the back end for one validated Wasm module, to one object
 * (the driver of lower.h and emit.h; main.c and the spec harness call
 * it).
 *
 * A module of one chunk of code or less is lowered into one LLVM module
 * and emitted whole. A larger one is compiled in chunks, on several
 * threads: the defined functions are split into contiguous ranges of
 * function indices ("chunks") of about chunk_size bytes of Wasm code
 * each; the partition depends only on the module and chunk_size, never
 * on the number of threads, so the object is the same whatever -j is.
 * Each chunk is lowered into its own LLVM context and module and emitted
 * by a worker with its own target machine; the descriptor is one more
 * job. Workers take the jobs largest estimated cost first, so that the
 * threads finish together; only the order of work depends on that, not
 * the partition or the join. The objects are joined into one relocatable
 * object (`cc -r`) in function order, so callers see a single object as
 * for an unchunked module.
 */
#ifndef WASMC_CODEGEN_H
#define WASMC_CODEGEN_H

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stdint.h>

#include "emit.h"
#include "lower.h"
#include "wasm.h"

/* Bytes of Wasm code per chunk when lower_options.chunk_size is 0. */
#define EMIT_CHUNK_SIZE_DEFAULT (1024u * 1024u)
/* Threads when lower_options.jobs is 0: the online CPUs, at most this. */
#define EMIT_JOBS_MAX 8u

/* The number of chunks wm's defined functions split into (0 when it has
 * none); chunk_size 0 = EMIT_CHUNK_SIZE_DEFAULT. */
uint32_t emit_chunks_count(const wasm_module *wm, uint32_t chunk_size);

/* The estimated cost of compiling a function body of `bytes` bytes of
 * Wasm, in bytes: the body's size plus EMIT_COST_PER_FUNCTION. Fitted to
 * python.wasm at -O2 (each chunk's measured CPU time, --time-report):
 * ~16 s per MB of code plus ~2.2 ms per function, i.e. linear in size
 * up to its largest function (104 KiB); a size^1.3 weighting ranked
 * its chunks wrongly (the chunk of many small functions was the
 * costliest). Only orders the work; never decides the output. */
#define EMIT_COST_PER_FUNCTION 140u
uint64_t emit_cost_estimate(uint64_t bytes);

/* The slowest chunks a --time-report names. */
#define CODEGEN_REPORT_SLOWEST 5

/* Where emit_wasm_module's time went (lower_options.report; seconds,
 * wall = CLOCK_MONOTONIC, cpu = CLOCK_THREAD_CPUTIME_ID of the thread that
 * did the work). Filled by emit_wasm_module; zero it first. */
typedef struct codegen_report {
  /* Per phase, summed over the chunks and the descriptor (or for the
   * one module): lowering (building and freeing the IR), then
   * emit_module's optimise and codegen. */
  double lower_wall, lower_cpu;
  emit_times emit;
  /* In chunks: their number (0: compiled whole), the threads, the wall
   * time of the parallel part and the CPU time of all its threads, and
   * the join (`cc -r`: wall, and the CPU of the child process). */
  uint32_t chunks;
  unsigned threads;
  double parallel_wall, parallel_cpu;
  double join_wall, join_cpu;
  /* How long before the end of the parallel part the first thread ran
   * out of work (the imbalance the scheduling leaves). */
  double idle_tail;
  /* Estimated cost of all the chunks, and the slowest chunks by CPU. */
  uint64_t cost_total;
  uint32_t nslowest;
  struct {
    uint32_t chunk, first, end; /* functions [first, end) */
    uint64_t bytes;             /* of Wasm code */
    uint64_t cost;              /* estimated */
    double wall, cpu;           /* all three phases */
  } slowest[CODEGEN_REPORT_SLOWEST];
} codegen_report;

/* The whole back end for one validated module: lower_module_new,
 * lower_function for every defined function, lower_descriptor, then
 * emit_module (to `path`, or into *out). A module with more than one
 * chunk of code (lo->chunk_size) is compiled in chunks on lo->jobs
 * threads instead (t for the calling one, clones of t for the others),
 * its temporary objects in a private folder of $TMPDIR (else /tmp)
 * removed on every path, and comes out as one object all the same;
 * --emit-llvm (emit_target_emits_llvm) always compiles it whole.
 * false + err (a byte offset when
 * the lowering knows one) on failure, e.g. "not supported yet: ..." from
 * an unfinished family; in chunks, the error of the first failing chunk
 * in function order, as the unchunked compile would report it.
 * lo->report and lo->progress: see lower_options. */
bool emit_wasm_module(emit_target *t, const wasm_module *wm,
                      const lower_options *lo, const char *path,
                      LLVMMemoryBufferRef *out, wasm_error *err);

#endif
