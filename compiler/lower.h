/* lower.h: state shared by the lowering passes (Wasm -> LLVM IR).
 *
 * The back end (codegen.c) makes a lower_module per Wasm module, or per
 * chunk of its functions, lowers each defined function with
 * lower_function and the descriptor with lower_descriptor, then emits the
 * LLVM module. lower.c makes the module: context, common types (and
 * lower_valtype, lower_const_*), one function type per Wasm type, the
 * declarations of the defined functions and of the runtime entry points
 * of runtime/wasmrt_abi.h. lower_func.c lowers one body (the operand
 * stack held at compile time as LLVMValueRefs) and holds the helpers the
 * families share; lower_desc.c emits the descriptor, entry trampolines and
 * host adapters. Each instruction family is lowered by its own file:
 *   lower_control.c   nop, block, loop, if, br, br_if, br_table, return,
 *                     unreachable, select, drop
 *   lower_call.c      call, call_indirect, ref.func/ref.null/ref.is_null
 *   lower_variable.c  locals, globals
 *   lower_numeric.c   constants, integer and float arithmetic,
 *                     comparisons, conversions (saturating ones included)
 *   lower_memory.c    loads, stores, memory.size/grow, bulk memory, data.drop
 *   lower_table.c     table.* and elem.drop
 *   lower_simd.c      SIMD128
 *   lower_atomic.c    threads: atomic loads/stores/RMW/cmpxchg, fence,
 *                     memory.atomic.wait32/64 and notify
 *   lower_exn.c       exception handling: throw, throw_ref, try_table,
 *                     and the legacy try/catch/catch_all/delegate/rethrow
 *   lower_gc.c        GC: struct.*, array.*, i31, ref.eq, ref.test,
 *                     ref.cast (br_on_cast* in lower_control.c with its
 *                     test), extern/any conversions, inline allocation
 * and lower_roots.c keeps the shadow stack of GC roots (wasmrt_abi.h):
 * a frame per function that holds references across a call or an
 * allocation, stored into at each such point.
 * A family function returns false only on an internal error (an LLVM
 * failure or an unsupported instruction), with a message in lf->err.
 */
#ifndef WASMC_LOWER_H
#define WASMC_LOWER_H

#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>
#include <stdbool.h>
#include <stdint.h>

#include "wasmrt_abi.h"
#include "target.h"
#include "wasm.h"

typedef struct {
  bool bounds_checks; /* explicit bounds compares instead of guard pages */
  /* -g: DWARF for the generated code (lower_debug.c): a subprogram per
   * function, named as the name section names it, and each instruction's
   * line the byte offset of its Wasm instruction in the module file; and
   * unwind tables in every function (backtraces, debuggers). */
  bool debug_info;
  /* -g and the module carries DWARF of its own source (dwarf_read): then
   * its functions get their source files, lines, variables and types
   * instead (lower_debug.c). NULL: Wasm offsets only. Read once per
   * module, shared by the chunks (read only). */
  const struct dwarf_info *dwarf;
  /* Frame pointers in every Wasm function (-O0 -g): on x86_64, tailcc's
   * callee pops 8 bytes its caller re-reserves right after the call,
   * which the CFI LLVM emits does not describe, so a debugger that stops
   * at a return address (gdb's finish, next over a call) computes the
   * caller's frame 8 bytes off and loses it; a frame pointer makes the
   * frame independent of the stack pointer. */
  bool frame_pointers;
  /* No pass will promote the locals' allocas (-O0): variables that live
   * in Wasm locals are described by the allocas themselves (a location
   * given as an SSA value does not survive -O0's instruction selection);
   * otherwise by the values the locals take (lower_debug.c). */
  bool locals_in_memory;
  /* Executables: launcher arguments to bake in (WASMC_LAUNCHER_ARGS_SYMBOL
   * layout, final empty string included), or NULL. */
  const char *launcher_args;
  size_t launcher_args_size;
  /* Compiling in chunks (codegen.h): bytes of Wasm code per chunk
   * (0 = EMIT_CHUNK_SIZE_DEFAULT), and threads (0 = the online CPUs, at
   * most EMIT_JOBS_MAX). The partition depends on chunk_size only, so
   * the object does not depend on jobs. */
  uint32_t chunk_size;
  unsigned jobs;
  /* Not the lowering's but the back end's (codegen.h): where the time
   * went (--time-report), or NULL; and a progress line on stderr while a
   * module of several chunks compiles (the caller asks for it only when
   * stderr is a terminal). Neither changes the object. */
  struct codegen_report *report;
  bool progress;
  /* Nothing can unwind through the module's functions: it has no tags
   * (so it can neither throw nor make an exception), and everything it
   * imports is wasmc's own WASI host, which never throws (executables and
   * `wasmc run`; a shared object for an embedder may import functions of
   * other modules that throw). Its functions are then nounwind, and the
   * code generator emits no unwind tables for them (.eh_frame and
   * .eh_frame_hdr: 8.5 MB of the 122 MB clang module executable). */
  bool no_unwind;
} lower_options;

