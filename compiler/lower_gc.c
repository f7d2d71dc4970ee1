/* lower_gc.c: lowering of GC's instructions (see lower.h): struct.*,
 * array.*, ref.i31 and i31.get_*, ref.eq, ref.test, ref.cast, the
 * extern/any conversions, and the type test br_on_cast* shares.
 *
 * References are words (wasmrt_abi.h "Garbage collection"): 0 null, odd
 * an i31, address + 2 an object, a multiple of 4 a host value. So
 * conversions between extern and any are nothing, ref.eq is a compare,
 * and a field of the object at word w is at w - 2 + offset, one
 * addressing mode. Structs are allocated inline: a bump in this
 * thread's free run of their size class (wasmrt_gc.bump), a call into
 * the runtime only when the run is used up; the rtt comes from vmctx
 * RTTS. Arrays are allocated by the runtime (their size is dynamic) and
 * initialised here. Every null, bounds and cast check traps with the
 * spec's message; the runtime's array helpers return a trap code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* alloc_object finds the bump pair of cells of S bytes at byte S. */
_Static_assert(WASMRT_GC_BUMP == 16, "wasmrt_gc.bump[c] at 16 + 16 * c");

/* ---- layouts ---------------------------------------------------------------- */

const lower_gc_type *lower_gc_layout(lower_module *lm, uint32_t t) {
  const wasm_module *m = lm->wm;
  if (!lm->gc_types) {
    lm->gc_types = calloc(m->ntypes ? m->ntypes : 1, sizeof *lm->gc_types);
    if (!lm->gc_types)
      abort();
  }
  lower_gc_type *lt = &lm->gc_types[t];
  if (lt->done)
    return lt;
  const wasm_subtype *st = &m->subtypes[t];
  uint32_t n = st->nfields;
  lt->offsets = calloc(n ? n : 1, sizeof *lt->offsets);
  uint32_t *types = calloc(n ? n : 1, sizeof *types);
  if (!lt->offsets || !types)
    abort();
  for (uint32_t i = 0; i < n; i++)
    types[i] = st->fields[i].type;
  if (st->kind == WASM_COMP_STRUCT) {
    lt->obj_size = wasmrt_gc_layout(types, n, lt->offsets);
  } else {
    lt->obj_size = WASMRT_GC_ARRAY_DATA;
    lt->offsets[0] = WASMRT_GC_ARRAY_DATA;
  }
  free(types);
  for (uint32_t s = st->super; s != WASM_NO_SUPER && s < m->ntypes;
       s = m->subtypes[s].super)
    lt->depth++;
  lt->done = true;
  return lt;
}

/* ---- helpers ------------------------------------------------------------------ */

static LLVMValueRef gep(lower_module *lm, LLVMValueRef base, int64_t off) {
  if (off == 0)
    return base;
  LLVMValueRef o = LLVMConstInt(lm->t_i64, (uint64_t)off, true);
  return LLVMBuildGEP2(lm->b, lm->t_i8, base, &o, 1, "");
}

static LLVMValueRef load(lower_module *lm, LLVMTypeRef t, LLVMValueRef p,
                         unsigned align, const char *name) {
  LLVMValueRef v = LLVMBuildLoad2(lm->b, t, p, name);
  LLVMSetAlignment(v, align);
  return v;
}

static void store(lower_module *lm, LLVMValueRef v, LLVMValueRef p,
                  unsigned align) {
  LLVMSetAlignment(LLVMBuildStore(lm->b, v, p), align);
}

static void invariant(lower_module *lm, LLVMValueRef load) {
  LLVMSetMetadata(load, lm->md_invariant,
                  LLVMMetadataAsValue(lm->llctx,
                                      LLVMMDNodeInContext2(lm->llctx, NULL, 0)));
}

static LLVMBasicBlockRef block(lower_func *lf, const char *name) {
  return LLVMAppendBasicBlockInContext(lf->lm->llctx, lf->fn, name);
}

/* The rtt of struct or array type t (one per canonical type, fixed). */
static LLVMValueRef rtt_of(lower_func *lf, uint32_t t) {
  lower_module *lm = lf->lm;
  LLVMValueRef rtts = lower_vmctx_slot(lf, WASMRT_VMCTX_RTTS, true);
  LLVMValueRef r = load(lm, lm->t_ptr, gep(lm, rtts, 8ll * t), 8, "rtt");
  invariant(lm, r);
  return r;
}

