/* lower_exn.c: exception handling (see lower.h): throw, throw_ref,
 * try_table, and the legacy try/catch/catch_all/delegate/rethrow.
 *
 * Zero cost until something is thrown. A call inside a handler's scope
 * becomes an LLVM `invoke` whose unwind edge is the handler's landing pad
 * (lower_exn_unwind_dest, lower_wasm_call); outside any handler it stays a plain call, and
 * the unwinder passes through the frame. The landing pad catches every
 * Wasm exception (the runtime's personality routine treats each landing
 * pad as a catch-all, runtime/exn.c) and hands the exception to the
 * handler's `dispatch` block, which compares its tag with each clause's
 * tag (vmctx TAGS: tags have identity, an imported tag is the exporter's
 * object) and branches to the first that matches. When none does, the
 * exception goes on to the next handler out in this function, by a plain
 * branch, or leaves the function through wasmrt_throw.
 *
 * A throw inside a handler's scope in the same function never unwinds: it
 * branches to that handler's dispatch. So throw + catch within a function
 * costs an allocation and a compare.
 *
 * Traps are not exceptions: they leave by longjmp (runtime/trap.c) and
 * never reach a landing pad, so no handler, catch_all included, sees them.
 *
 * Exception objects (wasmrt_exn) are freed by the runtime when a
 * catch/catch_all clause has taken the payload, or when the last legacy
 * catch arm that held the exception (for rethrow) is left, by its end, a
 * branch or a throw; one that became an exnref value (catch_ref,
 * catch_all_ref) may be anywhere and is never freed (no garbage
 * collector), nor is one whose arm a trap ended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* ---- handlers ------------------------------------------------------------- */

/* The innermost frame, from depth `from` outward, whose handler catches
 * what is thrown at this point; NULL when the exception leaves the
 * function. */
static lower_frame *handler_from(lower_func *lf, uint32_t from) {
  for (uint32_t d = from; d < lf->nframes; d++) {
    lower_frame *fr = lower_label(lf, d);
    if (fr->handler_active)
      return fr;
  }
  return NULL;
}

static LLVMBasicBlockRef new_block(lower_func *lf, const char *name) {
  return LLVMAppendBasicBlockInContext(lf->lm->llctx, lf->fn, name);
}

/* The handler's dispatch block and its exception phi, made on first use. */
static LLVMBasicBlockRef dispatch_of(lower_func *lf, lower_frame *h) {
  if (h->dispatch)
    return h->dispatch;
  lower_module *lm = lf->lm;
  LLVMBasicBlockRef here = LLVMGetInsertBlock(lm->b);
  h->dispatch = new_block(lf, "exn.dispatch");
  LLVMPositionBuilderAtEnd(lm->b, h->dispatch);
  h->exn_phi = LLVMBuildPhi(lm->b, lm->t_ptr, "exn");
  LLVMPositionBuilderAtEnd(lm->b, here);
  return h->dispatch;
}

/* Ends the current block with a branch to h's dispatch carrying exn. */
static void goto_dispatch(lower_func *lf, lower_frame *h, LLVMValueRef exn) {
  LLVMBasicBlockRef d = dispatch_of(lf, h);
  LLVMBasicBlockRef from = LLVMGetInsertBlock(lf->lm->b);
  LLVMAddIncoming(h->exn_phi, &exn, &from, 1);
  LLVMBuildBr(lf->lm->b, d);
}

/* The handler's landing pad, made on first use: the unwinder lands here
 * with the exception, which goes to dispatch. */
static LLVMBasicBlockRef landing_pad(lower_func *lf, lower_frame *h) {
  if (h->lpad)
    return h->lpad;
  lower_module *lm = lf->lm;
  LLVMBasicBlockRef here = LLVMGetInsertBlock(lm->b);
  h->lpad = new_block(lf, "exn.lpad");
  LLVMValueRef exn = lower_catch_all_pad(lm, lf->fn, h->lpad, "exn.caught");
  goto_dispatch(lf, h, exn);
  LLVMPositionBuilderAtEnd(lm->b, here);
  return h->lpad;
}

LLVMBasicBlockRef lower_exn_unwind_dest(lower_func *lf) {
  lower_frame *h = handler_from(lf, 0);
  return h ? landing_pad(lf, h) : lower_roots_unwind_dest(lf);
}

