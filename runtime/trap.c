/* trap.c: trap delivery.
 *
 * Every wasmrt_call pushes an activation (a sigjmp_buf) on a per-thread
 * stack; a trap, whether raised explicitly by generated code
 * (wasmrt_trap), by a runtime helper or host function (rt_raise), or by a
 * hardware fault, records its cause in the innermost activation and
 * siglongjmps to it. Nested calls (Wasm -> host -> Wasm) each have their
 * own activation, so a trap unwinds only to the closest wasmrt_call.
 *
 * The SIGSEGV/SIGBUS handler runs on an alternate signal stack (a stack
 * overflow leaves no room on the normal one) and claims a fault only when
 * this thread is inside wasmrt_call AND the faulting address lies in a
 * registered guard reservation (memory.c) or in this thread's stack guard
 * zone (stack.c: an overflow that got past the prologue checks, e.g. in a
 * frame larger than the safety margin). Any other fault is passed to the
 * handler that was installed before ours (AddressSanitizer's, say) or,
 * when that was the default, re-raised with the default action so that a
 * real crash stays a crash.
 *
 * Messages: the spec's wording, then where: "integer divide by zero in
 * function $fac (func[3])" with the name section's name, "... in function
 * func[3]" without one. For hardware faults the function is found from the
 * faulting PC after the longjmp (module.c), since that lookup is not
 * async-signal-safe. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch.h"
#include "internal.h"

static const char *const trap_messages[WASMRT_TRAP_COUNT] = {
    [WASMRT_TRAP_NONE] = "no trap",
    [WASMRT_TRAP_UNREACHABLE] = "unreachable",
    [WASMRT_TRAP_MEMORY_OOB] = "out of bounds memory access",
    [WASMRT_TRAP_TABLE_OOB] = "out of bounds table access",
    [WASMRT_TRAP_UNDEFINED_ELEMENT] = "undefined element",
    [WASMRT_TRAP_UNINITIALIZED] = "uninitialized element",
    [WASMRT_TRAP_INDIRECT_TYPE] = "indirect call type mismatch",
    [WASMRT_TRAP_INT_DIV_ZERO] = "integer divide by zero",
    [WASMRT_TRAP_INT_OVERFLOW] = "integer overflow",
    [WASMRT_TRAP_INVALID_CONVERSION] = "invalid conversion to integer",
    [WASMRT_TRAP_STACK_EXHAUSTED] = "call stack exhausted",
    [WASMRT_TRAP_HOST] = "host function failed",
    [WASMRT_TRAP_UNALIGNED_ATOMIC] = "unaligned atomic",
    [WASMRT_TRAP_EXPECTED_SHARED] = "expected shared memory",
    [WASMRT_TRAP_NULL_FUNC_REF] = "null function reference",
    [WASMRT_TRAP_NULL_REF] = "null reference",
    [WASMRT_TRAP_NULL_EXNREF] = "null exception reference",
    [WASMRT_TRAP_NULL_STRUCT] = "null structure reference",
    [WASMRT_TRAP_NULL_ARRAY] = "null array reference",
    [WASMRT_TRAP_NULL_I31] = "null i31 reference",
    [WASMRT_TRAP_CAST_FAILURE] = "cast failure",
    [WASMRT_TRAP_ARRAY_OOB] = "out of bounds array access",
    [WASMRT_TRAP_OUT_OF_MEMORY] = "out of memory",
    [WASMRT_TRAP_UNCAUGHT_EXCEPTION] = "uncaught exception",
};

WASMRT_API const char *wasmrt_trap_message(wasmrt_trap_code code) {
  if ((unsigned)code >= WASMRT_TRAP_COUNT) return "unknown trap";
  return trap_messages[code];
}

void rt_error(wasmrt_error *err, const char *fmt, ...) {
  if (!err) return;
  err->trap = WASMRT_TRAP_NONE;
  err->func_index = UINT32_MAX;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

/* ---- activations --------------------------------------------------------- */

static _Thread_local rt_activation *top;

rt_activation *rt_activation_top(void) { return top; }

