/* emit.c: one LLVM module to one object file: target machines, the
 * optimisation pipeline with wasmc's own IR passes, and code generation.
 *
 * What differs between architectures is a row of target.c's table; this
 * file is generic: a target machine with PIC relocations (objects become
 * shared objects), keep_traps.c's early pipeline, the IR passes around
 * the new pass manager's "default<On>" one, and emission to a file or a
 * memory buffer. It knows nothing of Wasm modules or of chunks: the
 * driver above it (codegen.c) lowers the module, whole or in chunks, and
 * calls emit_module for each LLVM module.
 */
#include "emit.h"
#include "cpu_features.h"
#include "addr_nowrap.h"
#include "alias_families.h"
#include "cmp_loop.h"
#include "store_ifconv.h"
#include "keep_traps.h"
#include "llvm_pipelines.h" /* generated: LLVM's default<On> after its prefix */
#include "loop_parity.h"
#include "quiet_nan.h"
#include "stack_check.h"
#include "timing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Error.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

/* ---- target machines ----------------------------------------------------- */

struct emit_target {
  const target_row *row;
  LLVMTargetMachineRef tm;
  int opt_level;
  bool verify;
  bool emit_llvm;
  char triple[128];
  char *cpu, *features;
  /* What the code needs beyond the baseline, for the descriptor
   * (cpu_features.c): table names, comma-separated, and the options that
   * chose them ("--cpu x86-64-v3"); both NULL for a baseline target. */
  char *cpu_required, *built_with;
};

/* Copies an LLVM error message into err and frees it. */
static void take_error(LLVMErrorRef e, const char *what, char *err,
                       size_t errsz) {
  char *msg = LLVMGetErrorMessage(e);
  snprintf(err, errsz, "%s: %s", what, msg);
  LLVMDisposeErrorMessage(msg);
}

/* LLVM reports an unknown CPU or feature only as a warning on stderr
 * (when it creates the target machine, and again per subtarget) and then
 * silently uses the defaults: a typo in --cpu would give a slower (or, for
 * features, different) binary with no error. So when the user chose the
 * CPU or features, stderr is captured while the target machine is created
 * and an empty function is compiled, and any complaint refuses the
 * target. */
typedef struct {
  FILE *cap;
  int saved;
} stderr_capture;

static bool capture_begin(stderr_capture *c) {
  c->cap = tmpfile();
  if (!c->cap)
    return false;
  fflush(stderr);
  c->saved = dup(STDERR_FILENO);
  if (c->saved < 0) {
    fclose(c->cap);
    return false;
  }
  dup2(fileno(c->cap), STDERR_FILENO);
  return true;
}

/* Restores stderr; the first line captured goes to buf ("" if none). */
static void capture_end(stderr_capture *c, char *buf, size_t bufsz) {
  fflush(stderr);
  dup2(c->saved, STDERR_FILENO);
  close(c->saved);
  rewind(c->cap);
  size_t n = fread(buf, 1, bufsz - 1, c->cap);
  buf[n] = '\0';
  buf[strcspn(buf, "\n")] = '\0';
  fclose(c->cap);
}

/* Compiles an empty function: makes LLVM build the subtarget. */
static bool probe_subtarget(emit_target *t, char *err, size_t errsz) {
  LLVMContextRef ctx = LLVMContextCreate();
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext("probe", ctx);
  LLVMSetTarget(m, t->triple);
  LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(ctx), NULL, 0, 0);
  LLVMValueRef f = LLVMAddFunction(m, "probe", fty);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(ctx, f, "entry"));
  LLVMBuildRetVoid(b);
  LLVMDisposeBuilder(b);
  LLVMMemoryBufferRef buf = NULL;
  char *msg = NULL;
  bool ok =
      !LLVMTargetMachineEmitToMemoryBuffer(t->tm, m, LLVMObjectFile, &msg, &buf);
  if (buf)
    LLVMDisposeMemoryBuffer(buf);
  LLVMDisposeModule(m);
  LLVMContextDispose(ctx);
  if (!ok)
    snprintf(err, errsz, "cannot generate code for %s (cpu %s): %s", t->triple,
             t->cpu, msg ? msg : "unknown error");
  LLVMDisposeMessage(msg);
  return ok;
}