/* An alloca in the entry block (one per use site, not per execution). */
static LLVMValueRef entry_alloca(lower_func *lf, LLVMTypeRef t, const char *n) {
  lower_module *lm = lf->lm;
  LLVMBasicBlockRef here = LLVMGetInsertBlock(lm->b);
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(lf->fn);
  LLVMPositionBuilderBefore(lm->b, LLVMGetFirstInstruction(entry));
  LLVMValueRef a = LLVMBuildAlloca(lm->b, t, n);
  LLVMPositionBuilderAtEnd(lm->b, here);
  return a;
}

/* Storage types: value types, and the packed i8/i16. */
static LLVMTypeRef storage_type(lower_module *lm, wasm_vtype t) {
  if (t == WASM_PACKED_I8)
    return lm->t_i8;
  if (t == WASM_PACKED_I16)
    return lm->t_i16;
  return lower_valtype(lm, t);
}

static unsigned storage_align(wasm_vtype t) {
  uint32_t s = wasmrt_gc_storage_size(t);
  return s > 8 ? 8 : s;
}

/* A field's value as it is stored (packed: truncated) and as it is read
 * (packed: extended per get_s/get_u). */
static LLVMValueRef to_storage(lower_module *lm, wasm_vtype t, LLVMValueRef v) {
  if (t == WASM_PACKED_I8 || t == WASM_PACKED_I16)
    return LLVMBuildTrunc(lm->b, v, storage_type(lm, t), "");
  return v;
}

static LLVMValueRef from_storage(lower_module *lm, wasm_vtype t,
                                 LLVMValueRef v, bool sign) {
  if (t == WASM_PACKED_I8 || t == WASM_PACKED_I16)
    return sign ? LLVMBuildSExt(lm->b, v, lm->t_i32, "")
                : LLVMBuildZExt(lm->b, v, lm->t_i32, "");
  return v;
}

static LLVMValueRef word_of(lower_module *lm, LLVMValueRef obj) {
  return gep(lm, obj, WASMRT_GC_TAG);
}

static void null_check(lower_func *lf, LLVMValueRef ref, wasmrt_trap_code c) {
  lower_trap_if(lf, LLVMBuildIsNull(lf->lm->b, ref, "is_null"), c);
}

/* ---- allocation ---------------------------------------------------------------- */

/* An object whose size rounded up to 16 is `cell` (an i64), zeroed but
 * for what is stored here: its rtt, and `len` for an array (NULL for a
 * struct). Within the inline size classes it is a bump in this thread's
 * run of its class: class c's cells are 16 * (c + 1) bytes and its bump
 * pair is at WASMRT_GC_BUMP + 16 * c, so the pair for cells of S bytes is
 * at byte S of wasmrt_gc. Beyond them, and when the run is used up, the
 * runtime's `slow` (GC_ALLOC(rtt, arg) or GC_ARRAY_NEW(rtt, arg)), which
 * may collect: vals[n] are the values the caller holds for the object.
 * A constant cell (a struct) decides the class at compile time. The
 * object's address. */
static LLVMValueRef alloc_object(lower_func *lf, LLVMValueRef cell,
                                 LLVMValueRef rtt, LLVMValueRef len,
                                 lower_rt slow, LLVMValueRef arg,
                                 LLVMValueRef *vals, unsigned n) {
  lower_module *lm = lf->lm;
  LLVMValueRef args[2] = {rtt, arg};
  uint64_t max = 16 * WASMRT_GC_NCLASSES;
  bool known = LLVMIsAConstantInt(cell);
  if (known && LLVMConstIntGetZExtValue(cell) > max) {
    lower_roots_safepoint(lf, vals, n);
    LLVMValueRef p = lower_call_rt(lf, slow, args, 2);
    null_check(lf, p, WASMRT_TRAP_OUT_OF_MEMORY);
    return p;
  }
  LLVMBasicBlockRef fast = block(lf, "gc.fast"), slow_bb = block(lf, "gc.slow"),
                    join = block(lf, "gc.obj");
  if (!known) {
    LLVMBasicBlockRef try_ = block(lf, "gc.try");
    LLVMValueRef small = LLVMBuildICmp(lm->b, LLVMIntULE, cell,
                                       lower_const_i64(lm, max), "gc.small");
    LLVMBuildCondBr(lm->b, small, try_, slow_bb);
    LLVMPositionBuilderAtEnd(lm->b, try_);
  }
  LLVMValueRef bump = LLVMBuildGEP2(lm->b, lm->t_i8, lower_gc_tls(lm), &cell,
                                    1, "gc.bump");
  LLVMValueRef cur = load(lm, lm->t_ptr, bump, 8, "gc.cur");
  LLVMValueRef lim = load(lm, lm->t_ptr, gep(lm, bump, 8), 8, "gc.lim");
  LLVMValueRef next = LLVMBuildGEP2(lm->b, lm->t_i8, cur, &cell, 1, "");
  LLVMValueRef fits = LLVMBuildICmp(
      lm->b, LLVMIntULE, LLVMBuildPtrToInt(lm->b, next, lm->t_i64, ""),
      LLVMBuildPtrToInt(lm->b, lim, lm->t_i64, ""), "gc.fits");
  LLVMBuildCondBr(lm->b, fits, fast, slow_bb);
  LLVMPositionBuilderAtEnd(lm->b, fast);
  store(lm, next, bump, 8);
  store(lm, rtt, cur, 8);
  if (len)
    store(lm, len, gep(lm, cur, WASMRT_GC_ARRAY_LENGTH), 4);
  LLVMBuildBr(lm->b, join);
  LLVMPositionBuilderAtEnd(lm->b, slow_bb);
  lower_roots_safepoint(lf, vals, n);
  LLVMValueRef p = lower_call_rt(lf, slow, args, 2);
  null_check(lf, p, WASMRT_TRAP_OUT_OF_MEMORY);
  LLVMBasicBlockRef slow_end = LLVMGetInsertBlock(lm->b);
  LLVMBuildBr(lm->b, join);
  LLVMPositionBuilderAtEnd(lm->b, join);
  LLVMValueRef phi = LLVMBuildPhi(lm->b, lm->t_ptr, "gc.obj");
  LLVMValueRef in[2] = {cur, p};
  LLVMBasicBlockRef from[2] = {fast, slow_end};
  LLVMAddIncoming(phi, in, from, 2);
  return phi;
}

