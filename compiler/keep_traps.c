/* keep_traps.c: out-of-bounds loads trap even when their value is unused
 * (guard-page mode; see keep_traps.h for the interface).
 *
 * Why. Without a bounds compare, the fault of an out-of-bounds load is the
 * trap. LLVM treats a plain load as free of side effects and deletes it as
 * soon as its value is unused: a local never read, a select with a constant
 * condition, `x * 0`, a callee's result dropped by the caller it is inlined
 * into, a use only on a branch never taken... Making every load volatile
 * would keep them all, at a price: volatile loads are never merged, hoisted
 * out of loops or vectorised.
 *
 * How. Lowering makes every linear-memory load volatile and tags it with
 * the metadata kind "wasmc.memload". Before the normal pipeline,
 * keep_traps_release runs an early pipeline that does the simplifications
 * which make values dead (SROA/mem2reg of locals, instcombine, SCCP,
 * simplifycfg, aggressive dead code elimination): the module
 * simplification LLVM's default<On> starts with, which emit.c then leaves
 * out of it. A volatile load is never deleted, so afterwards each tagged
 * load is either still used, and becomes a plain load again, optimised
 * exactly as before; or unused, and stays volatile: it executes, and an
 * out-of-bounds address faults.
 *
 * Repeated loads. early-cse does not merge volatile loads, so `x - x` of
 * two loads of one address would fold only after the release, and both
 * (plain by then) loads would go: merge_repeated_loads merges them first.
 *
 * Dropped calls (not inlined). LLVM deletes a call whose result is unused
 * only if the callee is `willreturn` and does not write memory. No Wasm
 * function is inferred willreturn today, because each one starts with the
 * call-stack check, whose trap path calls the noreturn wasmrt_trap
 * (lower_func.c). If leaf functions ever skip that check, a callee that
 * only reads memory would become deletable with its out-of-bounds load:
 * keep such calls then (e.g. store their result to a volatile stack slot).
 *
 * Calls whose result is not needed. Inlining happens only in the normal
 * pipeline, after the release, and a callee's loads are released in the
 * callee, where its `ret` uses them. Inlined into a caller that drops the
 * result, or uses it only beyond a branch (or as a select's value, or in
 * a parameter nobody reads), those loads would feed nothing, or be sunk
 * into the branch. So a call's result is judged as a load is (below):
 * a call to a function of the module whose result is not needed, or
 * could be sunk, is marked noinline at the release, and runs as a call,
 * its loads with it. An inliner in the early pipeline (there was one
 * before codegen revision 9) judges small callees' loads in their
 * callers instead, but it cost python.wasm 2.2 s of an -O2 compile, and
 * its code ran no faster (bench/python: 3% slower). A
 * narrowed result needs nothing here: keep_traps_whole_loads sees the
 * inlined load after the pipeline. tests/spec/wasmc/unused_load_traps.wast
 * "inlined-dropped", "call-dropped" and "result-*" cover these.
 *
 * Loads used only beyond a branch. LLVM sinks a load to the block that
 * uses it; on the paths that skip that block the load never runs. A
 * load not used on the straight path after it stays volatile
 * (sinkable). A select's true or false value counts as a use beyond a
 * branch (the code generator may make the select one); its condition
 * and a loop phi's incoming value count as used where they are.
 *
 * Arguments nobody reads. A load whose value only reaches parameters
 * that their callees never read is not used either (value_needed): dead
 * argument elimination or a later inlining would leave it feeding
 * nothing.
 *
 * The remaining gap (theoretical; no known case): a value that becomes
 * dead only in the normal pipeline, after the release, through a
 * simplification the early pipeline does not do (e.g. interprocedural
 * constant propagation proving a multiplier zero, GVN or jump threading
 * exposing a never-taken use, a loop whose result is unused deleted by loop
 * deletion after its loads were released, a call's result that becomes
 * dead only after the callee is inlined and simplified with the caller,
 * or the instruction selector folding `x - x`):
 * its load is plain by then and may be deleted. The early pipeline does the
 * common local simplifications, so what is left needs a value that looks
 * used after SCCP, instcombine and ADCE yet is not.
 *
 * At -O0 the IR passes delete nothing, but instruction selection still
 * folds some dead values (a select with a constant condition, x - x), so
 * the tagged loads simply stay volatile: speed is not the point of -O0.
 */
