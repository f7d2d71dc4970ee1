/* lower_control.c: structured control flow, select and drop (see lower.h).
 *
 * Every label is an LLVM block whose phis receive the label's values:
 * a block's or if's results at its end block, a loop's parameters at its
 * header. A branch adds one incoming value per phi from the block it
 * leaves (one per edge for br_table, as LLVM wants), so the operand stack
 * never needs memory. The body itself is frame 0, whose label is the
 * function's return block: `return` is a branch to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* A persistent one-element array holding a value type, for blocks typed
 * by a single value type (the frame keeps a pointer to it). Lowering only
 * needs the LLVM type, so every reference type shares funcref's entry. */
static const wasm_vtype *single_valtype(wasm_vtype t) {
  static const wasm_vtype types[] = {WASM_I32, WASM_I64,  WASM_F32,
                                     WASM_F64, WASM_V128, WASM_FUNCREF};
  if (wasm_vt_is_ref(t))
    t = WASM_FUNCREF;
  for (size_t i = 0; i < sizeof types / sizeof *types; i++)
    if (types[i] == t)
      return &types[i];
  return NULL;
}

static void block_type(lower_func *lf, const wasm_blocktype *bt, uint32_t *np,
                       const wasm_vtype **p, uint32_t *nr,
                       const wasm_vtype **r) {
  *np = *nr = 0;
  *p = *r = NULL;
  if (bt->kind == WASM_BLOCK_VALTYPE) {
    *nr = 1;
    *r = single_valtype(bt->valtype);
  } else if (bt->kind == WASM_BLOCK_TYPEIDX) {
    const wasm_functype *ft = &lf->lm->wm->types[bt->typeidx];
    *np = ft->nparams;
    *p = ft->params;
    *nr = ft->nresults;
    *r = ft->results;
  }
}

static LLVMBasicBlockRef new_block(lower_func *lf, const char *name) {
  return LLVMAppendBasicBlockInContext(lf->lm->llctx, lf->fn, name);
}

/* Phis for `n` values of `types` at the start of bb (builder restored). */
static LLVMValueRef *make_phis(lower_func *lf, LLVMBasicBlockRef bb,
                               uint32_t n, const wasm_vtype *types) {
  lower_module *lm = lf->lm;
  LLVMValueRef *phis = calloc(n ? n : 1, sizeof *phis);
  if (!phis)
    abort();
  LLVMBasicBlockRef here = LLVMGetInsertBlock(lm->b);
  LLVMPositionBuilderAtEnd(lm->b, bb);
  for (uint32_t i = 0; i < n; i++)
    phis[i] = LLVMBuildPhi(lm->b, lower_valtype(lm, types[i]), "");
  LLVMPositionBuilderAtEnd(lm->b, here);
  return phis;
}

static lower_frame *push_frame(lower_func *lf, uint16_t op, uint32_t np,
                               const wasm_vtype *p, uint32_t nr,
                               const wasm_vtype *r) {
  if (lf->nframes == lf->frames_cap) {
    uint32_t cap = lf->frames_cap * 2 + 4;
    lower_frame *f = realloc(lf->frames, cap * sizeof *f);
    if (!f)
      abort();
    memset(f + lf->frames_cap, 0, (cap - lf->frames_cap) * sizeof *f);
    lf->frames = f;
    lf->frames_cap = cap;
  }
  lower_frame *fr = &lf->frames[lf->nframes++];
  memset(fr, 0, sizeof *fr);
  fr->op = op;
  fr->nparams = np;
  fr->params = p;
  fr->nresults = nr;
  fr->results = r;
  fr->height = lf->sp - np;
  return fr;
}

static void pop_frame(lower_func *lf) {
  lower_frame *fr = &lf->frames[--lf->nframes];
  if (fr->end_phis != fr->phis)
    free(fr->end_phis);
  free(fr->phis);
  free(fr->if_params);
  free(fr->catches);
  free(fr->unholds);
  memset(fr, 0, sizeof *fr);
}

/* Values a branch to `fr` carries: a loop's params, else its results. */
static uint32_t label_arity(const lower_frame *fr) {
  return fr->op == WASM_OP_LOOP ? fr->nparams : fr->nresults;
}

/* Add the top label_arity values as incoming to fr's target phis, from
 * the current block (call right before building the terminator). */