/* Runtime entry points declared in the LLVM module: RT_<ID> for each
 * entry X(ID, ...) of WASMRT_ENTRY_POINTS (wasmrt_abi.h). */
typedef enum {
#define LOWER_RT_ID(id, ...) RT_##id,
  WASMRT_ENTRY_POINTS(LOWER_RT_ID)
#undef LOWER_RT_ID
  RT_COUNT
} lower_rt;

typedef struct lower_module {
  const wasm_module *wm;
  lower_options opts;
  LLVMContextRef llctx;
  LLVMModuleRef mod;
  LLVMBuilderRef b;

  /* common types */
  LLVMTypeRef t_void, t_i1, t_i8, t_i16, t_i32, t_i64, t_f32, t_f64;
  LLVMTypeRef t_v128;  /* <2 x i64>, the canonical v128 */
  LLVMTypeRef t_ptr;   /* opaque pointer (address space 0) */

  LLVMTypeRef *fn_types;  /* LLVM function type per Wasm type index */
  /* How Wasm functions are called natively (target.h, lower_conv.c),
   * and the LLVM calling convention of every Wasm function, host
   * adapter and call of one that goes with it. */
  target_conv conv;
  unsigned wasm_cc;
  /* TARGET_CONV_TAILCC: results returned in registers, per class
   * (target_row.ret_gprs/ret_fprs); a type with more returns them all
   * through the spill area. */
  int ret_gprs, ret_fprs;
  /* Per function index; imports: NULL. Use lower_func_ref: in a chunk,
   * functions of other chunks are declared on first use. */
  LLVMValueRef *funcs;
  /* A chunk of the module (lower_module_new_chunk) defines the bodies of
   * functions [first, end) only; its defined functions are hidden
   * globals (wasmc.f<idx>, or NAME.wasm.<idx> when the name section
   * names them: lower.c func_symbol) so that the other chunks' objects
   * link to them. A whole module (chunked false) has them all, internal. */
  bool chunked;
  uint32_t first, end;

  LLVMValueRef rt[RT_COUNT];      /* runtime entry point declarations */
  LLVMValueRef personality;       /* wasmrt_personality, once needed */
  /* Set around a call inside an exception handler's scope: lower_wasm_call
   * builds an invoke unwinding to this landing pad instead of a call (and
   * continues in a new block). NULL: a plain call. */
  LLVMBasicBlockRef unwind_to;
  LLVMTypeRef rt_types[RT_COUNT];

  unsigned md_invariant; /* kind id of !invariant.load */
  unsigned md_nonnull;
  /* !tbaa access tags that tell LLVM a 64-bit memory's accesses never
   * touch the wasmrt_memory.size its bounds checks read (lower_memory.c):
   * kind id, and the tags for linear memory and for the size */
  unsigned md_tbaa;
  LLVMValueRef tbaa_linear, tbaa_memsize;
  /* -g (lower_debug.c): the DWARF builder, the .wasm file, the one
   * subroutine type, and the subprogram of the function being lowered
   * (NULL between functions). All NULL without -g. */
  LLVMDIBuilderRef di;
  LLVMMetadataRef di_file, di_fn_type, di_sp;
  /* With the module's own DWARF (lower_options.dwarf): the Code section's
   * contents offset (code addresses are relative to it), what is made of
   * its files and types (per index, on first use), the function being
   * lowered, and the state of its variables (lower_debug.c). */
  int dwarf_version; /* of the output (target_row.dwarf_version) */
  const struct dwarf_info *dw;
  uint32_t dw_code_start;
  LLVMMetadataRef *di_files, *di_types;
  uint8_t *di_type_busy;
  const struct dwarf_func *dw_func;
  uint32_t dw_prologue_end; /* code address of its prologue_end row, or 0 */
  struct lower_debug_var *dw_vars;
  LLVMValueRef dw_frame; /* alloca: the native address of the frame base */
  /* GC (lower_gc.c): struct layouts per type index, made on first use;
   * and whether the module can hold a GC object anywhere (any or extern
   * hierarchy types), so its functions keep shadow-stack frames
   * (lower_roots.c). */
  struct lower_gc_type *gc_types;
  bool gc_roots, gc_roots_known;
  /* Per function index (gc_roots modules): can a call of it collect?
   * It allocates, calls something unknown (an import, call_indirect,
   * call_ref) or a function that can; recursion alone does not
   * (lower_roots.c). NULL until first needed. */
  uint8_t *gc_may_collect;
  char err[256];
} lower_module;

