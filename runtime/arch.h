/* arch.h: everything the runtime knows about the machine it runs on, in
 * one place: the architecture's name (compared with the target a module
 * was compiled for) and where a signal's ucontext keeps the faulting PC.
 * A port to another architecture adds one block here and nothing
 * elsewhere in runtime/; a build for an architecture without a block
 * fails here, at compile time, rather than mis-reporting faults later.
 *
 * (How to detect the CPU's optional features is the other per-architecture
 * concern; it lives in one place of its own, cpu_check.c.)
 *
 * The three supported ports (wasmc's targets, compiler/target.c):
 *   x86_64   glibc's mcontext_t: gregs[], REG_RIP
 *   aarch64  the kernel's struct sigcontext: a `pc` member
 *   riscv64  glibc's mcontext_t: __gregs[], where slot 0 (REG_PC) is the
 *            PC (the zero register never needs saving) */
#ifndef WASMRT_ARCH_H
#define WASMRT_ARCH_H

#include <stdint.h>
#include <ucontext.h>

#if defined(__x86_64__)
#define RT_ARCH_NAME "x86_64"
#define RT_UCONTEXT_PC(uc) ((uc)->uc_mcontext.gregs[REG_RIP])
#elif defined(__aarch64__)
#define RT_ARCH_NAME "aarch64"
#define RT_UCONTEXT_PC(uc) ((uc)->uc_mcontext.pc)
#elif defined(__riscv) && __riscv_xlen == 64
#define RT_ARCH_NAME "riscv64"
#define RT_UCONTEXT_PC(uc) ((uc)->uc_mcontext.__gregs[REG_PC])
#else
#error "wasmrt: unsupported architecture (add it to runtime/arch.h)"
#endif

/* The program counter of the interrupted code, from a SA_SIGINFO
 * handler's third argument. */
static inline uintptr_t rt_fault_pc(const void *ucontext) {
  return (uintptr_t)RT_UCONTEXT_PC((const ucontext_t *)ucontext);
}

#endif
