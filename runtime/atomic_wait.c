/* atomic_wait.c: memory.atomic.wait32/wait64 and memory.atomic.notify
 * (threads), the entry points wasmrt_atomic_wait32/64 and
 * wasmrt_atomic_notify of wasmrt_abi.h.
 *
 * A parking lot keyed by host address. Waiters queue, in arrival order,
 * on one of a fixed number of buckets (hash of the address), each with a
 * mutex; every waiter sleeps on a futex word of its own, in its own stack
 * frame. This rather than a futex on the Wasm location itself because:
 *   - wait64 compares 64 bits, and futexes compare 32;
 *   - notify must return how many waiters it woke, which FUTEX_WAKE
 *     reports only for those actually asleep in the kernel, not for a
 *     waiter between its compare and its sleep;
 *   - the Wasm location may be written by anything at any time, while a
 *     private word changes only when its waiter is woken.
 * Correctness of the compare-and-block: the waiter loads the location
 * and enqueues itself under the bucket lock, and notify dequeues under the
 * same lock; a writer that stores and then notifies either stored before
 * the waiter's load (the waiter returns "not-equal") or its notify takes
 * the lock after the waiter is queued (and wakes it). No lost wake-ups.
 *
 * Addresses are host addresses: a memory never moves (memory.c reserves
 * it whole up front), so memory.grow does not disturb waiters, and two
 * instances sharing one memory agree on the key. Waiting on a non-shared
 * memory traps in generated code ("expected shared memory") before it
 * gets here; notify on one returns 0 there too.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

typedef struct waiter {
  struct waiter *next, *prev;
  void *addr;
  _Atomic uint32_t woken; /* the futex word: 0 asleep, 1 woken by notify */
} waiter;

/* A power of two; collisions only cost a longer scan in notify. */
#define NBUCKETS 512u

typedef struct {
  pthread_mutex_t lock;
  waiter *head, *tail;
} bucket;

static bucket buckets[NBUCKETS];
static pthread_once_t buckets_once = PTHREAD_ONCE_INIT;

static void init_buckets(void) {
  for (unsigned i = 0; i < NBUCKETS; i++) pthread_mutex_init(&buckets[i].lock, NULL);
}

static bucket *bucket_of(const void *addr) {
  pthread_once(&buckets_once, init_buckets);
  uintptr_t a = (uintptr_t)addr >> 2; /* accesses are at least 4-aligned */
  a ^= a >> 9;
  a *= 0x9E3779B97F4A7C15ull;
  return &buckets[(a >> 32) & (NBUCKETS - 1)];
}

static void unlink_waiter(bucket *b, waiter *w) {
  if (w->prev) w->prev->next = w->next;
  else b->head = w->next;
  if (w->next) w->next->prev = w->prev;
  else b->tail = w->prev;
  w->next = w->prev = NULL;
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* 0 ok, 1 not-equal, 2 timed-out (the results of memory.atomic.wait). */
static uint32_t wait_on(void *addr, uint64_t expected, bool wide, int64_t timeout_ns) {
  bucket *b = bucket_of(addr);
  waiter w = {.addr = addr};
  atomic_init(&w.woken, 0);
  pthread_mutex_lock(&b->lock);
  uint64_t cur = wide ? __atomic_load_n((uint64_t *)addr, __ATOMIC_SEQ_CST)
                      : __atomic_load_n((uint32_t *)addr, __ATOMIC_SEQ_CST);
  if (cur != expected || timeout_ns == 0) {
    pthread_mutex_unlock(&b->lock);
    return cur != expected ? 1 : 2;
  }
  w.prev = b->tail;
  if (b->tail) b->tail->next = &w;
  else b->head = &w;
  b->tail = &w;
  pthread_mutex_unlock(&b->lock);

  /* A deadline past INT64_MAX ns (292 years) is as good as forever. */
  int64_t deadline = -1;
  if (timeout_ns > 0) {
    int64_t start = now_ns();
    deadline = timeout_ns > INT64_MAX - start ? -1 : start + timeout_ns;
  }
  for (;;) {
    if (atomic_load(&w.woken)) break;
    struct timespec rel, *relp = NULL;
    if (deadline >= 0) {
      int64_t left = deadline - now_ns();
      if (left <= 0) break;
      rel.tv_sec = left / 1000000000;
      rel.tv_nsec = left % 1000000000;
      relp = &rel;
    }
    /* EINTR, EAGAIN (already woken) and spurious returns all loop back to
     * the check of the word. */
    syscall(SYS_futex, &w.woken, FUTEX_WAIT_PRIVATE, 0, relp, NULL, 0);
  }
  /* Always leave through the lock: notify sets the word and calls
   * FUTEX_WAKE on it under the lock, so `w` (on this stack) must not go
   * away before it is done with it. */
  pthread_mutex_lock(&b->lock);
  uint32_t r = 0;
  if (!atomic_load(&w.woken)) { /* timed out while still queued */
    unlink_waiter(b, &w);
    r = 2;
  }
  pthread_mutex_unlock(&b->lock);
  return r;
}

WASMRT_API uint32_t wasmrt_atomic_wait32(wasmrt_vmctx *ctx, void *addr, uint32_t expected,
                                         int64_t timeout_ns) {
  (void)ctx;
  return wait_on(addr, expected, false, timeout_ns < 0 ? -1 : timeout_ns);
}

WASMRT_API uint32_t wasmrt_atomic_wait64(wasmrt_vmctx *ctx, void *addr, uint64_t expected,
                                         int64_t timeout_ns) {
  (void)ctx;
  return wait_on(addr, expected, true, timeout_ns < 0 ? -1 : timeout_ns);
}

WASMRT_API uint32_t wasmrt_atomic_notify(wasmrt_vmctx *ctx, void *addr, uint32_t count) {
  (void)ctx;
  bucket *b = bucket_of(addr);
  uint32_t n = 0;
  pthread_mutex_lock(&b->lock);
  for (waiter *w = b->head, *next; w && n < count; w = next) {
    next = w->next;
    if (w->addr != addr) continue;
    unlink_waiter(b, w);
    atomic_store(&w->woken, 1);
    syscall(SYS_futex, &w->woken, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    n++;
  }
  pthread_mutex_unlock(&b->lock);
  return n;
}
