/* stack.c: per-thread native stack bounds, for call-stack exhaustion.
 *
 * Generated prologues compare the stack pointer with vmctx->stack_limit and
 * trap (WASMRT_TRAP_STACK_EXHAUSTED) below it. The limit is the low end of
 * this thread's stack plus a safety margin, so that the trap path
 * (wasmrt_trap, siglongjmp) and host functions called near the limit still
 * have room and never reach the guard page. As a second line of defence
 * the fault handler claims a SIGSEGV in the zone just below the stack
 * (rt_stack_claims) while Wasm code runs: a frame larger than the margin
 * can jump past the check. Bounds come from pthread_getattr_np (for the
 * main thread glibc derives them from RLIMIT_STACK). */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

#define STACK_MARGIN (128u * 1024u)
/* How far below the stack's low end a fault still counts as an overflow:
 * the guard page(s) plus a frame that skipped them. */
#define STACK_GUARD_ZONE (1024u * 1024u)
/* With an unlimited RLIMIT_STACK the reported size is meaningless; assume
 * this much below the first call instead. */
#define STACK_FALLBACK (8u * 1024u * 1024u)

static _Thread_local uintptr_t stack_lo, stack_hi, limit;

static void init_bounds(void) {
  pthread_attr_t attr;
  void *addr = NULL;
  size_t size = 0;
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
  }
  uintptr_t lo = (uintptr_t)addr, hi = lo + size;
  if (!addr || size == 0 || size > (1ull << 32) || here < lo || here > hi) {
    hi = here;
    lo = here > STACK_FALLBACK ? here - STACK_FALLBACK : 0;
  }
  stack_lo = lo;
  stack_hi = hi;
  limit = lo + STACK_MARGIN;
}

uintptr_t rt_stack_limit(void) {
  if (!limit) init_bounds();
  return limit;
}

/* Async-signal-safe (thread-locals only, already initialised by
 * rt_stack_limit before any Wasm code ran on this thread). */
bool rt_stack_claims(uintptr_t addr) {
  if (!limit) return false;
  uintptr_t zone_lo = stack_lo > STACK_GUARD_ZONE ? stack_lo - STACK_GUARD_ZONE : 0;
  return addr >= zone_lo && addr < limit;
}