void rt_activation_push(rt_activation *a) {
  a->prev = top;
  a->trap = WASMRT_TRAP_NONE;
  a->func_index = UINT32_MAX;
  a->module = NULL;
  a->fault_pc = a->fault_addr = 0;
  a->host_msg[0] = 0;
  a->exn = NULL;
  a->nframes = 0;
  /* The signal handler reads `top`: the store must not be reordered after
   * the calls that follow. */
  atomic_signal_fence(memory_order_seq_cst);
  top = a;
  atomic_signal_fence(memory_order_seq_cst);
}

void rt_activation_pop(rt_activation *a) {
  atomic_signal_fence(memory_order_seq_cst);
  top = a->prev;
  atomic_signal_fence(memory_order_seq_cst);
}

_Noreturn void rt_raise(uint32_t code, uint32_t func_index, const wasmrt_module *m,
                        const char *host_msg) {
  rt_activation *a = top;
  if (!a) {
    /* Wasm code called outside wasmrt_call (e.g. directly by a host that
     * bypassed the API): there is nowhere to unwind to. */
    fprintf(stderr, "wasmrt: trap outside wasmrt_call: %s (func[%u])\n",
            wasmrt_trap_message(code), func_index);
    abort();
  }
  a->trap = code;
  a->func_index = func_index;
  a->module = m;
  if (host_msg) snprintf(a->host_msg, sizeof a->host_msg, "%s", host_msg);
  rt_backtrace_capture(a);
  siglongjmp(a->jb, 1);
}

WASMRT_API _Noreturn void wasmrt_trap(wasmrt_vmctx *ctx, uint32_t code, uint32_t func_index) {
  const wasmrt_module *m = NULL;
  if (ctx && ctx->instance)
    m = ((wasmrt_instance *)ctx->instance)->module;
  else if (top)
    /* Generated code passes no vmctx (it would cost registers on the hot
     * path, lower_func.c trap_block): rt_trap_to_error finds the module
     * from the caller's address, after the longjmp, on a stack with room
     * for dladdr. Minus one: a call that ends its function returns to the
     * next one's first byte. */
    top->fault_pc = (uintptr_t)__builtin_return_address(0) - 1;
  rt_raise(code, func_index, m, NULL);
}

void rt_trap_to_error(const rt_activation *a, wasmrt_error *err) {
  rt_backtrace_format(a);
  if (!err) return;
  uint32_t fi = a->func_index;
  const wasmrt_module *m = a->module;
  if (a->fault_pc && fi == UINT32_MAX)
    fi = rt_module_func_at(a->fault_pc, &m);
  else if (a->fault_pc && !m)
    rt_module_func_at(a->fault_pc, &m); /* a wasmrt_trap without vmctx */
  err->trap = a->trap;
  err->func_index = fi;
  const char *what = a->trap == WASMRT_TRAP_HOST && a->host_msg[0]
                         ? a->host_msg
                         : wasmrt_trap_message(a->trap);
  const char *name = NULL;
  if (m && fi != UINT32_MAX && fi < m->desc->nfuncs && m->desc->func_names)
    name = m->desc->func_names[fi];
  if (fi == UINT32_MAX)
    snprintf(err->message, sizeof err->message, "%s", what);
  else if (name)
    snprintf(err->message, sizeof err->message, "%s in function $%s (func[%u])", what, name,
             fi);
  else
    snprintf(err->message, sizeof err->message, "%s in function func[%u]", what, fi);
}

/* ---- signals ------------------------------------------------------------- */

static struct sigaction prev_segv, prev_bus;
static pthread_once_t signals_once = PTHREAD_ONCE_INIT;