/* A control frame of the function being lowered. */
typedef struct {
  uint16_t op;                  /* WASM_OP_BLOCK/LOOP/IF, or END for the body */
  uint32_t nparams, nresults;
  const wasm_vtype *params, *results;
  uint32_t height;              /* operand stack height below the params */
  LLVMBasicBlockRef target;     /* where a branch to this label goes:
                                   the loop header, or the end block */
  LLVMBasicBlockRef end;        /* continuation after `end` */
  LLVMBasicBlockRef else_block; /* `if` without its else lowered yet */
  LLVMValueRef *phis;           /* at `target`: loop params or block results */
  LLVMValueRef *end_phis;       /* at `end` (== phis except for loops) */
  LLVMValueRef *if_params;      /* `if` params, re-pushed at `else` */
  bool unreachable;             /* the rest of this frame is dead code */

  /* Exception handlers (lower_exn.c): a try_table, or a legacy try
   * while in its body, catches what is thrown inside (handler_active).
   * Everything that reaches it, a throw in this function or an unwind
   * from a call (the landing pad), arrives at `dispatch` with the
   * exception in exn_phi; both blocks are made on first use. */
  bool handler_active;
  LLVMBasicBlockRef lpad;       /* landing pad: the calls' unwind edge */
  LLVMBasicBlockRef dispatch;   /* compares tags, branches to a handler */
  LLVMValueRef exn_phi;         /* the exception, at dispatch */
  wasm_catch *catches;          /* try_table: its clauses (owned) */
  uint32_t ncatches;
  /* legacy try: the tag of exn_phi (loaded at the first catch), the
   * block testing the next catch clause, and whether the current catch
   * arm holds the exception (for rethrow; released at the arm's end) */
  LLVMValueRef exn_tag;
  LLVMBasicBlockRef next_test;
  bool arm_holds;
  /* The arm's hold call and every unhold of it: when nothing in the arm
   * rethrows its exception (arm_rethrown), the hold was not needed, and
   * at the arm's end they become one drop right after the payload loads
   * (lower_exn.c), so the exception does not live across the arm. */
  bool arm_rethrown;
  LLVMValueRef arm_hold_call;
  LLVMValueRef *unholds;
  uint32_t nunholds, unholds_cap;
} lower_frame;

