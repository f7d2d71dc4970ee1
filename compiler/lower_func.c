/* lower_func.c: lowering of one function body, and the helpers of lower.h
 * that every instruction family uses.
 *
 * The body is walked once, instruction by instruction (wasm_read_instr over
 * the body bytes); the Wasm operand stack is kept at compile time as an
 * array of LLVMValueRefs, so no stack traffic reaches the IR. Locals are
 * allocas that mem2reg promotes. Each instruction goes to exactly one
 * family function (dispatch below); code that follows an unconditional
 * branch is skipped here, by nesting depth, so families only ever see
 * reachable instructions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "reader.h"
#include "stack_check.h"

/* ---- operand stack ------------------------------------------------------ */

LLVMValueRef lower_pop(lower_func *lf) {
  /* The validator guarantees the stack never underflows in reachable
   * code, so an underflow is a lowering bug: report it (lower_function
   * checks lf->err after every instruction) and hand back a placeholder
   * so the caller's IR building does not crash first. */
  if (lf->sp == 0) {
    snprintf(lf->err, sizeof lf->lm->err,
             "internal error: operand stack underflow");
    return LLVMGetPoison(lf->lm->t_i32);
  }
  return lf->stack[--lf->sp];
}

void lower_push(lower_func *lf, LLVMValueRef v) {
  if (lf->sp == lf->stack_cap) {
    /* max_stack from the validator bounds reachable code; growing keeps
     * us safe should a family push more than it pops transiently. */
    uint32_t cap = lf->stack_cap ? lf->stack_cap * 2 : 16;
    LLVMValueRef *s = realloc(lf->stack, cap * sizeof *s);
    if (!s)
      abort();
    lf->stack = s;
    lf->stack_cap = cap;
  }
  lf->stack[lf->sp++] = v;
}

/* ---- traps -------------------------------------------------------------- */

/* Mark a conditional branch as almost never taken towards its trap block,
 * so the hot path stays straight-line. */
static void set_unlikely(lower_module *lm, LLVMValueRef br, bool trap_on_true) {
  LLVMMetadataRef ops[3];
  ops[0] = LLVMMDStringInContext2(lm->llctx, "branch_weights", 14);
  LLVMValueRef hot = LLVMConstInt(lm->t_i32, 2000, false);
  LLVMValueRef cold = LLVMConstInt(lm->t_i32, 1, false);
  ops[1] = LLVMValueAsMetadata(trap_on_true ? cold : hot);
  ops[2] = LLVMValueAsMetadata(trap_on_true ? hot : cold);
  LLVMMetadataRef node = LLVMMDNodeInContext2(lm->llctx, ops, 3);
  LLVMSetMetadata(br, LLVMGetMDKindIDInContext(lm->llctx, "prof", 4),
                  LLVMMetadataAsValue(lm->llctx, node));
}

/* The shared cold block that raises `code`, created on first use. Index 0
 * (TRAP_NONE) is the block for a code known only at run time (runtime
 * helpers' results): it takes the code through a phi. */
static LLVMBasicBlockRef trap_block(lower_func *lf, unsigned code) {
  if (lf->trap_blocks[code])
    return lf->trap_blocks[code];
  lower_module *lm = lf->lm;
  LLVMBasicBlockRef here = LLVMGetInsertBlock(lm->b);
  LLVMBasicBlockRef bb =
      LLVMAppendBasicBlockInContext(lm->llctx, lf->fn, code ? "trap" : "trap.dyn");
  LLVMPositionBuilderAtEnd(lm->b, bb);
  LLVMValueRef c = code ? lower_const_i32(lm, code)
                        : LLVMBuildPhi(lm->b, lm->t_i32, "trap.code");
  /* No vmctx: the runtime finds the module from the call's return
   * address. A use of vmctx here, however cold, changes how LLVM's
   * register allocator splits vmctx's live range in functions with
   * landing pads: the stack check's trap block made it copy vmctx into a
   * callee-saved register at the top of every call, leaf paths included,
   * instead of just before the first call: one more move on every call,
   * also on paths that call nothing (bench/README.md, bench/exceptions). */
  LLVMValueRef args[3] = {LLVMConstNull(lm->t_ptr), c,
                          lower_const_i32(lm, lf->fidx)};
  LLVMBuildCall2(lm->b, lm->rt_types[RT_TRAP], lm->rt[RT_TRAP], args, 3, "");
  LLVMBuildUnreachable(lm->b);
  if (here)
    LLVMPositionBuilderAtEnd(lm->b, here);
  lf->trap_blocks[code] = bb;
  return bb;
}

