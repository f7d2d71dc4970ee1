/* lower_desc.c: the module descriptor, entry trampolines and host adapters
 * (runtime/wasmrt_abi.h).
 *
 * The descriptor is one constant, exported as WASMRT_MODULE_SYMBOL, that
 * tells the runtime everything it needs to instantiate the module; every
 * array and string it points to is a private constant. Its LLVM types are
 * *packed* structs with explicit padding computed here by the C rules
 * (each field at a multiple of its alignment, the struct padded to its
 * largest alignment), so the layout matches the C declarations whatever
 * data layout the module ends up with. The layouts, for LP64 targets:
 *
 *   wasmrt_functype_desc  24: nparams@0 nresults@4 params@8 results@16
 *   wasmrt_limits_desc    32: min@0 max@8 has_max@16 shared@20 is64@24
 *                             (+4 pad)
 *   wasmrt_const_op       24: op@0 pad_@4 a@8 b@16
 *   wasmrt_const_desc     16: nops@0 (+4 pad) ops@8
 *   wasmrt_import_desc    72: module@0 name@8 module_len@16 name_len@20
 *                             kind@24 type_index@28 value_type@32
 *                             mutable_@36 limits@40
 *   wasmrt_export_desc    24: name@0 name_len@8 kind@12 index@16 (+4 pad)
 *   wasmrt_typedef_desc   64: kind@0 final@4 super@8 rec_first@12
 *                             rec_size@16 nparams@20 nresults@24
 *                             nfields@28 params@32 results@40
 *                             fields@48 obj_size@56 (+4)
 *   wasmrt_field_desc     16: type@0 mutable_@4 offset@8 size@12
 *   wasmrt_table_desc     56: elem_type@0 (+4) limits@8 init@40
 *   wasmrt_memory_desc    32: limits@0
 *   wasmrt_global_desc    24: type@0 mutable_@4 init@8
 *   wasmrt_elem_desc      48: mode@0 table@4 elem_type@8 count@12
 *                             offset@16 items@32 funcs@40
 *   wasmrt_data_desc      40: mode@0 memory@4 len@8 (+4) offset@16 bytes@32
 *   wasmrt_module_desc   224: abi_version@0 flags@4 target@8 ntypes@16
 *                             types@24 entries@32 host_adapters@40
 *                             nimports@48 imports@56 nfuncs@64
 *                             nimported_funcs@68 func_types@72
 *                             func_code@80 func_names@88 ntables@96
 *                             nimported_tables@100 tables@104
 *                             nmemories@112 nimported_memories@116
 *                             memories@120 nglobals@128
 *                             nimported_globals@132 globals@136
 *                             nexports@144 exports@152 nelems@160
 *                             elems@168 ndatas@176 datas@184 start@192
 *                             module_name@200 cpu_features@208
 *                             cpu_built_with@216 typedefs@224
 *                             ntags@232 nimported_tags@236
 *                             tag_types@240 (248)
 * The _Static_asserts below check this table against the C header on the
 * compiler's own (LP64) host, and lower_descriptor compares the size it
 * built with sizeof(wasmrt_module_desc).
 *
 * Per function type the module also gets an entry trampoline (host ->
 * Wasm: values from a wasmrt_val array) and a host adapter (Wasm -> host:
 * values into a wasmrt_val array, then wasmrt_call_host).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "subtype.h"

enum { VAL_SIZE = 16 }; /* sizeof(wasmrt_val) */