typedef struct lower_func {
  lower_module *lm;
  uint32_t fidx;                /* Wasm function index */
  const wasm_functype *type;
  LLVMValueRef fn;
  LLVMValueRef vmctx;           /* first parameter */
  LLVMValueRef mem0_base;       /* loaded once in the entry block (32-bit
                                   memory 0 only) */
  LLVMValueRef *mem_bases;      /* per memory index: its base, loaded in
                                   the entry block on first use */
  uint32_t nlocals;             /* params + declared */
  LLVMValueRef *locals;         /* allocas (mem2reg promotes them) */
  wasm_vtype *local_types;

  LLVMValueRef *stack;          /* the operand stack, at compile time */
  uint32_t sp, stack_cap;
  lower_frame *frames;
  uint32_t nframes, frames_cap;
  uint32_t dead_depth;          /* >0: skipping unreachable code, nesting */
  LLVMBasicBlockRef trap_blocks[WASMRT_TRAP_COUNT]; /* shared cold blocks */
  char *err;                    /* = lm->err */
  bool tail;                    /* lowering a return_call*: calls are musttail */

  /* The shadow-stack frame (lower_roots.c), when the function has one:
   * the alloca (a placeholder until lower_roots_finish sizes it), the
   * roots word it replaced (to restore), the slot of each local that can
   * hold an object (UINT32_MAX: none), the slots used so far, the stores
   * and calls sized at the end, and the cleanup landing pad. */
  LLVMValueRef root_frame, root_prev;
  uint32_t *root_local_slot;
  uint32_t root_nlocal_slots, root_nslots;
  LLVMValueRef root_nslots_store, root_memset;
  LLVMBasicBlockRef root_cleanup;
  LLVMBasicBlockRef return_block; /* the body frame's end (it returns) */
  bool call_no_gc;              /* the call being lowered cannot collect */
} lower_func;

/* ---- helpers (lower_func.c) --------------------------------------------- */
LLVMValueRef lower_pop(lower_func *lf);
void lower_push(lower_func *lf, LLVMValueRef v);
/* Branch to the function's cold trap block for `code` when cond is true;
 * the builder continues in a fresh block where cond was false. */
void lower_trap_if(lower_func *lf, LLVMValueRef cond, wasmrt_trap_code code);
/* Unconditional trap (ends the current block). */
void lower_trap(lower_func *lf, wasmrt_trap_code code);
/* Load vmctx slot WASMRT_VMCTX_* (invariant slots get !invariant.load). */
LLVMValueRef lower_vmctx_slot(lower_func *lf, unsigned slot, bool invariant);
/* Call a runtime entry point with vmctx as the first argument. */
LLVMValueRef lower_call_rt(lower_func *lf, lower_rt rt, LLVMValueRef *args,
                           unsigned nargs);
/* Call a runtime helper returning a trap code and trap if it is not 0. */
void lower_call_rt_checked(lower_func *lf, lower_rt rt, LLVMValueRef *args,
                           unsigned nargs);
/* Where a call that may throw a Wasm exception (a Wasm function or a
 * host function) at this point unwinds to: the landing pad of the
 * innermost handler of the function (lower_exn.c), or NULL when the
 * exception would leave the function. For lm->unwind_to. */
LLVMBasicBlockRef lower_exn_unwind_dest(lower_func *lf);
/* Call an LLVM intrinsic by name, e.g. "llvm.ctlz" overloaded on types. */
LLVMValueRef lower_intrinsic(lower_func *lf, const char *name,
                             LLVMTypeRef *overloads, unsigned noverloads,
                             LLVMValueRef *args, unsigned nargs);

/* ---- lower_memory.c ------------------------------------------------------ */
/* Are accesses of memory mem compared with its size (a 64-bit memory, or
 * --bounds-checks), rather than left to fault in its guard region? Loads
 * of a checked memory need no keep_traps_tag. */