void lower_trap_if(lower_func *lf, LLVMValueRef cond, wasmrt_trap_code code) {
  lower_module *lm = lf->lm;
  LLVMBasicBlockRef trap = trap_block(lf, code);
  LLVMBasicBlockRef cont =
      LLVMAppendBasicBlockInContext(lm->llctx, lf->fn, "ok");
  LLVMValueRef br = LLVMBuildCondBr(lm->b, cond, trap, cont);
  set_unlikely(lm, br, true);
  LLVMPositionBuilderAtEnd(lm->b, cont);
}

void lower_trap(lower_func *lf, wasmrt_trap_code code) {
  lower_module *lm = lf->lm;
  LLVMBuildBr(lm->b, trap_block(lf, code));
  /* Anything a family emits after an unconditional trap lands in a block
   * without predecessors, which is valid IR and removed by the optimizer;
   * lower_control marks the frame unreachable for `unreachable` itself. */
  LLVMPositionBuilderAtEnd(
      lm->b, LLVMAppendBasicBlockInContext(lm->llctx, lf->fn, "dead"));
}

/* ---- vmctx and runtime calls -------------------------------------------- */

LLVMValueRef lower_vmctx_slot(lower_func *lf, unsigned slot, bool invariant) {
  lower_module *lm = lf->lm;
  LLVMValueRef off = lower_const_i64(lm, 8u * slot);
  LLVMValueRef p = LLVMBuildInBoundsGEP2(lm->b, lm->t_i8, lf->vmctx, &off, 1,
                                         "vmctx.slot");
  /* Every slot is a pointer except the stack limit (uintptr_t). */
  LLVMTypeRef t = slot == WASMRT_VMCTX_STACK_LIMIT ? lm->t_i64 : lm->t_ptr;
  LLVMValueRef v = LLVMBuildLoad2(lm->b, t, p, "");
  LLVMSetAlignment(v, 8);
  if (invariant)
    LLVMSetMetadata(v, lm->md_invariant,
                    LLVMMetadataAsValue(lm->llctx,
                                        LLVMMDNodeInContext2(lm->llctx, NULL, 0)));
  return v;
}

LLVMValueRef lower_call_rt(lower_func *lf, lower_rt rt, LLVMValueRef *args,
                           unsigned nargs) {
  lower_module *lm = lf->lm;
  LLVMValueRef all[8];
  if (nargs + 1 > sizeof all / sizeof *all)
    abort(); /* no runtime entry point takes that many */
  all[0] = lf->vmctx;
  for (unsigned i = 0; i < nargs; i++)
    all[i + 1] = args[i];
  return LLVMBuildCall2(lm->b, lm->rt_types[rt], lm->rt[rt], all, nargs + 1,
                        "");
}

void lower_call_rt_checked(lower_func *lf, lower_rt rt, LLVMValueRef *args,
                           unsigned nargs) {
  lower_module *lm = lf->lm;
  LLVMValueRef code = lower_call_rt(lf, rt, args, nargs);
  LLVMValueRef bad = LLVMBuildICmp(lm->b, LLVMIntNE, code,
                                   lower_const_i32(lm, 0), "rt.failed");
  LLVMBasicBlockRef trap = trap_block(lf, WASMRT_TRAP_NONE);
  LLVMBasicBlockRef cont =
      LLVMAppendBasicBlockInContext(lm->llctx, lf->fn, "ok");
  LLVMValueRef br = LLVMBuildCondBr(lm->b, bad, trap, cont);
  set_unlikely(lm, br, true);
  LLVMValueRef phi = LLVMGetFirstInstruction(trap);
  LLVMBasicBlockRef from = LLVMGetInsertBlock(lm->b);
  LLVMAddIncoming(phi, &code, &from, 1);
  LLVMPositionBuilderAtEnd(lm->b, cont);
}