/* The LLVM target machine for t's triple, CPU, features and level. */
static LLVMTargetMachineRef new_machine(const emit_target *t,
                                        LLVMTargetRef target) {
  static const LLVMCodeGenOptLevel levels[4] = {
      LLVMCodeGenLevelNone, LLVMCodeGenLevelLess, LLVMCodeGenLevelDefault,
      LLVMCodeGenLevelAggressive};
  LLVMTargetMachineOptionsRef tmo = LLVMCreateTargetMachineOptions();
  LLVMTargetMachineOptionsSetCPU(tmo, t->cpu);
  LLVMTargetMachineOptionsSetFeatures(tmo, t->features);
  if (t->row->abi)
    LLVMTargetMachineOptionsSetABI(tmo, t->row->abi);
  int level = t->opt_level < t->row->min_codegen_level
                  ? t->row->min_codegen_level
                  : t->opt_level;
  LLVMTargetMachineOptionsSetCodeGenOptLevel(tmo, levels[level]);
  LLVMTargetMachineOptionsSetRelocMode(tmo, LLVMRelocPIC);
  LLVMTargetMachineOptionsSetCodeModel(tmo, LLVMCodeModelDefault);
  LLVMTargetMachineRef tm =
      LLVMCreateTargetMachineWithOptions(target, t->triple, tmo);
  LLVMDisposeTargetMachineOptions(tmo);
  return tm;
}

/* The features of the table (runtime/cpu_features.def) that t's CPU and
 * features enable beyond the baseline, and the options that chose them,
 * for the module descriptor: the runtime then refuses to start the code
 * on a machine that lacks any of them, instead of crashing on SIGILL.
 * Both stay NULL when nothing is needed beyond the baseline. */
static bool find_required(emit_target *t, const emit_options *o, bool native,
                          char *err, size_t errsz) {
  char base[256];
  snprintf(base, sizeof base, "%s%s%s", t->row->features,
           t->row->features[0] && t->row->probe_features[0] ? "," : "",
           t->row->probe_features);
  cpu_features_query q = {t->triple, t->row->arch, t->row->cpu, base,
                          t->cpu, t->features};
  char *req = cpu_features_beyond_baseline(t->tm, &q, err, errsz);
  if (!req)
    return false;
  if (!req[0]) {
    free(req);
    return true;
  }
  /* "--cpu native (sapphirerapids) --features +x": as the user wrote it,
   * with what `native` was on the build machine. */
  char built[512];
  int n = 0;
  if (native)
    n = snprintf(built, sizeof built, "--cpu native (%s)", t->cpu);
  else if (o->cpu && o->cpu[0])
    n = snprintf(built, sizeof built, "--cpu %s", o->cpu);
  if (o->features && o->features[0] && n >= 0 && (size_t)n < sizeof built)
    snprintf(built + n, sizeof built - (size_t)n, "%s--features %s",
             n ? " " : "", o->features);
  t->built_with = strdup(built);
  if (!t->built_with) {
    free(req);
    snprintf(err, errsz, "out of memory");
    return false;
  }
  t->cpu_required = req;
  return true;
}

/* LLVM's target, MC and asm printer for one architecture of target.c's
 * table (idempotent). Here rather than in the table, so that target.c
 * stays free of LLVM for the wasmc executable (llvm_api.h). */
static void init_llvm_target(const char *arch) {
  if (strcmp(arch, "x86_64") == 0) {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
  } else if (strcmp(arch, "aarch64") == 0) {
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
  } else if (strcmp(arch, "riscv64") == 0) {
    LLVMInitializeRISCVTargetInfo();
    LLVMInitializeRISCVTarget();
    LLVMInitializeRISCVTargetMC();
    LLVMInitializeRISCVAsmPrinter();
  }
}