/* A struct of `size` bytes (its type's obj_size). */
static LLVMValueRef alloc_struct(lower_func *lf, LLVMValueRef rtt,
                                 uint32_t size, LLVMValueRef *vals,
                                 unsigned n) {
  lower_module *lm = lf->lm;
  return alloc_object(lf, lower_const_i64(lm, (size + 15ull) & ~15ull), rtt,
                      NULL, RT_GC_ALLOC, lower_const_i32(lm, size), vals, n);
}

/* An array of `len` (i32) elements of type t. */
static LLVMValueRef alloc_array(lower_func *lf, uint32_t t, LLVMValueRef len,
                                LLVMValueRef *vals, unsigned n) {
  lower_module *lm = lf->lm;
  uint64_t esz = wasmrt_gc_storage_size(lm->wm->subtypes[t].fields[0].type);
  LLVMValueRef bytes = LLVMBuildAdd(
      lm->b,
      LLVMBuildMul(lm->b, LLVMBuildZExt(lm->b, len, lm->t_i64, ""),
                   lower_const_i64(lm, esz), ""),
      lower_const_i64(lm, WASMRT_GC_ARRAY_DATA + 15), "");
  LLVMValueRef cell = LLVMBuildAnd(lm->b, bytes, lower_const_i64(lm, ~15ull),
                                   "gc.cell");
  return alloc_object(lf, cell, rtt_of(lf, t), len, RT_GC_ARRAY_NEW, len,
                      vals, n);
}

/* ---- arrays -------------------------------------------------------------------- */

static wasm_vtype elem_type(const lower_module *lm, uint32_t t) {
  return lm->wm->subtypes[t].fields[0].type;
}

/* Address of element i (i32) of the array object at obj. */
static LLVMValueRef elem_addr(lower_module *lm, uint32_t t, LLVMValueRef obj,
                              LLVMValueRef i) {
  uint32_t esz = wasmrt_gc_storage_size(elem_type(lm, t));
  LLVMValueRef off = LLVMBuildMul(
      lm->b, LLVMBuildZExt(lm->b, i, lm->t_i64, ""), lower_const_i64(lm, esz),
      "");
  LLVMValueRef data = gep(lm, obj, WASMRT_GC_ARRAY_DATA);
  return LLVMBuildGEP2(lm->b, lm->t_i8, data, &off, 1, "elem");
}

static LLVMValueRef array_len(lower_module *lm, LLVMValueRef obj) {
  return load(lm, lm->t_i32, gep(lm, obj, WASMRT_GC_ARRAY_LENGTH), 4, "len");
}

/* Stores v (storage form) into elements [i, i + n) of the array at obj:
 * a loop (array.new, array.fill). */
