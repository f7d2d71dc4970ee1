/* cpu_features.c: the runtime-checkable CPU features (the rows of
 * runtime/cpu_features.def) that a chosen CPU and feature list enable
 * beyond the target's baseline.
 *
 * LLVM's C API has no call that lists what a CPU implies (x86-64-v3 =>
 * avx2, fma, bmi2...; neoverse-n1 => lse, rcpc, dotprod...), so this asks
 * LLVM's inliner instead. Every target's TargetTransformInfo lets a call
 * be inlined only when the callee's subtarget feature bits are a subset
 * of the caller's (areInlineCompatible). A probe module gets, per table
 * feature F of the architecture, an empty callee built for the baseline
 * CPU and features plus +F, and a caller "chosen", built exactly as the
 * code will be (the chosen CPU and features), that calls every callee.
 * After the `inline` pass, F is enabled iff its callee was inlined: the
 * chosen machine has F and everything F implies. LLVM applies its own
 * implications (+avx2 implies avx, sse4.2...; -sse2 removes what needs
 * it), so the answer is LLVM's own view of the target, and the table
 * holds no feature the baseline already implies (tests/unit checks that
 * the baseline gives an empty list on every architecture).
 *
 * Details that keep the comparison about ISA features only:
 *   - the callees are tuned (tune-cpu) for the chosen CPU, so the tuning
 *     bits that aarch64 and riscv64 keep among their feature bits are
 *     the same on both sides (LLVM 19's oryon-1 even lists ISA features
 *     such as lse among its tuning ones: they then count as enabled, as
 *     they are for code generation);
 *   - the baseline features are the probe's variant of them (emit.c's
 *     table): without the features of LLVM's baseline CPU that some of
 *     LLVM's named CPUs lack although every Linux machine of the
 *     architecture has them or user code cannot use them (x86 cmov,
 *     mmx, fxsr; aarch64 `generic`'s trace buffer, trbe);
 *   - the chosen list's removals (-x) are applied to the callees too: a
 *     chosen CPU without a baseline feature must still report the table
 *     features it has;
 *   - a reference callee (baseline only) must be inlined into "chosen";
 *     if it is not, the chosen machine differs from the baseline in a way
 *     this cannot account for, and the build is refused rather than
 *     recorded with a list that might be incomplete.
 * The probe costs one subtarget per table row of the architecture (about
 * 100 for x86_64): tens of milliseconds, once per target machine, and only
 * when --cpu or --features was given.
 */
#include "cpu_features.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/Transforms/PassBuilder.h>

/* The shared table, reduced to what the compiler needs: arch, name and
 * what else a probe callee for the feature must enable, because LLVM
 * refuses the feature alone with a fatal error (riscv64's NEEDS). */
typedef struct {
  const char *arch, *name, *with;
} feature_row;

static const feature_row rows[] = {
#define X86(name, ...) {"x86_64", name, ""},
#define ARM64(name, ...) {"aarch64", name, ""},
#define RV64(name, letter, bit, min_vlen, needs) {"riscv64", name, needs},
#include "cpu_features.def"
#undef X86
#undef ARM64
#undef RV64
};
enum { NROWS = sizeof rows / sizeof *rows };

/* Appends the list item s[0..n) to the malloc'd comma-separated list
 * *buf (allocated empty on first use; an empty item adds nothing); false
 * when out of memory. */
static bool append(char **buf, const char *s, size_t n) {
  size_t len = *buf ? strlen(*buf) : 0;
  char *p = realloc(*buf, len + n + 2);
  if (!p)
    return false;
  *buf = p;
  if (n == 0) {
    p[len] = '\0';
    return true;
  }
  if (len)
    p[len++] = ',';
  memcpy(p + len, s, n);
  p[len + n] = '\0';
  return true;
}

/* The removals ("-x") of a feature list, comma-separated ("" if none). */
static char *removals(const char *features) {
  char *out = NULL;
  if (!append(&out, "", 0))
    return NULL;
  for (const char *p = features ? features : ""; *p;) {
    size_t n = strcspn(p, ",");
    if (n && p[0] == '-' && !append(&out, p, n)) {
      free(out);
      return NULL;
    }
    p += n;
    if (*p)
      p++;
  }
  return out;
}

static void set_attr(LLVMContextRef c, LLVMValueRef f, const char *k,
                     const char *v) {
  LLVMAddAttributeAtIndex(
      f, LLVMAttributeFunctionIndex,
      LLVMCreateStringAttribute(c, k, (unsigned)strlen(k), v,
                                (unsigned)strlen(v)));
}

/* An empty void() function with the given subtarget. */
static LLVMValueRef add_fn(LLVMModuleRef m, const char *name, LLVMTypeRef fty,
                           bool internal, const char *cpu, const char *tune,
                           const char *features) {
  LLVMContextRef c = LLVMGetModuleContext(m);
  LLVMValueRef f = LLVMAddFunction(m, name, fty);
  if (internal)
    LLVMSetLinkage(f, LLVMInternalLinkage);
  set_attr(c, f, "target-cpu", cpu);
  if (tune)
    set_attr(c, f, "tune-cpu", tune);
  set_attr(c, f, "target-features", features);
  return f;
}

