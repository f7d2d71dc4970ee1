/* wasmrt.h: the embedding API of the wasmc runtime (libwasmrt).
 *
 * A host program loads modules compiled by wasmc (shared objects built
 * with `wasmc compile --shared`), instantiates them with imports, looks up
 * exports and calls functions. A trap inside Wasm code never takes the
 * host down: the call returns false with the trap's code and message, and
 * the process keeps going.
 *
 * Threading: an instance is used by one thread at a time. Threads share
 * a shared memory by each instantiating the module (or modules) that
 * import it: one instance per thread, one memory for all. Traps are
 * delivered by signal handlers (installed once, on first instantiation)
 * that only claim faults inside a guard region while Wasm code runs on the
 * faulting thread; any other fault is re-raised as the crash it is.
 */
#ifndef WASMRT_H
#define WASMRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmrt_abi.h"

typedef struct wasmrt_module wasmrt_module;
typedef struct wasmrt_instance wasmrt_instance;

/* Why an operation failed: a trap (code != NONE) or another error
 * (link error, bad module...) with a message. */
typedef struct {
  wasmrt_trap_code trap;  /* WASMRT_TRAP_NONE for non-trap errors */
  uint32_t func_index;    /* Wasm function the trap happened in, or UINT32_MAX */
  char message[512];      /* e.g. "integer divide by zero in function $fac (func[3])" */
} wasmrt_error;

const char *wasmrt_trap_message(wasmrt_trap_code code); /* spec wording */
/* The Wasm call stack of the last trap on this thread, innermost first,
 * one line per frame after a heading ("" when no frame could be walked:
 * functions without unwind tables, i.e. an executable built without -g),
 * each with its source location, "(FILE:LINE)", when its object has a
 * DWARF line table (runtime/README.md "Backtraces"). The locations are
 * read on the first call after the trap: make it before unloading the
 * module. Valid until this thread's next trap. */
const char *wasmrt_trap_backtrace(void);

/* ---- modules ------------------------------------------------------------- */

/* dlopen a shared object produced by `wasmc compile --shared` and check
 * its descriptor (ABI version, target) and that this machine has the CPU
 * features its code needs (a module built with --cpu/--features beyond
 * the baseline: otherwise NULL, the message naming the missing ones). */
wasmrt_module *wasmrt_module_load(const char *path, wasmrt_error *err);
/* A module whose descriptor is linked into the program (executables);
 * the same checks. */
wasmrt_module *wasmrt_module_from_desc(const wasmrt_module_desc *desc,
                                       wasmrt_error *err);
const wasmrt_module_desc *wasmrt_module_descriptor(const wasmrt_module *m);
/* Frees the module; its instances must be freed first. */
void wasmrt_module_free(wasmrt_module *m);

/* ---- externals: what imports bind to and exports give ------------------- */

typedef struct wasmrt_extern {
  uint32_t kind; /* WASMRT_EXTERN_* */
  union {
    wasmrt_funcref *func;
    wasmrt_table *table;
    wasmrt_memory *memory;
    wasmrt_global *global;
    wasmrt_tag *tag;
  } of;
} wasmrt_extern;

/* Host functions. The callback reads params from vals[0..nparams) and
 * writes results to vals[0..nresults). Returning false traps the calling
 * Wasm code with WASMRT_TRAP_HOST and the message written to msg. */
typedef bool (*wasmrt_host_callback)(void *env, wasmrt_val *vals,
                                     char *msg, size_t msg_size);
wasmrt_host_func *wasmrt_host_func_new(const uint8_t *params, uint32_t nparams,
                                       const uint8_t *results, uint32_t nresults,
                                       wasmrt_host_callback cb, void *env);
void wasmrt_host_func_free(wasmrt_host_func *hf);
/* The funcref of a host function, for binding it to an import. */
wasmrt_extern wasmrt_host_func_extern(wasmrt_host_func *hf);