#include <stddef.h>
#define LAYOUT(T, f, off) _Static_assert(offsetof(T, f) == (off), #T "." #f)
#define SIZE(T, n) _Static_assert(sizeof(T) == (n), "sizeof " #T)
SIZE(wasmrt_val, VAL_SIZE);
SIZE(wasmrt_functype_desc, 24); LAYOUT(wasmrt_functype_desc, results, 16);
SIZE(wasmrt_limits_desc, 32); LAYOUT(wasmrt_limits_desc, has_max, 16);
LAYOUT(wasmrt_limits_desc, shared, 20);
LAYOUT(wasmrt_limits_desc, is64, 24);
SIZE(wasmrt_const_op, 24); LAYOUT(wasmrt_const_op, a, 8);
SIZE(wasmrt_const_desc, 16); LAYOUT(wasmrt_const_desc, ops, 8);
SIZE(wasmrt_import_desc, 72); LAYOUT(wasmrt_import_desc, module_len, 16);
LAYOUT(wasmrt_import_desc, mutable_, 36); LAYOUT(wasmrt_import_desc, limits, 40);
SIZE(wasmrt_export_desc, 24); LAYOUT(wasmrt_export_desc, index, 16);
SIZE(wasmrt_table_desc, 56); LAYOUT(wasmrt_table_desc, limits, 8);
LAYOUT(wasmrt_table_desc, init, 40);
SIZE(wasmrt_typedef_desc, 64); LAYOUT(wasmrt_typedef_desc, nresults, 24);
LAYOUT(wasmrt_typedef_desc, params, 32); LAYOUT(wasmrt_typedef_desc, results, 40);
LAYOUT(wasmrt_typedef_desc, fields, 48); LAYOUT(wasmrt_typedef_desc, obj_size, 56);
SIZE(wasmrt_field_desc, 16);
SIZE(wasmrt_memory_desc, 32);
SIZE(wasmrt_global_desc, 24); LAYOUT(wasmrt_global_desc, init, 8);
SIZE(wasmrt_elem_desc, 48); LAYOUT(wasmrt_elem_desc, offset, 16);
LAYOUT(wasmrt_elem_desc, items, 32); LAYOUT(wasmrt_elem_desc, funcs, 40);
SIZE(wasmrt_data_desc, 40); LAYOUT(wasmrt_data_desc, offset, 16);
LAYOUT(wasmrt_data_desc, bytes, 32);
SIZE(wasmrt_module_desc, 248); LAYOUT(wasmrt_module_desc, ntypes, 16);
LAYOUT(wasmrt_module_desc, types, 24); LAYOUT(wasmrt_module_desc, nimports, 48);
LAYOUT(wasmrt_module_desc, nfuncs, 64); LAYOUT(wasmrt_module_desc, ntables, 96);
LAYOUT(wasmrt_module_desc, nmemories, 112); LAYOUT(wasmrt_module_desc, nglobals, 128);
LAYOUT(wasmrt_module_desc, nexports, 144); LAYOUT(wasmrt_module_desc, nelems, 160);
LAYOUT(wasmrt_module_desc, ndatas, 176); LAYOUT(wasmrt_module_desc, start, 192);
LAYOUT(wasmrt_module_desc, module_name, 200);
LAYOUT(wasmrt_module_desc, cpu_features, 208);
LAYOUT(wasmrt_module_desc, cpu_built_with, 216);
LAYOUT(wasmrt_module_desc, typedefs, 224);
LAYOUT(wasmrt_module_desc, ntags, 232); LAYOUT(wasmrt_module_desc, tag_types, 240);
/* wasmrt_exn fields that lower_exn.c addresses by offset */
LAYOUT(wasmrt_exn, tag, WASMRT_EXN_TAG_OFFSET);
LAYOUT(wasmrt_exn, vals, WASMRT_EXN_VALS_OFFSET);
/* funcref and table fields that lower_call.c addresses by offset */
LAYOUT(wasmrt_funcref, ctx, 8); LAYOUT(wasmrt_funcref, type_id, 16);
LAYOUT(wasmrt_table, size, 8);
#undef LAYOUT
#undef SIZE

/* ---- packed structs with C layout ---------------------------------------- */

typedef struct {
  lower_module *lm;
  LLVMValueRef vals[48];
  unsigned n;
  unsigned size;  /* bytes so far */
  unsigned align; /* largest field alignment */
} cstruct;

static void cs_init(cstruct *s, lower_module *lm) {
  memset(s, 0, sizeof *s);
  s->lm = lm;
  s->align = 1;
}

static void cs_pad(cstruct *s, unsigned align) {
  unsigned pad = (align - s->size % align) % align;
  if (pad) {
    LLVMTypeRef t = LLVMArrayType2(s->lm->t_i8, pad);
    s->vals[s->n++] = LLVMConstNull(t);
    s->size += pad;
  }
}

static void cs_field(cstruct *s, LLVMValueRef v, unsigned size,
                     unsigned align) {
  cs_pad(s, align);
  s->vals[s->n++] = v;
  s->size += size;
  if (align > s->align)
    s->align = align;
}

static void cs_u32(cstruct *s, uint32_t v) {
  cs_field(s, lower_const_i32(s->lm, v), 4, 4);
}
static void cs_u64(cstruct *s, uint64_t v) {
  cs_field(s, lower_const_i64(s->lm, v), 8, 8);
}
static void cs_ptr(cstruct *s, LLVMValueRef p) {
  cs_field(s, p ? p : LLVMConstNull(s->lm->t_ptr), 8, 8);
}

/* A finished struct, for nesting (its size and alignment carried along). */
typedef struct {
  LLVMValueRef v;
  unsigned size, align;
} cvalue;

static cvalue cs_end(cstruct *s) {
  cs_pad(s, s->align);
  cvalue r = {LLVMConstStructInContext(s->lm->llctx, s->vals, s->n, true),
              s->size, s->align};
  return r;
}

static void cs_nested(cstruct *s, cvalue v) {
  cs_field(s, v.v, v.size, v.align);
}

/* ---- private constants ---------------------------------------------------- */

static LLVMValueRef private_const(lower_module *lm, LLVMValueRef init,
                                  const char *name, unsigned align) {
  LLVMValueRef g = LLVMAddGlobal(lm->mod, LLVMTypeOf(init), name);
  LLVMSetInitializer(g, init);
  LLVMSetGlobalConstant(g, true);
  LLVMSetLinkage(g, LLVMPrivateLinkage);
  LLVMSetUnnamedAddr(g, true);
  LLVMSetAlignment(g, align);
  return g;
}

/* The descriptor's func_code: per defined function, its address minus
 * the table's own (wasmrt_func_code), as `trunc(f - table)` constants,
 * which the assembler turns into PC-relative fixups resolved at link
 * time: no dynamic relocation per function (ABI 8). pv: scratch room
 * for nfuncs values. NULL when the module defines no function. */
