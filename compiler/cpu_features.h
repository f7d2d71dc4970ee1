/* cpu_features.h: which of the runtime-checkable CPU features
 * (runtime/cpu_features.def) a chosen CPU and feature list enable beyond
 * the target's baseline, so that a module built with --cpu/--features can
 * name them in its descriptor and refuse to start on a machine without
 * them (runtime/cpu_check.c). See cpu_features.c for how it is found.
 */
#ifndef WASMC_CPU_FEATURES_H
#define WASMC_CPU_FEATURES_H

#include <llvm-c/TargetMachine.h>
#include <stddef.h>

typedef struct {
  const char *triple;        /* the target machine's triple */
  const char *arch;          /* "x86_64", "aarch64", "riscv64": the table rows */
  const char *base_cpu;      /* the architecture's baseline CPU ... */
  const char *base_features; /* ... and features (target.c's targets table) */
  const char *cpu;           /* the chosen CPU (a host name for `native`) */
  const char *features;      /* the chosen features, in full (+x,-y,...) */
} cpu_features_query;

/* The names of the table rows of q->arch that code for q->cpu with
 * q->features may use and the baseline does not guarantee, comma-separated
 * in table order ("" when none), malloc'd. tm is a target machine of
 * q->triple (its own CPU and features do not matter). NULL with a message
 * in err when it cannot be found out. */
char *cpu_features_beyond_baseline(LLVMTargetMachineRef tm,
                                   const cpu_features_query *q, char *err,
                                   size_t errsz);

#endif