/* Legacy catch arms hold their exception (for rethrow) until they end.
 * Every way out of an arm lets go of it: its end (lower_exn_end), a
 * branch out (lower_control.c, through these), a throw out (throw_from).
 * `keep` is an exception being thrown on, which must survive even when
 * the arm was its last holder; NULL for branches. Frames [from, to). */
/* An unhold of fr's arm exception, recorded so that finish_arm can take
 * it back. */
static void unhold(lower_func *lf, lower_frame *fr, LLVMValueRef keep) {
  LLVMValueRef a[2] = {fr->exn_phi, keep ? keep : LLVMConstNull(lf->lm->t_ptr)};
  LLVMValueRef call = lower_call_rt(lf, RT_EXN_UNHOLD, a, 2);
  if (fr->nunholds == fr->unholds_cap) {
    uint32_t cap = fr->unholds_cap ? fr->unholds_cap * 2 : 4;
    LLVMValueRef *p = realloc(fr->unholds, cap * sizeof *p);
    if (!p)
      abort();
    fr->unholds = p;
    fr->unholds_cap = cap;
  }
  fr->unholds[fr->nunholds++] = call;
}

static void release_range(lower_func *lf, uint32_t from, uint32_t to,
                          LLVMValueRef keep) {
  for (uint32_t d = from; d < to && d < lf->nframes; d++) {
    lower_frame *fr = lower_label(lf, d);
    if (fr->arm_holds)
      unhold(lf, fr, keep);
  }
}

/* The end of a legacy catch arm's lowering (all its exits are known):
 * if nothing rethrew its exception, nothing needed it after the payload
 * loads, so the hold becomes a drop there and the unholds go. */
static void finish_arm(lower_func *lf, lower_frame *fr) {
  if (fr->arm_hold_call && !fr->arm_rethrown) {
    lower_module *lm = lf->lm;
    LLVMBasicBlockRef here = LLVMGetInsertBlock(lm->b);
    LLVMPositionBuilderBefore(lm->b, fr->arm_hold_call);
    LLVMValueRef a[1] = {fr->exn_phi};
    lower_call_rt(lf, RT_EXN_DROP, a, 1);
    LLVMInstructionEraseFromParent(fr->arm_hold_call);
    for (uint32_t i = 0; i < fr->nunholds; i++)
      LLVMInstructionEraseFromParent(fr->unholds[i]);
    LLVMPositionBuilderAtEnd(lm->b, here);
  }
  fr->arm_hold_call = NULL;
  fr->arm_rethrown = false;
  fr->nunholds = 0;
  fr->arm_holds = false;
}

bool lower_exn_leaves_arm(lower_func *lf, uint32_t depth) {
  for (uint32_t d = 0; d <= depth && d < lf->nframes; d++)
    if (lower_label(lf, d)->arm_holds)
      return true;
  return false;
}

/* A branch to label `depth` leaves every frame up to it, that one too
 * (a branch to a try's label goes to its end). */
void lower_exn_release_arms(lower_func *lf, uint32_t depth) {
  release_range(lf, 0, depth + 1, NULL);
}

/* Throws exn from the current block to the innermost handler from depth
 * `from` outward, or out of the function. Ends the block. */
static void throw_from(lower_func *lf, LLVMValueRef exn, uint32_t from) {
  lower_module *lm = lf->lm;
  lower_frame *h = handler_from(lf, from);
  uint32_t hdepth = lf->nframes;
  for (uint32_t d = from; h && d < lf->nframes; d++)
    if (lower_label(lf, d) == h) {
      hdepth = d;
      break;
    }
  release_range(lf, from, hdepth, exn);
  if (h) {
    goto_dispatch(lf, h, exn);
    return;
  }
  LLVMValueRef args[2] = {exn, lower_const_i32(lm, lf->fidx)};
  lower_roots_unlink(lf); /* leaving the function */
  lower_call_rt(lf, RT_THROW, args, 2);
  LLVMBuildUnreachable(lm->b);
}

/* ---- exception objects ------------------------------------------------------ */