emit_target *emit_target_new(const emit_options *o, char *err, size_t errsz) {
  if (o->opt_level < 0 || o->opt_level > 3) {
    snprintf(err, errsz, "optimisation level must be 0..3, not %d",
             o->opt_level);
    return NULL;
  }
  emit_target *t = calloc(1, sizeof *t);
  if (!t) {
    snprintf(err, errsz, "out of memory");
    return NULL;
  }
  t->row = target_lookup(o->triple, t->triple, sizeof t->triple, err, errsz);
  if (!t->row) {
    free(t);
    return NULL;
  }
  t->opt_level = o->opt_level;
  t->verify = o->verify;
  t->emit_llvm = o->emit_llvm;
  init_llvm_target(t->row->arch);

  /* CPU and features: the baseline, `native`, or a named CPU; --features
   * are appended to the baseline's (LLVM lets later entries win). */
  const char *host = target_host_arch();
  bool native = o->cpu && strcmp(o->cpu, "native") == 0;
  char *host_features = NULL;
  if (native) {
    if (!host || strcmp(host, t->row->arch) != 0) {
      snprintf(err, errsz, "--cpu native needs a %s host (this one is %s)",
               t->row->arch, host ? host : "unsupported");
      free(t);
      return NULL;
    }
    t->cpu = LLVMGetHostCPUName();
    host_features = LLVMGetHostCPUFeatures();
  } else {
    const char *cpu = o->cpu && o->cpu[0] ? o->cpu : t->row->cpu;
    t->cpu = strdup(cpu);
  }
  const char *parts[2] = {native ? host_features : t->row->features,
                          o->features};
  size_t flen = 1;
  for (int i = 0; i < 2; i++)
    if (parts[i])
      flen += strlen(parts[i]) + 1;
  t->features = malloc(flen);
  if (!t->cpu || !t->features) {
    snprintf(err, errsz, "out of memory");
    if (native)
      LLVMDisposeMessage(t->cpu);
    else
      free(t->cpu);
    LLVMDisposeMessage(host_features);
    free(t->features);
    free(t);
    return NULL;
  }
  t->features[0] = '\0';
  for (int i = 0; i < 2; i++) {
    if (!parts[i] || !parts[i][0])
      continue;
    if (t->features[0])
      strcat(t->features, ",");
    strcat(t->features, parts[i]);
  }
  if (native) {
    /* keep one allocator for t->cpu */
    char *c = strdup(t->cpu);
    LLVMDisposeMessage(t->cpu);
    t->cpu = c;
  }
  LLVMDisposeMessage(host_features);

  char *msg = NULL;
  LLVMTargetRef target;
  if (LLVMGetTargetFromTriple(t->triple, &target, &msg)) {
    snprintf(err, errsz, "LLVM has no target for %s: %s", t->triple,
             msg ? msg : "?");
    LLVMDisposeMessage(msg);
    emit_target_free(t);
    return NULL;
  }
  bool user_choice = (o->cpu && o->cpu[0] && !native) ||
                     (o->features && o->features[0]);
  /* Two rounds: creation may already complain (an unknown x86 CPU then
   * even aborts code generation, so it must not reach the probe). */
  bool ok = true;
  for (int round = 0; ok && round < (user_choice ? 2 : 1); round++) {
    stderr_capture cap;
    bool capturing = user_choice && capture_begin(&cap);
    if (round == 0) {
      t->tm = new_machine(t, target);
      ok = t->tm != NULL;
      if (!ok)
        snprintf(err, errsz, "cannot create a target machine for %s (cpu %s)",
                 t->triple, t->cpu);
    } else {
      ok = probe_subtarget(t, err, errsz);
    }
    if (capturing) {
      char warn[512];
      capture_end(&cap, warn, sizeof warn);
      if (ok && warn[0]) {
        /* e.g. "'foo' is not a recognized processor for this target
         * (ignoring processor)": we refuse instead of ignoring. */
        char *ign = strstr(warn, " (ignoring");
        if (ign)
          *ign = '\0';
        snprintf(err, errsz, "%s: %s", t->triple, warn);
        ok = false;
      }
    }
  }
  if (ok && (user_choice || native))
    ok = find_required(t, o, native, err, errsz);
  if (!ok) {
    emit_target_free(t);
    return NULL;
  }
  return t;
}

emit_target *emit_target_clone(const emit_target *o, char *err, size_t errsz) {
  emit_target *t = calloc(1, sizeof *t);
  if (!t) {
    snprintf(err, errsz, "out of memory");
    return NULL;
  }
  t->row = o->row;
  t->opt_level = o->opt_level;
  t->verify = o->verify;
  t->emit_llvm = o->emit_llvm;
  memcpy(t->triple, o->triple, sizeof t->triple);
  t->cpu = strdup(o->cpu);
  t->features = strdup(o->features);
  /* o's CPU and features were checked when it was made: no probing. */
  bool copied = true;
  if (o->cpu_required) {
    t->cpu_required = strdup(o->cpu_required);
    t->built_with = strdup(o->built_with);
    copied = t->cpu_required && t->built_with;
  }
  LLVMTargetRef target;
  char *msg = NULL;
  if (!t->cpu || !t->features || !copied ||
      LLVMGetTargetFromTriple(t->triple, &target, &msg) ||
      !(t->tm = new_machine(t, target))) {
    snprintf(err, errsz, "cannot create a target machine for %s (cpu %s)%s%s",
             o->triple, o->cpu, msg ? ": " : "", msg ? msg : "");
    LLVMDisposeMessage(msg);
    emit_target_free(t);
    return NULL;
  }
  return t;
}