static void fill_loop(lower_func *lf, uint32_t t, LLVMValueRef obj,
                      LLVMValueRef i, LLVMValueRef n, LLVMValueRef v) {
  lower_module *lm = lf->lm;
  wasm_vtype et = elem_type(lm, t);
  LLVMValueRef end = LLVMBuildAdd(lm->b, i, n, "fill.end");
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(lm->b);
  LLVMBasicBlockRef head = block(lf, "fill.head"), body = block(lf, "fill.body"),
                    done = block(lf, "fill.done");
  LLVMBuildBr(lm->b, head);
  LLVMPositionBuilderAtEnd(lm->b, head);
  LLVMValueRef k = LLVMBuildPhi(lm->b, lm->t_i32, "fill.i");
  LLVMBuildCondBr(lm->b, LLVMBuildICmp(lm->b, LLVMIntULT, k, end, ""), body,
                  done);
  LLVMPositionBuilderAtEnd(lm->b, body);
  store(lm, v, elem_addr(lm, t, obj, k), storage_align(et));
  LLVMValueRef k1 = LLVMBuildAdd(lm->b, k, lower_const_i32(lm, 1), "");
  LLVMBuildBr(lm->b, head);
  LLVMValueRef in[2] = {i, k1};
  LLVMBasicBlockRef from[2] = {pre, body};
  LLVMAddIncoming(k, in, from, 2);
  LLVMPositionBuilderAtEnd(lm->b, done);
}

/* The array at ref (non-null checked) and element index i in bounds. */
static LLVMValueRef checked_elem(lower_func *lf, uint32_t t, LLVMValueRef ref,
                                 LLVMValueRef i) {
  lower_module *lm = lf->lm;
  null_check(lf, ref, WASMRT_TRAP_NULL_ARRAY);
  LLVMValueRef obj = gep(lm, ref, -(int64_t)WASMRT_GC_TAG);
  LLVMValueRef len = array_len(lm, obj);
  lower_trap_if(lf, LLVMBuildICmp(lm->b, LLVMIntUGE, i, len, "oob"),
                WASMRT_TRAP_ARRAY_OOB);
  return elem_addr(lm, t, obj, i);
}

/* A runtime array helper's call on the object of ref (null checked). */
static LLVMValueRef object_of(lower_func *lf, LLVMValueRef ref) {
  null_check(lf, ref, WASMRT_TRAP_NULL_ARRAY);
  return gep(lf->lm, ref, -(int64_t)WASMRT_GC_TAG);
}