/* Standalone host objects (e.g. the spec tests' `spectest` module). */
wasmrt_memory *wasmrt_memory_new(uint64_t min_pages, uint64_t max_pages, bool has_max,
                                 wasmrt_error *err);
/* A shared memory (threads: `(memory min max shared)`, which needs a
 * maximum); importable only by imports declared shared. It is used by
 * several instances, typically one per thread; it must outlive them. */
wasmrt_memory *wasmrt_shared_memory_new(uint64_t min_pages, uint64_t max_pages,
                                        wasmrt_error *err);
bool wasmrt_memory_is_shared(const wasmrt_memory *mem);
void wasmrt_memory_free(wasmrt_memory *mem);
/* Tables of WASMRT_FUNCREF, WASMRT_EXTERNREF or WASMRT_ANYREF (GC);
 * globals of any flat code. One of anyref or externref keeps the objects
 * it holds alive until it is freed. */
wasmrt_table *wasmrt_table_new(uint8_t elem_type, uint32_t min, uint32_t max,
                               bool has_max, wasmrt_error *err);
/* A table with 64-bit indices (table64), importable only as one. */
wasmrt_table *wasmrt_table_new64(uint8_t elem_type, uint64_t min, uint64_t max,
                                 bool has_max, wasmrt_error *err);
void wasmrt_table_free(wasmrt_table *t);
wasmrt_global *wasmrt_global_new(uint8_t type, bool mutable_, wasmrt_val value);
void wasmrt_global_free(wasmrt_global *g);

/* Exception tags made by the host (to give a module that imports a tag):
 * a tag of payload types params[0..nparams). Each call makes a new tag,
 * distinct from every other. */
wasmrt_tag *wasmrt_tag_new(const uint8_t *params, uint32_t nparams);
void wasmrt_tag_free(wasmrt_tag *tag);

/* ---- exceptions ------------------------------------------------------------
 * A Wasm exception that no Wasm handler catches ends the wasmrt_call that
 * ran it: false, err->trap == WASMRT_TRAP_UNCAUGHT_EXCEPTION, message
 * "uncaught exception". It stays the thread's pending exception until the
 * next wasmrt_call.
 *
 * Exceptions cross host frames: when a host callback (Wasm -> host) calls
 * back into Wasm and that call ends with an uncaught exception, the
 * callback just returns false, as for any failure; the exception then
 * goes on from the Wasm code that called the host function, and its
 * handlers may catch it. A callback may also throw one of its own with
 * wasmrt_exception_raise and return false. A callback that returns true
 * has handled the exception: it is dropped. Traps are never exceptions:
 * no Wasm handler sees them. */

/* The calling thread's pending exception (NULL when none): its tag
 * (wasmrt_exn.tag, compare with the tags of exports) and payload
 * (vals[0..nvals), types as the tag's parameters). Valid until the next
 * wasmrt_call on this thread. */
const wasmrt_exn *wasmrt_exception_pending(void);
/* From a host callback: makes an exception of `tag` with payload
 * vals[0..tag's parameter count) the pending one; return false from the
 * callback to throw it into the calling Wasm code. false when out of
 * memory. */
bool wasmrt_exception_raise(wasmrt_tag *tag, const wasmrt_val *vals);

/* ---- instances ----------------------------------------------------------- */

/* imports[i] binds the module's i-th import (in descriptor order); kinds
 * and types are checked as the spec's linking rules say (function
 * signature equality, table/memory limits subtyping, global type and
 * mutability). Runs element/data initialisation and the start function;
 * a trap there fails instantiation (err->trap set). */
wasmrt_instance *wasmrt_instantiate(wasmrt_module *m, const wasmrt_extern *imports,
                                    uint32_t nimports, wasmrt_error *err);
void wasmrt_instance_free(wasmrt_instance *inst);

