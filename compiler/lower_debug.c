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
 *
 * When the module carries DWARF of its own source (clang -g; dwarf.h reads
 * it, lower_options.dwarf), each function it describes gets instead:
 *   - its source name, file and declaration line, and a subroutine type
 *     with its return and parameter types;
 *   - for each instruction, the source file:line:column that the module's
 *     line table gives its Wasm code address (a line of another file, e.g.
 *     an inline function of a header, through a lexical block file), so
 *     `break main.c:12`, `next`, `step` and `bt` work on the C source;
 *   - its parameters and variables, with their types translated (base,
 *     pointer, const/volatile/restrict, typedef, struct, union, bit field,
 *     array, enum, function), placed where the module's DWARF says they
 *     are, for these location forms:
 *       DW_OP_fbreg N, frame base a Wasm local (clang -O0's variables, in
 *         linear memory): an alloca holds the frame base's native address
 *         (the memory base + the local), updated where the local is set,
 *         and the variable is at *alloca + N;
 *       DW_OP_addr A (static variables of a function): memory base + A;
 *       DW_OP_WASM_location 0 N, for the whole function: the local's
 *         alloca (LLVM follows it through mem2reg at -O1 and up);
 *       location lists of Wasm locals (clang -O1 and up): the local's
 *         value where each range begins and where the local is set in it,
 *         no location outside the ranges;
 *       constants (DW_OP_constu ... DW_OP_stack_value).
 *     Anything else (the operand stack, pieces, a frame base in a global,
 *     computed values) shows as <optimized out>. At wasmc -O1 and up the
 *     variables in linear memory are <optimized out> too: the alloca
 *     that holds their frame base is promoted away.
 *   - pointers are 4 bytes holding a linear-memory address (a Wasm
 *     address, not a native one): gdb prints them, but `print *p` reads
 *     the native address and fails.
 * Functions the module's DWARF does not describe keep the Wasm offsets.
 *
 * Instructions made after the lowering (wasmc's IR passes, the descriptor,
 * the entry trampolines and host adapters) have no line; LLVM emits line
 * 0 for them. Nothing here changes the code at -O1 and up: the same
 * instructions come out with or without -g (the subprograms, lines and
 * variable locations are metadata, unwind tables are data, and the
 * frame-base allocas and the loads that start a location range are dead
 * once promoted). At -O0 those allocas, stores and loads stay. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf.h"
#include "lower.h"

/* DWARF expression opcodes and tags used below. */
enum {
  OP_deref = 0x06,
  OP_constu = 0x10,
  OP_minus = 0x1c,
  OP_plus_uconst = 0x23,
  TAG_structure = 0x13,
  TAG_union = 0x17,
  TAG_const = 0x26,
  TAG_volatile = 0x35,
  TAG_restrict = 0x37,
};

/* A variable of the function being lowered. */
struct lower_debug_var {
  const dwarf_var *dv;
  LLVMMetadataRef md;  /* its DILocalVariable */
  LLVMMetadataRef loc; /* its declaration's DILocation */
  int32_t cur;         /* location lists: the range in effect, -1 none,
                          -2 not known yet */
};

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (!p)
    abort();
  return p;
}

static LLVMDWARFSourceLanguage language_of(const dwarf_info *dw) {
  /* One compile unit per LLVM module, so one language: C++ or Rust when
   * any of the module's units is (their C units read the same way), C
   * otherwise (DW_LANG_* codes). */
  for (uint32_t i = 0; dw && i < dw->ncus; i++)
    switch (dw->cus[i].language) {
    case 0x04: case 0x19: case 0x1a: case 0x21:
      return LLVMDWARFSourceLanguageC_plus_plus;
    case 0x1c:
      return LLVMDWARFSourceLanguageRust;
    }
  return LLVMDWARFSourceLanguageC99;
}