static bool lower_array(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  switch (in->op) {
  case WASM_OP_ARRAY_NEW:
  case WASM_OP_ARRAY_NEW_DEFAULT: {
    uint32_t t = in->imm.index;
    LLVMValueRef len = lower_pop(lf);
    LLVMValueRef v = in->op == WASM_OP_ARRAY_NEW ? lower_pop(lf) : NULL;
    LLVMValueRef obj = alloc_array(lf, t, len, &v, v ? 1 : 0);
    if (v && !LLVMIsNull(v))
      fill_loop(lf, t, obj, lower_const_i32(lm, 0), len,
                to_storage(lm, elem_type(lm, t), v));
    lower_push(lf, word_of(lm, obj));
    return true;
  }
  case WASM_OP_ARRAY_NEW_FIXED: {
    uint32_t t = in->imm.index2.a, n = in->imm.index2.b;
    LLVMValueRef *vals = malloc((n ? n : 1) * sizeof *vals);
    if (!vals)
      abort();
    for (uint32_t i = n; i > 0; i--)
      vals[i - 1] = lower_pop(lf);
    LLVMValueRef obj = alloc_array(lf, t, lower_const_i32(lm, n), vals, n);
    wasm_vtype et = elem_type(lm, t);
    for (uint32_t i = 0; i < n; i++)
      store(lm, to_storage(lm, et, vals[i]),
            elem_addr(lm, t, obj, lower_const_i32(lm, i)), storage_align(et));
    free(vals);
    lower_push(lf, word_of(lm, obj));
    return true;
  }
  case WASM_OP_ARRAY_NEW_DATA:
  case WASM_OP_ARRAY_NEW_ELEM: {
    uint32_t t = in->imm.index2.a, seg = in->imm.index2.b;
    LLVMValueRef len = lower_pop(lf);
    LLVMValueRef off = lower_pop(lf);
    LLVMValueRef out = entry_alloca(lf, lm->t_ptr, "array.out");
    lower_roots_safepoint(lf, NULL, 0);
    LLVMValueRef args[5] = {rtt_of(lf, t), lower_const_i32(lm, seg), off, len,
                            out};
    lower_call_rt_checked(lf, in->op == WASM_OP_ARRAY_NEW_DATA
                                  ? RT_ARRAY_NEW_DATA : RT_ARRAY_NEW_ELEM,
                          args, 5);
    lower_push(lf, word_of(lm, load(lm, lm->t_ptr, out, 8, "array")));
    return true;
  }
  case WASM_OP_ARRAY_GET:
  case WASM_OP_ARRAY_GET_S:
  case WASM_OP_ARRAY_GET_U: {
    uint32_t t = in->imm.index;
    wasm_vtype et = elem_type(lm, t);
    LLVMValueRef i = lower_pop(lf);
    LLVMValueRef ref = lower_pop(lf);
    LLVMValueRef p = checked_elem(lf, t, ref, i);
    LLVMValueRef v = load(lm, storage_type(lm, et), p, storage_align(et), "");
    lower_push(lf, from_storage(lm, et, v, in->op == WASM_OP_ARRAY_GET_S));
    return true;
  }
  case WASM_OP_ARRAY_SET: {
    uint32_t t = in->imm.index;
    wasm_vtype et = elem_type(lm, t);
    LLVMValueRef v = lower_pop(lf);
    LLVMValueRef i = lower_pop(lf);
    LLVMValueRef ref = lower_pop(lf);
    LLVMValueRef p = checked_elem(lf, t, ref, i);
    store(lm, to_storage(lm, et, v), p, storage_align(et));
    return true;
  }
  case WASM_OP_ARRAY_LEN: {
    LLVMValueRef ref = lower_pop(lf);
    lower_push(lf, array_len(lm, object_of(lf, ref)));
    return true;
  }
  case WASM_OP_ARRAY_FILL: {
    uint32_t t = in->imm.index;
    LLVMValueRef n = lower_pop(lf);
    LLVMValueRef v = lower_pop(lf);
    LLVMValueRef i = lower_pop(lf);
    LLVMValueRef obj = object_of(lf, lower_pop(lf));
    /* i + n > len, in 64 bits (no wrap) */
    LLVMValueRef end = LLVMBuildAdd(lm->b,
                                    LLVMBuildZExt(lm->b, i, lm->t_i64, ""),
                                    LLVMBuildZExt(lm->b, n, lm->t_i64, ""), "");
    LLVMValueRef len = LLVMBuildZExt(lm->b, array_len(lm, obj), lm->t_i64, "");
    lower_trap_if(lf, LLVMBuildICmp(lm->b, LLVMIntUGT, end, len, "oob"),
                  WASMRT_TRAP_ARRAY_OOB);
    fill_loop(lf, t, obj, i, n, to_storage(lm, elem_type(lm, t), v));
    return true;
  }
  case WASM_OP_ARRAY_COPY: {
    LLVMValueRef n = lower_pop(lf);
    LLVMValueRef si = lower_pop(lf);
    LLVMValueRef src = lower_pop(lf);
    LLVMValueRef di = lower_pop(lf);
    LLVMValueRef dst = lower_pop(lf);
    LLVMValueRef dobj = object_of(lf, dst);
    LLVMValueRef sobj = object_of(lf, src);
    LLVMValueRef args[5] = {dobj, di, sobj, si, n};
    lower_call_rt_checked(lf, RT_ARRAY_COPY, args, 5);
    return true;
  }
  case WASM_OP_ARRAY_INIT_DATA:
  case WASM_OP_ARRAY_INIT_ELEM: {
    uint32_t seg = in->imm.index2.b;
    LLVMValueRef n = lower_pop(lf);
    LLVMValueRef s = lower_pop(lf);
    LLVMValueRef d = lower_pop(lf);
    LLVMValueRef obj = object_of(lf, lower_pop(lf));
    LLVMValueRef args[5] = {obj, lower_const_i32(lm, seg), d, s, n};
    lower_call_rt_checked(lf, in->op == WASM_OP_ARRAY_INIT_DATA
                                  ? RT_ARRAY_INIT_DATA : RT_ARRAY_INIT_ELEM,
                          args, 5);
    return true;
  }
  default:
    snprintf(lf->err, sizeof lm->err, "internal error: %s is not an array op",
             wasm_opinfos[in->op].text);
    return false;
  }
}

/* ---- type tests ---------------------------------------------------------------- */

static bool concrete(wasm_heaptype ht) {
  return ht >= WASM_HT_INDEX && ht < WASM_HT_BOT;
}

/* Does the object at obj (non-null, tag checked) have concrete struct or
 * array type t? */