static void add_incoming(lower_func *lf, lower_frame *fr) {
  uint32_t n = label_arity(fr);
  LLVMBasicBlockRef from = LLVMGetInsertBlock(lf->lm->b);
  for (uint32_t i = 0; i < n; i++) {
    LLVMValueRef v = lf->stack[lf->sp - n + i];
    LLVMAddIncoming(fr->phis[i], &v, &from, 1);
  }
}

void lower_branch_to(lower_func *lf, lower_frame *fr, LLVMValueRef *vals) {
  uint32_t n = label_arity(fr);
  LLVMBasicBlockRef from = LLVMGetInsertBlock(lf->lm->b);
  for (uint32_t i = 0; i < n; i++)
    LLVMAddIncoming(fr->phis[i], &vals[i], &from, 1);
  LLVMBuildBr(lf->lm->b, fr->target);
}

/* Fall through to the end of fr with its results on the stack. */
static void fall_to_end(lower_func *lf, lower_frame *fr) {
  LLVMBasicBlockRef from = LLVMGetInsertBlock(lf->lm->b);
  for (uint32_t i = 0; i < fr->nresults; i++) {
    LLVMValueRef v = lf->stack[lf->sp - fr->nresults + i];
    LLVMAddIncoming(fr->end_phis[i], &v, &from, 1);
  }
  LLVMBuildBr(lf->lm->b, fr->end);
}

void lower_fall_to_end(lower_func *lf, lower_frame *fr) { fall_to_end(lf, fr); }

static lower_frame *label(lower_func *lf, uint32_t depth) {
  return &lf->frames[lf->nframes - 1 - depth];
}

lower_frame *lower_label(lower_func *lf, uint32_t depth) {
  return label(lf, depth);
}

static void set_unreachable(lower_func *lf) {
  lf->frames[lf->nframes - 1].unreachable = true;
}

lower_frame *lower_begin_block(lower_func *lf, uint16_t op,
                               const wasm_blocktype *bt) {
  uint32_t np, nr;
  const wasm_vtype *p, *r;
  block_type(lf, bt, &np, &p, &nr, &r);
  lower_frame *fr = push_frame(lf, op, np, p, nr, r);
  fr->end = fr->target = new_block(lf, "block.end");
  fr->phis = fr->end_phis = make_phis(lf, fr->end, nr, r);
  return fr;
}

static void lower_loop(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  uint32_t np, nr;
  const wasm_vtype *p, *r;
  block_type(lf, &in->imm.block, &np, &p, &nr, &r);
  lower_frame *fr = push_frame(lf, in->op, np, p, nr, r);
  fr->target = new_block(lf, "loop");
  fr->end = new_block(lf, "loop.end");
  fr->phis = make_phis(lf, fr->target, np, p);
  fr->end_phis = make_phis(lf, fr->end, nr, r);
  add_incoming(lf, fr);
  LLVMBuildBr(lm->b, fr->target);
  LLVMPositionBuilderAtEnd(lm->b, fr->target);
  /* Inside the loop its params are the header phis. */
  for (uint32_t i = 0; i < np; i++)
    lf->stack[fr->height + i] = fr->phis[i];
}

static void lower_if(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  uint32_t np, nr;
  const wasm_vtype *p, *r;
  block_type(lf, &in->imm.block, &np, &p, &nr, &r);
  LLVMValueRef c = lower_pop(lf);
  LLVMValueRef cond =
      LLVMBuildICmp(lm->b, LLVMIntNE, c, lower_const_i32(lm, 0), "if.cond");
  lower_frame *fr = push_frame(lf, in->op, np, p, nr, r);
  LLVMBasicBlockRef then = new_block(lf, "then");
  fr->else_block = new_block(lf, "else");
  fr->end = fr->target = new_block(lf, "if.end");
  fr->phis = fr->end_phis = make_phis(lf, fr->end, nr, r);
  fr->if_params = calloc(np ? np : 1, sizeof *fr->if_params);
  if (!fr->if_params)
    abort();
  memcpy(fr->if_params, lf->stack + fr->height, np * sizeof *fr->if_params);
  LLVMBuildCondBr(lm->b, cond, then, fr->else_block);
  LLVMPositionBuilderAtEnd(lm->b, then);
}