void lower_debug_begin(lower_module *lm) {
  if (!lm->opts.debug_info)
    return;
  const char *path = lm->wm->filename ? lm->wm->filename : "module.wasm";
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  size_t dirlen = slash ? (size_t)(slash - path) : 0;
  /* Debug records, not intrinsic calls (LLVM 19's new format), which is
   * what the record-inserting calls below require. */
  if (!LLVMIsNewDbgInfoFormat(lm->mod))
    LLVMSetIsNewDbgInfoFormat(lm->mod, 1);
  lm->di = LLVMCreateDIBuilder(lm->mod);
  lm->di_file = LLVMDIBuilderCreateFile(lm->di, base, strlen(base),
                                        path, dirlen);
  const dwarf_info *dw = lm->opts.dwarf;
  static const char producer[] = "wasmc";
  /* C as the language without the module's DWARF: DWARF has no code for
   * WebAssembly, and debuggers treat C units the most plainly (names as
   * they are, no demangling rules of their own). */
  LLVMDIBuilderCreateCompileUnit(
      lm->di, language_of(dw), lm->di_file, producer, sizeof producer - 1,
      /*isOptimized=*/1, "", 0, 0, "", 0, LLVMDWARFEmissionFull, 0,
      /*SplitDebugInlining=*/0, /*DebugInfoForProfiling=*/0, "", 0, "", 0);
  /* Functions without source DWARF: `void (void)`. */
  lm->di_fn_type = LLVMDIBuilderCreateSubroutineType(lm->di, lm->di_file,
                                                     NULL, 0, LLVMDIFlagZero);
  LLVMValueRef ver = LLVMConstInt(lm->t_i32, LLVMDebugMetadataVersion(), 0);
  LLVMAddModuleFlag(lm->mod, LLVMModuleFlagBehaviorWarning,
                    "Debug Info Version", 18, LLVMValueAsMetadata(ver));
  LLVMValueRef dwarf = LLVMConstInt(lm->t_i32, (unsigned)lm->dwarf_version, 0);
  LLVMAddModuleFlag(lm->mod, LLVMModuleFlagBehaviorWarning, "Dwarf Version", 13,
                    LLVMValueAsMetadata(dwarf));

  if (!dw)
    return;
  const wasm_module *wm = lm->wm;
  for (uint32_t i = 0; i < wm->nsections; i++)
    if (wm->sections[i].id == 10) /* the Code section */
      lm->dw_code_start = wm->sections[i].contents;
  lm->dw = dw;
  lm->di_files = xcalloc(dw->nfiles, sizeof *lm->di_files);
  lm->di_types = xcalloc(dw->ntypes, sizeof *lm->di_types);
  lm->di_type_busy = xcalloc(dw->ntypes, 1);
}

/* ---- files and types ---------------------------------------------------- */

static LLVMMetadataRef file_md(lower_module *lm, uint32_t idx) {
  const dwarf_info *dw = lm->dw;
  if (!dw || idx >= dw->nfiles)
    return lm->di_file;
  if (!lm->di_files[idx]) {
    const dwarf_file *f = &dw->files[idx];
    const char *dir = f->dir ? f->dir : "";
    lm->di_files[idx] = LLVMDIBuilderCreateFile(lm->di, f->name,
                                                strlen(f->name), dir,
                                                strlen(dir));
  }
  return lm->di_files[idx];
}

static size_t slen(const char *s) { return s ? strlen(s) : 0; }

/* Bytes of a type, through typedefs and qualifiers (for member sizes);
 * 0 when unknown. depth bounds a malformed chain. */
static uint64_t type_size(const dwarf_info *dw, int32_t t, int depth) {
  if (t < 0 || (uint32_t)t >= dw->ntypes || depth > 64)
    return 0;
  const dwarf_type *ty = &dw->types[t];
  switch (ty->kind) {
  case DWARF_TYPE_POINTER:
    return 4;
  case DWARF_TYPE_CONST:
  case DWARF_TYPE_VOLATILE:
  case DWARF_TYPE_RESTRICT:
  case DWARF_TYPE_TYPEDEF:
    return type_size(dw, ty->target, depth + 1);
  case DWARF_TYPE_ARRAY: {
    if (ty->size)
      return ty->size;
    uint64_t n = type_size(dw, ty->target, depth + 1);
    for (uint32_t i = 0; i < ty->ncounts; i++)
      n = ty->counts[i] < 0 ? 0 : n * (uint64_t)ty->counts[i];
    return n;
  }
  default:
    return ty->size;
  }
}

