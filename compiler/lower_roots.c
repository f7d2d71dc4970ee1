/* lower_roots.c: the shadow stack of GC roots in generated code
 * (wasmrt_abi.h "Garbage collection": wasmrt_gc.roots, wasmrt_gc_frame).
 *
 * The collector finds every reference a Wasm function holds through a
 * frame of slots the function keeps on its native stack, linked into the
 * thread's chain on entry. Values stay in registers: the function stores
 * what it holds into the slots only just before something that may
 * collect (a call, an allocation's slow path), and never reloads them
 * (objects do not move). A slot is never cleared: a stale one keeps an
 * object alive a little longer, which is safe, and saves the stores.
 *
 * Why not LLVM's statepoints: docs/architecture.md (return_call is a
 * musttail call, which rewrite-statepoints-for-gc cannot keep).
 *
 * Which values: locals whose type can hold an object
 * (lower_gc_traceable), and every reference on the operand stack: the
 * lowering keeps no Wasm types for the stack, but every reference is an
 * LLVM ptr and the collector ignores words that are not tagged objects
 * (funcref and exnref pointers, host values, i31s), so storing them all
 * is exact. Only modules that can hold objects at all (lm->gc_roots)
 * have frames, and in them only functions that call or allocate.
 *
 * The chain must stay right however a function is left: the return
 * block and every return_call unlink the frame, a throw out of the
 * function unlinks it first, and a call that an exception unwinds
 * through lands in a cleanup pad that unlinks it and throws on. Traps
 * leave through the runtime, which restores the chain it saved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "reader.h"

bool lower_gc_traceable(const lower_module *lm, wasm_vtype t) {
  (void)lm;
  if (!wasm_vt_is_ref(t))
    return false;
  wasm_heaptype ht = wasm_vt_heap(t);
  switch (ht) {
  case WASM_HT_FUNC: case WASM_HT_NOFUNC: case WASM_HT_EXN:
  case WASM_HT_NOEXN: case WASM_HT_NONE: case WASM_HT_NOEXTERN:
  case WASM_HT_I31:
    return false;
  default:
    break;
  }
  if (ht >= WASM_HT_INDEX && ht < WASM_HT_BOT &&
      ht - WASM_HT_INDEX < lm->wm->ntypes)
    return lm->wm->subtypes[ht - WASM_HT_INDEX].kind != WASM_COMP_FUNC;
  return true; /* any, eq, struct, array, extern */
}

/* Can the module hold a GC object anywhere? Any type it names of the any
 * or extern hierarchy (an externref may be an object another module
 * externalised). */
static bool module_traceable(const lower_module *lm) {
  const wasm_module *m = lm->wm;
  for (uint32_t i = 0; i < m->ntypes; i++) {
    if (m->subtypes[i].kind != WASM_COMP_FUNC)
      return true;
    const wasm_functype *ft = &m->types[i];
    for (uint32_t k = 0; k < ft->nparams; k++)
      if (lower_gc_traceable(lm, ft->params[k]))
        return true;
    for (uint32_t k = 0; k < ft->nresults; k++)
      if (lower_gc_traceable(lm, ft->results[k]))
        return true;
  }
  for (uint32_t i = 0; i < m->nglobals; i++)
    if (lower_gc_traceable(lm, m->globals[i].type.type))
      return true;
  for (uint32_t i = 0; i < m->ntables; i++)
    if (lower_gc_traceable(lm, m->tables[i].elem))
      return true;
  for (uint32_t i = 0; i < m->nelems; i++)
    if (lower_gc_traceable(lm, m->elems[i].type))
      return true;
  for (uint32_t f = m->nimported_funcs; f < m->nfuncs; f++)
    for (uint32_t g = 0; g < m->funcs[f].ngroups; g++)
      if (lower_gc_traceable(lm, m->funcs[f].groups[g].type))
        return true;
  return false;
}

/* What a body does that matters here: allocate or call something
 * unknown (then a call of it may collect), and which functions it calls
 * directly (callees[], return_call included, which collects as much). */
static bool scan_body(const lower_module *lm, uint32_t fidx, uint32_t **callees,
                      uint32_t *n, uint32_t *cap) {
  const wasm_func *f = &lm->wm->funcs[fidx];
  wasm_error err;
  memset(&err, 0, sizeof err);
  wasm_reader r = wasm_reader_make(lm->wm->bytes, f->body_offset,
                                   (size_t)f->body_offset + f->body_len, &err);
  bool collects = false;
  wasm_instr in;
  while (!wasm_reader_eof(&r) && wasm_read_instr(&r, &in)) {
    switch (in.op) {
    case WASM_OP_CALL: case WASM_OP_RETURN_CALL:
      if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        uint32_t *p = realloc(*callees, *cap * sizeof *p);
        if (!p)
          abort();
        *callees = p;
      }
      (*callees)[(*n)++] = in.imm.index;
      break;
    case WASM_OP_CALL_INDIRECT: case WASM_OP_CALL_REF:
    case WASM_OP_RETURN_CALL_INDIRECT: case WASM_OP_RETURN_CALL_REF:
    case WASM_OP_STRUCT_NEW: case WASM_OP_STRUCT_NEW_DEFAULT:
    case WASM_OP_ARRAY_NEW: case WASM_OP_ARRAY_NEW_DEFAULT:
    case WASM_OP_ARRAY_NEW_FIXED: case WASM_OP_ARRAY_NEW_DATA:
    case WASM_OP_ARRAY_NEW_ELEM:
      collects = true;
      break;
    default:
      break;
    }
  }
  wasm_reader_finish(&r);
  return collects;
}