static LLVMValueRef func_code_offsets(lower_module *lm, LLVMValueRef *pv) {
  const wasm_module *wm = lm->wm;
  uint32_t ndef = wm->nfuncs - wm->nimported_funcs;
  if (ndef == 0)
    return NULL;
  LLVMTypeRef ty = LLVMArrayType2(lm->t_i32, ndef);
  LLVMValueRef g = LLVMAddGlobal(lm->mod, ty, "wasm.func_code");
  LLVMValueRef base = LLVMConstPtrToInt(g, lm->t_i64);
  for (uint32_t i = 0; i < ndef; i++) {
    LLVMValueRef f = lower_func_ref(lm, wm->nimported_funcs + i);
    pv[i] = LLVMConstTrunc(LLVMConstSub(LLVMConstPtrToInt(f, lm->t_i64), base),
                           lm->t_i32);
  }
  LLVMSetInitializer(g, LLVMConstArray2(lm->t_i32, pv, ndef));
  LLVMSetGlobalConstant(g, true);
  LLVMSetLinkage(g, LLVMPrivateLinkage);
  LLVMSetAlignment(g, 4);
  return g;
}

/* An array of `n` constants of type `ty`; NULL when empty. A NULL entry
 * becomes a null constant, so that sparse pointer tables (functions without
 * a name) need no second pass. Every descriptor array ends up here, so they
 * all share one notion of "empty" and one kind of global. */
static LLVMValueRef value_array(lower_module *lm, LLVMTypeRef ty,
                                LLVMValueRef *vals, uint32_t n,
                                const char *name, unsigned align) {
  if (n == 0)
    return NULL;
  for (uint32_t i = 0; i < n; i++)
    if (!vals[i])
      vals[i] = LLVMConstNull(ty);
  return private_const(lm, LLVMConstArray2(ty, vals, n), name, align);
}

static LLVMValueRef ptr_array(lower_module *lm, LLVMValueRef *ptrs, uint32_t n,
                              const char *name) {
  return value_array(lm, lm->t_ptr, ptrs, n, name, 8);
}

/* An array of `n` nested structs (cs_end), aligned as they are. */
static LLVMValueRef const_array(lower_module *lm, cvalue *elems, uint32_t n,
                                const char *name) {
  if (n == 0)
    return NULL;
  LLVMValueRef *vals = malloc(n * sizeof *vals);
  if (!vals)
    abort();
  for (uint32_t i = 0; i < n; i++)
    vals[i] = elems[i].v;
  LLVMValueRef g =
      value_array(lm, LLVMTypeOf(vals[0]), vals, n, name, elems[0].align);
  free(vals);
  return g;
}

/* Bytes, NUL-terminated (names may hold NULs: lengths travel separately). */
static LLVMValueRef const_bytes(lower_module *lm, const void *p, uint32_t len,
                                const char *name) {
  LLVMValueRef s = LLVMConstStringInContext2(lm->llctx, p ? p : "", len, false);
  return private_const(lm, s, name, 1);
}

/* ---- descriptor pieces ------------------------------------------------------ */

/* A list of value types as the flat signature's byte codes
 * (wasmrt_functype_desc); NULL when empty. A reference is passed as a
 * pointer whatever its type, so it appears as the top of its hierarchy
 * (funcref or externref). */
static LLVMValueRef type_codes(lower_module *lm, const wasm_vtype *ts,
                               uint32_t n) {
  if (n == 0)
    return NULL;
  uint8_t *b = malloc(n);
  if (!b)
    abort();
  for (uint32_t i = 0; i < n; i++)
    b[i] = wasm_vt_is_ref(ts[i])
               ? (uint8_t)wasm_heap_top(lm->wm, wasm_vt_heap(ts[i]))
               : (uint8_t)ts[i];
  LLVMValueRef g = const_bytes(lm, b, n, "wasm.types");
  free(b);
  return g;
}

/* Value types as 32-bit words (wasmrt_typedef_desc); NULL when empty. */
static LLVMValueRef type_words(lower_module *lm, const wasm_vtype *ts,
                               uint32_t n) {
  if (n == 0)
    return NULL;
  LLVMValueRef *v = malloc(n * sizeof *v);
  if (!v)
    abort();
  for (uint32_t i = 0; i < n; i++)
    v[i] = lower_const_i32(lm, ts[i]);
  LLVMValueRef g = value_array(lm, lm->t_i32, v, n, "wasm.vtypes", 4);
  free(v);
  return g;
}

/* The fields of struct or array type i (NULL for a function type), with
 * the offsets the lowering uses (lower_gc_layout). */
static LLVMValueRef field_descs(lower_module *lm, uint32_t i) {
  const wasm_subtype *st = &lm->wm->subtypes[i];
  if (st->kind == WASM_COMP_FUNC || st->nfields == 0)
    return NULL;
  const lower_gc_type *lt = lower_gc_layout(lm, i);
  cvalue *f = malloc(st->nfields * sizeof *f);
  if (!f)
    abort();
  for (uint32_t k = 0; k < st->nfields; k++) {
    cstruct s;
    cs_init(&s, lm);
    cs_u32(&s, st->fields[k].type);
    cs_u32(&s, st->fields[k].mutable_);
    cs_u32(&s, lt->offsets[k]);
    cs_u32(&s, wasmrt_gc_storage_size(st->fields[k].type));
    f[k] = cs_end(&s);
  }
  LLVMValueRef g = const_array(lm, f, st->nfields, "wasm.fields");
  free(f);
  return g;
}