static LLVMValueRef rtt_is(lower_func *lf, LLVMValueRef rtt, uint32_t t) {
  lower_module *lm = lf->lm;
  LLVMValueRef want = rtt_of(lf, t);
  LLVMValueRef eq = LLVMBuildICmp(lm->b, LLVMIntEQ, rtt, want, "rtt.eq");
  if (lm->wm->subtypes[t].final)
    return eq;
  /* a subtype: rtt->depth > d and rtt->supers[d] == want */
  uint32_t d = lower_gc_layout(lm, t)->depth;
  LLVMBasicBlockRef from = LLVMGetInsertBlock(lm->b);
  LLVMBasicBlockRef deeper = block(lf, "cast.super"), join = block(lf, "cast.j");
  LLVMValueRef depth = load(lm, lm->t_i32, gep(lm, rtt, WASMRT_RTT_DEPTH), 4,
                            "depth");
  LLVMValueRef deep = LLVMBuildICmp(lm->b, LLVMIntUGT, depth,
                                    lower_const_i32(lm, d), "");
  LLVMValueRef go = LLVMBuildAnd(lm->b, LLVMBuildNot(lm->b, eq, ""), deep, "");
  LLVMBuildCondBr(lm->b, go, deeper, join);
  LLVMPositionBuilderAtEnd(lm->b, deeper);
  LLVMValueRef sup = load(lm, lm->t_ptr,
                          gep(lm, rtt, WASMRT_RTT_SUPERS + 8ll * d), 8, "super");
  LLVMValueRef ok = LLVMBuildICmp(lm->b, LLVMIntEQ, sup, want, "");
  LLVMBuildBr(lm->b, join);
  LLVMPositionBuilderAtEnd(lm->b, join);
  LLVMValueRef phi = LLVMBuildPhi(lm->b, lm->t_i1, "is.sub");
  LLVMValueRef in[2] = {eq, ok};
  LLVMBasicBlockRef bb[2] = {from, deeper};
  LLVMAddIncoming(phi, in, bb, 2);
  return phi;
}

/* A non-null funcref of concrete function type t? */
static LLVMValueRef func_is(lower_func *lf, LLVMValueRef fr, uint32_t t) {
  lower_module *lm = lf->lm;
  LLVMValueRef tid = load(lm, lm->t_i32, gep(lm, fr, 16), 4, "type_id");
  LLVMValueRef ids = lower_vmctx_slot(lf, WASMRT_VMCTX_TYPE_IDS, true);
  LLVMValueRef want = load(lm, lm->t_i32, gep(lm, ids, 4ll * t), 4, "want");
  invariant(lm, want);
  LLVMValueRef eq = LLVMBuildICmp(lm->b, LLVMIntEQ, tid, want, "");
  if (lm->wm->subtypes[t].final)
    return eq;
  LLVMBasicBlockRef from = LLVMGetInsertBlock(lm->b);
  LLVMBasicBlockRef slow = block(lf, "cast.fsub"), join = block(lf, "cast.fj");
  LLVMBuildCondBr(lm->b, eq, join, slow);
  LLVMPositionBuilderAtEnd(lm->b, slow);
  LLVMValueRef a[2] = {tid, want};
  LLVMValueRef r = LLVMBuildCall2(lm->b, lm->rt_types[RT_TYPE_SUB],
                                  lm->rt[RT_TYPE_SUB], a, 2, "");
  LLVMValueRef ok = LLVMBuildICmp(lm->b, LLVMIntNE, r, lower_const_i32(lm, 0), "");
  LLVMBuildBr(lm->b, join);
  LLVMPositionBuilderAtEnd(lm->b, join);
  LLVMValueRef phi = LLVMBuildPhi(lm->b, lm->t_i1, "is.fsub");
  LLVMValueRef in[2] = {eq, ok};
  LLVMBasicBlockRef bb[2] = {from, slow};
  LLVMAddIncoming(phi, in, bb, 2);
  return phi;
}