/* may_collect for every function: the least fixed point of "allocates,
 * calls something unknown, or calls a function that may collect" over
 * the direct call graph, by a worklist over callers (so a function that
 * only recurses, like a tree walk, needs no frame). */
static void analyse(lower_module *lm) {
  const wasm_module *m = lm->wm;
  uint32_t nf = m->nfuncs;
  uint8_t *may = calloc(nf ? nf : 1, 1);
  uint32_t *from = NULL, *to = NULL, n = 0, cap = 0;
  if (!may)
    abort();
  for (uint32_t f = 0; f < nf; f++) {
    if (m->funcs[f].imported) {
      may[f] = 1;
      continue;
    }
    uint32_t before = n;
    if (scan_body(lm, f, &to, &n, &cap))
      may[f] = 1;
    uint32_t *p = realloc(from, (cap ? cap : 1) * sizeof *p);
    if (!p)
      abort();
    from = p;
    for (uint32_t i = before; i < n; i++)
      from[i] = f;
  }
  /* callers of each callee, CSR */
  uint32_t *start = calloc((size_t)nf + 1, sizeof *start);
  uint32_t *callers = malloc((n ? n : 1) * sizeof *callers);
  uint32_t *work = malloc((nf ? nf : 1) * sizeof *work);
  if (!start || !callers || !work)
    abort();
  for (uint32_t i = 0; i < n; i++)
    if (to[i] < nf)
      start[to[i] + 1]++;
  for (uint32_t f = 0; f < nf; f++)
    start[f + 1] += start[f];
  uint32_t *fill = calloc(nf ? nf : 1, sizeof *fill);
  if (!fill)
    abort();
  for (uint32_t i = 0; i < n; i++)
    if (to[i] < nf)
      callers[start[to[i]] + fill[to[i]]++] = from[i];
  uint32_t nw = 0;
  for (uint32_t f = 0; f < nf; f++)
    if (may[f])
      work[nw++] = f;
  while (nw > 0) {
    uint32_t g = work[--nw];
    for (uint32_t k = start[g]; k < start[g + 1]; k++)
      if (!may[callers[k]]) {
        may[callers[k]] = 1;
        work[nw++] = callers[k];
      }
  }
  free(fill);
  free(work);
  free(callers);
  free(start);
  free(from);
  free(to);
  lm->gc_may_collect = may;
}

bool lower_roots_may_collect(lower_module *lm, uint32_t fidx) {
  if (!lm->gc_roots)
    return true; /* no frames anywhere: nothing to decide */
  if (!lm->gc_may_collect)
    analyse(lm);
  return fidx >= lm->wm->nfuncs || lm->gc_may_collect[fidx];
}

LLVMValueRef lower_gc_tls(lower_module *lm) {
  LLVMValueRef g = LLVMGetNamedGlobal(lm->mod, WASMRT_GC_SYMBOL);
  if (!g) {
    LLVMTypeRef t = LLVMArrayType2(lm->t_i8, sizeof(wasmrt_gc_thread));
    g = LLVMAddGlobal(lm->mod, t, WASMRT_GC_SYMBOL);
    LLVMSetLinkage(g, LLVMExternalLinkage);
    LLVMSetThreadLocal(g, true);
    LLVMSetThreadLocalMode(g, LLVMInitialExecTLSModel);
    LLVMSetAlignment(g, 16);
  }
  return g;
}

static LLVMValueRef at(lower_module *lm, LLVMValueRef base, uint64_t off) {
  if (off == 0)
    return base;
  LLVMValueRef o = lower_const_i64(lm, off);
  return LLVMBuildInBoundsGEP2(lm->b, lm->t_i8, base, &o, 1, "");
}