/* The type section's view of type i, for the runtime's registry. */
static cvalue typedef_desc(lower_module *lm, uint32_t i) {
  const wasm_subtype *st = &lm->wm->subtypes[i];
  const wasm_functype *ft = &lm->wm->types[i];
  cstruct s;
  cs_init(&s, lm);
  cs_u32(&s, st->kind);
  cs_u32(&s, st->final);
  cs_u32(&s, st->super == WASM_NO_SUPER ? UINT32_MAX : st->super);
  cs_u32(&s, st->rec_first);
  cs_u32(&s, st->rec_size);
  cs_u32(&s, ft->nparams);
  cs_u32(&s, ft->nresults);
  cs_u32(&s, st->kind == WASM_COMP_FUNC ? 0 : st->nfields);
  cs_ptr(&s, type_words(lm, ft->params, ft->nparams));
  cs_ptr(&s, type_words(lm, ft->results, ft->nresults));
  cs_ptr(&s, field_descs(lm, i));
  cs_u32(&s, st->kind == WASM_COMP_STRUCT ? lower_gc_layout(lm, i)->obj_size
             : st->kind == WASM_COMP_ARRAY ? WASMRT_GC_ARRAY_DATA : 0);
  cs_u32(&s, 0);
  return cs_end(&s);
}

static cvalue limits_desc(lower_module *lm, const wasm_limits *l) {
  cstruct s;
  cs_init(&s, lm);
  cs_u64(&s, l->min);
  cs_u64(&s, l->has_max ? l->max : 0);
  cs_u32(&s, l->has_max);
  cs_u32(&s, l->shared);
  cs_u32(&s, l->is64);
  return cs_end(&s);
}

static bool const_desc(lower_module *lm, const wasm_constexpr *ce, cvalue *out,
                       wasm_error *err) {
  cvalue *ops = calloc(ce->ninstrs ? ce->ninstrs : 1, sizeof *ops);
  if (!ops)
    abort();
  for (uint32_t i = 0; i < ce->ninstrs; i++) {
    const wasm_instr *in = &ce->instrs[i];
    uint32_t op;
    uint64_t a = 0, b = 0;
    switch (in->op) {
    case WASM_OP_I32_CONST: op = WASMRT_CONST_I32; a = (uint32_t)in->imm.i32; break;
    case WASM_OP_I64_CONST: op = WASMRT_CONST_I64; a = (uint64_t)in->imm.i64; break;
    case WASM_OP_F32_CONST: op = WASMRT_CONST_F32; a = in->imm.f32_bits; break;
    case WASM_OP_F64_CONST: op = WASMRT_CONST_F64; a = in->imm.f64_bits; break;
    case WASM_OP_V128_CONST:
      op = WASMRT_CONST_V128;
      memcpy(&a, in->imm.v128, 8);
      memcpy(&b, in->imm.v128 + 8, 8);
      break;
    case WASM_OP_GLOBAL_GET: op = WASMRT_CONST_GLOBAL_GET; a = in->imm.index; break;
    case WASM_OP_REF_NULL: op = WASMRT_CONST_REF_NULL; a = in->imm.reftype; break;
    case WASM_OP_REF_FUNC: op = WASMRT_CONST_REF_FUNC; a = in->imm.index; break;
    case WASM_OP_I32_ADD: op = WASMRT_CONST_I32_ADD; break;
    case WASM_OP_I32_SUB: op = WASMRT_CONST_I32_SUB; break;
    case WASM_OP_I32_MUL: op = WASMRT_CONST_I32_MUL; break;
    case WASM_OP_I64_ADD: op = WASMRT_CONST_I64_ADD; break;
    case WASM_OP_I64_SUB: op = WASMRT_CONST_I64_SUB; break;
    case WASM_OP_I64_MUL: op = WASMRT_CONST_I64_MUL; break;
    /* GC: 0xFB00 | opcode, a = type index (b = count for new_fixed) */
    case WASM_OP_STRUCT_NEW: op = WASMRT_CONST_STRUCT_NEW; a = in->imm.index; break;
    case WASM_OP_STRUCT_NEW_DEFAULT:
      op = WASMRT_CONST_STRUCT_NEW_DEFAULT; a = in->imm.index; break;
    case WASM_OP_ARRAY_NEW: op = WASMRT_CONST_ARRAY_NEW; a = in->imm.index; break;
    case WASM_OP_ARRAY_NEW_DEFAULT:
      op = WASMRT_CONST_ARRAY_NEW_DEFAULT; a = in->imm.index; break;
    case WASM_OP_ARRAY_NEW_FIXED:
      op = WASMRT_CONST_ARRAY_NEW_FIXED;
      a = in->imm.index2.a;
      b = in->imm.index2.b;
      break;
    case WASM_OP_REF_I31: op = WASMRT_CONST_REF_I31; break;
    case WASM_OP_ANY_CONVERT_EXTERN: op = WASMRT_CONST_ANY_CONVERT_EXTERN; break;
    case WASM_OP_EXTERN_CONVERT_ANY: op = WASMRT_CONST_EXTERN_CONVERT_ANY; break;
    default:
      free(ops);
      return wasm_fail(err, in->offset,
                       "not supported yet: %s in a constant expression",
                       wasm_opinfos[in->op].text);
    }
    cstruct s;
    cs_init(&s, lm);
    cs_u32(&s, op);
    cs_u32(&s, 0);
    cs_u64(&s, a);
    cs_u64(&s, b);
    ops[i] = cs_end(&s);
  }
  cstruct s;
  cs_init(&s, lm);
  cs_u32(&s, ce->ninstrs);
  cs_ptr(&s, const_array(lm, ops, ce->ninstrs, "wasm.const"));
  *out = cs_end(&s);
  free(ops);
  return true;
}

