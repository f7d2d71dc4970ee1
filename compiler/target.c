/* target.c: the table of supported targets and target-name resolution
 * (see target.h).
 *
 * Everything architecture-specific that the compiler knows is a row of
 * `targets` below; emit.c makes target machines from a row, link.c's
 * callers get the row's cross linker through emit_target_linker. No LLVM
 * here: the wasmc executable links this file for `run`'s cache key and
 * --print-targets without loading libLLVM (emit.c initialises LLVM's
 * targets by architecture name).
 */
#include "target.h"

#include "arch.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const target_row targets[] = {
    /* x86-64 baseline = SSE2; SIMD128 is lowered to what SSE2 offers
     * unless --cpu/--features ask for more. LLVM's `generic` lacks cmov,
     * mmx and fxsr, and its amdfam10/barcelona lack mmx, all of which
     * every x86-64 CPU has. */
    {"x86_64", "x86_64-linux-gnu", "x86-64", "", NULL, "x86_64-linux-gnu-gcc",
     "-cmov,-mmx,-fxsr",
     .rounding_keeps_snan = false, .conv = TARGET_CONV_TAILCC, .relaxed_madd_fused = false,
     /* RAX, RDX, RCX; XMM0-XMM3 (a 4th integer or a 5th vector result
      * is demoted to memory) */
     .ret_gprs = 3, .ret_fprs = 4, .cmov_unfolds_volatile_loads = true},
    /* AArch64 Linux guarantees FP and Advanced SIMD. LLVM's `generic`
     * also has the trace buffer extension (trbe), which cortex-a53,
     * neoverse-n1 and most other named CPUs lack. */
    {"aarch64", "aarch64-linux-gnu", "generic", "+neon", NULL,
     "aarch64-linux-gnu-gcc", "-trbe",
     .rounding_keeps_snan = false, .conv = TARGET_CONV_TAILCC, .relaxed_madd_fused = true,
     .min_codegen_level = 1, .ret_gprs = 8, .ret_fprs = 8 /* x0-x7, q0-q7 */,
     .splat_narrows_volatile_loads = true},
    /* Debian's riscv64 port is RV64GC with the lp64d ABI. Wasm accesses
     * carry no alignment guarantee (they are emitted with align 1), and
     * without +unaligned-scalar-mem each would become byte loads and
     * stores (8 + shifts for an i64, and a trapping store could write
     * part of its bytes). Linux guarantees misaligned user accesses work
     * (in hardware, or emulated by the kernel/firmware), so full-width
     * accesses are always correct and fast for the aligned ones.
     *
     * Tail calls (measured with llc-19 19.1.7 and llc-22 22.1.8, RV64GC
     * lp64d; the two behave the same):
     *  - tailcc and swifttailcc: "LLVM ERROR: Unsupported calling
     *    convention" (RISCVISelLowering knows C, fast, GHC, GRAAL and
     *    the vector conventions only), at -O0 and -O2.
     *  - musttail with the C convention or fastcc: the IR verifier wants
     *    caller and callee prototypes identical (parameter count and
     *    types, return type: only tailcc/swifttailcc are exempt). Then
     *    the backend honours it at -O0 and -O2 alike, direct or indirect
     *    and with "disable-tail-calls", provided no argument is passed
     *    on the stack, there is no sret, and the return value takes at
     *    most two registers ({i64, i64}, {i64, double}, <2 x i64>...;
     *    three parts are demoted to sret): otherwise "LLVM ERROR: failed
     *    to perform tail call elimination on a call site marked
     *    musttail", even with identical prototypes.
     *  - plain `tail` calls with stack arguments stay ordinary calls (no
     *    guarantee; -tailcallopt does not change that on RISC-V).
     *  - registers: C passes a0-a7 and fa0-fa7 (further floats in free
     *    GPRs); fastcc a0-a7 and t3-t6 (12 GPRs) and fa0-fa7 and
     *    ft0-ft11 (20 FPRs), with the C convention's callee-saved set.
     * Hence TARGET_CONV_UNIFORM: one register-only fastcc prototype for
     * every Wasm function (lower_conv.c). */
    {"riscv64", "riscv64-linux-gnu", "generic-rv64",
     "+m,+a,+f,+d,+c,+unaligned-scalar-mem", "lp64d",
     "riscv64-linux-gnu-gcc", "",
     .rounding_keeps_snan = true, .conv = TARGET_CONV_UNIFORM, .relaxed_madd_fused = true,
     .dwarf_version = 4},
};
enum { NTARGETS = sizeof targets / sizeof *targets };