void emit_target_free(emit_target *t) {
  if (!t)
    return;
  if (t->tm)
    LLVMDisposeTargetMachine(t->tm);
  free(t->cpu);
  free(t->features);
  free(t->cpu_required);
  free(t->built_with);
  free(t);
}

const char *emit_target_triple(const emit_target *t) { return t->triple; }
const char *emit_target_cpu(const emit_target *t) { return t->cpu; }
const char *emit_target_features(const emit_target *t) { return t->features; }
const char *emit_target_cpu_required(const emit_target *t) {
  return t->cpu_required;
}
const char *emit_target_built_with(const emit_target *t) {
  return t->built_with;
}

bool emit_target_is_native(const emit_target *t) {
  const char *host = target_host_arch();
  return host && strcmp(host, t->row->arch) == 0;
}

const char *emit_target_arch(const emit_target *t) { return t->row->arch; }

bool emit_target_emits_llvm(const emit_target *t) { return t->emit_llvm; }

const char *emit_target_linker(const emit_target *t) {
  return emit_target_is_native(t) ? "cc" : t->row->cross_cc;
}

/* ---- target quirks -------------------------------------------------------- */

/* Wasm's f32.ceil, f64x2.nearest, ... must return a quiet NaN for a
 * signalling one (spec: f32.wast, simd_f32x4_rounding.wast). LLVM 19's
 * RISC-V lowering without Zfa rounds through an integer conversion only
 * when |x| < 2^52 (2^23) and otherwise returns x itself, a signalling NaN
 * included. So on such targets every llvm.ceil/floor/trunc/roundeven
 * result r becomes `uno(r, r) ? r + r : r`: r + r quiets a NaN like any
 * other arithmetic, and is constrained (fpexcept.maytrap, as the lowering
 * does for arithmetic) so that nothing folds it away. Scalars and vectors
 * alike; the select costs a compare and a blend per rounding. */
static bool is_rounding_call(LLVMValueRef inst) {
  if (!LLVMIsACallInst(inst))
    return false;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  if (!callee || !LLVMIsAFunction(callee))
    return false;
  size_t len;
  const char *name = LLVMGetValueName2(callee, &len);
  static const char *const rounding[] = {"llvm.ceil.", "llvm.floor.",
                                         "llvm.trunc.", "llvm.roundeven."};
  for (size_t i = 0; i < sizeof rounding / sizeof *rounding; i++)
    if (strncmp(name, rounding[i], strlen(rounding[i])) == 0)
      return true;
  return false;
}

static void quiet_rounding_nans(LLVMModuleRef m) {
  LLVMContextRef c = LLVMGetModuleContext(m);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
  static const char fadd[] = "llvm.experimental.constrained.fadd";
  unsigned fadd_id = LLVMLookupIntrinsicID(fadd, sizeof fadd - 1);
  LLVMValueRef md_round = LLVMMetadataAsValue(
      c, LLVMMDStringInContext2(c, "round.tonearest", 15));
  LLVMValueRef md_except = LLVMMetadataAsValue(
      c, LLVMMDStringInContext2(c, "fpexcept.maytrap", 16));
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
         bb = LLVMGetNextBasicBlock(bb)) {
      for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in;
           in = LLVMGetNextInstruction(in)) {
        if (!is_rounding_call(in))
          continue;
        /* A call is never a block's terminator: there is a next one. */
        LLVMPositionBuilderBefore(b, LLVMGetNextInstruction(in));
        LLVMTypeRef t = LLVMTypeOf(in);
        LLVMValueRef fn = LLVMGetIntrinsicDeclaration(m, fadd_id, &t, 1);
        LLVMTypeRef fty = LLVMIntrinsicGetType(c, fadd_id, &t, 1);
        LLVMValueRef uno = LLVMBuildFCmp(b, LLVMRealUNO, in, in, "");
        LLVMValueRef args[4] = {in, in, md_round, md_except};
        LLVMValueRef q = LLVMBuildCall2(b, fty, fn, args, 4, "");
        LLVMValueRef sel = LLVMBuildSelect(b, uno, q, in, "");
        /* Every other use of the rounding now sees the select; the three
         * new instructions keep using the rounding itself. */
        LLVMReplaceAllUsesWith(in, sel);
        LLVMSetOperand(uno, 0, in);
        LLVMSetOperand(uno, 1, in);
        LLVMSetOperand(q, 0, in);
        LLVMSetOperand(q, 1, in);
        LLVMSetOperand(sel, 2, in);
        in = sel;
      }
    }
  }
  LLVMDisposeBuilder(b);
}