/* An empty constant expression (inactive segments). */
static cvalue no_const(lower_module *lm) {
  cstruct s;
  cs_init(&s, lm);
  cs_u32(&s, 0);
  cs_ptr(&s, NULL);
  return cs_end(&s);
}

/* ---- trampolines -------------------------------------------------------------- */

static LLVMValueRef val_slot(lower_module *lm, LLVMValueRef vals, uint32_t i) {
  LLVMValueRef off = lower_const_i64(lm, (uint64_t)VAL_SIZE * i);
  return LLVMBuildInBoundsGEP2(lm->b, lm->t_i8, vals, &off, 1, "");
}

/* void entry(ptr code, ptr ctx, ptr vals): host -> Wasm for type t. The
 * call is an invoke: a Wasm exception that nothing caught lands here and
 * is handed to the runtime (wasmrt_exn_uncaught), and the trampoline
 * returns normally, so no exception ever unwinds into host frames. */
static LLVMValueRef entry_trampoline(lower_module *lm, uint32_t t) {
  const wasm_functype *ft = &lm->wm->types[t];
  LLVMTypeRef ps[3] = {lm->t_ptr, lm->t_ptr, lm->t_ptr};
  char name[40];
  snprintf(name, sizeof name, "wasm_entry_t%u", t);
  LLVMValueRef fn =
      LLVMAddFunction(lm->mod, name, LLVMFunctionType(lm->t_void, ps, 3, 0));
  LLVMSetLinkage(fn, LLVMInternalLinkage);
  LLVMPositionBuilderAtEnd(lm->b,
                           LLVMAppendBasicBlockInContext(lm->llctx, fn, ""));
  LLVMValueRef vals = LLVMGetParam(fn, 2);
  uint32_t n = ft->nparams + ft->nresults;
  LLVMValueRef *args = malloc((n ? n : 1) * sizeof *args);
  if (!args)
    abort();
  for (uint32_t i = 0; i < ft->nparams; i++) {
    LLVMValueRef v = LLVMBuildLoad2(lm->b, lower_valtype(lm, ft->params[i]),
                                    val_slot(lm, vals, i), "");
    LLVMSetAlignment(v, 8);
    args[i] = v;
  }
  /* An invoke: the landing pad takes what no Wasm handler caught. */
  LLVMBasicBlockRef here = LLVMGetInsertBlock(lm->b);
  LLVMBasicBlockRef lpad = LLVMAppendBasicBlockInContext(lm->llctx, fn, "uncaught");
  LLVMValueRef uargs[2] = {LLVMGetParam(fn, 1),
                           lower_catch_all_pad(lm, fn, lpad, "exn")};
  LLVMBuildCall2(lm->b, lm->rt_types[RT_EXN_UNCAUGHT], lm->rt[RT_EXN_UNCAUGHT],
                 uargs, 2, "");
  LLVMBuildRetVoid(lm->b);
  LLVMPositionBuilderAtEnd(lm->b, here);
  LLVMValueRef *results = args + ft->nparams;
  lm->unwind_to = lpad;
  lower_conv_call(lm, ft, lm->fn_types[t], LLVMGetParam(fn, 0),
                  LLVMGetParam(fn, 1), args, false, results);
  lm->unwind_to = NULL;
  for (uint32_t i = 0; i < ft->nresults; i++)
    LLVMSetAlignment(LLVMBuildStore(lm->b, results[i], val_slot(lm, vals, i)), 8);
  free(args);
  LLVMBuildRetVoid(lm->b);
  return fn;
}

/* R adapter(ptr hf, P...): Wasm -> host for type t, a Wasm function to
 * its callers (the target's convention, lower_conv.c). */