static LLVMMetadataRef type_md(lower_module *lm, int32_t t);

/* Appends to buf (size n, NUL-terminated, cut when full) the C spelling
 * of type t, for the names of pointer types: "const char *", "struct
 * node *". Declarators are not untangled: a pointer to an array reads
 * "int[] *", a pointer to a function "fn *". */
static void type_name(const dwarf_info *dw, int32_t t, char *buf, size_t n,
                      int depth) {
  size_t len = strlen(buf);
  if (len + 1 >= n)
    return;
  char *p = buf + len;
  size_t room = n - len;
  if (t < 0 || (uint32_t)t >= dw->ntypes || depth > 16) {
    snprintf(p, room, "void");
    return;
  }
  const dwarf_type *ty = &dw->types[t];
  const char *nm = ty->name;
  switch (ty->kind) {
  case DWARF_TYPE_POINTER:
  case DWARF_TYPE_ARRAY:
    type_name(dw, ty->target, buf, n, depth + 1);
    len = strlen(buf);
    snprintf(buf + len, n - len, ty->kind == DWARF_TYPE_POINTER ? " *" : "[]");
    return;
  case DWARF_TYPE_CONST:
  case DWARF_TYPE_VOLATILE:
  case DWARF_TYPE_RESTRICT:
    snprintf(p, room, "%s ",
             ty->kind == DWARF_TYPE_CONST      ? "const"
             : ty->kind == DWARF_TYPE_VOLATILE ? "volatile"
                                               : "restrict");
    type_name(dw, ty->target, buf, n, depth + 1);
    return;
  case DWARF_TYPE_STRUCT:
    snprintf(p, room, "struct %s", nm ? nm : "{...}");
    return;
  case DWARF_TYPE_UNION:
    snprintf(p, room, "union %s", nm ? nm : "{...}");
    return;
  case DWARF_TYPE_ENUM:
    snprintf(p, room, "enum %s", nm ? nm : "{...}");
    return;
  case DWARF_TYPE_FUNCTION:
    snprintf(p, room, "fn");
    return;
  default:
    snprintf(p, room, "%s", nm ? nm : "void");
    return;
  }
}

static LLVMMetadataRef composite_md(lower_module *lm, int32_t t) {
  const dwarf_info *dw = lm->dw;
  const dwarf_type *ty = &dw->types[t];
  unsigned tag = ty->kind == DWARF_TYPE_UNION ? TAG_union : TAG_structure;
  const char *name = ty->name ? ty->name : "";
  if (ty->declaration)
    return LLVMDIBuilderCreateForwardDecl(lm->di, tag, name, strlen(name),
                                          NULL, lm->di_file, 0, 0, 0, 0, "", 0);
  /* A placeholder first: a member may point back to this type. */
  LLVMMetadataRef tmp = LLVMDIBuilderCreateReplaceableCompositeType(
      lm->di, tag, name, strlen(name), NULL, lm->di_file, 0, 0,
      ty->size * 8, 0, LLVMDIFlagZero, "", 0);
  lm->di_types[t] = tmp;
  LLVMMetadataRef *elems = xcalloc(ty->nmembers, sizeof *elems);
  for (uint32_t i = 0; i < ty->nmembers; i++) {
    const dwarf_member *m = &ty->members[i];
    LLVMMetadataRef mt = type_md(lm, m->type);
    uint64_t bits = type_size(dw, m->type, 0) * 8;
    if (m->bit_size) {
      /* The storage unit: the member type's size, aligned, around it. */
      uint64_t unit = bits ? bits : 32;
      elems[i] = LLVMDIBuilderCreateBitFieldMemberType(
          lm->di, tmp, m->name ? m->name : "", slen(m->name), lm->di_file, 0,
          m->bit_size, m->bit_offset, m->bit_offset / unit * unit,
          LLVMDIFlagZero, mt);
    } else {
      elems[i] = LLVMDIBuilderCreateMemberType(
          lm->di, tmp, m->name ? m->name : "", slen(m->name), lm->di_file, 0,
          bits, 0, m->offset * 8, LLVMDIFlagZero, mt);
    }
  }
  LLVMMetadataRef md =
      tag == TAG_union
          ? LLVMDIBuilderCreateUnionType(lm->di, NULL, name, strlen(name),
                                         lm->di_file, 0, ty->size * 8, 0,
                                         LLVMDIFlagZero, elems, ty->nmembers,
                                         0, "", 0)
          : LLVMDIBuilderCreateStructType(lm->di, NULL, name, strlen(name),
                                          lm->di_file, 0, ty->size * 8, 0,
                                          LLVMDIFlagZero, NULL, elems,
                                          ty->nmembers, 0, NULL, "", 0);
  free(elems);
  LLVMMetadataReplaceAllUsesWith(tmp, md);
  return md;
}

