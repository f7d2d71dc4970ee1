/* internal.h: libwasmrt's private structures and the functions its files
 * share. Nothing here is part of a contract: generated code sees only
 * wasmrt_abi.h and embedders only wasmrt.h. The public structs
 * (wasmrt_memory, wasmrt_table) are the first member of private ones so
 * that the runtime can keep facts the public layout has no room for
 * (whether a maximum was declared, whether a guard region exists). */
#ifndef WASMRT_INTERNAL_H
#define WASMRT_INTERNAL_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmrt.h"

#define WASMRT_API __attribute__((visibility("default")))

/* Address space for a 32-bit memory in guard mode: any base + zext(i32)
 * + u32 offset + access width (<= 16) lands inside it. */
#define WASMRT_GUARD_RESERVATION ((8ull << 30) + WASMRT_PAGE_SIZE)

/* ---- types.c: canonical types ---------------------------------- */
/* Register (or find) a signature; returns its canonical id. `owner` and
 * `entry` (may be NULL) remember a host->Wasm trampoline for that id. */
uint32_t rt_types_intern(const uint8_t *params, uint32_t np, const uint8_t *results,
                         uint32_t nr, const void *owner, wasmrt_entry_fn entry);
/* Canonical ids of all of a module's types into ids[0..ntypes), rec
 * group by rec group (d->typedefs), with `owner`'s entry trampolines.
 * false when out of memory. */
bool rt_types_intern_module(const wasmrt_module_desc *d, const void *owner, uint32_t *ids);
/* A descriptor's value type (module type indices) as a canonical one. */
uint32_t rt_vt_canon(uint32_t t, const uint32_t *ids);
/* Subtyping over canonical value types and over type ids. */
bool rt_vt_sub(uint32_t a, uint32_t b);
bool rt_type_sub(uint32_t sub, uint32_t super);
/* Is canonical value type t a reference of the any or extern hierarchy,
 * whose words may be GC objects (the collector must see them)? */
bool rt_vt_is_gc_ref(uint32_t t);
/* The run-time type of struct or array type `id` (GC), NULL for function
 * types. One per canonical id, made when its group is interned, never
 * freed. */
const wasmrt_rtt *rt_types_rtt(uint32_t id);
/* Forget every trampoline `owner` provided (its code is being unloaded). */
void rt_types_forget_owner(const void *owner);
/* An entry trampoline for the id, or NULL when no loaded module has one. */
wasmrt_entry_fn rt_types_entry(uint32_t id);
const wasmrt_functype_desc *rt_types_get(uint32_t id);

/* ---- module.c ------------------------------------------------------------ */
typedef struct rt_instance_list rt_instance_list;
struct wasmrt_module {
  void *dl;                       /* dlopen handle, NULL for linked-in descs */
  const wasmrt_module_desc *desc;
  uint32_t *type_ids;             /* canonical id per type index */
  const void *object_base;        /* dladdr base of the object with the code */
  uint32_t ncode;                 /* defined functions sorted by address */
  struct { uintptr_t addr; uint32_t index; } *code_sorted;
  wasmrt_instance *zombies;       /* failed instantiations kept alive (see instance.c) */
  wasmrt_module *next;            /* global list, for PC -> function lookups */
};
/* Which Wasm function contains pc (UINT32_MAX when unknown); *mod_out gets
 * its module. Not async-signal-safe: called after the longjmp. */
uint32_t rt_module_func_at(uintptr_t pc, const wasmrt_module **mod_out);
/* The function that starts exactly at `start` in a loaded module (its
 * index, and its module in *mod_out), or UINT32_MAX: a frame's function
 * start names a Wasm function only if it is one of theirs. */
uint32_t rt_module_func_exact(uintptr_t start, const wasmrt_module **mod_out);
void rt_module_add_zombie(wasmrt_module *m, wasmrt_instance *inst);

/* ---- cpu_check.c --------------------------------------------------------- */
/* false + err naming the missing features when this machine lacks a CPU
 * feature the module's code needs (desc->cpu_features); true at once for
 * a baseline build. */
bool rt_cpu_check(const wasmrt_module_desc *d, wasmrt_error *err);

/* ---- instance.c ---------------------------------------------------------- */
struct wasmrt_instance {
  wasmrt_vmctx vmctx;             /* first: generated code's view */
  wasmrt_module *module;
  wasmrt_funcref *own_funcs;      /* defined functions */
  wasmrt_funcref *host_binds;     /* imported host functions, re-bound to adapters */
  wasmrt_funcref **funcs;
  wasmrt_table **tables;
  wasmrt_memory **memories;
  wasmrt_global **globals;
  wasmrt_global *own_globals;
  uint32_t *elem_len;             /* per elem segment; 0 once dropped */
  void ***elem_items;             /* evaluated references per segment */
  uint8_t *data_dropped;          /* per data segment */
  wasmrt_tag **tags;              /* the tag index space (vmctx TAGS) */
  wasmrt_tag *own_tags;           /* defined tags */
  wasmrt_instance *next_zombie;
  /* GC */
  const wasmrt_rtt **rtts;        /* per type index (vmctx RTTS) */
  uint32_t *gc_globals;           /* defined globals of the any/extern */
  uint32_t ngc_globals;           /*   hierarchies (index - nimported) */
  uint8_t *elem_gc;               /* per elem segment: of those hierarchies */
  bool roots_registered;          /* instance_roots is a root provider */
};