/* Start the else arm: the then arm falls to the end, the params come back. */
static void begin_else(lower_func *lf, lower_frame *fr) {
  if (!fr->unreachable)
    fall_to_end(lf, fr);
  lf->sp = fr->height;
  for (uint32_t i = 0; i < fr->nparams; i++)
    lower_push(lf, fr->if_params[i]);
  LLVMPositionBuilderAtEnd(lf->lm->b, fr->else_block);
  fr->else_block = NULL;
  fr->unreachable = false;
}

static void lower_end(lower_func *lf) {
  lower_module *lm = lf->lm;
  lower_frame *fr = label(lf, 0);
  if (fr->op == WASM_OP_TRY || fr->op == WASM_OP_TRY_TABLE ||
      fr->op == WASM_OP_CATCH || fr->op == WASM_OP_CATCH_ALL)
    lower_exn_end(lf, fr);
  /* `if` without `else`: the implicit else passes its params through
   * (validation made them equal to the results). */
  if (fr->op == WASM_OP_IF && fr->else_block)
    begin_else(lf, fr);
  if (!fr->unreachable)
    fall_to_end(lf, fr);
  lf->sp = fr->height;

  if (lf->nframes == 1) {
    /* The body: the return block (already terminated) goes last. */
    LLVMMoveBasicBlockAfter(fr->end, LLVMGetLastBasicBlock(lf->fn));
    pop_frame(lf);
    return;
  }

  LLVMPositionBuilderAtEnd(lm->b, fr->end);
  bool reached = LLVMGetFirstUse(LLVMBasicBlockAsValue(fr->end)) != NULL;
  uint32_t nr = fr->nresults;
  LLVMValueRef vals[nr ? nr : 1];
  for (uint32_t i = 0; i < nr; i++) {
    if (reached) {
      vals[i] = fr->end_phis[i];
    } else {
      /* Nothing reaches the end (every path branched out): the code
       * after it is dead too. */
      vals[i] = LLVMGetPoison(LLVMTypeOf(fr->end_phis[i]));
      LLVMInstructionEraseFromParent(fr->end_phis[i]);
    }
  }
  pop_frame(lf);
  for (uint32_t i = 0; i < nr; i++)
    lower_push(lf, vals[i]);
  if (!reached) {
    LLVMBuildUnreachable(lm->b);
    set_unreachable(lf);
  }
}

/* The destination of a branch from the current block to the label at
 * `depth`, its values added to the label's phis. When the branch leaves
 * a legacy catch arm that holds its exception, it goes through a block
 * that lets go of them first (lower_exn_release_arms). */
static LLVMBasicBlockRef edge_to(lower_func *lf, uint32_t depth) {
  lower_frame *fr = label(lf, depth);
  if (!lower_exn_leaves_arm(lf, depth)) {
    add_incoming(lf, fr);
    return fr->target;
  }
  lower_module *lm = lf->lm;
  LLVMBasicBlockRef here = LLVMGetInsertBlock(lm->b);
  LLVMBasicBlockRef exit = new_block(lf, "arm.exit");
  LLVMPositionBuilderAtEnd(lm->b, exit);
  lower_exn_release_arms(lf, depth);
  add_incoming(lf, fr);
  LLVMBuildBr(lm->b, fr->target);
  LLVMPositionBuilderAtEnd(lm->b, here);
  return exit;
}

static void lower_br_table(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  LLVMValueRef idx = lower_pop(lf);
  uint32_t n = in->imm.br_table.count;
  LLVMBasicBlockRef def = edge_to(lf, in->imm.br_table.default_target);
  LLVMValueRef sw = LLVMBuildSwitch(lm->b, idx, def, n);
  for (uint32_t i = 0; i < n; i++)
    LLVMAddCase(sw, lower_const_i32(lm, i), edge_to(lf, in->imm.br_table.targets[i]));
  set_unreachable(lf);
}