/* Marks seen[i] for every callee "f<i>" still called from `caller`
 * (index NROWS is the reference callee "f.ref"). */
static void remaining_calls(LLVMValueRef caller, bool *seen) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(caller); bb;
       bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in;
         in = LLVMGetNextInstruction(in)) {
      if (!LLVMIsACallInst(in))
        continue;
      LLVMValueRef callee = LLVMGetCalledValue(in);
      size_t len;
      const char *name = callee ? LLVMGetValueName2(callee, &len) : "";
      if (strcmp(name, "f.ref") == 0)
        seen[NROWS] = true;
      else if (name[0] == 'f') {
        unsigned long i = strtoul(name + 1, NULL, 10);
        if (i < NROWS)
          seen[i] = true;
      }
    }
}

char *cpu_features_beyond_baseline(LLVMTargetMachineRef tm,
                                   const cpu_features_query *q, char *err,
                                   size_t errsz) {
  char *neg = removals(q->features);
  char *base = NULL; /* baseline features + the chosen removals */
  char *out = NULL, *callee_features = NULL;
  bool ok = neg && append(&base, q->base_features, strlen(q->base_features)) &&
            append(&base, neg, strlen(neg)) && append(&out, "", 0);
  if (!ok) {
    snprintf(err, errsz, "out of memory");
    free(neg);
    free(base);
    free(out);
    return NULL;
  }

  LLVMContextRef c = LLVMContextCreate();
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext("cpu.probe", c);
  LLVMSetTarget(m, q->triple);
  LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
  LLVMSetModuleDataLayout(m, td);
  LLVMDisposeTargetData(td);
  LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(c), NULL, 0, 0);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(c);

  LLVMValueRef chosen = add_fn(m, "chosen", fty, false, q->cpu, NULL,
                               q->features ? q->features : "");
  LLVMValueRef callees[NROWS + 1];
  int ncallees = 0;
  for (int i = 0; ok && i <= NROWS; i++) {
    char name[32];
    free(callee_features);
    callee_features = NULL;
    if (i < NROWS) {
      if (strcmp(rows[i].arch, q->arch) != 0)
        continue;
      char plus[64];
      snprintf(plus, sizeof plus, "+%s", rows[i].name);
      snprintf(name, sizeof name, "f%d", i);
      const char *with = rows[i].with;
      ok = append(&callee_features, base, strlen(base)) &&
           append(&callee_features, with, strlen(with)) &&
           append(&callee_features, plus, strlen(plus));
    } else {
      snprintf(name, sizeof name, "f.ref");
      ok = append(&callee_features, base, strlen(base));
    }
    if (!ok)
      break;
    LLVMValueRef f = add_fn(m, name, fty, true, q->base_cpu, q->cpu,
                            callee_features);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(c, f, "entry"));
    LLVMBuildRetVoid(b);
    callees[ncallees++] = f;
  }
  free(callee_features);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(c, chosen, "entry"));
  for (int i = 0; ok && i < ncallees; i++)
    LLVMBuildCall2(b, fty, callees[i], NULL, 0, "");
  LLVMBuildRetVoid(b);
  LLVMDisposeBuilder(b);

  if (ok) {
    LLVMPassBuilderOptionsRef pbo = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(m, "cgscc(inline)", tm, pbo);
    LLVMDisposePassBuilderOptions(pbo);
    if (e) {
      char *msg = LLVMGetErrorMessage(e);
      snprintf(err, errsz, "cannot probe the CPU features: %s", msg);
      LLVMDisposeErrorMessage(msg);
      ok = false;
    }
  } else {
    snprintf(err, errsz, "out of memory");
  }

  if (ok) {
    bool left_in_chosen[NROWS + 1] = {false};
    remaining_calls(chosen, left_in_chosen);
    if (left_in_chosen[NROWS]) {
      snprintf(err, errsz,
               "cannot tell which CPU features --cpu %s needs beyond the "
               "%s baseline (%s%s%s): it lacks some of the baseline's",
               q->cpu, q->arch, q->base_cpu, q->base_features[0] ? "," : "",
               q->base_features);
      ok = false;
    }
    for (int i = 0; ok && i < NROWS; i++)
      if (strcmp(rows[i].arch, q->arch) == 0 && !left_in_chosen[i] &&
          !append(&out, rows[i].name, strlen(rows[i].name))) {
        snprintf(err, errsz, "out of memory");
        ok = false;
      }
  }
  LLVMDisposeModule(m);
  LLVMContextDispose(c);
  free(neg);
  free(base);
  if (!ok) {
    free(out);
    return NULL;
  }
  return out;
}