LLVMValueRef lower_gc_test(lower_func *lf, LLVMValueRef v, wasm_heaptype ht,
                           bool nullable) {
  lower_module *lm = lf->lm;
  const wasm_module *m = lm->wm;
  LLVMValueRef isnull = LLVMBuildIsNull(lm->b, v, "is_null");
  LLVMValueRef null_ok = LLVMConstInt(lm->t_i1, nullable, false);
  /* the result for a null v, and for a non-null one by `cond` */
#define NULL_OR(cond) LLVMBuildSelect(lm->b, isnull, null_ok, (cond), "test")
  LLVMValueRef w = LLVMBuildPtrToInt(lm->b, v, lm->t_i64, "w");
  uint8_t kind = concrete(ht) && ht - WASM_HT_INDEX < m->ntypes
                     ? m->subtypes[ht - WASM_HT_INDEX].kind : 0;
  switch (ht) {
  case WASM_HT_ANY: case WASM_HT_EXTERN: case WASM_HT_FUNC: case WASM_HT_EXN:
    return NULL_OR(LLVMConstInt(lm->t_i1, 1, false));
  case WASM_HT_NONE: case WASM_HT_NOEXTERN: case WASM_HT_NOFUNC:
  case WASM_HT_NOEXN: case WASM_HT_BOT:
    return NULL_OR(LLVMConstInt(lm->t_i1, 0, false));
  case WASM_HT_I31:
    return NULL_OR(LLVMBuildTrunc(lm->b, w, lm->t_i1, "i31"));
  case WASM_HT_EQ: {
    LLVMValueRef tag = LLVMBuildAnd(lm->b, w, lower_const_i64(lm, 3), "");
    return NULL_OR(LLVMBuildICmp(lm->b, LLVMIntNE, tag,
                                 lower_const_i64(lm, 0), "eq"));
  }
  default:
    break;
  }
  if (kind == WASM_COMP_FUNC) {
    LLVMBasicBlockRef from = LLVMGetInsertBlock(lm->b);
    LLVMBasicBlockRef chk = block(lf, "cast.func"), join = block(lf, "cast.end");
    LLVMBuildCondBr(lm->b, isnull, join, chk);
    LLVMPositionBuilderAtEnd(lm->b, chk);
    LLVMValueRef ok = func_is(lf, v, ht - WASM_HT_INDEX);
    LLVMBasicBlockRef chk_end = LLVMGetInsertBlock(lm->b);
    LLVMBuildBr(lm->b, join);
    LLVMPositionBuilderAtEnd(lm->b, join);
    LLVMValueRef phi = LLVMBuildPhi(lm->b, lm->t_i1, "test");
    LLVMValueRef in[2] = {null_ok, ok};
    LLVMBasicBlockRef bb[2] = {from, chk_end};
    LLVMAddIncoming(phi, in, bb, 2);
    return phi;
  }
  /* struct, array, or a concrete one of them: an object, then its rtt */
  LLVMValueRef tag = LLVMBuildAnd(lm->b, w, lower_const_i64(lm, 3), "");
  LLVMValueRef isobj = LLVMBuildICmp(lm->b, LLVMIntEQ, tag,
                                     lower_const_i64(lm, WASMRT_GC_TAG), "obj");
  LLVMValueRef other = LLVMBuildAnd(lm->b, isnull, null_ok, "");
  LLVMBasicBlockRef from = LLVMGetInsertBlock(lm->b);
  LLVMBasicBlockRef chk = block(lf, "cast.obj"), join = block(lf, "cast.end");
  LLVMBuildCondBr(lm->b, isobj, chk, join);
  LLVMPositionBuilderAtEnd(lm->b, chk);
  LLVMValueRef rtt = load(lm, lm->t_ptr, gep(lm, v, -(int64_t)WASMRT_GC_TAG),
                          8, "rtt");
  LLVMValueRef ok;
  if (ht == WASM_HT_STRUCT || ht == WASM_HT_ARRAY) {
    LLVMValueRef k = load(lm, lm->t_i32, gep(lm, rtt, WASMRT_RTT_KIND), 4, "kind");
    ok = LLVMBuildICmp(lm->b, LLVMIntEQ, k,
                       lower_const_i32(lm, ht == WASM_HT_STRUCT
                                               ? WASMRT_COMP_STRUCT
                                               : WASMRT_COMP_ARRAY), "");
  } else if (kind == WASM_COMP_STRUCT || kind == WASM_COMP_ARRAY) {
    ok = rtt_is(lf, rtt, ht - WASM_HT_INDEX);
  } else {
    snprintf(lf->err, sizeof lm->err, "internal error: cast to heap type %u",
             ht);
    ok = LLVMConstInt(lm->t_i1, 0, false);
  }
  LLVMBasicBlockRef chk_end = LLVMGetInsertBlock(lm->b);
  LLVMBuildBr(lm->b, join);
  LLVMPositionBuilderAtEnd(lm->b, join);
  LLVMValueRef phi = LLVMBuildPhi(lm->b, lm->t_i1, "test");
  LLVMValueRef in[2] = {other, ok};
  LLVMBasicBlockRef bb[2] = {from, chk_end};
  LLVMAddIncoming(phi, in, bb, 2);
  return phi;
#undef NULL_OR
}

/* ---- the family ------------------------------------------------------------------ */