static inline bool lower_mem_checked(const lower_module *lm, uint32_t mem) {
  return lm->opts.bounds_checks || lm->wm->memories[mem].limits.is64;
}
/* Marks a load or store of linear memory mem (a 64-bit memory's only) as
 * disjoint from the memory sizes its bounds checks read. */
void lower_mem_access_tag(lower_module *lm, uint32_t mem, LLVMValueRef access);
/* Pointer to the `size` bytes an access of memory in->imm.mem.memory makes
 * at `index` + in->imm.mem.offset: base + zext(index) + offset with guard
 * pages (index an i32); for a checked memory (lower_mem_checked; index an
 * i64 for a 64-bit memory) it first traps MEMORY_OOB when index + offset +
 * size exceeds the memory's current size. */
LLVMValueRef lower_address(lower_func *lf, const wasm_instr *in,
                           LLVMValueRef index, unsigned size);
/* Named metadata present in a module whose memory 0 is shared. */
#define LOWER_MD_SHARED_MEMORY "wasmc.shared_memory"
/* Is memory mem shared (threads)? Its type says so exactly: imports of
 * shared memories must be declared shared. */
static inline bool lower_memory_shared(const lower_module *lm, uint32_t mem) {
  return mem < lm->wm->nmemories && lm->wm->memories[mem].limits.shared;
}

/* ---- instruction families ----------------------------------------------- */
bool lower_control(lower_func *lf, const wasm_instr *in);
bool lower_call(lower_func *lf, const wasm_instr *in);
bool lower_variable(lower_func *lf, const wasm_instr *in);
bool lower_numeric(lower_func *lf, const wasm_instr *in);
bool lower_memory(lower_func *lf, const wasm_instr *in);
bool lower_table(lower_func *lf, const wasm_instr *in);
bool lower_simd(lower_func *lf, const wasm_instr *in);
bool lower_atomic(lower_func *lf, const wasm_instr *in);
bool lower_exn(lower_func *lf, const wasm_instr *in);

bool lower_gc(lower_func *lf, const wasm_instr *in);

/* ---- GC (lower_gc.c, lower_roots.c) --------------------------------------- */
/* Struct or array type t's layout: field offsets as wasmrt_gc_layout
 * makes them (an array's one element at WASMRT_GC_ARRAY_DATA), the
 * object size, and the depth of its supertype chain (wasmrt_rtt.depth). */
typedef struct lower_gc_type {
  bool done;
  uint32_t obj_size, depth;
  uint32_t *offsets;
} lower_gc_type;
const lower_gc_type *lower_gc_layout(lower_module *lm, uint32_t t);
/* An i1: does reference v (an LLVM ptr holding a reference word) have
 * heap type ht, or is it null and `nullable`? For ref.test, ref.cast and
 * br_on_cast*. */
LLVMValueRef lower_gc_test(lower_func *lf, LLVMValueRef v, wasm_heaptype ht,
                           bool nullable);
/* This thread's wasmrt_gc (wasmrt_abi.h), an initial-exec TLS global as
 * the spill area is: the shadow stack's head and the bump runs. */
LLVMValueRef lower_gc_tls(lower_module *lm);
/* Can a value of Wasm type t be (or hold) a GC object? */
bool lower_gc_traceable(const lower_module *lm, wasm_vtype t);
/* Decides whether fidx needs a shadow-stack frame and, if so, makes and
 * links it; in the prologue, once the locals exist. */
void lower_roots_prologue(lower_func *lf);
/* Can a direct call of function fidx collect? (true outside gc_roots
 * modules' analysis: imports, and whenever unsure) */
bool lower_roots_may_collect(lower_module *lm, uint32_t fidx);
/* Before a call or an allocation that may collect: stores every
 * reference the function holds (locals that can hold objects, the
 * operand stack's references, and extra[n], values popped for the
 * operation) into the frame. Nothing without a frame. */