static LLVMMetadataRef subroutine_md(lower_module *lm, int32_t ret,
                                     const int32_t *params, uint32_t n,
                                     bool variadic) {
  /* Element 0 the return type (NULL: void); a trailing NULL marks `...`. */
  LLVMMetadataRef *el = xcalloc((size_t)n + 2, sizeof *el);
  el[0] = type_md(lm, ret);
  for (uint32_t i = 0; i < n; i++)
    el[i + 1] = type_md(lm, params[i]);
  size_t count = (size_t)n + 1 + (variadic ? 1 : 0);
  LLVMMetadataRef md = LLVMDIBuilderCreateSubroutineType(
      lm->di, lm->di_file, el, (unsigned)count, LLVMDIFlagPrototyped);
  free(el);
  return md;
}

/* The DIType of the module's type t (NULL for void), made on first use.
 * A cycle of types goes through a struct or union (C has no other), whose
 * placeholder is cached before its members are made, so it ends there; a
 * typedef or pointer met again while being made is made again (LLVM
 * merges the equal nodes). A malformed cycle that no struct breaks gives
 * void once the nesting is too deep. */
static LLVMMetadataRef type_md(lower_module *lm, int32_t t) {
  const dwarf_info *dw = lm->dw;
  if (t < 0 || (uint32_t)t >= dw->ntypes)
    return NULL;
  if (lm->di_types[t])
    return lm->di_types[t];
  if (lm->di_type_busy[t] >= 4)
    return NULL;
  lm->di_type_busy[t]++;
  const dwarf_type *ty = &dw->types[t];
  const char *name = ty->name ? ty->name : "";
  LLVMMetadataRef md = NULL;
  switch (ty->kind) {
  case DWARF_TYPE_VOID:
    break;
  case DWARF_TYPE_BASE:
    md = LLVMDIBuilderCreateBasicType(lm->di, name, strlen(name),
                                      ty->size * 8, ty->encoding,
                                      LLVMDIFlagZero);
    break;
  case DWARF_TYPE_POINTER: {
    /* A linear-memory address: 4 bytes, which a DW_TAG_pointer_type
     * cannot say (LLVM gives pointers no byte size, so gdb would read the
     * host's 8), and which the debugger could not dereference anyway (it
     * is not a host address). So an address-encoded base type of 4 bytes,
     * named as the C type: gdb prints the value as 0x114e0, and `whatis`
     * shows the C spelling (`ptype` says `void *`). */
    char buf[256] = "";
    type_name(dw, t, buf, sizeof buf, 0);
    md = LLVMDIBuilderCreateBasicType(lm->di, buf, strlen(buf), 32,
                                      0x01 /* DW_ATE_address */,
                                      LLVMDIFlagZero);
    break;
  }
  case DWARF_TYPE_CONST:
  case DWARF_TYPE_VOLATILE:
  case DWARF_TYPE_RESTRICT: {
    unsigned tag = ty->kind == DWARF_TYPE_CONST      ? TAG_const
                   : ty->kind == DWARF_TYPE_VOLATILE ? TAG_volatile
                                                     : TAG_restrict;
    md = LLVMDIBuilderCreateQualifiedType(lm->di, tag,
                                          type_md(lm, ty->target));
    break;
  }
  case DWARF_TYPE_TYPEDEF:
    md = LLVMDIBuilderCreateTypedef(lm->di, type_md(lm, ty->target), name,
                                    strlen(name), lm->di_file, 0, NULL, 0);
    break;
  case DWARF_TYPE_STRUCT:
  case DWARF_TYPE_UNION:
    md = composite_md(lm, t);
    break;
  case DWARF_TYPE_ARRAY: {
    LLVMMetadataRef *subs = xcalloc(ty->ncounts, sizeof *subs);
    for (uint32_t i = 0; i < ty->ncounts; i++)
      subs[i] = LLVMDIBuilderGetOrCreateSubrange(lm->di, 0, ty->counts[i]);
    md = LLVMDIBuilderCreateArrayType(lm->di, type_size(dw, t, 0) * 8, 0,
                                      type_md(lm, ty->target), subs,
                                      ty->ncounts);
    free(subs);
    break;
  }
  case DWARF_TYPE_ENUM: {
    LLVMMetadataRef *el = xcalloc(ty->nenumerators, sizeof *el);
    for (uint32_t i = 0; i < ty->nenumerators; i++) {
      const dwarf_enumerator *e = &ty->enumerators[i];
      el[i] = LLVMDIBuilderCreateEnumerator(lm->di, e->name ? e->name : "",
                                            slen(e->name), e->value, 0);
    }
    md = LLVMDIBuilderCreateEnumerationType(
        lm->di, NULL, name, strlen(name), lm->di_file, 0, ty->size * 8, 0, el,
        ty->nenumerators, type_md(lm, ty->target));
    free(el);
    break;
  }
  case DWARF_TYPE_FUNCTION:
    md = subroutine_md(lm, ty->target, ty->params, ty->nparams, ty->variadic);
    break;
  }
  lm->di_type_busy[t]--;
  lm->di_types[t] = md;
  return md;
}