#include "keep_traps.h"

#include <stdio.h>
#include <string.h>

#include <llvm-c/Error.h>
#include <llvm-c/Transforms/PassBuilder.h>

#define TAG "wasmc.memload"

static unsigned tag_kind(LLVMContextRef c) {
  return LLVMGetMDKindIDInContext(c, TAG, (unsigned)strlen(TAG));
}

/* After the release: a load that is one of the module's own memory
 * accesses. Loads the vectorisers make do not carry it (they copy only
 * LLVM's own metadata kinds): they read at least the bytes of the
 * accesses they replace, and may be narrowed freely (e.g. an interleaved
 * group's gap lanes), which keep_traps_whole_loads must not prevent. */
static unsigned access_kind(LLVMContextRef c) {
  return LLVMGetMDKindIDInContext(c, "wasmc.access", 12);
}

void keep_traps_tag(lower_module *lm, LLVMValueRef load) {
  if (lm->opts.bounds_checks)
    return; /* the explicit compare traps before the load */
  LLVMSetVolatile(load, true);
  LLVMMetadataRef empty = LLVMMDNodeInContext2(lm->llctx, NULL, 0);
  LLVMSetMetadata(load, tag_kind(lm->llctx),
                  LLVMMetadataAsValue(lm->llctx, empty));
}

static bool has_tags(LLVMModuleRef m, unsigned kind) {
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
         bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;
           i = LLVMGetNextInstruction(i))
        if (LLVMIsALoadInst(i) && LLVMGetMetadata(i, kind))
          return true;
  return false;
}

/* Merges repeated tagged loads within a block: what early-cse does for
 * plain loads but may not do for volatile ones. Without it `x - x` of two
 * loads of one address would be folded only after the release, and the
 * now plain loads deleted. Merging is exact: nothing between the two
 * writes memory (Wasm 2.0 has no shared memory), so the second reads the
 * same bytes, and it cannot fault once the first did not. */
static void merge_repeated_loads(LLVMModuleRef m, unsigned kind) {
  enum { WINDOW = 16 };
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
         bb = LLVMGetNextBasicBlock(bb)) {
      LLVMValueRef seen[WINDOW];
      int nseen = 0, next = 0;
      for (LLVMValueRef i = LLVMGetFirstInstruction(bb), nx; i; i = nx) {
        nx = LLVMGetNextInstruction(i);
        switch (LLVMGetInstructionOpcode(i)) {
        case LLVMStore: case LLVMCall: case LLVMInvoke: case LLVMCallBr:
        case LLVMFence: case LLVMAtomicRMW: case LLVMAtomicCmpXchg:
          nseen = next = 0; /* may write memory */
          continue;
        case LLVMLoad:
          break;
        default:
          continue;
        }
        if (!LLVMGetMetadata(i, kind) || !LLVMGetVolatile(i))
          continue;
        LLVMValueRef same = NULL;
        for (int k = 0; k < nseen && !same; k++)
          if (LLVMGetOperand(seen[k], 0) == LLVMGetOperand(i, 0) &&
              LLVMTypeOf(seen[k]) == LLVMTypeOf(i))
            same = seen[k];
        if (same) {
          LLVMReplaceAllUsesWith(i, same);
          LLVMInstructionEraseFromParent(i);
        } else {
          seen[next] = i;
          next = (next + 1) % WINDOW;
          if (nseen < WINDOW)
            nseen++;
        }
      }
    }
}

/* The early pipeline: what turns values dead (see the banner), in three
 * runs with merge_repeated_loads after the first two (after early-cse has
 * merged the address computations). instcombine named in a pipeline
 * string checks by default that one run reached a fixpoint and aborts the
 * process (LLVM ERROR) when not; default<On> does not check, nor here. */
static const char *const early_pipeline[] = {
    "function(sroa,early-cse)",
    "function(instcombine<no-verify-fixpoint>,simplifycfg,sroa,early-cse)",
    "function(sccp,adce,simplifycfg)",
};