static void chain(int sig, siginfo_t *si, void *uc) {
  struct sigaction *prev = sig == SIGBUS ? &prev_bus : &prev_segv;
  if (prev->sa_flags & SA_SIGINFO) {
    if (prev->sa_sigaction) {
      prev->sa_sigaction(sig, si, uc);
      return;
    }
  } else if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
    prev->sa_handler(sig);
    return;
  }
  /* Default action: restore it. Returning re-executes the faulting
   * instruction, which now kills the process with the right signal (and
   * core dump); a signal sent by kill()/raise() is re-raised instead,
   * delivered when the handler returns and unblocks it. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, NULL);
  if (si->si_code <= 0) raise(sig);
}

static void fault_handler(int sig, siginfo_t *si, void *ucv) {
  rt_activation *a = top;
  uintptr_t addr = (uintptr_t)si->si_addr;
  if (a && si->si_code > 0) {
    uint32_t code = WASMRT_TRAP_NONE;
    if (rt_memory_claims(addr))
      code = WASMRT_TRAP_MEMORY_OOB;
    else if (sig == SIGSEGV && rt_stack_claims(addr))
      code = WASMRT_TRAP_STACK_EXHAUSTED;
    if (code != WASMRT_TRAP_NONE) {
      a->fault_pc = rt_fault_pc(ucv);
      a->fault_addr = addr;
      a->trap = code;
      a->func_index = UINT32_MAX;
      a->module = NULL;
      rt_backtrace_capture(a);
      /* Activations are set up with sigsetjmp(jb, 0) (saving the mask costs
       * a syscall per call), so unblock the signal ourselves: otherwise the
       * next fault on this thread would find it blocked and kill us. */
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, sig);
      pthread_sigmask(SIG_UNBLOCK, &set, NULL);
      siglongjmp(a->jb, 1);
    }
  }
  chain(sig, si, ucv);
}

static void install_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fault_handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &prev_segv);
  sigaction(SIGBUS, &sa, &prev_bus);
}

void rt_signals_init(void) { pthread_once(&signals_once, install_signals); }

/* Per-thread alternate signal stack, freed when the thread exits. */
#define ALT_STACK_SIZE (128u * 1024u)
static pthread_key_t alt_key;
static pthread_once_t alt_key_once = PTHREAD_ONCE_INIT;
static _Thread_local bool thread_ready;

static void free_alt_stack(void *p) {
  stack_t ss;
  memset(&ss, 0, sizeof ss);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  munmap(p, ALT_STACK_SIZE);
}

static void make_alt_key(void) { pthread_key_create(&alt_key, free_alt_stack); }

/* The spill area of the calling convention (wasmrt_abi.h): made before
 * the thread first runs Wasm code, freed when it exits. Every target
 * needs it: riscv64 for arguments and results beyond two registers, the
 * others for results beyond their tail-call return registers. */
WASMRT_API _Thread_local wasmrt_val *wasmrt_spill_area;
static pthread_key_t spill_key;
static pthread_once_t spill_key_once = PTHREAD_ONCE_INIT;

static void free_spill_area(void *p) {
  wasmrt_spill_area = NULL;
  free(p);
}

static void make_spill_key(void) { pthread_key_create(&spill_key, free_spill_area); }

static void spill_area_init(void) {
  /* Generated code dereferences it without a check: no area, no Wasm.
   * A slot is never read before it is written: no need to clear it. */
  wasmrt_spill_area = malloc(WASMRT_SPILL_SLOTS * sizeof(wasmrt_val));
  if (!wasmrt_spill_area) {
    fputs("wasmrt: out of memory for the thread's spill area\n", stderr);
    abort();
  }
  pthread_once(&spill_key_once, make_spill_key);
  pthread_setspecific(spill_key, wasmrt_spill_area);
}

void rt_thread_init(void) {
  if (thread_ready) return;
  thread_ready = true;
  spill_area_init();
  rt_signals_init();
  stack_t cur;
  /* Keep an alternate stack someone else (ASan, the host) installed. */
  if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE) && cur.ss_size >= 16384)
    return;
  void *p = mmap(NULL, ALT_STACK_SIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (p == MAP_FAILED) return;
  stack_t ss = {.ss_sp = p, .ss_size = ALT_STACK_SIZE, .ss_flags = 0};
  if (sigaltstack(&ss, NULL) != 0) {
    munmap(p, ALT_STACK_SIZE);
    return;
  }
  pthread_once(&alt_key_once, make_alt_key);
  pthread_setspecific(alt_key, p);
}