static LLVMValueRef exn_field(lower_func *lf, LLVMValueRef exn, uint64_t off) {
  lower_module *lm = lf->lm;
  LLVMValueRef o = lower_const_i64(lm, off);
  return LLVMBuildInBoundsGEP2(lm->b, lm->t_i8, exn, &o, 1, "");
}

static LLVMValueRef tag_of(lower_func *lf, uint32_t x) {
  lower_module *lm = lf->lm;
  LLVMValueRef tags = lower_vmctx_slot(lf, WASMRT_VMCTX_TAGS, true);
  LLVMValueRef o = lower_const_i64(lm, 8ull * x);
  LLVMValueRef p = LLVMBuildInBoundsGEP2(lm->b, lm->t_i8, tags, &o, 1, "");
  LLVMValueRef t = LLVMBuildLoad2(lm->b, lm->t_ptr, p, "tag");
  LLVMSetAlignment(t, 8);
  /* vmctx TAGS never changes after instantiation */
  LLVMSetMetadata(t, lm->md_invariant,
                  LLVMMetadataAsValue(lm->llctx,
                                      LLVMMDNodeInContext2(lm->llctx, NULL, 0)));
  return t;
}

static const wasm_functype *tag_type(lower_func *lf, uint32_t x) {
  const wasm_module *wm = lf->lm->wm;
  return &wm->types[wm->tags[x].type];
}

/* Pushes the payload of exn, an exception of tag x, onto the stack. */
static void push_payload(lower_func *lf, LLVMValueRef exn, uint32_t x,
                         LLVMValueRef *out) {
  lower_module *lm = lf->lm;
  const wasm_functype *ft = tag_type(lf, x);
  for (uint32_t i = 0; i < ft->nparams; i++) {
    LLVMValueRef p =
        exn_field(lf, exn, WASMRT_EXN_VALS_OFFSET + (uint64_t)16 * i);
    LLVMValueRef v =
        LLVMBuildLoad2(lm->b, lower_valtype(lm, ft->params[i]), p, "payload");
    LLVMSetAlignment(v, 16);
    if (out)
      out[i] = v;
    else
      lower_push(lf, v);
  }
}

/* The exception becomes an exnref value: the runtime must never free it
 * (it keeps it reachable instead). */
static void mark_escaped(lower_func *lf, LLVMValueRef exn) {
  LLVMValueRef a[1] = {exn};
  lower_call_rt(lf, RT_EXN_ESCAPE, a, 1);
}

static void lower_throw(lower_func *lf, uint32_t x) {
  lower_module *lm = lf->lm;
  LLVMValueRef args[2] = {lower_const_i32(lm, x), lower_const_i32(lm, lf->fidx)};
  LLVMValueRef exn = lower_call_rt(lf, RT_EXN_NEW, args, 2);
  const wasm_functype *ft = tag_type(lf, x);
  for (uint32_t i = ft->nparams; i-- > 0;) {
    LLVMValueRef v = lower_pop(lf);
    LLVMValueRef p =
        exn_field(lf, exn, WASMRT_EXN_VALS_OFFSET + (uint64_t)16 * i);
    LLVMSetAlignment(LLVMBuildStore(lm->b, v, p), 16);
  }
  throw_from(lf, exn, 0);
}

static void lower_throw_ref(lower_func *lf) {
  lower_module *lm = lf->lm;
  LLVMValueRef exn = lower_pop(lf);
  lower_trap_if(lf, LLVMBuildIsNull(lm->b, exn, "exn.null"),
                WASMRT_TRAP_NULL_EXNREF);
  throw_from(lf, exn, 0);
}

/* ---- try_table ---------------------------------------------------------------- */

static void lower_try_table(lower_func *lf, const wasm_instr *in) {
  lower_frame *fr =
      lower_begin_block(lf, in->op, &in->imm.try_table.block);
  uint32_t n = in->imm.try_table.count;
  /* the clauses live in the reader's scratch until the next instruction */
  fr->catches = malloc((n ? n : 1) * sizeof *fr->catches);
  if (!fr->catches)
    abort();
  if (n)
    memcpy(fr->catches, in->imm.try_table.catches, n * sizeof *fr->catches);
  fr->ncatches = n;
  fr->handler_active = n > 0; /* with no clause it is a plain block */
}