bool lower_gc(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  const wasm_module *m = lm->wm;
  switch (in->op) {
  case WASM_OP_STRUCT_NEW:
  case WASM_OP_STRUCT_NEW_DEFAULT: {
    uint32_t t = in->imm.index;
    const wasm_subtype *st = &m->subtypes[t];
    const lower_gc_type *lt = lower_gc_layout(lm, t);
    uint32_t n = in->op == WASM_OP_STRUCT_NEW ? st->nfields : 0;
    LLVMValueRef *vals = malloc((n ? n : 1) * sizeof *vals);
    if (!vals)
      abort();
    for (uint32_t i = n; i > 0; i--)
      vals[i - 1] = lower_pop(lf);
    LLVMValueRef obj = alloc_struct(lf, rtt_of(lf, t), lt->obj_size, vals, n);
    for (uint32_t i = 0; i < n; i++) {
      wasm_vtype ft = st->fields[i].type;
      store(lm, to_storage(lm, ft, vals[i]), gep(lm, obj, lt->offsets[i]),
            storage_align(ft));
    }
    free(vals);
    lower_push(lf, word_of(lm, obj));
    return true;
  }
  case WASM_OP_STRUCT_GET:
  case WASM_OP_STRUCT_GET_S:
  case WASM_OP_STRUCT_GET_U: {
    uint32_t t = in->imm.index2.a, f = in->imm.index2.b;
    wasm_vtype ft = m->subtypes[t].fields[f].type;
    LLVMValueRef ref = lower_pop(lf);
    null_check(lf, ref, WASMRT_TRAP_NULL_STRUCT);
    int64_t off = (int64_t)lower_gc_layout(lm, t)->offsets[f] - WASMRT_GC_TAG;
    LLVMValueRef v = load(lm, storage_type(lm, ft), gep(lm, ref, off),
                          storage_align(ft), "field");
    lower_push(lf, from_storage(lm, ft, v, in->op == WASM_OP_STRUCT_GET_S));
    return true;
  }
  case WASM_OP_STRUCT_SET: {
    uint32_t t = in->imm.index2.a, f = in->imm.index2.b;
    wasm_vtype ft = m->subtypes[t].fields[f].type;
    LLVMValueRef v = lower_pop(lf);
    LLVMValueRef ref = lower_pop(lf);
    null_check(lf, ref, WASMRT_TRAP_NULL_STRUCT);
    int64_t off = (int64_t)lower_gc_layout(lm, t)->offsets[f] - WASMRT_GC_TAG;
    store(lm, to_storage(lm, ft, v), gep(lm, ref, off), storage_align(ft));
    return true;
  }
  case WASM_OP_REF_I31: {
    LLVMValueRef v = lower_pop(lf);
    LLVMValueRef x = LLVMBuildOr(
        lm->b, LLVMBuildShl(lm->b, v, lower_const_i32(lm, 1), ""),
        lower_const_i32(lm, 1), "");
    lower_push(lf, LLVMBuildIntToPtr(
                       lm->b, LLVMBuildZExt(lm->b, x, lm->t_i64, ""), lm->t_ptr,
                       "i31"));
    return true;
  }
  case WASM_OP_I31_GET_S:
  case WASM_OP_I31_GET_U: {
    LLVMValueRef ref = lower_pop(lf);
    null_check(lf, ref, WASMRT_TRAP_NULL_I31);
    LLVMValueRef x = LLVMBuildTrunc(
        lm->b, LLVMBuildPtrToInt(lm->b, ref, lm->t_i64, ""), lm->t_i32, "");
    LLVMValueRef one = lower_const_i32(lm, 1);
    lower_push(lf, in->op == WASM_OP_I31_GET_S ? LLVMBuildAShr(lm->b, x, one, "")
                                               : LLVMBuildLShr(lm->b, x, one, ""));
    return true;
  }
  case WASM_OP_REF_EQ: {
    LLVMValueRef b = lower_pop(lf);
    LLVMValueRef a = lower_pop(lf);
    lower_push(lf, LLVMBuildZExt(lm->b,
                                 LLVMBuildICmp(lm->b, LLVMIntEQ, a, b, ""),
                                 lm->t_i32, "ref.eq"));
    return true;
  }
  case WASM_OP_ANY_CONVERT_EXTERN:
  case WASM_OP_EXTERN_CONVERT_ANY:
    return true; /* the same word in either hierarchy */
  case WASM_OP_REF_TEST:
  case WASM_OP_REF_TEST_NULL: {
    LLVMValueRef v = lower_pop(lf);
    LLVMValueRef ok = lower_gc_test(lf, v, in->imm.heaptype,
                                    in->op == WASM_OP_REF_TEST_NULL);
    lower_push(lf, LLVMBuildZExt(lm->b, ok, lm->t_i32, "ref.test"));
    return true;
  }
  case WASM_OP_REF_CAST:
  case WASM_OP_REF_CAST_NULL: {
    LLVMValueRef v = lower_pop(lf);
    LLVMValueRef ok = lower_gc_test(lf, v, in->imm.heaptype,
                                    in->op == WASM_OP_REF_CAST_NULL);
    lower_trap_if(lf, LLVMBuildNot(lm->b, ok, ""), WASMRT_TRAP_CAST_FAILURE);
    lower_push(lf, v);
    return true;
  }
  default:
    return lower_array(lf, in);
  }
}