void lower_roots_safepoint(lower_func *lf, LLVMValueRef *extra, unsigned n);
/* Unlinks the frame (before return_call*, and a throw out of the
 * function). */
void lower_roots_unlink(lower_func *lf);
/* Where a call outside any handler unwinds to: a landing pad that
 * unlinks the frame and throws on; NULL without a frame, or when nothing
 * can unwind (lower_options.no_unwind). */
LLVMBasicBlockRef lower_roots_unwind_dest(lower_func *lf);
/* After the body: sizes the frame, unlinks it on the return path. */
void lower_roots_finish(lower_func *lf);

/* ---- shared between lower_control.c and lower_exn.c ---------------------- */
/* The frame of label `depth` (0: the innermost). */
lower_frame *lower_label(lower_func *lf, uint32_t depth);
/* Pushes a block-like frame (block, try, try_table) of block type bt. */
lower_frame *lower_begin_block(lower_func *lf, uint16_t op,
                               const wasm_blocktype *bt);
/* Branches from the current block to fr's label with vals (the label's
 * arity of them: a loop's params, else the results). */
void lower_branch_to(lower_func *lf, lower_frame *fr, LLVMValueRef *vals);
/* The current arm of fr (reachable) falls through to fr's end with its
 * results on top of the stack. */
void lower_fall_to_end(lower_func *lf, lower_frame *fr);
/* lower_control.c's `end` calls this first for a try, catch or
 * try_table frame, while the frame is still on the stack. */
void lower_exn_end(lower_func *lf, lower_frame *fr);
/* Does a branch to the label at `depth` leave a legacy catch arm that
 * holds its exception? Then lower_exn_release_arms, on the branch's
 * path, lets go of them (the exceptions are freed when nothing else
 * holds them). */
bool lower_exn_leaves_arm(lower_func *lf, uint32_t depth);
void lower_exn_release_arms(lower_func *lf, uint32_t depth);

/* ---- module level (lower.c, lower_desc.c) -------------------------------- */
/* The LLVM type of a Wasm value type (void for none), and integer
 * constants, in lm's context. */
LLVMTypeRef lower_valtype(lower_module *lm, wasm_vtype valtype);
LLVMValueRef lower_const_i32(lower_module *lm, uint32_t v);
LLVMValueRef lower_const_i64(lower_module *lm, uint64_t v);
/* Builds the LLVM module for a validated Wasm module. NULL + err on failure. */
lower_module *lower_module_new(const wasm_module *wm, const lower_options *opts,
                               const char *triple, wasm_error *err);
/* The LLVM module of one chunk: it will define the bodies of the defined
 * functions [first, end) (first == end: none, e.g. the chunk holding the
 * descriptor) and reference every other one by declaration. Each chunk
 * has its own LLVMContext, so chunks can be lowered in parallel. */
lower_module *lower_module_new_chunk(const wasm_module *wm,
                                     const lower_options *opts,
                                     const char *triple, uint32_t first,
                                     uint32_t end, wasm_error *err);
/* A call of a Wasm function (or host adapter) fn of type fnty with the
 * Wasm calling convention, args as the convention has them (ctx first);
 * musttail for return_call*. Only lower_conv.c builds such argument
 * lists: everything else calls lower_conv_call. */
LLVMValueRef lower_wasm_call(lower_module *lm, LLVMTypeRef fnty, LLVMValueRef fn,
                             LLVMValueRef *args, unsigned nargs, bool musttail);
/* The personality routine (WASMRT_PERSONALITY_SYMBOL), declared on
 * first use. */
LLVMValueRef lower_personality(lower_module *lm);
/* Makes `pad` (a block of fn) a catch-all landing pad for Wasm
 * exceptions, fn's personality the runtime's, and leaves the builder in
 * it after the exception pointer (wasmrt_exn *), which it returns. */