/* The clauses of a try_table, in order, at its dispatch block. Labels are
 * counted from outside the try_table (which is label 0 here). */
static void try_table_dispatch(lower_func *lf, lower_frame *fr) {
  lower_module *lm = lf->lm;
  LLVMPositionBuilderAtEnd(lm->b, fr->dispatch);
  LLVMValueRef exn = fr->exn_phi;
  LLVMValueRef tag = LLVMBuildLoad2(
      lm->b, lm->t_ptr, exn_field(lf, exn, WASMRT_EXN_TAG_OFFSET), "exn.tag");
  LLVMSetAlignment(tag, 8);
  for (uint32_t i = 0; i < fr->ncatches; i++) {
    const wasm_catch *c = &fr->catches[i];
    bool all = c->kind == WASM_CATCH_ALL || c->kind == WASM_CATCH_ALL_REF;
    bool ref = c->kind == WASM_CATCH_REF || c->kind == WASM_CATCH_ALL_REF;
    LLVMBasicBlockRef next = NULL;
    if (!all) {
      LLVMBasicBlockRef match = new_block(lf, "catch");
      next = new_block(lf, "catch.next");
      LLVMValueRef eq =
          LLVMBuildICmp(lm->b, LLVMIntEQ, tag, tag_of(lf, c->tag), "tag.eq");
      LLVMBuildCondBr(lm->b, eq, match, next);
      LLVMPositionBuilderAtEnd(lm->b, match);
    }
    lower_frame *target = lower_label(lf, c->label + 1);
    uint32_t np = all ? 0 : tag_type(lf, c->tag)->nparams;
    LLVMValueRef *vals = calloc(np + 2, sizeof *vals);
    if (!vals)
      abort();
    if (!all)
      push_payload(lf, exn, c->tag, vals);
    if (ref) {
      mark_escaped(lf, exn);
      vals[np] = exn;
    } else {
      LLVMValueRef a[1] = {exn};
      lower_call_rt(lf, RT_EXN_DROP, a, 1);
    }
    lower_branch_to(lf, target, vals);
    free(vals);
    if (all)
      return; /* later clauses can never match */
    LLVMPositionBuilderAtEnd(lm->b, next);
  }
  throw_from(lf, exn, 1);
}

/* ---- legacy try/catch/catch_all/delegate/rethrow -------------------------------- */

static void lower_try(lower_func *lf, const wasm_instr *in) {
  lower_frame *fr = lower_begin_block(lf, in->op, &in->imm.block);
  fr->handler_active = true;
}

/* Ends the current arm of a legacy try (its body, or a catch arm):
 * a catch arm lets go of the exception it held, then the arm falls to
 * the end of the try. */
static void end_arm(lower_func *lf, lower_frame *fr) {
  if (!fr->unreachable) {
    if (fr->arm_holds)
      unhold(lf, fr, NULL);
    lower_fall_to_end(lf, fr);
  }
  finish_arm(lf, fr);
}

/* catch x / catch_all: the next clause of the dispatch chain, and the
 * start of its arm. */
static void lower_catch(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  lower_frame *fr = lower_label(lf, 0);
  bool first = fr->op == WASM_OP_TRY;
  end_arm(lf, fr);
  fr->handler_active = false;
  fr->op = in->op;
  fr->arm_holds = false;
  lf->sp = fr->height;
  if (!fr->dispatch) {
    /* nothing in the body can throw: the arms are dead code (skipped;
     * the builder stays in a terminated block no one writes to) */
    fr->unreachable = true;
    return;
  }
  if (first) {
    LLVMPositionBuilderAtEnd(lm->b, fr->dispatch);
    fr->exn_tag = LLVMBuildLoad2(lm->b, lm->t_ptr,
                                 exn_field(lf, fr->exn_phi,
                                           WASMRT_EXN_TAG_OFFSET),
                                 "exn.tag");
    LLVMSetAlignment(fr->exn_tag, 8);
  } else {
    LLVMPositionBuilderAtEnd(lm->b, fr->next_test);
  }
  LLVMBasicBlockRef arm = new_block(lf, "catch");
  if (in->op == WASM_OP_CATCH) {
    fr->next_test = new_block(lf, "catch.next");
    LLVMValueRef eq = LLVMBuildICmp(lm->b, LLVMIntEQ, fr->exn_tag,
                                    tag_of(lf, in->imm.index), "tag.eq");
    LLVMBuildCondBr(lm->b, eq, arm, fr->next_test);
  } else {
    fr->next_test = NULL;
    LLVMBuildBr(lm->b, arm);
  }
  LLVMPositionBuilderAtEnd(lm->b, arm);
  fr->unreachable = false;
  if (in->op == WASM_OP_CATCH)
    push_payload(lf, fr->exn_phi, in->imm.index, NULL);
  LLVMValueRef a[1] = {fr->exn_phi};
  fr->arm_hold_call = lower_call_rt(lf, RT_EXN_HOLD, a, 1);
  fr->arm_holds = true;
}