LLVMValueRef lower_intrinsic(lower_func *lf, const char *name,
                             LLVMTypeRef *overloads, unsigned noverloads,
                             LLVMValueRef *args, unsigned nargs) {
  lower_module *lm = lf->lm;
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  if (id == 0) {
    snprintf(lf->err, sizeof lm->err, "internal error: no intrinsic %s", name);
    return NULL;
  }
  LLVMValueRef fn =
      LLVMGetIntrinsicDeclaration(lm->mod, id, overloads, noverloads);
  LLVMTypeRef ty = LLVMIntrinsicGetType(lm->llctx, id, overloads, noverloads);
  return LLVMBuildCall2(lm->b, ty, fn, args, nargs, "");
}

/* ---- dispatch ------------------------------------------------------------ */

typedef bool (*family_fn)(lower_func *, const wasm_instr *);

static family_fn family_of(uint16_t op) {
  const wasm_opinfo *oi = &wasm_opinfos[op];
  if (oi->prefix == 0xFD)
    return lower_simd;
  if (oi->prefix == 0xFE)
    return lower_atomic;
  if (oi->prefix == 0xFB)
    return op == WASM_OP_BR_ON_CAST || op == WASM_OP_BR_ON_CAST_FAIL
               ? lower_control : lower_gc;
  if (oi->prefix == 0xFC) {
    if (oi->code <= 7)
      return lower_numeric;
    if (oi->code <= 11)
      return lower_memory;
    return lower_table;
  }
  switch (op) {
  case WASM_OP_UNREACHABLE: case WASM_OP_NOP: case WASM_OP_BLOCK:
  case WASM_OP_LOOP: case WASM_OP_IF: case WASM_OP_ELSE: case WASM_OP_END:
  case WASM_OP_BR: case WASM_OP_BR_IF: case WASM_OP_BR_TABLE:
  case WASM_OP_RETURN: case WASM_OP_DROP: case WASM_OP_SELECT:
  case WASM_OP_SELECT_T:
    return lower_control;
  case WASM_OP_CALL: case WASM_OP_CALL_INDIRECT: case WASM_OP_REF_NULL:
  case WASM_OP_REF_IS_NULL: case WASM_OP_REF_FUNC:
  case WASM_OP_RETURN_CALL: case WASM_OP_RETURN_CALL_INDIRECT:
  case WASM_OP_CALL_REF: case WASM_OP_RETURN_CALL_REF:
  case WASM_OP_REF_AS_NON_NULL:
    return lower_call;
  case WASM_OP_THROW: case WASM_OP_THROW_REF: case WASM_OP_TRY_TABLE:
  case WASM_OP_TRY: case WASM_OP_CATCH: case WASM_OP_CATCH_ALL:
  case WASM_OP_DELEGATE: case WASM_OP_RETHROW:
    return lower_exn;
  case WASM_OP_BR_ON_NULL: case WASM_OP_BR_ON_NON_NULL:
    return lower_control;
  case WASM_OP_LOCAL_GET: case WASM_OP_LOCAL_SET: case WASM_OP_LOCAL_TEE:
  case WASM_OP_GLOBAL_GET: case WASM_OP_GLOBAL_SET:
    return lower_variable;
  case WASM_OP_TABLE_GET: case WASM_OP_TABLE_SET:
    return lower_table;
  case WASM_OP_REF_EQ:
    return lower_gc;
  default:
    break;
  }
  if (oi->code >= 0x28 && oi->code <= 0x40)
    return lower_memory;
  if (oi->code >= 0x41 && oi->code <= 0xC4)
    return lower_numeric;
  return NULL;
}

/* ---- the body ------------------------------------------------------------ */

static LLVMValueRef zero_of(lower_module *lm, wasm_vtype t) {
  return LLVMConstNull(lower_valtype(lm, t));
}

/* Entry block: allocas for every local (params stored, declared locals
 * zeroed as Wasm requires), mem0_base, and the stack-limit check. */
