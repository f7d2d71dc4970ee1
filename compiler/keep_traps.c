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
 * simplifycfg, inlining of small callees, aggressive dead code
 * elimination). A volatile load is never deleted, so afterwards each tagged
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
 * A dropped call can also lose its loads by being inlined later, in the
 * normal pipeline's inliner (it happens on riscv64, whose cost model
 * inlines more): once inlined, its released loads feed nothing. So a call
 * to a function of the module whose result is still unused at the release
 * is marked noinline there: it runs as a call, and its loads with it.
 * Small callees were inlined by the early pipeline already, so this costs
 * only calls of larger functions whose result is dropped.
 * tests/spec/wasmc/unused_load_traps.wast "call-dropped" covers it.
 *
 * The remaining gap (theoretical; no known case): a value that becomes
 * dead only in the normal pipeline, after the release, through a
 * simplification the early pipeline does not do (e.g. interprocedural
 * constant propagation proving a multiplier zero, GVN or jump threading
 * exposing a never-taken use, a loop whose result is unused deleted by loop
 * deletion after its loads were released, inlining that happens only in the
 * later inliner rounds, or the instruction selector folding `x - x`):
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
    /* one pipeline on two lines (the parentheses tell clang's
     * -Wstring-concatenation so) */
    ("function(instcombine<no-verify-fixpoint>,simplifycfg),"
     "cgscc(inline),function(sroa,early-cse)"),
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

/* A call whose result nobody uses, to a function defined in this module
 * (the only kind the inliner can see into): keep it a call (see the
 * banner, "Dropped calls"). */
static void keep_dropped_call(LLVMValueRef call) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!LLVMIsAFunction(callee) || LLVMIsDeclaration(callee) ||
      LLVMGetTypeKind(LLVMTypeOf(call)) == LLVMVoidTypeKind)
    return;
  LLVMContextRef c = LLVMGetModuleContext(LLVMGetGlobalParent(callee));
  unsigned k = LLVMGetEnumAttributeKindForName("noinline", 8);
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(c, k, 0));
}

bool keep_traps_release(LLVMModuleRef m, LLVMTargetMachineRef tm,
                        int opt_level, char *err, size_t errsz) {
  unsigned kind = tag_kind(LLVMGetModuleContext(m));
  if (!has_tags(m, kind))
    return true;
  for (int k = 0; opt_level > 0 && k < 3; k++) {
    if (!run(m, early_pipeline[k], tm, err, errsz))
      return false;
    if (k < 2)
      merge_repeated_loads(m, kind);
  }
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f;
       f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f))
      continue;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
         bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;
           i = LLVMGetNextInstruction(i)) {
        if (opt_level > 0 && LLVMIsACallInst(i) && !LLVMGetFirstUse(i))
          keep_dropped_call(i);
        if (!LLVMIsALoadInst(i) || !LLVMGetMetadata(i, kind))
          continue;
        if (opt_level > 0 && LLVMGetFirstUse(i))
          LLVMSetVolatile(i, false);
        LLVMSetMetadata(i, kind, NULL);
      }
  }
  return true;
}
