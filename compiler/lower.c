/* lower.c: the LLVM module for one Wasm module.
 *
 * Creates the context and module, the common types, one LLVM function type
 * per Wasm type (the target's calling convention, lower_conv.c and
 * runtime/wasmrt_abi.h), declares every defined
 * function as `wasm_f<idx>`, or `NAME.wasm.<idx>` when the name section
 * names it (func_symbol; internal: the runtime reaches them only
 * through the descriptor's func_code table), and declares the runtime
 * entry points generated code calls, from their one list
 * (WASMRT_ENTRY_POINTS). Bodies are lowered by lower_function
 * (lower_func.c), the descriptor by lower_descriptor (lower_desc.c).
 *
 * lower_valtype and lower_const_* live here, with the common types they
 * hand out: every lowering file uses them, this one first (for the
 * function types), and they need a module, not a function being lowered.
 *
 * A chunk (codegen.c) is the same module with the bodies of a range of
 * functions only: its own functions are hidden globals `wasmc.f<idx>`
 * (or `NAME.wasm.<idx>`; hidden: the shared object or executable still
 * exports none of them; the dot: no C symbol of the runtime or launcher
 * can have that name),
 * and the other functions it calls, or the descriptor lists, are declared
 * under those names on first use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir_match.h"
#include "lower.h"
#include "target.h"

/* ---- common types -------------------------------------------------------- */

/* Every reference type is a pointer (NULL is null), whatever its heap
 * type. */
LLVMTypeRef lower_valtype(lower_module *lm, wasm_vtype t) {
  switch (t) {
  case WASM_I32: return lm->t_i32;
  case WASM_I64: return lm->t_i64;
  case WASM_F32: return lm->t_f32;
  case WASM_F64: return lm->t_f64;
  case WASM_V128: return lm->t_v128;
  default: return wasm_vt_is_ref(t) ? lm->t_ptr : lm->t_void;
  }
}

LLVMValueRef lower_const_i32(lower_module *lm, uint32_t v) {
  return LLVMConstInt(lm->t_i32, v, false);
}

LLVMValueRef lower_const_i64(lower_module *lm, uint64_t v) {
  return LLVMConstInt(lm->t_i64, v, false);
}

/* ---- runtime entry points ------------------------------------------------ */

/* The LLVM type of a C type of WASMRT_ENTRY_POINTS (wasmrt_abi.h), chosen
 * by the C type itself so that the declarations below cannot disagree
 * with the prototypes the runtime implements: void, i32 for the 32-bit
 * integers, i64 for the 64-bit ones, ptr for the pointer types named
 * here. Any other type is RTT_UNKNOWN, which the _Static_assert below
 * turns into a build error (add its LLVM type here) rather than a wrong
 * declaration. */
enum { RTT_UNKNOWN, RTT_VOID, RTT_I32, RTT_I64, RTT_PTR };
#define RT_TYPE(T)                                                             \
  _Generic((T (*)(void))0,                                                     \
      void (*)(void): RTT_VOID,                                                \
      int32_t (*)(void): RTT_I32,                                              \
      uint32_t (*)(void): RTT_I32,                                             \
      int64_t (*)(void): RTT_I64,                                              \
      uint64_t (*)(void): RTT_I64,                                             \
      void *(*)(void): RTT_PTR,                                                \
      void **(*)(void): RTT_PTR,                                               \
      wasmrt_vmctx *(*)(void): RTT_PTR,                                        \
      wasmrt_host_func *(*)(void): RTT_PTR,                                    \
      wasmrt_val *(*)(void): RTT_PTR,                                          \
      wasmrt_exn *(*)(void): RTT_PTR,                                          \
      const wasmrt_rtt *(*)(void): RTT_PTR,                                    \
      const void *(*)(void): RTT_PTR,                                          \
      default: RTT_UNKNOWN)
#define RT_PARAM_TYPE(type, param) RT_TYPE(type)
#define RT_PARAM_KNOWN(type, param)                                            \
  (RT_TYPE(type) != RTT_UNKNOWN && RT_TYPE(type) != RTT_VOID)