static LLVMValueRef host_adapter(lower_module *lm, uint32_t t) {
  const wasm_functype *ft = &lm->wm->types[t];
  char name[40];
  snprintf(name, sizeof name, "wasm_host_t%u", t);
  LLVMValueRef fn = LLVMAddFunction(lm->mod, name, lm->fn_types[t]);
  LLVMSetLinkage(fn, LLVMInternalLinkage);
  LLVMSetFunctionCallConv(fn, lm->wasm_cc);
  LLVMPositionBuilderAtEnd(lm->b,
                           LLVMAppendBasicBlockInContext(lm->llctx, fn, ""));
  uint32_t n = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
  LLVMValueRef *v = malloc((n ? n : 1) * sizeof *v);
  if (!v)
    abort();
  lower_conv_params(lm, fn, ft, v);
  LLVMValueRef vals = LLVMBuildAlloca(
      lm->b, LLVMArrayType2(lm->t_i8, (uint64_t)VAL_SIZE * (n ? n : 1)), "vals");
  LLVMSetAlignment(vals, 16);
  for (uint32_t i = 0; i < ft->nparams; i++)
    LLVMSetAlignment(LLVMBuildStore(lm->b, v[i], val_slot(lm, vals, i)), 8);
  LLVMValueRef args[2] = {LLVMGetParam(fn, 0), vals};
  LLVMBuildCall2(lm->b, lm->rt_types[RT_CALL_HOST], lm->rt[RT_CALL_HOST], args,
                 2, "");
  for (uint32_t i = 0; i < ft->nresults; i++) {
    v[i] = LLVMBuildLoad2(lm->b, lower_valtype(lm, ft->results[i]),
                          val_slot(lm, vals, i), "");
    LLVMSetAlignment(v[i], 8);
  }
  lower_conv_return(lm, ft, v);
  free(v);
  return fn;
}

/* ---- the descriptor --------------------------------------------------------- */

static cvalue import_desc(lower_module *lm, const wasm_import *im) {
  cstruct s;
  cs_init(&s, lm);
  cs_ptr(&s, const_bytes(lm, im->module.str, im->module.len, "wasm.str"));
  cs_ptr(&s, const_bytes(lm, im->name.str, im->name.len, "wasm.str"));
  cs_u32(&s, im->module.len);
  cs_u32(&s, im->name.len);
  cs_u32(&s, im->kind);
  uint32_t type_index = 0, value_type = 0, mut = 0;
  wasm_limits none = {0};
  const wasm_limits *lim = &none;
  switch (im->kind) {
  case WASM_EXTERN_FUNC: type_index = im->desc.func_type; break;
  case WASM_EXTERN_TABLE:
    value_type = im->desc.table.elem;
    lim = &im->desc.table.limits;
    break;
  case WASM_EXTERN_MEMORY: lim = &im->desc.memory.limits; break;
  case WASM_EXTERN_GLOBAL:
    value_type = im->desc.global.type;
    mut = im->desc.global.mutable_;
    break;
  case WASM_EXTERN_TAG: type_index = im->desc.tag_type; break;
  }
  cs_u32(&s, type_index);
  cs_u32(&s, value_type);
  cs_u32(&s, mut);
  cs_nested(&s, limits_desc(lm, lim));
  return cs_end(&s);
}

/* A segment's offset field: its constant expression when the segment is
 * active, an empty one otherwise (the runtime reads it only when active).
 * Element and data segments both end their head with it. */
static bool seg_offset(cstruct *s, uint32_t mode, const wasm_constexpr *offset,
                       wasm_error *err) {
  cvalue off = no_const(s->lm);
  if (mode == WASM_SEG_ACTIVE && !const_desc(s->lm, offset, &off, err))
    return false;
  cs_nested(s, off);
  return true;
}

/* A segment whose every item is a lone ref.func or ref.null (what
 * toolchains emit for a function table) as wasmrt_elem_desc.funcs: the
 * function indices, WASMRT_ELEM_NULL for null. NULL for any other. */
static LLVMValueRef func_list(lower_module *lm, const wasm_elem *e) {
  if (e->count == 0)
    return NULL;
  for (uint32_t i = 0; i < e->count; i++) {
    const wasm_constexpr *c = &e->items[i];
    if (c->ninstrs != 1 || (c->instrs[0].op != WASM_OP_REF_FUNC &&
                            c->instrs[0].op != WASM_OP_REF_NULL))
      return NULL;
  }
  LLVMValueRef *v = malloc(e->count * sizeof *v);
  if (!v)
    abort();
  for (uint32_t i = 0; i < e->count; i++) {
    const wasm_instr *in = &e->items[i].instrs[0];
    v[i] = lower_const_i32(lm, in->op == WASM_OP_REF_FUNC ? in->imm.index
                                                          : WASMRT_ELEM_NULL);
  }
  LLVMValueRef g = value_array(lm, lm->t_i32, v, e->count, "wasm.elem.funcs", 4);
  free(v);
  return g;
}

static bool elem_desc(lower_module *lm, const wasm_elem *e, cvalue *out,
                      wasm_error *err) {
  cstruct s;
  cs_init(&s, lm);
  cs_u32(&s, e->mode);
  cs_u32(&s, e->mode == WASM_SEG_ACTIVE ? e->table : 0);
  cs_u32(&s, e->type);
  cs_u32(&s, e->count);
  if (!seg_offset(&s, e->mode, &e->offset, err))
    return false;
  LLVMValueRef funcs = func_list(lm, e);
  if (funcs) {
    cs_ptr(&s, NULL);
    cs_ptr(&s, funcs);
    *out = cs_end(&s);
    return true;
  }
  cvalue *items = calloc(e->count ? e->count : 1, sizeof *items);
  if (!items)
    abort();
  for (uint32_t i = 0; i < e->count; i++)
    if (!const_desc(lm, &e->items[i], &items[i], err)) {
      free(items);
      return false;
    }
  cs_ptr(&s, const_array(lm, items, e->count, "wasm.elem.items"));
  cs_ptr(&s, NULL);
  free(items);
  *out = cs_end(&s);
  return true;
}