static bool run(LLVMModuleRef m, const char *pipeline, LLVMTargetMachineRef tm,
                char *err, size_t errsz) {
  LLVMPassBuilderOptionsRef pbo = LLVMCreatePassBuilderOptions();
  LLVMErrorRef e = LLVMRunPasses(m, pipeline, tm, pbo);
  LLVMDisposePassBuilderOptions(pbo);
  if (!e)
    return true;
  char *msg = LLVMGetErrorMessage(e);
  snprintf(err, errsz, "optimisation failed (early pipeline): %s", msg);
  LLVMDisposeErrorMessage(msg);
  return false;
}

/* Instructions that only compute a value from their operands, with no
 * effect of their own: a load feeding only such values, which feed
 * nothing that needs them, is not needed either. */
static bool pure_value(LLVMValueRef i) {
  if (LLVMIsACallInst(i)) {
    /* an intrinsic that touches no memory: rotations, bit counts, min,
     * max, abs, float rounding... (memory(none) is 0 in LLVM 19) */
    LLVMValueRef f = LLVMGetCalledValue(i);
    if (!LLVMIsAFunction(f) || !LLVMGetIntrinsicID(f))
      return false;
    unsigned mem = LLVMGetEnumAttributeKindForName("memory", 6);
    LLVMAttributeRef a = LLVMGetEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, mem);
    return a && LLVMGetEnumAttributeValue(a) == 0;
  }
  return LLVMIsACastInst(i) || LLVMIsABinaryOperator(i) || LLVMIsACmpInst(i) ||
         LLVMIsASelectInst(i) || LLVMIsAPHINode(i) || LLVMIsAExtractElementInst(i) ||
         LLVMIsAInsertElementInst(i) || LLVMIsAShuffleVectorInst(i) ||
         LLVMIsAExtractValueInst(i) || LLVMIsAInsertValueInst(i) ||
         LLVMIsAFreezeInst(i) || LLVMIsAUnaryOperator(i);
}

/* Does anything need v, or does it only flow (through pure values) into
 * parameters of this module's functions that nothing needs? Such a use
 * does not keep a load alive: the normal pipeline's dead argument
 * elimination drops the argument, or inlining leaves it unused, and the
 * load (plain by then) goes with it. scripts/difffuzz found one (seed
 * 1000, module 827): `call $f (f32.load ...)` with $f ignoring its f32
 * returned instead of trapping out of bounds. Parameters are followed
 * into the callee, and a value met again on the path being followed
 * (a cycle) adds nothing: scripts/difffuzz, seed 1000 module 4100, a
 * load passed only around a self-recursive call was dropped. w->budget
 * bounds the search (each value visited costs one); when it runs out, v
 * counts as needed, which is the old rule (any use) and only costs the
 * trap guarantee in that rare case. */
typedef struct {
  int budget;              /* values still to visit */
  int depth;               /* path[0..depth): the values being followed */
  LLVMValueRef path[64];
} need_walk;

static bool value_needed(LLVMValueRef v, need_walk *w) {
  /* A value that only flows back into itself (a loop-carried phi, a
   * parameter passed on to its own function's recursive call) feeds
   * nothing through that cycle. */
  for (int k = 0; k < w->depth; k++)
    if (w->path[k] == v)
      return false;
  if (--w->budget < 0 || w->depth == (int)(sizeof w->path / sizeof w->path[0]))
    return true;
  w->path[w->depth++] = v;
  bool needed = false;
  for (LLVMUseRef u = LLVMGetFirstUse(v); u && !needed; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (pure_value(user)) {
      needed = value_needed(user, w);
      continue;
    }
    LLVMValueRef callee = NULL;
    if (LLVMIsACallInst(user) || LLVMIsAInvokeInst(user))
      callee = LLVMGetCalledValue(user);
    if (!callee || callee == v || !LLVMIsAFunction(callee) || LLVMIsDeclaration(callee) ||
        LLVMGetNumArgOperands(user) != LLVMCountParams(callee)) {
      needed = true;
      continue;
    }
    unsigned nargs = LLVMGetNumArgOperands(user);
    for (unsigned a = 0; a < nargs && !needed; a++)
      if (LLVMGetOperand(user, a) == v)
        needed = value_needed(LLVMGetParam(callee, a), w);
  }
  w->depth--;
  return needed;
}

