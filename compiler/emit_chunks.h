/* emit_chunks.h: compiling a large module in chunks, on several threads.
 *
 * The defined functions are split into contiguous ranges of function
 * indices ("chunks") of about chunk_size bytes of Wasm code each; the
 * partition depends only on the module and chunk_size, never on the number
 * of threads, so the object is the same whatever -j is. Each chunk is
 * lowered into its own LLVM context and module and emitted by a worker
 * with its own target machine; the descriptor is one more job. The
 * objects are joined into one relocatable object (`cc -r`), so callers
 * see a single object as for an unchunked module. A module of one chunk
 * or less is compiled whole by emit_wasm_module (no cross-chunk losses).
 */
#ifndef WASMC_EMIT_CHUNKS_H
#define WASMC_EMIT_CHUNKS_H

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

/* emit_wasm_module for a module of two chunks or more: lowers and emits
 * the chunks and the descriptor on lo->jobs threads (t for the calling
 * one, clones of t for the others) and joins their objects with the
 * target's C driver into `path`, or into *out. Temporary objects go to a
 * private folder in $TMPDIR (else /tmp), removed on every path. false +
 * err on failure: the error of the first failing chunk in function order,
 * as the unchunked compile would report it. */
bool emit_chunked(emit_target *t, const wasm_module *wm,
                  const lower_options *lo, const char *path,
                  LLVMMemoryBufferRef *out, wasm_error *err);

#endif