/* ---- functions ---------------------------------------------------------- */

void lower_debug_function(lower_module *lm, uint32_t fidx, LLVMValueRef fn) {
  if (!lm->di)
    return;
  const wasm_module *wm = lm->wm;
  const wasm_func *f = &wm->funcs[fidx];
  const dwarf_func *df =
      lm->dw && f->body_offset >= lm->dw_code_start
          ? dwarf_func_at(lm->dw, f->body_offset - lm->dw_code_start)
          : NULL;
  const wasm_name *nm = wm->func_names ? &wm->func_names[fidx] : NULL;
  char fallback[32];
  const char *name = fallback;
  size_t len;
  if (df && (df->name || df->linkage_name)) {
    name = df->name ? df->name : df->linkage_name;
    len = strlen(name);
  } else if (nm && nm->str && nm->len) {
    name = nm->str;
    len = nm->len;
  } else {
    len = (size_t)snprintf(fallback, sizeof fallback, "func[%u]", fidx);
  }
  LLVMMetadataRef file = lm->di_file, type = lm->di_fn_type;
  unsigned line = f->body_offset;
  if (df) {
    file = file_md(lm, df->decl_file);
    line = df->decl_line;
    uint32_t np = 0;
    for (uint32_t i = 0; i < df->nvars && df->vars[i].is_param; i++)
      np++;
    int32_t *params = xcalloc(np, sizeof *params);
    for (uint32_t i = 0; i < np; i++)
      params[i] = df->vars[i].type;
    type = subroutine_md(lm, df->ret_type, params, np, false);
    free(params);
  }
  /* No linkage name (the symbol): gdb would name the function by it
   * (divide.wasm.8) instead of by the Wasm name (divide), as it does for
   * a C function, whose DWARF has none either. */
  lm->di_sp = LLVMDIBuilderCreateFunction(
      lm->di, file, name, len, "", 0, file, line, type,
      /*IsLocalToUnit=*/!lm->chunked, /*IsDefinition=*/1, line,
      LLVMDIFlagPrototyped, /*IsOptimized=*/1);
  LLVMSetSubprogram(fn, lm->di_sp);
  lm->dw_func = df;
  /* Where the module's line table ends the function's prologue (clang's
   * Wasm prologue: the stack pointer moved, the frame-base local set).
   * Its instructions get line 0, so that LLVM puts its own prologue_end
   * on the first instruction of the body's first line, where gdb's
   * `break FUNCTION` and `step` into a call stop, with the frame base
   * (and so the variables) in place. */
  lm->dw_prologue_end = 0;
  if (df) {
    const dwarf_row *row = dwarf_row_at(lm->dw, df->lo);
    for (; row && row < lm->dw->rows + lm->dw->nrows && row->addr < df->hi;
         row++)
      if (row->flags & DWARF_ROW_PROLOGUE_END) {
        lm->dw_prologue_end = row->addr;
        break;
      }
  }
  /* wasmc's own prologue (locals, the call-stack check): the line of the
   * declaration without the module's DWARF (the body offset); with it,
   * line 0, like the module's own prologue (above). */
  LLVMSetCurrentDebugLocation2(
      lm->b, LLVMDIBuilderCreateDebugLocation(
                 lm->llctx, lm->dw_prologue_end ? 0 : line, 0, lm->di_sp,
                 NULL));
}