/* Could a plain load be sunk into a path that may not be taken? LLVM
 * moves a load whose value is used only beyond a conditional branch to
 * where it is used (instcombine's sinking, the code generator's), so on
 * the other path it never runs and its out-of-bounds fault is lost: the
 * path's next trap came first, or none. scripts/difffuzz found both: a
 * call_indirect whose table check trapped "undefined element" before
 * its out-of-bounds argument (seed 1000 module 1826), and a load before
 * an early `return`, after which an atomic trapped "unaligned atomic"
 * (module 2003). So a load stays volatile (never sunk) unless it is used
 * on the straight path from it to the first conditional branch (its
 * block and the unique successors that follow it) by something that
 * stays there: a use by a pure value (a sign extension, say) does not
 * count, LLVM sinks the two together (module 8333: a call_indirect
 * argument extended right after its load). Code from optimising
 * compilers rarely has such loads (the compiler already sank them). */
/* Does something that stays where it is (a call, a store, a branch, a
 * return: anything but a pure value, which LLVM sinks along with the
 * load) use v, directly or through pure values, in one of the blocks
 * chain[0..n)? Out of budget: yes (the load is released as before).
 * path[0..depth) holds the load and the pure values followed from it. */
typedef struct {
  LLVMBasicBlockRef *chain;
  int n;
  int budget;
  int depth;
  LLVMValueRef path[32];
} anchor_walk;

/* Does p's value come back, through pure values and phis, into one of
 * the values on w's path? Then p carries a recurrence the load is part
 * of (`s = s + a[i]`, `m = max(m, a[i])`): every iteration's result
 * needs every iteration's load, so none can be sunk out of the loop.
 * A phi that only carries the load's last value out of the loop
 * (`x = a[i]` read after it) is no recurrence: LICM sinks such a load
 * to the loop's exit, where it runs once, after the loop's other effects
 * (scripts/difffuzz, seed 1000 module 13640: a loop of logging calls
 * that should have trapped in its first iteration logged until its
 * counter ran out). Out of budget: no. */
static bool recurs(LLVMValueRef p, anchor_walk *w, LLVMValueRef *seen, int *nseen) {
  if (--w->budget < 0)
    return false;
  for (int k = 0; k < *nseen; k++)
    if (seen[k] == p)
      return false;
  if (*nseen == 32)
    return false;
  seen[(*nseen)++] = p;
  for (LLVMUseRef u = LLVMGetFirstUse(p); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    for (int k = 0; k < w->depth; k++)
      if (w->path[k] == user)
        return true;
    if (LLVMIsAInstruction(user) && pure_value(user) && recurs(user, w, seen, nseen))
      return true;
  }
  return false;
}

static bool anchored(LLVMValueRef v, anchor_walk *w) {
  if (--w->budget < 0 || w->depth == (int)(sizeof w->path / sizeof w->path[0]))
    return true;
  w->path[w->depth++] = v;
  bool found = false;
  for (LLVMUseRef u = LLVMGetFirstUse(v); u && !found; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!LLVMIsAInstruction(user))
      continue;
    if (LLVMIsAPHINode(user)) {
      /* a phi reads v at the end of the block it comes from; on the
       * straight path, that anchors v if the phi is a recurrence v is
       * part of (a loop's accumulator) */
      bool on_chain = false;
      for (unsigned k = 0; k < LLVMCountIncoming(user) && !on_chain; k++)
        if (LLVMGetIncomingValue(user, k) == v)
          for (int j = 0; j < w->n; j++)
            on_chain |= LLVMGetIncomingBlock(user, k) == w->chain[j];
      LLVMValueRef seen[32];
      int nseen = 0;
      found = on_chain && recurs(user, w, seen, &nseen);
      continue;
    }
    /* A select's true or false value is needed only on one side: the
     * code generator turns `select cmp, (load), x` into a branch and
     * sinks the load into the side that reads it (CodeGenPrepare, for an
     * expensive operand; AArch64's select optimisation, for a chain of
     * them). scripts/difffuzz, seed 1000 module 18128: such a select
     * with the condition true returned its other value at -O3 instead of
     * trapping. The condition is always evaluated, so it anchors. */
    if (LLVMIsASelectInst(user) && LLVMGetOperand(user, 0) != v)
      continue;
    if (pure_value(user)) {
      found = anchored(user, w);
      continue;
    }
    LLVMBasicBlockRef ub = LLVMGetInstructionParent(user);
    for (int k = 0; k < w->n; k++)
      found |= ub == w->chain[k];
  }
  w->depth--;
  return found;
}