static void prologue(lower_func *lf) {
  lower_module *lm = lf->lm;
  const wasm_module *wm = lm->wm;
  const wasm_func *f = &wm->funcs[lf->fidx];
  LLVMBasicBlockRef entry =
      LLVMAppendBasicBlockInContext(lm->llctx, lf->fn, "entry");
  LLVMPositionBuilderAtEnd(lm->b, entry);

  lf->nlocals = lf->type->nparams + f->nlocals;
  lf->locals = calloc(lf->nlocals ? lf->nlocals : 1, sizeof *lf->locals);
  lf->local_types = calloc(lf->nlocals ? lf->nlocals : 1,
                          sizeof *lf->local_types);
  uint32_t n = 0;
  for (uint32_t i = 0; i < lf->type->nparams; i++)
    lf->local_types[n++] = lf->type->params[i];
  for (uint32_t g = 0; g < f->ngroups; g++)
    for (uint32_t i = 0; i < f->groups[g].count; i++)
      lf->local_types[n++] = f->groups[g].type;

  for (uint32_t i = 0; i < lf->nlocals; i++) {
    char name[24];
    snprintf(name, sizeof name, "l%u", i);
    lf->locals[i] =
        LLVMBuildAlloca(lm->b, lower_valtype(lm, lf->local_types[i]), name);
  }
  /* The parameters as the calling convention delivers them (lower_conv.c):
   * nothing before this may call. */
  LLVMValueRef *params =
      malloc((lf->type->nparams ? lf->type->nparams : 1) * sizeof *params);
  if (!params)
    abort();
  lower_conv_params(lm, lf->fn, lf->type, params);
  for (uint32_t i = 0; i < lf->nlocals; i++) {
    LLVMValueRef v = i < lf->type->nparams ? params[i]
                                           : zero_of(lm, lf->local_types[i]);
    LLVMBuildStore(lm->b, v, lf->locals[i]);
  }
  /* The GC shadow-stack frame, linked before anything may collect. */
  lower_roots_prologue(lf);

  /* Call-stack exhaustion: every function compares the stack pointer with
   * the limit the runtime leaves below its guard, so deep recursion traps
   * cleanly instead of faulting on the guard page (a pure call until code
   * generation, so that inlined copies merge: stack_check.c). */
  LLVMValueRef limit = lower_vmctx_slot(lf, WASMRT_VMCTX_STACK_LIMIT, true);
  lower_trap_if(lf, stack_check_low(lm->mod, lm->b, limit),
                WASMRT_TRAP_STACK_EXHAUSTED);

  /* Memory 0 never moves (reserved once), so its base is loaded once.
   * A 64-bit memory 0 takes the path of the other memories instead
   * (lower_memory.c): the IR passes that know memory 0 by this load
   * assume its 32-bit indices. */
  if (wm->nmemories > 0 && !wm->memories[0].limits.is64)
    lf->mem0_base = lower_vmctx_slot(lf, WASMRT_VMCTX_MEM0_BASE, true);
  lower_debug_prologue(lf, params);
  free(params);
}

/* The implicit frame of the body: branching to it is `return`. */
static void push_body_frame(lower_func *lf) {
  lower_module *lm = lf->lm;
  lower_frame *fr = &lf->frames[lf->nframes++];
  memset(fr, 0, sizeof *fr);
  fr->op = WASM_OP_END;
  fr->nresults = lf->type->nresults;
  fr->results = lf->type->results;
  fr->height = 0;
  LLVMBasicBlockRef here = LLVMGetInsertBlock(lm->b);
  fr->end = fr->target =
      LLVMAppendBasicBlockInContext(lm->llctx, lf->fn, "return");
  LLVMPositionBuilderAtEnd(lm->b, fr->end);
  fr->phis = calloc(fr->nresults ? fr->nresults : 1, sizeof *fr->phis);
  for (uint32_t i = 0; i < fr->nresults; i++)
    fr->phis[i] = LLVMBuildPhi(lm->b, lower_valtype(lm, fr->results[i]), "ret");
  fr->end_phis = fr->phis;
  lf->return_block = fr->end;
  /* The return block's terminator. */
  lower_conv_return(lm, lf->type, fr->phis);
  LLVMPositionBuilderAtEnd(lm->b, here);
}

/* Is the current innermost frame in dead code? Then skip instructions,
 * tracking nested blocks so the matching else/end is found. Returns true
 * when `in` was consumed here. */
static bool skip_dead(lower_func *lf, const wasm_instr *in) {
  if (lf->nframes == 0 || !lf->frames[lf->nframes - 1].unreachable)
    return false;
  switch (in->op) {
  case WASM_OP_BLOCK: case WASM_OP_LOOP: case WASM_OP_IF:
  case WASM_OP_TRY: case WASM_OP_TRY_TABLE:
    lf->dead_depth++;
    return true;
  case WASM_OP_ELSE: case WASM_OP_CATCH: case WASM_OP_CATCH_ALL:
    /* a new arm of the innermost live frame may be reachable again */
    return lf->dead_depth > 0;
  case WASM_OP_END: case WASM_OP_DELEGATE: /* delegate ends its try */
    if (lf->dead_depth > 0) {
      lf->dead_depth--;
      return true;
    }
    return false;
  default:
    return true;
  }
}