/* An alloca in the entry block, where static allocas must be (the
 * prologue has moved the builder past the call-stack check). */
static LLVMValueRef entry_alloca(lower_func *lf, LLVMTypeRef t,
                                 const char *name) {
  lower_module *lm = lf->lm;
  LLVMBuilderRef b = LLVMCreateBuilderInContext(lm->llctx);
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(lf->fn);
  LLVMValueRef first = LLVMGetFirstInstruction(entry);
  if (first)
    LLVMPositionBuilderBefore(b, first);
  else
    LLVMPositionBuilderAtEnd(b, entry);
  LLVMValueRef a = LLVMBuildAlloca(b, t, name);
  LLVMDisposeBuilder(b);
  return a;
}

/* The expression for "at *slot + off". */
static LLVMMetadataRef deref_plus(lower_module *lm, int64_t off) {
  uint64_t ops[4] = {OP_deref};
  size_t n = 1;
  if (off > 0) {
    ops[n++] = OP_plus_uconst;
    ops[n++] = (uint64_t)off;
  } else if (off < 0) {
    ops[n++] = OP_constu;
    ops[n++] = (uint64_t)0 - (uint64_t)off;
    ops[n++] = OP_minus;
  }
  return LLVMDIBuilderCreateExpression(lm->di, ops, n);
}

static LLVMMetadataRef empty_expr(lower_module *lm) {
  return LLVMDIBuilderCreateExpression(lm->di, NULL, 0);
}

static bool block_open(lower_module *lm) {
  LLVMBasicBlockRef bb = LLVMGetInsertBlock(lm->b);
  return bb && !LLVMGetBasicBlockTerminator(bb);
}

static void value_here(lower_module *lm, LLVMValueRef v,
                       const struct lower_debug_var *var) {
  LLVMDIBuilderInsertDbgValueRecordAtEnd(lm->di, v, var->md, empty_expr(lm),
                                         var->loc, LLVMGetInsertBlock(lm->b));
}

/* The native address of the frame base: the memory base plus the Wasm
 * address in the frame-base local. */
static void store_frame(lower_func *lf, LLVMValueRef wasm_addr) {
  lower_module *lm = lf->lm;
  LLVMValueRef idx = LLVMBuildZExt(lm->b, wasm_addr, lm->t_i64, "");
  LLVMValueRef p = LLVMBuildInBoundsGEP2(lm->b, lm->t_i8, lf->mem0_base, &idx,
                                         1, "dbg.frame");
  LLVMBuildStore(lm->b, p, lm->dw_frame);
}

static bool local_is_i32(const lower_func *lf, uint32_t idx) {
  return idx < lf->nlocals && lf->local_types[idx] == WASM_I32;
}