static bool sinkable(LLVMValueRef load) {
  enum { MAX_CHAIN = 8 };
  LLVMBasicBlockRef chain[MAX_CHAIN];
  int n = 0;
  LLVMBasicBlockRef bb = LLVMGetInstructionParent(load);
  for (;;) {
    chain[n++] = bb;
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    if (!term || LLVMGetNumSuccessors(term) != 1 || n == MAX_CHAIN)
      break;
    bb = LLVMGetSuccessor(term, 0);
    bool seen = false;
    for (int k = 0; k < n; k++)
      seen |= chain[k] == bb;
    if (seen)
      break;
  }
  anchor_walk w = {.chain = chain, .n = n, .budget = 64};
  return !anchored(load, &w);
}

/* Could the optimiser read fewer bytes than v's load asks for? It does
 * for a lane extracted from a loaded vector (instcombine makes it a
 * scalar load of that lane), and the code generator for truncations,
 * masks and shifts by constants (see whole(), below): a load used so
 * stays volatile. */
static bool narrowable(LLVMValueRef v) {
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    switch (LLVMIsAInstruction(user) ? LLVMGetInstructionOpcode(user) : LLVMRet) {
    case LLVMTrunc: case LLVMExtractElement: case LLVMShuffleVector:
    case LLVMExtractValue:
      return true;
    case LLVMAnd: case LLVMOr: case LLVMXor: case LLVMShl: case LLVMLShr:
    case LLVMAShr:
      if (LLVMIsAConstant(LLVMGetOperand(user, 0)) ||
          LLVMIsAConstant(LLVMGetOperand(user, 1)))
        return true;
      break;
    case LLVMBitCast:
      if (narrowable(user))
        return true;
      break;
    default:
      break;
    }
  }
  return false;
}

/* Is v (a load, or a call's result) used where it is: needed by
 * something (value_needed), on the straight path after it (not
 * sinkable)? What releases a load and lets a call be inlined. */
static bool used_in_place(LLVMValueRef v) {
  need_walk w = {.budget = 64};
  return value_needed(v, &w) && !sinkable(v);
}

/* A call to a function defined in this module (the only kind the inliner
 * can see into) whose result is not used in place: keep it a call (see
 * the banner, "Calls whose result is not needed"). */
static void keep_call(LLVMValueRef call) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!LLVMIsAFunction(callee) || LLVMIsDeclaration(callee) ||
      LLVMGetTypeKind(LLVMTypeOf(call)) == LLVMVoidTypeKind ||
      used_in_place(call))
    return;
  LLVMContextRef c = LLVMGetModuleContext(LLVMGetGlobalParent(callee));
  unsigned k = LLVMGetEnumAttributeKindForName("noinline", 8);
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(c, k, 0));
}

bool keep_traps_release(LLVMModuleRef m, LLVMTargetMachineRef tm,
                        int opt_level, bool *simplified, char *err,
                        size_t errsz) {
  LLVMContextRef c = LLVMGetModuleContext(m);
  unsigned kind = tag_kind(c);
  *simplified = false;
  if (!has_tags(m, kind))
    return true;
  unsigned access = access_kind(c);
  LLVMValueRef empty = LLVMMetadataAsValue(c, LLVMMDNodeInContext2(c, NULL, 0));
  for (int k = 0; opt_level > 0 && k < 3; k++) {
    if (!run(m, early_pipeline[k], tm, err, errsz))
      return false;
    if (k < 2)
      merge_repeated_loads(m, kind);
  }
  *simplified = opt_level > 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f;
       f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f))
      continue;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
         bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;
           i = LLVMGetNextInstruction(i)) {
        if (opt_level > 0 && LLVMIsACallInst(i))
          keep_call(i);
        if (!LLVMIsALoadInst(i) || !LLVMGetMetadata(i, kind))
          continue;
        if (opt_level > 0 && !narrowable(i) && used_in_place(i))
          LLVMSetVolatile(i, false);
        LLVMSetMetadata(i, kind, NULL);
        /* for keep_traps_whole_loads and _opaque_vector_loads: this
         * load is a Wasm access of a guard-page module */
        LLVMSetMetadata(i, access, empty);
      }
  }
  return true;
}

/* ---- whole loads at code generation ----------------------------------- */