LLVMValueRef lower_catch_all_pad(lower_module *lm, LLVMValueRef fn,
                                 LLVMBasicBlockRef pad, const char *name);

/* ---- the native calling convention (lower_conv.c) ------------------------ */
/* Sets lm->conv, lm->wasm_cc and the return register counts from a
 * target's row. */
void lower_conv_init(lower_module *lm, const target_row *row);
/* The LLVM function type of Wasm type ft. */
LLVMTypeRef lower_conv_fn_type(lower_module *lm, const wasm_functype *ft);
/* Spill area slots (wasmrt_spill_area) a call of type ft needs. */
uint32_t lower_conv_spill_slots(const lower_module *lm, const wasm_functype *ft);
/* At the start of fn's entry block: its Wasm parameters, out[nparams]. */
void lower_conv_params(lower_module *lm, LLVMValueRef fn,
                       const wasm_functype *ft, LLVMValueRef *out);
/* Returns the Wasm results vals[nresults] from the current function. */
void lower_conv_return(lower_module *lm, const wasm_functype *ft,
                       LLVMValueRef *vals);
/* Calls fn (LLVM type fnty, Wasm type ft) with ctx and the Wasm arguments
 * args[nparams]. Ordinary: the Wasm results in results[nresults].
 * musttail (return_call*): a guaranteed tail call, and the current block
 * is ended by returning what it returns (results unused). */
void lower_conv_call(lower_module *lm, const wasm_functype *ft,
                     LLVMTypeRef fnty, LLVMValueRef fn, LLVMValueRef ctx,
                     LLVMValueRef *args, bool musttail, LLVMValueRef *results);
/* The LLVM function of defined function fidx (declared here if needed). */
LLVMValueRef lower_func_ref(lower_module *lm, uint32_t fidx);
/* The most locals (parameters included) a function may have to be
 * compiled: an implementation limit, the one Web engines have (the JS
 * API's 50000), so modules made for the Web meet it. The lowering makes
 * an alloca and a store per local, while a local declaration of 2^32-1 of
 * them takes six bytes: without a limit, a small valid module asked for
 * gigabytes (and a count near 2^32 plus the parameters overflowed). */
#define LOWER_MAX_LOCALS 50000u

/* Lowers the body of defined function fidx, which must be in the module's
 * range (all of them for a whole module). A function with more than
 * LOWER_MAX_LOCALS locals is refused ("implementation limit"). */
bool lower_function(lower_module *lm, uint32_t fidx, wasm_error *err);
/* The descriptor (WASMRT_MODULE_SYMBOL), entry trampolines and host
 * adapters. cpu_features/cpu_built_with: the descriptor's fields of those
 * names (NULL for a baseline build; wasmrt_abi.h). */
bool lower_descriptor(lower_module *lm, const char *cpu_features,
                      const char *cpu_built_with, wasm_error *err);
void lower_module_free(lower_module *lm);

/* lower_debug.c: DWARF for the generated code (-g); each a no-op without
 * lower_options.debug_info. begin: the compile unit (new_module); function:
 * fidx's subprogram on fn, and its first line as the current one;
 * prologue: its variables, once the locals exist (params: the values the
 * parameters arrived with); at: the line of the Wasm instruction at
 * `offset` (a file offset) for what is built next; local_set: Wasm
 * local idx just took value v; end_function: no line for
 * what follows; finish: the builder's work done (before emit_module);
 * free: anything left (lower_module_free). */
void lower_debug_begin(lower_module *lm);
void lower_debug_function(lower_module *lm, uint32_t fidx, LLVMValueRef fn);
void lower_debug_prologue(lower_func *lf, LLVMValueRef *params);
void lower_debug_at(lower_func *lf, uint32_t offset);
void lower_debug_local_set(lower_func *lf, uint32_t idx, LLVMValueRef v);
void lower_debug_end_function(lower_func *lf);
void lower_debug_finish(lower_module *lm);
void lower_debug_free(lower_module *lm);

#endif