void lower_debug_prologue(lower_func *lf, LLVMValueRef *params) {
  lower_module *lm = lf->lm;
  const dwarf_func *df = lm->dw_func;
  if (!lm->di_sp || !df)
    return;
  lm->dw_vars = xcalloc(df->nvars, sizeof *lm->dw_vars);
  const dwarf_loc *fb = &df->frame_base;
  bool frame_ok = lf->mem0_base && fb->kind == DWARF_LOC_LOCAL &&
                  local_is_i32(lf, fb->index);
  LLVMValueRef membase = NULL;
  LLVMBasicBlockRef here = LLVMGetInsertBlock(lm->b);
  uint32_t argno = 0;
  for (uint32_t i = 0; i < df->nvars; i++) {
    const dwarf_var *dv = &df->vars[i];
    struct lower_debug_var *var = &lm->dw_vars[i];
    var->dv = dv;
    var->cur = -2;
    LLVMMetadataRef file = file_md(lm, dv->decl_file);
    LLVMMetadataRef ty = type_md(lm, dv->type);
    const char *name = dv->name ? dv->name : "";
    var->md = dv->is_param
                  ? LLVMDIBuilderCreateParameterVariable(
                        lm->di, lm->di_sp, name, strlen(name), ++argno, file,
                        dv->decl_line, ty, 1, LLVMDIFlagZero)
                  : LLVMDIBuilderCreateAutoVariable(
                        lm->di, lm->di_sp, name, strlen(name), file,
                        dv->decl_line, ty, 1, LLVMDIFlagZero, 0);
    var->loc = LLVMDIBuilderCreateDebugLocation(lm->llctx, dv->decl_line, 0,
                                                lm->di_sp, NULL);
    if (dv->nranges)
      continue; /* lower_debug_at places it, range by range */
    switch (dv->loc.kind) {
    case DWARF_LOC_LOCAL:
      if (dv->loc.index < lf->nlocals)
        LLVMDIBuilderInsertDeclareRecordAtEnd(lm->di, lf->locals[dv->loc.index],
                                              var->md, empty_expr(lm),
                                              var->loc, here);
      break;
    case DWARF_LOC_FRAME:
      if (!frame_ok)
        break;
      if (!lm->dw_frame) {
        lm->dw_frame = entry_alloca(lf, lm->t_ptr, "dbg.frame");
        uint32_t k = fb->index;
        store_frame(lf, k < lf->type->nparams
                            ? params[k]
                            : LLVMConstInt(lm->t_i32, 0, 0));
      }
      LLVMDIBuilderInsertDeclareRecordAtEnd(lm->di, lm->dw_frame, var->md,
                                            deref_plus(lm, dv->loc.offset),
                                            var->loc, here);
      break;
    case DWARF_LOC_ADDR:
      if (!lf->mem0_base)
        break;
      if (!membase) {
        membase = entry_alloca(lf, lm->t_ptr, "dbg.membase");
        LLVMBuildStore(lm->b, lf->mem0_base, membase);
      }
      LLVMDIBuilderInsertDeclareRecordAtEnd(lm->di, membase, var->md,
                                            deref_plus(lm, dv->loc.offset),
                                            var->loc, here);
      break;
    case DWARF_LOC_CONST:
      value_here(lm, LLVMConstInt(lm->t_i64, (uint64_t)dv->loc.offset, 0),
                 var);
      break;
    default:
      break; /* <optimized out> */
    }
  }
}