/* Does every bit of v matter to what uses it? The code generator may
 * read fewer bytes than a load asks for when only some of its bits
 * matter: trunc(load i64) becomes a 4-byte load at the same address,
 * `(load i32) & 255` a byte load, extractelement of a loaded vector a
 * scalar load of one lane, and trunc(add(load, c)) too, after it pushes
 * the trunc through the add. The bytes left out are the access's last
 * ones, and with guard pages they are what faults: an access that starts
 * in bounds and ends past the memory's end stopped trapping
 * (`i32x4.extract_lane 0 (v128.load 65532)` in a one-page memory gave 0;
 * found while reducing a scripts/difffuzz case). So a load whose bits do
 * not all matter is made volatile before code generation, which the
 * back end never narrows. This follows uses while they keep every bit
 * (arithmetic whose result matters whole, conversions, stores, calls,
 * comparisons, returns); a truncation, a mask, a shift by a constant, a
 * lane extract, or running out of budget ends it: not whole. */
typedef struct {
  int budget;              /* values still to visit */
  int depth;               /* path[0..depth): the values being followed */
  LLVMValueRef path[32];
} whole_walk;

static bool whole_from(LLVMValueRef v, whole_walk *w);

/* A value met again on the path being followed (a loop's accumulator
 * coming round through its phi) takes no bits away on that round. */
static bool whole(LLVMValueRef v, whole_walk *w) {
  for (int k = 0; k < w->depth; k++)
    if (w->path[k] == v)
      return true;
  if (--w->budget < 0 || w->depth == (int)(sizeof w->path / sizeof w->path[0]))
    return false;
  w->path[w->depth++] = v;
  bool ok = whole_from(v, w);
  w->depth--;
  return ok;
}

static bool whole_from(LLVMValueRef v, whole_walk *w) {
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!LLVMIsAInstruction(user))
      return false;
    LLVMOpcode op = LLVMGetInstructionOpcode(user);
    switch (op) {
    /* every bit of v, whatever becomes of the result */
    case LLVMStore: case LLVMCall: case LLVMInvoke: case LLVMRet:
    case LLVMICmp: case LLVMFCmp: case LLVMUDiv: case LLVMSDiv:
    case LLVMURem: case LLVMSRem: case LLVMFAdd: case LLVMFSub:
    case LLVMFMul: case LLVMFDiv: case LLVMFRem: case LLVMFNeg:
    case LLVMFPToSI: case LLVMFPToUI: case LLVMSIToFP: case LLVMUIToFP:
    case LLVMFPExt: case LLVMFPTrunc: case LLVMGetElementPtr: case LLVMBr:
    case LLVMSwitch:
      continue;
    /* every bit of v if every bit of the result matters */
    case LLVMAdd: case LLVMSub: case LLVMMul: case LLVMSExt: case LLVMZExt:
    case LLVMBitCast: case LLVMPHI: case LLVMFreeze:
      if (!whole(user, w))
        return false;
      continue;
    case LLVMAnd: case LLVMOr: case LLVMXor:
      /* a constant operand masks bits away (or sets them) */
      if (LLVMIsAConstant(LLVMGetOperand(user, 0)) ||
          LLVMIsAConstant(LLVMGetOperand(user, 1)) || !whole(user, w))
        return false;
      continue;
    case LLVMSelect:
      if (LLVMGetOperand(user, 0) != v && !whole(user, w))
        return false;
      continue;
    case LLVMInsertElement:
      /* v as the inserted element: whole if the vector is */
      if (LLVMGetOperand(user, 1) != v || LLVMGetOperand(user, 0) == v ||
          !whole(user, w))
        return false;
      continue;
    default:
      return false;
    }
  }
  return true;
}

void keep_traps_whole_loads(LLVMModuleRef m) {
  unsigned access = access_kind(LLVMGetModuleContext(m));
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
         bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;
           i = LLVMGetNextInstruction(i)) {
        if (!LLVMIsALoadInst(i) || LLVMGetVolatile(i) ||
            LLVMGetOrdering(i) != LLVMAtomicOrderingNotAtomic ||
            !LLVMGetMetadata(i, access))
          continue;
        whole_walk w = {.budget = 32};
        if (!whole(i, &w))
          LLVMSetVolatile(i, true);
      }
}

/* Routes every use of load i but the new asm's own through an empty
 * inline asm `"=<reg>,0"`, which instruction selection cannot see
 * through, so it cannot fold the load into its user. Returns the asm. */