/* ---- emission ------------------------------------------------------------ */

/* LLVMVerifyModule; false + the first problem in err. `after` names the
 * stage that made the IR ("" for the lowering). */
static bool verify(LLVMModuleRef m, const char *after, char *err,
                   size_t errsz) {
  char *msg = NULL;
  bool ok = !LLVMVerifyModule(m, LLVMReturnStatusAction, &msg);
  if (!ok) {
    /* The first problem is the useful one; the dump can be huge. */
    const char *s = msg ? msg : "?";
    size_t n = strcspn(s, "\n");
    if (s[n] == '\n' && s[n + 1])
      n += 1 + strcspn(s + n + 1, "\n"); /* + the offending instruction */
    snprintf(err, errsz, "internal error: invalid LLVM IR%s%s: %.*s",
             after[0] ? " after " : "", after, (int)n, s);
  }
  LLVMDisposeMessage(msg);
  return ok;
}

/* The normal pipeline: LLVM's default<On>. After keep_traps' early
 * pipeline (guard-page modules at -O1..-O3), less its module
 * simplification prefix: the early pipeline has just done that prefix's
 * work (sroa, early-cse, instcombine, simplifycfg, and sccp for ipsccp),
 * and doing it again on the simplified module cost python.wasm 6.4 s of
 * an 86 s -O2 compile for no speed (bench/python: geometric means within
 * 1.5%). What is left out with it: ipsccp's interprocedural part,
 * called-value-propagation and globalopt (wasm globals are not LLVM
 * globals, and the runtime's are declarations), lower-expect (lowering
 * emits branch weights, not llvm.expect) and inferattrs (the runtime
 * functions carry their attributes). The pipeline is opt's printed form
 * (llvm_pipelines.h, made by compiler/CMakeLists.txt), which names every
 * pass with its parameters but not every internal setting: run whole, it
 * compiled a 4 MB slice of Yosys like default<O2> but for one function's
 * loops. At -O3 the whole default<O3> still runs: the printed form cannot
 * say its inliner threshold (250, not 225). */
static const char *pipeline(int opt_level, bool simplified) {
  static const char *const after_prefix[] = {
      NULL, WASMC_LLVM_O1_AFTER_PREFIX, WASMC_LLVM_O2_AFTER_PREFIX};
  static const char *const whole[] = {"default<O0>", "default<O1>",
                                      "default<O2>", "default<O3>"};
  if (simplified && opt_level >= 1 && opt_level <= 2)
    return after_prefix[opt_level];
  return whole[opt_level]; /* 0..3: emit_target_new refuses any other */
}