/* What no clause of a legacy try caught goes on to the handler from depth
 * `from` outward (1: outside the try; delegate: its label's). */
static void legacy_forward(lower_func *lf, lower_frame *fr, uint32_t from) {
  lower_module *lm = lf->lm;
  LLVMBasicBlockRef open = fr->op == WASM_OP_TRY ? fr->dispatch : fr->next_test;
  if (!fr->dispatch || !open)
    return;
  LLVMPositionBuilderAtEnd(lm->b, open);
  throw_from(lf, fr->exn_phi, from);
}

void lower_exn_end(lower_func *lf, lower_frame *fr) {
  lower_module *lm = lf->lm;
  LLVMBasicBlockRef here = LLVMGetInsertBlock(lm->b);
  if (fr->op == WASM_OP_TRY_TABLE) {
    fr->handler_active = false;
    if (fr->dispatch)
      try_table_dispatch(lf, fr);
  } else {
    /* the end of a catch arm lets go of its exception; the body's or the
     * arm's fall-through itself is lower_end's */
    if (!fr->unreachable && fr->arm_holds)
      unhold(lf, fr, NULL);
    finish_arm(lf, fr);
    fr->handler_active = false;
    here = LLVMGetInsertBlock(lm->b);
    legacy_forward(lf, fr, 1);
  }
  LLVMPositionBuilderAtEnd(lm->b, here);
}

static bool lower_delegate(lower_func *lf, const wasm_instr *in) {
  lower_frame *fr = lower_label(lf, 0);
  fr->handler_active = false;
  /* The label counts from outside the try, which is still label 0 here. */
  LLVMBasicBlockRef here = LLVMGetInsertBlock(lf->lm->b);
  legacy_forward(lf, fr, in->imm.index + 1);
  LLVMPositionBuilderAtEnd(lf->lm->b, here);
  fr->dispatch = NULL; /* forwarded: lower_exn_end has nothing left */
  wasm_instr end = *in;
  end.op = WASM_OP_END;
  return lower_control(lf, &end);
}

static void lower_rethrow(lower_func *lf, uint32_t depth) {
  lower_frame *fr = lower_label(lf, depth);
  fr->arm_rethrown = true; /* the arm's hold is needed */
  throw_from(lf, fr->exn_phi, 0);
}

/* ---- the family ---------------------------------------------------------------- */

bool lower_exn(lower_func *lf, const wasm_instr *in) {
  switch (in->op) {
  case WASM_OP_THROW:
    lower_throw(lf, in->imm.index);
    break;
  case WASM_OP_THROW_REF:
    lower_throw_ref(lf);
    break;
  case WASM_OP_RETHROW:
    lower_rethrow(lf, in->imm.index);
    break;
  case WASM_OP_TRY_TABLE:
    lower_try_table(lf, in);
    return true;
  case WASM_OP_TRY:
    lower_try(lf, in);
    return true;
  case WASM_OP_CATCH:
  case WASM_OP_CATCH_ALL:
    lower_catch(lf, in);
    return true;
  case WASM_OP_DELEGATE:
    return lower_delegate(lf, in);
  default:
    snprintf(lf->err, sizeof lf->lm->err,
             "internal error: %s is not exception handling",
             wasm_opinfos[in->op].text);
    return false;
  }
  /* throw, throw_ref, rethrow: the rest of the frame is dead */
  lf->frames[lf->nframes - 1].unreachable = true;
  return true;
}