void lower_debug_at(lower_func *lf, uint32_t offset) {
  lower_module *lm = lf->lm;
  if (!lm->di_sp)
    return;
  const dwarf_func *df = lm->dw_func;
  if (!df) {
    LLVMSetCurrentDebugLocation2(
        lm->b, LLVMDIBuilderCreateDebugLocation(lm->llctx, offset, 0,
                                                lm->di_sp, NULL));
    return;
  }
  uint32_t addr = offset - lm->dw_code_start;
  const dwarf_row *row = dwarf_row_at(lm->dw, addr);
  LLVMMetadataRef scope = lm->di_sp;
  unsigned line = 0, col = 0;
  if (row && row->line && addr >= lm->dw_prologue_end) {
    line = row->line;
    col = row->column;
    if (row->file != df->decl_file)
      scope = LLVMDIBuilderCreateLexicalBlockFile(lm->di, lm->di_sp,
                                                  file_md(lm, row->file), 0);
  }
  LLVMSetCurrentDebugLocation2(
      lm->b, LLVMDIBuilderCreateDebugLocation(lm->llctx, line, col, scope,
                                              NULL));

  /* Variables with location lists: where a range of a Wasm local begins,
   * the local's current value; where the ranges end, no location. A block
   * already ended (after a branch) takes nothing: the next instruction
   * that opens one does. */
  for (uint32_t i = 0; i < df->nvars; i++) {
    struct lower_debug_var *var = &lm->dw_vars[i];
    const dwarf_var *dv = var->dv;
    if (!dv->nranges)
      continue;
    int32_t r = -1;
    for (uint32_t k = 0; k < dv->nranges; k++)
      if (dv->ranges[k].lo <= addr && addr < dv->ranges[k].hi &&
          dv->ranges[k].loc.kind == DWARF_LOC_LOCAL &&
          dv->ranges[k].loc.index < lf->nlocals) {
        r = (int32_t)k;
        break;
      }
    if (r == var->cur || !block_open(lm))
      continue;
    var->cur = r;
    if (r >= 0 && lm->opts.locals_in_memory) {
      /* "In memory at the local's alloca", which -O0 keeps up to date. */
      uint64_t deref = OP_deref;
      LLVMDIBuilderInsertDbgValueRecordAtEnd(
          lm->di, lf->locals[dv->ranges[r].loc.index], var->md,
          LLVMDIBuilderCreateExpression(lm->di, &deref, 1), var->loc,
          LLVMGetInsertBlock(lm->b));
    } else if (r >= 0) {
      uint32_t idx = dv->ranges[r].loc.index;
      LLVMValueRef v = LLVMBuildLoad2(
          lm->b, lower_valtype(lm, lf->local_types[idx]), lf->locals[idx], "");
      value_here(lm, v, var);
    } else {
      value_here(lm, LLVMGetPoison(lm->t_i32), var);
    }
  }
}

void lower_debug_local_set(lower_func *lf, uint32_t idx, LLVMValueRef v) {
  lower_module *lm = lf->lm;
  const dwarf_func *df = lm->dw_func;
  if (!lm->di_sp || !df)
    return;
  if (lm->dw_frame && df->frame_base.index == idx)
    store_frame(lf, v);
  if (lm->opts.locals_in_memory)
    return; /* the variables point at the local's alloca itself */
  for (uint32_t i = 0; i < df->nvars; i++) {
    struct lower_debug_var *var = &lm->dw_vars[i];
    if (var->cur >= 0 && var->dv->ranges[var->cur].loc.index == idx)
      value_here(lm, v, var);
  }
}

void lower_debug_end_function(lower_func *lf) {
  lower_module *lm = lf->lm;
  if (!lm->di_sp)
    return;
  /* What is built next (another function, the descriptor) must not get
   * this function's scope. */
  LLVMSetCurrentDebugLocation2(lm->b, NULL);
  lm->di_sp = NULL;
  lm->dw_func = NULL;
  lm->dw_frame = NULL;
  free(lm->dw_vars);
  lm->dw_vars = NULL;
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
       f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f))
      continue;
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(lm->llctx, uw, 2));
    if (lm->opts.frame_pointers)
      LLVMAddAttributeAtIndex(
          f, LLVMAttributeFunctionIndex,
          LLVMCreateStringAttribute(lm->llctx, "frame-pointer", 13, "all", 3));
  }
  LLVMDIBuilderFinalize(lm->di);
  lower_debug_free(lm);
}

void lower_debug_free(lower_module *lm) {
  if (lm->di)
    LLVMDisposeDIBuilder(lm->di);
  lm->di = NULL;
  free(lm->di_files);
  free(lm->di_types);
  free(lm->di_type_busy);
  free(lm->dw_vars);
  lm->di_files = lm->di_types = NULL;
  lm->di_type_busy = NULL;
  lm->dw_vars = NULL;
}