bool emit_module(emit_target *t, LLVMModuleRef m, const char *path,
                 LLVMMemoryBufferRef *out, emit_times *times, char *err,
                 size_t errsz) {
  timing_mark mark = times ? timing_now() : (timing_mark){0};
  LLVMSetTarget(m, t->triple);
  LLVMTargetDataRef td = LLVMCreateTargetDataLayout(t->tm);
  LLVMSetModuleDataLayout(m, td);
  LLVMDisposeTargetData(td);
  if (t->row->rounding_keeps_snan)
    quiet_rounding_nans(m);

  if (t->verify && !verify(m, "", err, errsz))
    return false;

  /* Wasm 2.0 has no tail calls: every call must take stack, so that deep
   * or infinite recursion ends in a call-stack-exhausted trap. LLVM's
   * tail-recursion elimination would turn `f() { f(); }` into a loop that
   * never exhausts (spec: call.wast runaway, fac.wast fac-rec), and
   * sibling-call codegen would reuse frames; this attribute disables both
   * for every function defined in the module. */
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f))
      continue;
    LLVMContextRef c = LLVMGetModuleContext(m);
    LLVMAddAttributeAtIndex(
        f, LLVMAttributeFunctionIndex,
        LLVMCreateStringAttribute(c, "disable-tail-calls", 18, "true", 4));
  }

  /* Memory loads come volatile (guard-page mode) so that unused
   * out-of-bounds ones still trap; those whose value is used become plain
   * again here, before the real pipeline (keep_traps.c). */
  bool simplified = false;
  if (!keep_traps_release(m, t->tm, t->opt_level, &simplified, err, errsz))
    return false;
  /* With locals in SSA form: i32 address adds after an access at the same
   * index do not wrap (addr_nowrap.c), which lets LLVM see affine,
   * consecutive accesses and vectorise them. */
  if (t->opt_level > 0) {
    addr_nowrap_mark(m);
    /* and float locals fed only by arithmetic need no quieting */
    quiet_nan_prune(m);
  }
  /* For the vectorisers, which run at -O2 and -O3: trip counts LLVM can
   * compute (loop_parity.c), memcmp loops with a vector prefix
   * (cmp_loop.c), straight-line loop bodies (store_ifconv.c) and distinct
   * arrays as distinct objects (alias_families.c, joined back after the
   * pipeline). */
  if (t->opt_level >= 2) {
    loop_parity_fix(m);
    cmp_loop_vectorise(m);
    store_ifconv(m);
    alias_families_split(m);
  }
  /* Those passes are ours, and Debian's LLVM has no assertions: without
   * this, IR they broke would go into the pipeline unnoticed (or crash
   * it far from the cause). */
  if (t->verify && !verify(m, "wasmc's IR passes", err, errsz))
    return false;

  LLVMPassBuilderOptionsRef pbo = LLVMCreatePassBuilderOptions();
  LLVMErrorRef e = LLVMRunPasses(m, pipeline(t->opt_level, simplified), t->tm, pbo);
  LLVMDisposePassBuilderOptions(pbo);
  if (e) {
    take_error(e, "optimisation failed", err, errsz);
    return false;
  }
  /* The call-stack checks the pipeline did not merge away: real compares
   * now (stack_check.c). */
  stack_check_expand(m);
  alias_families_join(m);
  /* The llvm.canonicalize calls of the float lowering: gone where the
   * hardware quiets anyway, a multiplication by 1.0 elsewhere. */
  quiet_nan_finish(m, t->opt_level < t->row->min_codegen_level);
  /* Loads the code generator could narrow to fewer bytes stay whole
   * (keep_traps.c): their last byte is the one that faults. */
  if (t->opt_level > 0)
    keep_traps_whole_loads(m);
  if (t->row->splat_narrows_volatile_loads)
    keep_traps_opaque_vector_loads(m, "w"); /* AArch64's FP/SIMD registers */
  if (t->row->cmov_unfolds_volatile_loads)
    keep_traps_opaque_select_loads(m, "r"); /* x86's general registers */
  if (t->verify &&
      !verify(m, "the pipeline and wasmc's final IR passes", err, errsz))
    return false;
  if (times)
    timing_lap(&mark, &times->optimise_wall, &times->optimise_cpu);

  char *msg = NULL;
  LLVMBool failed;
  if (t->emit_llvm) {
    /* --emit-llvm: the IR exactly as code generation would get it. */
    if (!path) {
      snprintf(err, errsz, "internal error: --emit-llvm needs an output file");
      return false;
    }
    if (LLVMPrintModuleToFile(m, path, &msg)) {
      snprintf(err, errsz, "cannot write '%s': %s", path, msg ? msg : "?");
      LLVMDisposeMessage(msg);
      return false;
    }
    return true;
  }
  if (path) {
    /* The C API takes a non-const char * for the path. */
    char *p = strdup(path);
    if (!p) {
      snprintf(err, errsz, "out of memory");
      return false;
    }
    failed = LLVMTargetMachineEmitToFile(t->tm, m, p, LLVMObjectFile, &msg);
    free(p);
  } else {
    failed = LLVMTargetMachineEmitToMemoryBuffer(t->tm, m, LLVMObjectFile, &msg,
                                                 out);
  }
  if (times)
    timing_lap(&mark, &times->codegen_wall, &times->codegen_cpu);
  if (failed) {
    if (path)
      snprintf(err, errsz, "cannot write '%s': %s", path, msg ? msg : "?");
    else
      snprintf(err, errsz, "code generation failed: %s", msg ? msg : "?");
    LLVMDisposeMessage(msg);
    return false;
  }
  LLVMDisposeMessage(msg);
  return true;
}