static bool data_desc(lower_module *lm, const wasm_data *d, cvalue *out,
                      wasm_error *err) {
  cstruct s;
  cs_init(&s, lm);
  cs_u32(&s, d->mode);
  cs_u32(&s, d->mode == WASM_SEG_ACTIVE ? d->memory : 0);
  cs_u32(&s, d->len);
  if (!seg_offset(&s, d->mode, &d->offset, err))
    return false;
  LLVMValueRef bytes = NULL;
  if (d->len) {
    bytes = private_const(
        lm, LLVMConstStringInContext2(lm->llctx, (const char *)d->bytes, d->len, true),
        "wasm.data", 1);
  }
  cs_ptr(&s, bytes);
  *out = cs_end(&s);
  return true;
}

bool lower_descriptor(lower_module *lm, const char *cpu_features,
                      const char *cpu_built_with, wasm_error *err) {
  const wasm_module *wm = lm->wm;
  bool ok = false;
  uint32_t nt = wm->ntypes, nf = wm->nfuncs;
  uint32_t max = nt > nf ? nt : nf;
  if (wm->nimports > max) max = wm->nimports;
  if (wm->nexports > max) max = wm->nexports;
  if (wm->nelems > max) max = wm->nelems;
  if (wm->ndatas > max) max = wm->ndatas;
  if (wm->ntables > max) max = wm->ntables;
  if (wm->nmemories > max) max = wm->nmemories;
  if (wm->nglobals > max) max = wm->nglobals;
  if (wm->ntags > max) max = wm->ntags;
  cvalue *cv = calloc(max + 1, sizeof *cv);
  LLVMValueRef *pv = calloc(max + 1, sizeof *pv);
  if (!cv || !pv)
    abort();

  cstruct d;
  cs_init(&d, lm);
  cs_u32(&d, WASMRT_ABI_VERSION);
  cs_u32(&d, lm->opts.bounds_checks ? WASMRT_MODULE_BOUNDS_CHECKED : 0);
  const char *triple = LLVMGetTarget(lm->mod);
  cs_ptr(&d, const_bytes(lm, triple, (uint32_t)strlen(triple), "wasm.target"));

  /* types, entries, host adapters */
  cs_u32(&d, nt);
  for (uint32_t i = 0; i < nt; i++) {
    const wasm_functype *ft = &wm->types[i];
    cstruct s;
    cs_init(&s, lm);
    cs_u32(&s, ft->nparams);
    cs_u32(&s, ft->nresults);
    cs_ptr(&s, type_codes(lm, ft->params, ft->nparams));
    cs_ptr(&s, type_codes(lm, ft->results, ft->nresults));
    cv[i] = cs_end(&s);
  }
  cs_ptr(&d, const_array(lm, cv, nt, "wasm.types.desc"));
  for (uint32_t i = 0; i < nt; i++)
    pv[i] = entry_trampoline(lm, i);
  cs_ptr(&d, ptr_array(lm, pv, nt, "wasm.entries"));
  for (uint32_t i = 0; i < nt; i++)
    pv[i] = host_adapter(lm, i);
  cs_ptr(&d, ptr_array(lm, pv, nt, "wasm.host_adapters"));

  /* imports */
  cs_u32(&d, wm->nimports);
  for (uint32_t i = 0; i < wm->nimports; i++)
    cv[i] = import_desc(lm, &wm->imports[i]);
  cs_ptr(&d, const_array(lm, cv, wm->nimports, "wasm.imports"));

  /* functions */
  cs_u32(&d, nf);
  cs_u32(&d, wm->nimported_funcs);
  for (uint32_t i = 0; i < nf; i++)
    pv[i] = lower_const_i32(lm, wm->funcs[i].type);
  cs_ptr(&d, value_array(lm, lm->t_i32, pv, nf, "wasm.func_types", 4));
  cs_ptr(&d, func_code_offsets(lm, pv));
  bool any_name = false;
  for (uint32_t i = 0; i < nf; i++) {
    pv[i] = NULL;
    if (wm->func_names && wm->func_names[i].str) {
      pv[i] = const_bytes(lm, wm->func_names[i].str, wm->func_names[i].len,
                          "wasm.func_name");
      any_name = true;
    }
  }
  cs_ptr(&d, any_name ? ptr_array(lm, pv, nf, "wasm.func_names") : NULL);

  /* tables, memories, globals: descriptions of the defined ones */
  cs_u32(&d, wm->ntables);
  cs_u32(&d, wm->nimported_tables);
  for (uint32_t i = wm->nimported_tables; i < wm->ntables; i++) {
    cstruct s;
    cs_init(&s, lm);
    cs_u32(&s, wm->tables[i].elem);
    cs_nested(&s, limits_desc(lm, &wm->tables[i].limits));
    cvalue init = no_const(lm);
    if (wasm_table_init(wm, i) &&
        !const_desc(lm, wasm_table_init(wm, i), &init, err))
      goto out;
    cs_nested(&s, init);
    cv[i - wm->nimported_tables] = cs_end(&s);
  }
  cs_ptr(&d, const_array(lm, cv, wm->ntables - wm->nimported_tables, "wasm.tables"));
  cs_u32(&d, wm->nmemories);
  cs_u32(&d, wm->nimported_memories);
  for (uint32_t i = wm->nimported_memories; i < wm->nmemories; i++) {
    cstruct s;
    cs_init(&s, lm);
    cs_nested(&s, limits_desc(lm, &wm->memories[i].limits));
    cv[i - wm->nimported_memories] = cs_end(&s);
  }
  cs_ptr(&d, const_array(lm, cv, wm->nmemories - wm->nimported_memories,
                         "wasm.memories"));
  cs_u32(&d, wm->nglobals);
  cs_u32(&d, wm->nimported_globals);
  for (uint32_t i = wm->nimported_globals; i < wm->nglobals; i++) {
    const wasm_global *g = &wm->globals[i];
    cvalue init;
    if (!const_desc(lm, &g->init, &init, err))
      goto out;
    cstruct s;
    cs_init(&s, lm);
    cs_u32(&s, g->type.type);
    cs_u32(&s, g->type.mutable_);
    cs_nested(&s, init);
    cv[i - wm->nimported_globals] = cs_end(&s);
  }
  cs_ptr(&d, const_array(lm, cv, wm->nglobals - wm->nimported_globals,
                         "wasm.globals"));

  /* exports */
  cs_u32(&d, wm->nexports);
  for (uint32_t i = 0; i < wm->nexports; i++) {
    const wasm_export *e = &wm->exports[i];
    cstruct s;
    cs_init(&s, lm);
    cs_ptr(&s, const_bytes(lm, e->name.str, e->name.len, "wasm.str"));
    cs_u32(&s, e->name.len);
    cs_u32(&s, e->kind);
    cs_u32(&s, e->index);
    cv[i] = cs_end(&s);
  }
  cs_ptr(&d, const_array(lm, cv, wm->nexports, "wasm.exports"));

  /* segments */
  cs_u32(&d, wm->nelems);
  for (uint32_t i = 0; i < wm->nelems; i++)
    if (!elem_desc(lm, &wm->elems[i], &cv[i], err))
      goto out;
  cs_ptr(&d, const_array(lm, cv, wm->nelems, "wasm.elems"));
  cs_u32(&d, wm->ndatas);
  for (uint32_t i = 0; i < wm->ndatas; i++)
    if (!data_desc(lm, &wm->datas[i], &cv[i], err))
      goto out;
  cs_ptr(&d, const_array(lm, cv, wm->ndatas, "wasm.datas"));

  cs_u64(&d, wm->has_start ? (uint64_t)wm->start : (uint64_t)-1);
  cs_ptr(&d, wm->has_module_name
                 ? const_bytes(lm, wm->module_name.str, wm->module_name.len,
                               "wasm.module_name")
                 : NULL);
  /* What the code needs beyond the baseline CPU (emit.c, cpu_features.c):
   * checked by the runtime before any of it runs. */
  cs_ptr(&d, cpu_features ? const_bytes(lm, cpu_features,
                                        (uint32_t)strlen(cpu_features),
                                        "wasm.cpu_features")
                          : NULL);
  cs_ptr(&d, cpu_features && cpu_built_with
                 ? const_bytes(lm, cpu_built_with,
                               (uint32_t)strlen(cpu_built_with),
                               "wasm.cpu_built_with")
                 : NULL);
  for (uint32_t i = 0; i < nt; i++)
    cv[i] = typedef_desc(lm, i);
  cs_ptr(&d, const_array(lm, cv, nt, "wasm.typedefs"));
  /* tags */
  cs_u32(&d, wm->ntags);
  cs_u32(&d, wm->nimported_tags);
  for (uint32_t i = 0; i < wm->ntags; i++)
    pv[i] = lower_const_i32(lm, wm->tags[i].type);
  cs_ptr(&d, value_array(lm, lm->t_i32, pv, wm->ntags, "wasm.tag_types", 4));
  cvalue desc = cs_end(&d);
  if (desc.size != sizeof(wasmrt_module_desc)) {
    wasm_fail(err, 0, "internal error: descriptor is %u bytes, C says %zu",
              desc.size, sizeof(wasmrt_module_desc));
    goto out;
  }

  LLVMValueRef g = LLVMAddGlobal(lm->mod, LLVMTypeOf(desc.v), WASMRT_MODULE_SYMBOL);
  LLVMSetInitializer(g, desc.v);
  LLVMSetGlobalConstant(g, true);
  LLVMSetLinkage(g, LLVMExternalLinkage);
  LLVMSetVisibility(g, LLVMDefaultVisibility);
  LLVMSetAlignment(g, 8);
  if (lm->opts.launcher_args) {
    /* Exported so that the launcher's weak reference finds it. */
    LLVMValueRef init = LLVMConstStringInContext(lm->llctx, lm->opts.launcher_args,
                                                 (unsigned)lm->opts.launcher_args_size, true);
    LLVMValueRef a = LLVMAddGlobal(lm->mod, LLVMTypeOf(init), WASMC_LAUNCHER_ARGS_SYMBOL);
    LLVMSetInitializer(a, init);
    LLVMSetGlobalConstant(a, true);
    LLVMSetLinkage(a, LLVMExternalLinkage);
  }
  ok = true;
out:
  free(cv);
  free(pv);
  return ok;
}