static LLVMValueRef opaque_load(LLVMBuilderRef b, LLVMValueRef i, const char *reg) {
  char constraints[16];
  snprintf(constraints, sizeof constraints, "=%s,0", reg);
  LLVMTypeRef t = LLVMTypeOf(i);
  LLVMTypeRef fty = LLVMFunctionType(t, &t, 1, false);
  LLVMValueRef asm_fn = LLVMGetInlineAsm(fty, "", 0, constraints, strlen(constraints),
                                         false, false, LLVMInlineAsmDialectATT, false);
  LLVMPositionBuilderBefore(b, LLVMGetNextInstruction(i));
  LLVMValueRef arg = i;
  LLVMValueRef opaque = LLVMBuildCall2(b, fty, asm_fn, &arg, 1, "opaque");
  for (LLVMUseRef u = LLVMGetFirstUse(i), nu; u; u = nu) {
    nu = LLVMGetNextUse(u);
    LLVMValueRef user = LLVMGetUser(u);
    if (user == opaque)
      continue;
    for (unsigned k = 0, n = (unsigned)LLVMGetNumOperands(user); k < n; k++)
      if (LLVMGetOperand(user, k) == i)
        LLVMSetOperand(user, k, opaque);
  }
  return opaque;
}

/* A volatile Wasm access (tagged by keep_traps_release) */
static bool volatile_access(LLVMValueRef i, unsigned access) {
  return LLVMIsALoadInst(i) && LLVMGetVolatile(i) && LLVMGetMetadata(i, access);
}

/* A volatile v128 access that feeds a shuffle (directly or through a
 * bitcast): AArch64 selects ld1r for a splat of it. Other vector loads
 * are the vectorisers', never volatile ones; the register class holds
 * 128 bits. */
static bool shuffled_v128(LLVMValueRef i) {
  if (LLVMGetTypeKind(LLVMTypeOf(i)) != LLVMVectorTypeKind)
    return false;
  LLVMTypeRef et = LLVMGetElementType(LLVMTypeOf(i));
  unsigned ebits = LLVMGetTypeKind(et) == LLVMIntegerTypeKind ? LLVMGetIntTypeWidth(et)
                   : LLVMGetTypeKind(et) == LLVMFloatTypeKind  ? 32
                   : LLVMGetTypeKind(et) == LLVMDoubleTypeKind ? 64
                                                               : 0;
  if (ebits * LLVMGetVectorSize(LLVMTypeOf(i)) != 128)
    return false;
  for (LLVMUseRef u = LLVMGetFirstUse(i); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsAShuffleVectorInst(user) ||
        (LLVMIsABitCastInst(user) && LLVMGetFirstUse(user) &&
         LLVMIsAShuffleVectorInst(LLVMGetUser(LLVMGetFirstUse(user)))))
      return true;
  }
  return false;
}

/* An integer access that is a select's true or false value. Integers
 * only: conditional moves are general-purpose-register instructions (a
 * float select becomes a branch diamond around registers, after the
 * load). */
static bool selected_integer(LLVMValueRef i) {
  if (LLVMGetTypeKind(LLVMTypeOf(i)) != LLVMIntegerTypeKind)
    return false;
  for (LLVMUseRef u = LLVMGetFirstUse(i); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsASelectInst(user) && LLVMGetOperand(user, 0) != i)
      return true;
  }
  return false;
}

/* Every volatile Wasm access of m for which `wanted` holds goes through
 * opaque_load (constraint asm_reg). */
static void opaque_loads(LLVMModuleRef m, const char *asm_reg,
                         bool (*wanted)(LLVMValueRef)) {
  LLVMContextRef c = LLVMGetModuleContext(m);
  unsigned access = access_kind(c);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
         bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;
           i = LLVMGetNextInstruction(i))
        if (volatile_access(i, access) && wanted(i))
          i = opaque_load(b, i, asm_reg);
  LLVMDisposeBuilder(b);
}

void keep_traps_opaque_vector_loads(LLVMModuleRef m, const char *asm_reg) {
  opaque_loads(m, asm_reg, shuffled_v128);
}

void keep_traps_opaque_select_loads(LLVMModuleRef m, const char *asm_reg) {
  opaque_loads(m, asm_reg, selected_integer);
}