void lower_roots_prologue(lower_func *lf) {
  lower_module *lm = lf->lm;
  if (!lm->gc_roots_known) {
    lm->gc_roots = module_traceable(lm);
    lm->gc_roots_known = true;
  }
  /* A frame only where something can collect while it runs. */
  if (!lm->gc_roots || !lower_roots_may_collect(lm, lf->fidx))
    return;
  lf->root_local_slot = malloc((lf->nlocals ? lf->nlocals : 1) *
                               sizeof *lf->root_local_slot);
  if (!lf->root_local_slot)
    abort();
  uint32_t k = 0;
  for (uint32_t i = 0; i < lf->nlocals; i++)
    lf->root_local_slot[i] =
        lower_gc_traceable(lm, lf->local_types[i]) ? k++ : UINT32_MAX;
  lf->root_nlocal_slots = lf->root_nslots = k;

  /* A placeholder for the frame until its size is known (finish). */
  lf->root_frame = LLVMBuildAlloca(lm->b, lm->t_i64, "gc.frame.tmp");
  LLVMValueRef tls = lower_gc_tls(lm);
  LLVMValueRef prev = LLVMBuildLoad2(lm->b, lm->t_ptr, tls, "gc.prev");
  LLVMSetAlignment(prev, 8);
  lf->root_prev = prev;
  LLVMSetAlignment(LLVMBuildStore(lm->b, prev, lf->root_frame), 8);
  lf->root_nslots_store = LLVMBuildStore(
      lm->b, lower_const_i64(lm, 0), at(lm, lf->root_frame, 8));
  LLVMSetAlignment(lf->root_nslots_store, 8);
  LLVMTypeRef ov[2] = {lm->t_ptr, lm->t_i64};
  LLVMValueRef args[4] = {at(lm, lf->root_frame, 16),
                          LLVMConstInt(lm->t_i8, 0, false),
                          lower_const_i64(lm, 0),
                          LLVMConstInt(lm->t_i1, 0, false)};
  lf->root_memset = lower_intrinsic(lf, "llvm.memset", ov, 2, args, 4);
  LLVMSetAlignment(LLVMBuildStore(lm->b, lf->root_frame, tls), 8);
}

static void store_slot(lower_func *lf, uint32_t k, LLVMValueRef v) {
  lower_module *lm = lf->lm;
  LLVMValueRef s =
      LLVMBuildStore(lm->b, v, at(lm, lf->root_frame, 16 + 8ull * k));
  LLVMSetAlignment(s, 8);
}

void lower_roots_safepoint(lower_func *lf, LLVMValueRef *extra, unsigned n) {
  if (!lf->root_frame)
    return;
  lower_module *lm = lf->lm;
  for (uint32_t i = 0; i < lf->nlocals; i++) {
    uint32_t k = lf->root_local_slot[i];
    if (k == UINT32_MAX)
      continue;
    LLVMValueRef v = LLVMBuildLoad2(lm->b, lm->t_ptr, lf->locals[i], "");
    store_slot(lf, k, v);
  }
  uint32_t k = lf->root_nlocal_slots;
  for (uint32_t i = 0; i < lf->sp; i++)
    if (LLVMTypeOf(lf->stack[i]) == lm->t_ptr)
      store_slot(lf, k++, lf->stack[i]);
  for (unsigned i = 0; i < n; i++)
    if (extra[i] && LLVMTypeOf(extra[i]) == lm->t_ptr)
      store_slot(lf, k++, extra[i]);
  if (k > lf->root_nslots)
    lf->root_nslots = k;
}

void lower_roots_unlink(lower_func *lf) {
  if (!lf->root_frame)
    return;
  lower_module *lm = lf->lm;
  LLVMSetAlignment(LLVMBuildStore(lm->b, lf->root_prev, lower_gc_tls(lm)), 8);
}

LLVMBasicBlockRef lower_roots_unwind_dest(lower_func *lf) {
  lower_module *lm = lf->lm;
  if (!lf->root_frame || lm->opts.no_unwind)
    return NULL;
  if (lf->root_cleanup)
    return lf->root_cleanup;
  LLVMBasicBlockRef here = LLVMGetInsertBlock(lm->b);
  lf->root_cleanup =
      LLVMAppendBasicBlockInContext(lm->llctx, lf->fn, "gc.unwind");
  /* the exception is thrown on from here, the frame unlinked */
  LLVMValueRef exn = lower_catch_all_pad(lm, lf->fn, lf->root_cleanup, "exn");
  lower_roots_unlink(lf);
  LLVMValueRef args[2] = {exn, lower_const_i32(lm, lf->fidx)};
  lower_call_rt(lf, RT_THROW, args, 2);
  LLVMBuildUnreachable(lm->b);
  if (here)
    LLVMPositionBuilderAtEnd(lm->b, here);
  return lf->root_cleanup;
}

void lower_roots_finish(lower_func *lf) {
  if (!lf->root_frame)
    return;
  lower_module *lm = lf->lm;
  uint32_t n = lf->root_nslots;
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(lf->fn);
  LLVMPositionBuilderBefore(lm->b, LLVMGetFirstInstruction(entry));
  LLVMValueRef frame = LLVMBuildAlloca(
      lm->b, LLVMArrayType2(lm->t_ptr, 2 + (uint64_t)n), "gc.frame");
  LLVMSetAlignment(frame, 16);
  LLVMReplaceAllUsesWith(lf->root_frame, frame);
  LLVMInstructionEraseFromParent(lf->root_frame);
  lf->root_frame = frame;
  LLVMSetOperand(lf->root_nslots_store, 0, lower_const_i64(lm, n));
  LLVMSetOperand(lf->root_memset, 2, lower_const_i64(lm, 8ull * n));
  /* The return block (the body frame's end) unlinks before returning. */
  LLVMBasicBlockRef ret = lf->return_block;
  LLVMValueRef term = ret ? LLVMGetBasicBlockTerminator(ret) : NULL;
  if (term) {
    LLVMPositionBuilderBefore(lm->b, term);
    lower_roots_unlink(lf);
  }
}