static void free_frames(lower_func *lf) {
  for (uint32_t i = 0; i < lf->frames_cap; i++) {
    lower_frame *fr = &lf->frames[i];
    if (fr->end_phis && fr->end_phis != fr->phis)
      free(fr->end_phis);
    free(fr->phis);
    free(fr->if_params);
    free(fr->catches);
  free(fr->unholds);
  }
  free(lf->frames);
}

bool lower_function(lower_module *lm, uint32_t fidx, wasm_error *err) {
  const wasm_module *wm = lm->wm;
  const wasm_func *f = &wm->funcs[fidx];
  if (f->imported)
    return true;
  if (fidx < lm->first || fidx >= lm->end)
    return wasm_fail(err, f->code_offset,
                     "internal error: function %u is not in this chunk", fidx);
  const wasm_func_info *info = &wm->func_info[fidx - wm->nimported_funcs];
  /* Before anything is allocated per local (lower.h). */
  uint64_t nlocals = (uint64_t)wm->types[f->type].nparams + f->nlocals;
  if (nlocals > LOWER_MAX_LOCALS)
    return wasm_fail(err, f->code_offset,
                     "implementation limit: function %u has %llu locals "
                     "(parameters included); wasmc compiles at most %u",
                     fidx, (unsigned long long)nlocals, LOWER_MAX_LOCALS);

  lower_func lf;
  memset(&lf, 0, sizeof lf);
  lf.lm = lm;
  lf.fidx = fidx;
  lf.type = &wm->types[f->type];
  lf.fn = lm->funcs[fidx];
  lf.vmctx = LLVMGetParam(lf.fn, 0);
  lf.err = lm->err;
  lm->err[0] = 0;
  lf.stack_cap = info->max_stack + 8;
  lf.stack = malloc(lf.stack_cap * sizeof *lf.stack);
  /* +1: the body frame; frames are owned (phis) so zeroed. */
  lf.frames_cap = info->max_depth + 2;
  lf.frames = calloc(lf.frames_cap, sizeof *lf.frames);
  lf.mem_bases = calloc(wm->nmemories + 1, sizeof *lf.mem_bases);
  if (!lf.stack || !lf.frames || !lf.mem_bases) {
    free(lf.stack);
    free(lf.frames);
    free(lf.mem_bases);
    return wasm_fail(err, f->body_offset, "out of memory");
  }

  lower_debug_function(lm, fidx, lf.fn);
  prologue(&lf);
  push_body_frame(&lf);

  bool ok = true;
  wasm_reader r = wasm_reader_make(wm->bytes, f->body_offset,
                                   (size_t)f->body_offset + f->body_len, err);
  while (lf.nframes > 0) {
    wasm_instr in;
    if (!wasm_read_instr(&r, &in)) {
      ok = false;
      break;
    }
    if (skip_dead(&lf, &in))
      continue;
    lower_debug_at(&lf, in.offset);
    family_fn fam = family_of(in.op);
    if (!fam || !fam(&lf, &in) || lm->err[0]) {
      if (!lm->err[0])
        snprintf(lm->err, sizeof lm->err, "internal error: no family for %s",
                 wasm_opinfos[in.op].text);
      const char *name = wm->func_names && wm->func_names[fidx].str
                             ? wm->func_names[fidx].str
                             : NULL;
      if (name)
        wasm_fail(err, in.offset, "function %u ($%s): %s", fidx, name, lm->err);
      else
        wasm_fail(err, in.offset, "function %u: %s", fidx, lm->err);
      ok = false;
      break;
    }
  }
  wasm_reader_finish(&r);
  if (ok)
    lower_roots_finish(&lf);
  free(lf.root_local_slot);
  lower_debug_end_function(&lf);
  free_frames(&lf);
  free(lf.stack);
  free(lf.locals);
  free(lf.local_types);
  free(lf.mem_bases);
  return ok;
}
