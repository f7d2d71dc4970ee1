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
 * job. The objects are joined into one relocatable object (`cc -r`), so
 * callers see a single object as for an unchunked module.
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
 * in function order, as the unchunked compile would report it. */
bool emit_wasm_module(emit_target *t, const wasm_module *wm,
                      const lower_options *lo, const char *path,
                      LLVMMemoryBufferRef *out, wasm_error *err);

#endif