size_t emit_target_count(void) { return NTARGETS; }

const target_row *target_of_triple(const char *triple) {
  char buf[128], err[160];
  return target_lookup(triple, buf, sizeof buf, err, sizeof err);
}

const target_row *target_at(size_t i) {
  return i < NTARGETS ? &targets[i] : NULL;
}

const char *emit_target_arch_at(size_t i) {
  return i < NTARGETS ? targets[i].arch : NULL;
}

const char *emit_target_triple_at(size_t i) {
  return i < NTARGETS ? targets[i].triple : NULL;
}

/* Made once from the table, so that a new row shows up in every help
 * text and error; under pthread_once, since errors may be formatted on
 * several threads at a time (chunk workers, embedders). */
static char names[128];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void make_names(void) {
  size_t n = 0;
  for (size_t i = 0; i < NTARGETS && n < sizeof names; i++) {
    int w = snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "",
                     targets[i].arch);
    if (w < 0)
      break;
    n += (size_t)w;
  }
}

const char *emit_target_names(void) {
  pthread_once(&names_once, make_names);
  return names;
}

/* The runtime's own name for the machine (runtime/arch.h): wasmc links
 * libwasmrt (for `run`), so it only builds where the runtime has a port,
 * and the two can never disagree. */
const char *target_host_arch(void) { return RT_ARCH_NAME; }

static const target_row *row_for_arch(const char *arch, size_t len) {
  for (int i = 0; i < NTARGETS; i++)
    if (strlen(targets[i].arch) == len && strncmp(targets[i].arch, arch, len) == 0)
      return &targets[i];
  return NULL;
}

const char *emit_host_triple(void) {
  const char *a = target_host_arch();
  const target_row *r = a ? row_for_arch(a, strlen(a)) : NULL;
  return r ? r->triple : NULL;
}

/* A short architecture name, or a Linux triple that starts with one. */
const target_row *target_lookup(const char *name, char *buf, size_t bufsz,
                                char *err, size_t errsz) {
  if (!name) {
    name = emit_host_triple();
    if (!name) {
      snprintf(err, errsz, "wasmc cannot generate code for this host; give "
                           "--target (%s)", emit_target_names());
      return NULL;
    }
  }
  size_t alen = strcspn(name, "-");
  const target_row *r = row_for_arch(name, alen);
  bool ok = r != NULL;
  if (ok && name[alen] == '-') {
    /* A full triple: Linux only (the runtime is POSIX + Linux signals). */
    ok = strstr(name + alen, "-linux") != NULL && name[strlen(name) - 1] != '-';
    for (const char *p = name; ok && *p; p++)
      ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
           *p == '_' || *p == '.';
  }
  if (!ok) {
    snprintf(err, errsz,
             "unsupported target '%s' (want %s, or a Linux triple such as "
             "aarch64-linux-gnu)",
             name, emit_target_names());
    return NULL;
  }
  snprintf(buf, bufsz, "%s", name[alen] ? name : r->triple);
  return r;
}

bool emit_resolve_triple(const char *name, char *buf, size_t bufsz, char *err,
                         size_t errsz) {
  return target_lookup(name, buf, bufsz, err, errsz) != NULL;
}