bool lower_control(lower_func *lf, const wasm_instr *in) {
  lower_module *lm = lf->lm;
  switch (in->op) {
  case WASM_OP_NOP:
    return true;
  case WASM_OP_UNREACHABLE:
    lower_trap(lf, WASMRT_TRAP_UNREACHABLE);
    /* lower_trap left a fresh block nobody reaches; end it now, since
     * nothing more is lowered into this frame. */
    LLVMBuildUnreachable(lm->b);
    set_unreachable(lf);
    return true;
  case WASM_OP_BLOCK:
    lower_begin_block(lf, in->op, &in->imm.block);
    return true;
  case WASM_OP_LOOP:
    lower_loop(lf, in);
    return true;
  case WASM_OP_IF:
    lower_if(lf, in);
    return true;
  case WASM_OP_ELSE:
    begin_else(lf, label(lf, 0));
    return true;
  case WASM_OP_END:
    lower_end(lf);
    return true;
  case WASM_OP_BR:
    LLVMBuildBr(lm->b, edge_to(lf, in->imm.index));
    set_unreachable(lf);
    return true;
  case WASM_OP_BR_IF: {
    LLVMValueRef c = lower_pop(lf);
    LLVMValueRef cond =
        LLVMBuildICmp(lm->b, LLVMIntNE, c, lower_const_i32(lm, 0), "br.cond");
    LLVMBasicBlockRef cont = new_block(lf, "br.cont");
    LLVMBuildCondBr(lm->b, cond, edge_to(lf, in->imm.index), cont);
    LLVMPositionBuilderAtEnd(lm->b, cont);
    return true;
  }
  case WASM_OP_BR_TABLE:
    lower_br_table(lf, in);
    return true;
  case WASM_OP_BR_ON_NULL:
  case WASM_OP_BR_ON_NON_NULL: {
    /* A null reference is a null pointer. br_on_null branches without
     * the reference and keeps it otherwise; br_on_non_null branches with
     * it (the label's last value) and drops it otherwise. */
    bool on_null = in->op == WASM_OP_BR_ON_NULL;
    LLVMValueRef ref = lower_pop(lf);
    LLVMValueRef cond = on_null ? LLVMBuildIsNull(lm->b, ref, "is_null")
                                : LLVMBuildIsNotNull(lm->b, ref, "non_null");
    LLVMBasicBlockRef cont = new_block(lf, "br.cont");
    if (!on_null)
      lower_push(lf, ref);
    LLVMBuildCondBr(lm->b, cond, edge_to(lf, in->imm.index), cont);
    LLVMPositionBuilderAtEnd(lm->b, cont);
    if (on_null)
      lower_push(lf, ref);
    else
      lower_pop(lf);
    return true;
  }
  case WASM_OP_BR_ON_CAST:
  case WASM_OP_BR_ON_CAST_FAIL: {
    /* The reference goes along either way; the test is lower_gc.c's. */
    LLVMValueRef ref = lower_pop(lf);
    LLVMValueRef ok = lower_gc_test(lf, ref, in->imm.br_on_cast.to,
                                    in->imm.br_on_cast.flags & 2);
    if (in->op == WASM_OP_BR_ON_CAST_FAIL)
      ok = LLVMBuildNot(lm->b, ok, "cast.fail");
    lower_push(lf, ref);
    LLVMBasicBlockRef cont = new_block(lf, "br.cont");
    LLVMBuildCondBr(lm->b, ok, edge_to(lf, in->imm.br_on_cast.label), cont);
    LLVMPositionBuilderAtEnd(lm->b, cont);
    return true;
  }
  case WASM_OP_RETURN:
    LLVMBuildBr(lm->b, edge_to(lf, lf->nframes - 1));
    set_unreachable(lf);
    return true;
  case WASM_OP_DROP:
    /* A dropped out-of-bounds load still traps: memory loads start
     * volatile and stay so when unused (keep_traps.c). */
    lower_pop(lf);
    return true;
  case WASM_OP_SELECT:
  case WASM_OP_SELECT_T: {
    LLVMValueRef c = lower_pop(lf);
    LLVMValueRef b = lower_pop(lf);
    LLVMValueRef a = lower_pop(lf);
    LLVMValueRef cond =
        LLVMBuildICmp(lm->b, LLVMIntNE, c, lower_const_i32(lm, 0), "sel.cond");
    /* Not a branch: Wasm has evaluated both operands already. */
    lower_push(lf, LLVMBuildSelect(lm->b, cond, a, b, "select"));
    return true;
  }
  default:
    snprintf(lf->err, sizeof lm->err, "internal error: %s is not control",
             wasm_opinfos[in->op].text);
    return false;
  }
}
