/* lower_debug.c: DWARF for the generated code (-g, lower_options.debug_info).
 *
 * What a debugger, perf or addr2line gets from it, for any module:
 *   - one compile unit per LLVM module (per chunk in a chunked compile),
 *     its file the .wasm file;
 *   - one subprogram per defined Wasm function: its name from the name
 *     section, or func[N] without one (gdb's `break NAME` and `bt` use
 *     it; the symbol, NAME.wasm.N or wasm_fN, is what nm and perf show);
 *   - a line for every instruction: the byte offset in the .wasm file of
 *     the Wasm instruction it was lowered from (the offsets `wasm-objdump
 *     -d` prints, and the ones wasmc's own error messages give). So
 *     `addr2line -f -e app ADDR` says "python.wasm:1234567", gdb's `bt`
 *     shows each frame's Wasm function and offset, and `perf report
 *     --sort srcline` attributes samples to Wasm instructions. Inlined
 *     calls keep their own lines (LLVM's inlining records them).
 * The prologue (call-stack check, locals) takes the function's body offset.
 * The module's own DWARF (its .debug_* custom sections: C source lines
 * and variables) is not translated yet.
 *
 * Instructions made after the lowering (wasmc's IR passes, the descriptor,
 * the entry trampolines and host adapters) have no line; LLVM emits line
 * 0 for them. Nothing here changes the code: the same instructions come
 * out with or without -g (the subprograms and lines are metadata, and
 * unwind tables, which -g asks for too, are data). */
#include <stdio.h>
#include <string.h>

#include "lower.h"

void lower_debug_begin(lower_module *lm) {
  if (!lm->opts.debug_info)
    return;
  const char *path = lm->wm->filename ? lm->wm->filename : "module.wasm";
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  size_t dirlen = slash ? (size_t)(slash - path) : 0;
  lm->di = LLVMCreateDIBuilder(lm->mod);
  lm->di_file = LLVMDIBuilderCreateFile(lm->di, base, strlen(base),
                                        path, dirlen);
  static const char producer[] = "wasmc";
  /* C as the language: DWARF has no code for WebAssembly, and debuggers
   * treat C units the most plainly (names as they are, no demangling
   * rules of their own). */
  LLVMDIBuilderCreateCompileUnit(
      lm->di, LLVMDWARFSourceLanguageC99, lm->di_file, producer,
      sizeof producer - 1, /*isOptimized=*/1, "", 0, 0, "", 0,
      LLVMDWARFEmissionFull, 0, /*SplitDebugInlining=*/0,
      /*DebugInfoForProfiling=*/0, "", 0, "", 0);
  /* Parameters and results are not described (yet): `void (void)`. */
  lm->di_fn_type = LLVMDIBuilderCreateSubroutineType(lm->di, lm->di_file,
                                                     NULL, 0, LLVMDIFlagZero);
  LLVMValueRef ver = LLVMConstInt(lm->t_i32, LLVMDebugMetadataVersion(), 0);
  LLVMAddModuleFlag(lm->mod, LLVMModuleFlagBehaviorWarning,
                    "Debug Info Version", 18, LLVMValueAsMetadata(ver));
  LLVMValueRef dwarf = LLVMConstInt(lm->t_i32, 5, 0);
  LLVMAddModuleFlag(lm->mod, LLVMModuleFlagBehaviorWarning, "Dwarf Version", 13,
                    LLVMValueAsMetadata(dwarf));
}

void lower_debug_function(lower_module *lm, uint32_t fidx, LLVMValueRef fn) {
  if (!lm->di)
    return;
  const wasm_module *wm = lm->wm;
  const wasm_name *nm = wm->func_names ? &wm->func_names[fidx] : NULL;
  char fallback[32];
  const char *name = fallback;
  size_t len;
  if (nm && nm->str && nm->len) {
    name = nm->str;
    len = nm->len;
  } else {
    len = (size_t)snprintf(fallback, sizeof fallback, "func[%u]", fidx);
  }
  /* No linkage name (the symbol): gdb would name the function by it
   * (divide.wasm.8) instead of by the Wasm name (divide), as it does for
   * a C function, whose DWARF has none either. */
  unsigned line = wm->funcs[fidx].body_offset;
  lm->di_sp = LLVMDIBuilderCreateFunction(
      lm->di, lm->di_file, name, len, "", 0, lm->di_file, line,
      lm->di_fn_type, /*IsLocalToUnit=*/!lm->chunked, /*IsDefinition=*/1,
      line, LLVMDIFlagPrototyped, /*IsOptimized=*/1);
  LLVMSetSubprogram(fn, lm->di_sp);
  lower_debug_at(lm, line);
}

void lower_debug_at(lower_module *lm, uint32_t offset) {
  if (!lm->di_sp)
    return;
  LLVMMetadataRef loc =
      LLVMDIBuilderCreateDebugLocation(lm->llctx, offset, 0, lm->di_sp, NULL);
  LLVMSetCurrentDebugLocation2(lm->b, loc);
}

void lower_debug_end_function(lower_module *lm) {
  if (!lm->di_sp)
    return;
  /* What is built next (another function, the descriptor) must not get
   * this function's scope. */
  LLVMSetCurrentDebugLocation2(lm->b, NULL);
  lm->di_sp = NULL;
}

void lower_debug_finish(lower_module *lm) {
  if (!lm->di)
    return;
  /* Unwind tables in every function defined here, even nounwind ones: the
   * trap backtrace (runtime/backtrace.c) and debuggers walk the stack
   * with them. The descriptor's entry trampolines and host adapters too:
   * the walk from a host function that ends the run (WASI proc_raise)
   * goes through an adapter to the Wasm frames. Asynchronous: a fault
   * can stop a function at any instruction. */
  unsigned uw = LLVMGetEnumAttributeKindForName("uwtable", 7);
  for (LLVMValueRef f = LLVMGetFirstFunction(lm->mod); f;
       f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f))
      LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                              LLVMCreateEnumAttribute(lm->llctx, uw, 2));
  LLVMDIBuilderFinalize(lm->di);
  LLVMDisposeDIBuilder(lm->di);
  lm->di = NULL;
}
