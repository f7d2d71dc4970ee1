/* stack_check.c: the call-stack check every function starts with (see
 * stack_check.h for the interface).
 *
 * Why. Each Wasm function compares the stack pointer with the limit the
 * runtime leaves above its guard, so that deep recursion traps cleanly
 * (lower_func.c). Inlining copies the callee's check into the caller,
 * where it compares the same stack pointer (the caller's frame holds the
 * inlined code; wasmc makes no dynamic allocas) with the same limit, after
 * the caller's own check has passed: it can never trap. But LLVM cannot
 * know that of `llvm.stacksave`, which it models as touching memory, so
 * every copy stayed, with its compare, branch and trap block, through the
 * whole pipeline and code generation: in the first 10,266 functions of
 * Yosys (@yowasp/yosys) after -O2, 18,700 copies, with their blocks a
 * tenth of the instructions. Merged, python.wasm's -O2 code generation
 * took 5% less time (34.0 s to 32.3 s of CPU).
 *
 * How. Lowering writes the check as a call of `wasmc.stack_low(limit)`, a
 * declaration that reads no memory, always returns and never unwinds: a
 * pure function of the limit. After inlining, the copies in one function
 * are the same call of the same (invariant, so merged) limit load; GVN
 * and early-cse merge them into the caller's, whose branch has already
 * decided the value on the path that reaches them, and the branches to
 * their trap blocks fold away. Being pure, the call may also move (LICM
 * hoists a copy out of a loop): the value is the same anywhere in the
 * frame. Before code generation, stack_check_expand turns each call that
 * is left (one per function, plus copies in the rare cases LLVM did not
 * merge) into the real compare, at the call's place. Nothing else may
 * see the declaration: it is never defined, and leaving one call would
 * fail the link.
 */
#include "stack_check.h"
#include "ir_match.h"

#define NAME "wasmc.stack_low"

LLVMValueRef stack_check_low(LLVMModuleRef m, LLVMBuilderRef b,
                             LLVMValueRef limit) {
  LLVMContextRef c = LLVMGetModuleContext(m);
  LLVMTypeRef i64 = LLVMInt64TypeInContext(c);
  LLVMTypeRef fty = LLVMFunctionType(LLVMInt1TypeInContext(c), &i64, 1, 0);
  /* not speculatable: nothing gains from running it on a path that did
   * not ask */
  LLVMValueRef fn = ir_pure_decl(m, NAME, fty, false);
  return LLVMBuildCall2(b, fty, fn, &limit, 1, "stack.low");
}

void stack_check_expand(LLVMModuleRef m) {
  LLVMValueRef fn = LLVMGetNamedFunction(m, NAME);
  if (!fn)
    return;
  LLVMContextRef c = LLVMGetModuleContext(m);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(c, 0);
  LLVMTypeRef i64 = LLVMInt64TypeInContext(c);
  unsigned id = LLVMLookupIntrinsicID("llvm.stacksave", 14);
  LLVMValueRef save = LLVMGetIntrinsicDeclaration(m, id, &ptr, 1);
  LLVMTypeRef save_ty = LLVMIntrinsicGetType(c, id, &ptr, 1);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
  for (LLVMUseRef u = LLVMGetFirstUse(fn), nu; u; u = nu) {
    nu = LLVMGetNextUse(u);
    LLVMValueRef call = LLVMGetUser(u);
    LLVMPositionBuilderBefore(b, call);
    LLVMValueRef sp = LLVMBuildCall2(b, save_ty, save, NULL, 0, "");
    LLVMValueRef spi = LLVMBuildPtrToInt(b, sp, i64, "sp");
    LLVMValueRef low = LLVMBuildICmp(b, LLVMIntULT, spi, LLVMGetOperand(call, 0),
                                     "stack.low");
    LLVMReplaceAllUsesWith(call, low);
    LLVMInstructionEraseFromParent(call);
  }
  LLVMDisposeBuilder(b);
  LLVMDeleteFunction(fn);
}