/* Export lookup by name (len-counted, names may contain NUL). */
bool wasmrt_instance_export(wasmrt_instance *inst, const char *name, size_t len,
                            wasmrt_extern *out);

/* Call a function. vals holds the params on entry and the results on
 * return; it needs max(nparams, nresults) entries. false + err on a trap
 * (the instance stays usable) or on a signature mismatch. */
bool wasmrt_call(wasmrt_instance *inst, wasmrt_funcref *fn, wasmrt_val *vals,
                 uint32_t nvals, wasmrt_error *err);

/* Signature of a function reference (from the canonical type registry). */
const wasmrt_functype_desc *wasmrt_funcref_type(const wasmrt_funcref *fn);

/* ---- GC (Wasm 3.0) ---------------------------------------------------------
 * References of the any and extern hierarchies are words as
 * wasmrt_abi.h "Garbage collection" says, in a wasmrt_val's `ref`. What
 * Wasm code returns may be null, a host value, an i31 (an odd word) or a
 * GC object of the calling thread's heap (a word that is 2 mod 4). The
 * host may pass as an anyref or externref (wasmrt_call's parameters, a
 * host callback's results, wasmrt_global_new's value):
 *   - NULL;
 *   - a value of its own, which must be a multiple of 4;
 *   - any word it got from Wasm code on this thread, passed back as it
 *     is: an i31, or an object that is still alive.
 * wasmrt_call refuses (an error, nothing runs) an odd word above 2^32,
 * which no i31 is, and a host callback's such result fails the call as a
 * host trap; a host value that is 2 mod 4 cannot be told from an object
 * and is the host's bug. Objects are collected when no Wasm code,
 * global, table, element segment, exception or handle holds them: a
 * host that keeps a returned object beyond its next call into Wasm must
 * hold a handle. */

/* What a reference word is. */
typedef enum {
  WASMRT_REF_NULL = 0,
  WASMRT_REF_I31,    /* wasmrt_ref_i31_value gives its value */
  WASMRT_REF_STRUCT, /* a GC struct */
  WASMRT_REF_ARRAY,  /* a GC array */
  WASMRT_REF_HOST,   /* a host value (an externref the host made) */
} wasmrt_ref_kind;
wasmrt_ref_kind wasmrt_ref_kind_of(const void *ref);
int32_t wasmrt_ref_i31_value(const void *ref, bool sign_extend);

/* Handles: the object stays alive until the handle is released. A handle
 * of a non-object (NULL, i31, host value) is valid and holds nothing.
 * NULL when out of memory. Handles belong to the thread that made them. */
typedef struct wasmrt_ref_handle wasmrt_ref_handle;
wasmrt_ref_handle *wasmrt_ref_hold(void *ref);
void *wasmrt_ref_handle_get(const wasmrt_ref_handle *h);
void wasmrt_ref_release(wasmrt_ref_handle *h);

/* The most bytes the GC heap of each thread may take (its blocks; default
 * WASMRT_GC_DEFAULT_HEAP_LIMIT): an allocation that cannot fit after a
 * collection traps "out of memory". Applies to heaps made after the call
 * and to the calling thread's own. 0 is refused (false). */
#define WASMRT_GC_DEFAULT_HEAP_LIMIT (1ull << 30)
bool wasmrt_gc_set_heap_limit(uint64_t bytes);
uint64_t wasmrt_gc_heap_limit(void);
/* Collects the calling thread's heap now. */
void wasmrt_gc_collect(void);
typedef struct {
  uint64_t heap_bytes;    /* bytes of blocks in use */
  uint64_t live_bytes;    /* bytes of objects marked by the last collection
                             (as stored: size-class cells, whole blocks for
                             objects above 32 KiB) */
  uint64_t allocated;     /* objects allocated, ever */
  uint64_t collections;   /* collections run */
  uint64_t handles;       /* handles held */
} wasmrt_gc_stats;
void wasmrt_gc_get_stats(wasmrt_gc_stats *out);

#endif