#define RT_AND() &&
#define RT_NORETURN_noreturn true
#define RT_NORETURN_throws true
#define RT_NORETURN_none false
/* Entry points that leave by unwinding (a Wasm exception) */
#define RT_UNWINDS_noreturn false
#define RT_UNWINDS_throws true
#define RT_UNWINDS_none false
#define RT_CHECK(id, name, attr, result, n, ...)                               \
  _Static_assert(RT_TYPE(result) != RTT_UNKNOWN &&                             \
                     WASMRT_EP_MAP##n(RT_PARAM_KNOWN, RT_AND, __VA_ARGS__),    \
                 #name ": a C type lower.c has no LLVM type for (RT_TYPE)");
WASMRT_ENTRY_POINTS(RT_CHECK)

/* The entry points by lower_rt, from the same list. */
static const struct {
  const char *name;
  bool noreturn, unwinds;
  uint8_t result, nparams, params[6]; /* RTT_*; 6: WASMRT_EP_MAP6 */
} rt_decls[RT_COUNT] = {
#define RT_DECL(id, name, attr, result, n, ...)                                \
  [RT_##id] = {#name, RT_NORETURN_##attr, RT_UNWINDS_##attr, RT_TYPE(result), n, \
               {WASMRT_EP_MAP##n(RT_PARAM_TYPE, WASMRT_EP_COMMA, __VA_ARGS__)}},
    WASMRT_ENTRY_POINTS(RT_DECL)
#undef RT_DECL
};

static LLVMTypeRef rtt_type(lower_module *lm, uint8_t t) {
  return t == RTT_VOID  ? lm->t_void
         : t == RTT_I32 ? lm->t_i32
         : t == RTT_I64 ? lm->t_i64
                        : lm->t_ptr;
}

static void declare_runtime(lower_module *lm) {
  for (int i = 0; i < RT_COUNT; i++) {
    LLVMTypeRef params[6];
    for (unsigned k = 0; k < rt_decls[i].nparams; k++)
      params[k] = rtt_type(lm, rt_decls[i].params[k]);
    lm->rt_types[i] = LLVMFunctionType(rtt_type(lm, rt_decls[i].result),
                                       params, rt_decls[i].nparams, 0);
    lm->rt[i] = LLVMAddFunction(lm->mod, rt_decls[i].name, lm->rt_types[i]);
    /* Traps never return; keeping their call sites cold moves the trap
     * blocks out of the hot code. */
    if (rt_decls[i].noreturn) {
      ir_fn_attr(lm->rt[i], "noreturn");
      ir_fn_attr(lm->rt[i], "cold");
      /* A trap leaves by longjmp, never through the unwinder; a throw
       * leaves by unwinding and must stay an unwinding call. */
      if (!rt_decls[i].unwinds)
        ir_fn_attr(lm->rt[i], "nounwind");
    }
  }
}

/* ---- functions ----------------------------------------------------------- */

/* The symbol of defined function i. With a name in the name section:
 * that name, then ".wasm.<i>", so that perf, gdb and nm name the Wasm
 * function (a C++ name still demangles: the suffix reads as a clone's,
 * "Foo::bar() [clone .wasm.12]") and two functions of one name stay two
 * symbols. The suffix is also why the name is safe: no C symbol of the
 * runtime or libc, and no libcall LLVM emits, ends in ".wasm.<i>".
 * Without a name (or with one LLVM would misread: "llvm." is its
 * intrinsics' prefix, \1 its "do not mangle" mark): internal wasm_f<i>
 * in a whole module, wasmc.f<i> in a chunk (the dot: no C symbol can
 * have it). Control bytes become '_' and long names are cut
 * (WASMC_SYMBOL_NAME_MAX), so that symbols stay printable and the symbol
 * table bounded. */
#define WASMC_SYMBOL_NAME_MAX 512
static void func_symbol(const lower_module *lm, uint32_t i, char *buf,
                        size_t size) {
  const wasm_module *wm = lm->wm;
  const wasm_name *nm = wm->func_names ? &wm->func_names[i] : NULL;
  if (!nm || !nm->str || nm->len == 0 || nm->str[0] == '\1' ||
      (nm->len >= 5 && memcmp(nm->str, "llvm.", 5) == 0)) {
    snprintf(buf, size, lm->chunked ? "wasmc.f%u" : "wasm_f%u", i);
    return;
  }
  size_t n = nm->len < WASMC_SYMBOL_NAME_MAX ? nm->len : WASMC_SYMBOL_NAME_MAX;
  for (size_t k = 0; k < n; k++) {
    unsigned char ch = (unsigned char)nm->str[k];
    buf[k] = ch < 0x20 || ch == 0x7f ? '_' : (char)ch;
  }
  snprintf(buf + n, size - n, ".wasm.%u", i);
}

/* Declares defined function i: internal in a whole module, a hidden
 * global in a chunk (defined here or in another chunk's object). */
static LLVMValueRef declare_func(lower_module *lm, uint32_t i) {
  char fname[WASMC_SYMBOL_NAME_MAX + 32];
  func_symbol(lm, i, fname, sizeof fname);
  LLVMValueRef fn =
      LLVMAddFunction(lm->mod, fname, lm->fn_types[lm->wm->funcs[i].type]);
  if (lm->chunked) {
    LLVMSetLinkage(fn, LLVMExternalLinkage);
    LLVMSetVisibility(fn, LLVMHiddenVisibility);
  } else {
    LLVMSetLinkage(fn, LLVMInternalLinkage);
  }
  LLVMSetFunctionCallConv(fn, lm->wasm_cc);
  if (lm->opts.no_unwind)
    ir_fn_attr(fn, "nounwind");
  lm->funcs[i] = fn;
  return fn;
}

LLVMValueRef lower_personality(lower_module *lm) {
  if (!lm->personality) {
    /* Only its address matters (the unwinder calls it): declared lazily,
     * so a module without exception handlers references no such symbol. */
    LLVMTypeRef t = LLVMFunctionType(lm->t_i32, NULL, 0, true);
    lm->personality = LLVMAddFunction(lm->mod, WASMRT_PERSONALITY_SYMBOL, t);
  }
  return lm->personality;
}

LLVMValueRef lower_catch_all_pad(lower_module *lm, LLVMValueRef fn,
                                 LLVMBasicBlockRef pad, const char *name) {
  LLVMSetPersonalityFn(fn, lower_personality(lm));
  LLVMPositionBuilderAtEnd(lm->b, pad);
  LLVMTypeRef fields[2] = {lm->t_ptr, lm->t_i32};
  LLVMTypeRef lpty = LLVMStructTypeInContext(lm->llctx, fields, 2, false);
  LLVMValueRef lp =
      LLVMBuildLandingPad(lm->b, lpty, lower_personality(lm), 1, "lp");
  /* catch-all: the runtime's personality lands at every Wasm landing pad
   * for every Wasm exception (runtime/exn.c) */
  LLVMAddClause(lp, LLVMConstNull(lm->t_ptr));
  return LLVMBuildExtractValue(lm->b, lp, 0, name);
}

LLVMValueRef lower_wasm_call(lower_module *lm, LLVMTypeRef fnty, LLVMValueRef fn,
                             LLVMValueRef *args, unsigned nargs, bool musttail) {
  if (lm->unwind_to && !musttail) {
    /* Inside an exception handler: an invoke (never a tail call, so
     * recursion still uses stack), continuing in a new block. */
    LLVMValueRef f = LLVMGetBasicBlockParent(LLVMGetInsertBlock(lm->b));
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(lm->llctx, f, "invoke.cont");
    LLVMValueRef inv =
        LLVMBuildInvoke2(lm->b, fnty, fn, args, nargs, cont, lm->unwind_to, "");
    LLVMSetInstructionCallConv(inv, lm->wasm_cc);
    LLVMPositionBuilderAtEnd(lm->b, cont);
    return inv;
  }
  LLVMValueRef call = LLVMBuildCall2(lm->b, fnty, fn, args, nargs, "");
  LLVMSetInstructionCallConv(call, lm->wasm_cc);
  /* An ordinary call must stay a call: unbounded recursion has to exhaust
   * the stack (assert_exhaustion), so LLVM may not turn it into a loop
   * or a sibling call. */
  LLVMSetTailCallKind(call, musttail ? LLVMTailCallKindMustTail
                                     : LLVMTailCallKindNoTail);
  return call;
}

LLVMValueRef lower_func_ref(lower_module *lm, uint32_t fidx) {
  return lm->funcs[fidx] ? lm->funcs[fidx] : declare_func(lm, fidx);
}

static lower_module *new_module(const wasm_module *wm, const lower_options *opts,
                                const char *triple, bool chunked,
                                uint32_t first, uint32_t end, wasm_error *err) {
  if (!wm->validated) {
    wasm_fail(err, 0, "internal error: lowering an unvalidated module");
    return NULL;
  }
  lower_module *lm = calloc(1, sizeof *lm);
  if (!lm) {
    wasm_fail(err, 0, "out of memory");
    return NULL;
  }
  lm->wm = wm;
  if (opts)
    lm->opts = *opts;
  lm->chunked = chunked;
  const target_row *row = target_of_triple(triple);
  lower_conv_init(lm, row ? row : target_of_triple(NULL));
  lm->dwarf_version = row && row->dwarf_version ? row->dwarf_version : 5;
  lm->first = first;
  lm->end = end;
  lm->llctx = LLVMContextCreate();
  const char *name = wm->filename ? wm->filename : "wasm";
  lm->mod = LLVMModuleCreateWithNameInContext(name, lm->llctx);
  if (triple)
    LLVMSetTarget(lm->mod, triple);
  lm->b = LLVMCreateBuilderInContext(lm->llctx);

  LLVMContextRef c = lm->llctx;
  lm->t_void = LLVMVoidTypeInContext(c);
  lm->t_i1 = LLVMInt1TypeInContext(c);
  lm->t_i8 = LLVMInt8TypeInContext(c);
  lm->t_i16 = LLVMInt16TypeInContext(c);
  lm->t_i32 = LLVMInt32TypeInContext(c);
  lm->t_i64 = LLVMInt64TypeInContext(c);
  lm->t_f32 = LLVMFloatTypeInContext(c);
  lm->t_f64 = LLVMDoubleTypeInContext(c);
  lm->t_v128 = LLVMVectorType(lm->t_i64, 2);
  lm->t_ptr = LLVMPointerTypeInContext(c, 0);
  lm->md_invariant = LLVMGetMDKindIDInContext(c, "invariant.load", 14);
  lm->md_nonnull = LLVMGetMDKindIDInContext(c, "nonnull", 7);
  /* Type-based alias tags: two scalar types under one root do not alias,
   * so LLVM may keep a memory's size in a register across stores to the
   * memory (lower_memory.c). */
  lm->md_tbaa = LLVMGetMDKindIDInContext(c, "tbaa", 4);
  {
    LLVMMetadataRef root_name = LLVMMDStringInContext2(c, "wasmc", 5);
    LLVMMetadataRef root = LLVMMDNodeInContext2(c, &root_name, 1);
    LLVMMetadataRef zero = LLVMValueAsMetadata(LLVMConstInt(lm->t_i64, 0, false));
    static const char *const names[2] = {"linear memory", "wasmrt_memory.size"};
    LLVMValueRef *tags[2] = {&lm->tbaa_linear, &lm->tbaa_memsize};
    for (int i = 0; i < 2; i++) {
      LLVMMetadataRef ty_ops[3] = {
          LLVMMDStringInContext2(c, names[i], strlen(names[i])), root, zero};
      LLVMMetadataRef ty = LLVMMDNodeInContext2(c, ty_ops, 3);
      LLVMMetadataRef tag_ops[3] = {ty, ty, zero};
      *tags[i] = LLVMMetadataAsValue(c, LLVMMDNodeInContext2(c, tag_ops, 3));
    }
  }
  /* threads: tell the IR passes of emit.c that memory 0 is shared, so
   * that those exact only for a memory no other thread sees
   * (store_ifconv.c) leave the module alone. */
  if (lower_memory_shared(lm, 0))
    LLVMAddNamedMetadataOperand(lm->mod, LOWER_MD_SHARED_MEMORY,
                                LLVMMetadataAsValue(c, LLVMMDNodeInContext2(c, NULL, 0)));

  lm->fn_types = calloc(wm->ntypes ? wm->ntypes : 1, sizeof *lm->fn_types);
  lm->funcs = calloc(wm->nfuncs ? wm->nfuncs : 1, sizeof *lm->funcs);
  if (!lm->fn_types || !lm->funcs) {
    lower_module_free(lm);
    wasm_fail(err, 0, "out of memory");
    return NULL;
  }
  for (uint32_t i = 0; i < wm->ntypes; i++) {
    /* An implementation limit of the spill area (wasmrt_abi.h). */
    uint32_t spill = lower_conv_spill_slots(lm, &wm->types[i]);
    if (spill > WASMRT_SPILL_SLOTS) {
      wasm_fail(err, wm->subtypes ? wm->subtypes[i].offset : 0,
                "implementation limit: type %u passes %u values through "
                "memory on %s (at most %u)",
                i, spill, triple ? triple : "this target", WASMRT_SPILL_SLOTS);
      lower_module_free(lm);
      return NULL;
    }
    lm->fn_types[i] = lower_conv_fn_type(lm, &wm->types[i]);
  }

  declare_runtime(lm);
  lower_debug_begin(lm);

  /* The functions defined here first, in index order (the order of the
   * code in the object); a chunk declares the others when it needs them. */
  for (uint32_t i = first; i < end; i++)
    declare_func(lm, i);
  return lm;
}

lower_module *lower_module_new(const wasm_module *wm, const lower_options *opts,
                               const char *triple, wasm_error *err) {
  return new_module(wm, opts, triple, false, wm->nimported_funcs, wm->nfuncs,
                    err);
}

lower_module *lower_module_new_chunk(const wasm_module *wm,
                                     const lower_options *opts,
                                     const char *triple, uint32_t first,
                                     uint32_t end, wasm_error *err) {
  if (first < wm->nimported_funcs || first > end || end > wm->nfuncs) {
    wasm_fail(err, 0, "internal error: chunk [%u, %u) outside the defined "
              "functions", first, end);
    return NULL;
  }
  return new_module(wm, opts, triple, true, first, end, err);
}

void lower_module_free(lower_module *lm) {
  if (!lm)
    return;
  lower_debug_free(lm);
  if (lm->b)
    LLVMDisposeBuilder(lm->b);
  if (lm->mod)
    LLVMDisposeModule(lm->mod);
  if (lm->llctx)
    LLVMContextDispose(lm->llctx);
  free(lm->fn_types);
  free(lm->funcs);
  if (lm->gc_types)
    for (uint32_t i = 0; i < lm->wm->ntypes; i++)
      free(lm->gc_types[i].offsets);
  free(lm->gc_types);
  free(lm->gc_may_collect);
  free(lm);
}