/* ---- memory.c ------------------------------------------------------------ */
typedef struct {
  wasmrt_memory pub;
  bool has_max;
  bool guarded; /* reservation covers WASMRT_GUARD_RESERVATION */
  bool is64;    /* 64-bit addresses (memory64): never guarded, its
                   accesses are bounds-checked by generated code */
  bool shared;  /* threads: set once by rt_memory_make_shared, before any
                   other thread can see the memory */
  pthread_mutex_t grow_lock; /* shared memories: one grower at a time */
} rt_memory;
/* A memory of the given type; guarded applies to 32-bit memories only. */
wasmrt_memory *rt_memory_create(uint64_t min_pages, uint64_t max_pages, bool has_max,
                                bool is64, bool guarded, wasmrt_error *err);
static inline bool rt_memory_is64(const wasmrt_memory *m) {
  return ((const rt_memory *)m)->is64;
}
static inline bool rt_memory_has_max(const wasmrt_memory *m) {
  return ((const rt_memory *)m)->has_max;
}
static inline bool rt_memory_guarded(const wasmrt_memory *m) {
  return ((const rt_memory *)m)->guarded;
}
static inline bool rt_memory_shared(const wasmrt_memory *m) {
  return ((const rt_memory *)m)->shared;
}
/* Make a memory just created shared (it must have a maximum). */
void rt_memory_make_shared(wasmrt_memory *m);
/* The current size in bytes. Another thread may grow a shared memory at
 * any time: the runtime reads the size with this atomic load (which
 * pairs with the grower's store, after its pages are committed). */
static inline uint64_t rt_memory_size(const wasmrt_memory *m) {
  return __atomic_load_n(&m->size, __ATOMIC_ACQUIRE);
}
/* Grow by delta pages: old size in pages, or -1. */
int64_t rt_memory_grow(wasmrt_memory *m, uint64_t delta);
/* Signal handler side: is addr inside a registered guarded reservation? */
bool rt_memory_claims(uintptr_t addr);
/* Reservations should not be guarded (env WASMRT_NO_GUARD=1). */
bool rt_memory_no_guard_mode(void);

/* ---- table.c ------------------------------------------------------------- */
typedef struct {
  wasmrt_table pub;
  bool has_max;
  bool is64; /* 64-bit indices (table64) */
  bool gc_roots; /* a root provider (any or extern hierarchy) */
  pthread_mutex_t gc_lock; /* gc_roots: growing vs. the provider (table.c) */
} rt_table;
wasmrt_table *rt_table_create(uint32_t elem_type, uint64_t min, uint64_t max, bool has_max,
                              bool is64, void *init, wasmrt_error *err);
static inline bool rt_table_has_max(const wasmrt_table *t) {
  return ((const rt_table *)t)->has_max;
}
static inline bool rt_table_is64(const wasmrt_table *t) {
  return ((const rt_table *)t)->is64;
}
int64_t rt_table_grow(wasmrt_table *t, uint64_t delta, void *init);

/* ---- bulk.c -------------------------------------------------------------- */
/* [start, start + n) lies within [0, size), without overflow for any
 * 64-bit start and n. */
static inline bool rt_in_range(uint64_t start, uint64_t n, uint64_t size) {
  return n <= size && start <= size - n;
}

/* ---- trap.c: activations ------------------------------------------------- */
/* One activation per wasmrt_call on this thread; traps longjmp to the
 * innermost one. */
/* backtrace.c: at most this many native frames are walked at a trap, and
 * the text of the Wasm frames among them fits in RT_BACKTRACE_TEXT. */
#define RT_BACKTRACE_MAX 64
#define RT_BACKTRACE_TEXT 8192
typedef struct rt_activation {
  sigjmp_buf jb;
  struct rt_activation *prev;
  uint32_t trap;                 /* wasmrt_trap_code */
  uint32_t func_index;
  const wasmrt_module *module;   /* module of func_index, or NULL */
  uintptr_t fault_pc, fault_addr; /* hardware faults; fault_pc also for wasmrt_trap without vmctx (the module) */
  char host_msg[256];            /* WASMRT_TRAP_HOST */
  wasmrt_exn *exn;               /* WASMRT_TRAP_UNCAUGHT_EXCEPTION: which */
  /* The native stack when the trap was raised (backtrace.c): return
   * addresses, innermost first, the first exact for a fault. */
  uint32_t nframes;
  uintptr_t frames[RT_BACKTRACE_MAX];
} rt_activation;
rt_activation *rt_activation_top(void);
void rt_activation_push(rt_activation *a);
void rt_activation_pop(rt_activation *a);
/* Install the SIGSEGV/SIGBUS handler (once per process) and this thread's
 * alternate signal stack (once per thread). */
