/* shim.h: a minimal thread library for wasm32-wasi test programs on
 * wasi-threads (Debian's wasi-libc has no wasm32-wasi-threads sysroot):
 * start a thread on its own stack (thread-spawn), join it (wait/notify).
 * libc is the single-threaded one: threads other than main must not call
 * into it (no malloc, no stdio). */
#ifndef SHIM_H
#define SHIM_H
#include <stdint.h>

typedef struct shim_thread shim_thread;
/* NULL when thread-spawn failed. */
shim_thread *shim_start(void (*fn)(void *), void *arg);
/* The two halves of shim_start, for a thread that starts another: main
 * prepares (it allocates), any thread spawns (thread id, or < 0). */
shim_thread *shim_prepare(void (*fn)(void *), void *arg);
int32_t shim_spawn_prepared(shim_thread *t);
void shim_join(shim_thread *t);

/* wait/notify on a 32-bit word (memory.atomic.wait32 / notify) */
static inline int shim_wait(volatile int32_t *addr, int32_t expected, int64_t timeout_ns) {
  return __builtin_wasm_memory_atomic_wait32((int32_t *)addr, expected, timeout_ns);
}
static inline unsigned shim_notify(volatile int32_t *addr, unsigned count) {
  return __builtin_wasm_memory_atomic_notify((int32_t *)addr, count);
}
#endif