void rt_signals_init(void);
void rt_thread_init(void);
/* Raise a trap from runtime code: longjmps, never returns. */
_Noreturn void rt_raise(uint32_t code, uint32_t func_index, const wasmrt_module *m,
                        const char *host_msg);
/* Fill err from a finished activation. */
void rt_trap_to_error(const rt_activation *a, wasmrt_error *err);
/* backtrace.c: walk the native stack into a (before the longjmp; a
 * signal handler may call it), and name its Wasm frames for
 * wasmrt_trap_backtrace (after it). */
void rt_backtrace_capture(rt_activation *a);
void rt_backtrace_format(const rt_activation *a);

/* ---- debug_line.c: source locations for backtraces ----------------------- */
/* The load bias of the object containing pc (what its ELF addresses,
 * and addr2line's, are relative to): false when no object does. */
bool rt_debug_object_of(uintptr_t pc, uintptr_t *bias);
/* "FILE:LINE" for pc from the line table (.debug_line) of the object
 * loaded at bias that contains it, in out (n bytes, a long file cut at
 * the left); false when that object is gone, has no table, or the table
 * says nothing of pc. Reads and caches the table on first use. */
bool rt_debug_line_at(uintptr_t pc, uintptr_t bias, char *out, size_t n);
/* The same for an ELF image in memory and an address in its own terms,
 * uncached: for tests (tests/unit/test_debug_line.c). */
bool rt_debug_line_image(const void *img, size_t size, uint64_t addr, char *out,
                         size_t n);

/* ---- stack.c ------------------------------------------------------------- */
/* The stack limit generated prologues compare against, for this thread. */
uintptr_t rt_stack_limit(void);
/* Is addr in (or just below) this thread's stack: a stack overflow? */
bool rt_stack_claims(uintptr_t addr);

/* ---- host.c -------------------------------------------------------------- */
struct wasmrt_host_func {
  wasmrt_funcref ref;            /* code == NULL marks a host function */
  wasmrt_host_callback cb;
  void *env;
  uint32_t nparams, nresults;
  const uint8_t *results;        /* flat result codes (the type registry's) */
  bool gc_results;               /* a result is anyref or externref */
  bool gc_params;                /* a parameter is anyref or externref */
  const uint8_t *params;         /* the registry's copy of the params */
};
static inline bool rt_funcref_is_host(const wasmrt_funcref *f) {
  return f->code == NULL;
}
/* Is ctx of this funcref a wasmrt_vmctx? Funcrefs of Wasm functions carry
 * their function index; host functions, and imports bound to a module's
 * host adapter (ctx = the wasmrt_host_func), carry UINT32_MAX. */
static inline bool rt_funcref_is_wasm(const wasmrt_funcref *f) {
  return f->code != NULL && f->func_index != UINT32_MAX;
}
/* Run a host function's callback; false + message on failure. */
bool rt_host_invoke(wasmrt_host_func *hf, wasmrt_val *vals, char *msg, size_t size);

/* ---- exn.c: exceptions ----------------------------------------------------- */
/* The calling thread's pending exception: the last one that ended a
 * wasmrt_call uncaught (wasmrt_exception_pending), or one a host callback
 * raised (wasmrt_exception_raise). rt_exn_take_pending hands it over and
 * clears it. rt_exn_set_pending replaces it (dropping the old one). */
wasmrt_exn *rt_exn_take_pending(void);
void rt_exn_set_pending(wasmrt_exn *e);
/* Throws e from runtime code (wasmrt_call_host): unwinds into the Wasm
 * caller's handlers; never returns. */
_Noreturn void rt_exn_rethrow(wasmrt_exn *e);
/* Frees e unless it escaped into an exnref or is held. */
void rt_exn_drop(wasmrt_exn *e);

/* ---- embed.c ------------------------------------------------------------- */
/* wasmrt_call without the argument-count check (inst may be NULL). */
bool rt_invoke(wasmrt_instance *inst, wasmrt_funcref *fn, wasmrt_val *vals,
               wasmrt_error *err);
/* Flat codes (wasmrt_functype_desc, wasmrt_val arrays) whose values are
 * GC reference words. */
static inline bool rt_flat_is_gc(uint8_t code) {
  return code == WASMRT_ANYREF || code == WASMRT_EXTERNREF;
}
/* May the host hand word w to Wasm as an anyref or externref (wasmrt.h
 * "GC" says the rule)? */
bool rt_ref_word_ok(uintptr_t w);
/* The first of vals[0..n) of flat types codes[0..n) that breaks that
 * rule, or UINT32_MAX. */
uint32_t rt_bad_ref(const uint8_t *codes, uint32_t n, const wasmrt_val *vals);

/* ---- errors -------------------------------------------------------------- */
void rt_error(wasmrt_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
