/* threads.c: wasi-threads end to end (tests/wasi/run-threads-tests.sh):
 * atomic counters from several threads, a mutex built on wait/notify
 * guarding plain data, and a producer/consumer queue. Prints one checked
 * line per part; exit code 1 on a wrong result. */
#include <stdint.h>
#include <stdio.h>

#include "shim.h"

#define NTHREADS 4
#define ITERS 100000

/* ---- atomic counters ---- */
static volatile int32_t counter32;
static volatile int64_t counter64;

static void count(void *arg) {
  (void)arg;
  for (int i = 0; i < ITERS; i++) {
    __atomic_fetch_add(&counter32, 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&counter64, 3, __ATOMIC_SEQ_CST);
  }
}

/* ---- a mutex on wait/notify: 0 free, 1 locked, 2 locked with waiters ---- */
typedef struct { volatile int32_t state; } mutex;

static void mutex_lock(mutex *m) {
  int32_t c = 0;
  if (__atomic_compare_exchange_n(&m->state, &c, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
    return;
  if (c != 2) c = __atomic_exchange_n(&m->state, 2, __ATOMIC_SEQ_CST);
  while (c != 0) {
    shim_wait(&m->state, 2, -1);
    c = __atomic_exchange_n(&m->state, 2, __ATOMIC_SEQ_CST);
  }
}

static void mutex_unlock(mutex *m) {
  if (__atomic_exchange_n(&m->state, 0, __ATOMIC_SEQ_CST) == 2) shim_notify(&m->state, 1);
}

static mutex lock;
static int64_t guarded_a, guarded_b; /* plain: only under lock */

static void locked_add(void *arg) {
  (void)arg;
  for (int i = 0; i < ITERS / 4; i++) {
    mutex_lock(&lock);
    guarded_a += 1;
    guarded_b += guarded_a & 1;
    mutex_unlock(&lock);
  }
}

/* ---- producer/consumer: a ring of 16 under the mutex, counts to wait on ---- */
#define RING 16
#define ITEMS 20000
static int32_t ring[RING];
static volatile int32_t head, tail; /* head: next to take, tail: next to put */
static volatile int32_t items_seq;  /* bumped on every put/take: the wait word */
static int64_t consumed_sum[2];
static int32_t consumed_n[2];

static void wait_change(int32_t seen) { shim_wait(&items_seq, seen, -1); }

static void bump(void) {
  __atomic_fetch_add(&items_seq, 1, __ATOMIC_SEQ_CST);
  shim_notify(&items_seq, 0xffffffffu);
}

static void producer(void *arg) {
  (void)arg;
  for (int32_t v = 1; v <= ITEMS + 2; v++) { /* + 2 end markers (0) */
    for (;;) {
      int32_t seen = __atomic_load_n(&items_seq, __ATOMIC_SEQ_CST);
      mutex_lock(&lock);
      if (tail - head < RING) {
        ring[tail % RING] = v <= ITEMS ? v : 0;
        tail++;
        mutex_unlock(&lock);
        bump();
        break;
      }
      mutex_unlock(&lock);
      wait_change(seen);
    }
  }
}

static void consumer(void *arg) {
  int id = (int)(intptr_t)arg;
  for (;;) {
    int32_t seen = __atomic_load_n(&items_seq, __ATOMIC_SEQ_CST);
    mutex_lock(&lock);
    if (tail != head) {
      int32_t v = ring[head % RING];
      head++;
      mutex_unlock(&lock);
      bump();
      if (v == 0) return;
      consumed_sum[id] += v;
      consumed_n[id]++;
      continue;
    }
    mutex_unlock(&lock);
    wait_change(seen);
  }
}

int main(void) {
  int bad = 0;
  shim_thread *t[NTHREADS];
  for (int i = 0; i < NTHREADS; i++)
    if (!(t[i] = shim_start(count, NULL))) return printf("spawn failed\n"), 1;
  for (int i = 0; i < NTHREADS; i++) shim_join(t[i]);
  printf("counters: %d %lld\n", (int)counter32, (long long)counter64);
  bad |= counter32 != NTHREADS * ITERS || counter64 != 3LL * NTHREADS * ITERS;

  for (int i = 0; i < NTHREADS; i++)
    if (!(t[i] = shim_start(locked_add, NULL))) return printf("spawn failed\n"), 1;
  for (int i = 0; i < NTHREADS; i++) shim_join(t[i]);
  printf("mutex: %lld %lld\n", (long long)guarded_a, (long long)guarded_b);
  bad |= guarded_a != NTHREADS * (ITERS / 4) || guarded_b != guarded_a / 2;

  shim_thread *p = shim_start(producer, NULL);
  shim_thread *c0 = shim_start(consumer, (void *)0);
  shim_thread *c1 = shim_start(consumer, (void *)1);
  if (!p || !c0 || !c1) return printf("spawn failed\n"), 1;
  shim_join(p);
  shim_join(c0);
  shim_join(c1);
  long long sum = consumed_sum[0] + consumed_sum[1];
  printf("queue: %d items, sum %lld\n", consumed_n[0] + consumed_n[1], sum);
  bad |= consumed_n[0] + consumed_n[1] != ITEMS || sum != (long long)ITEMS * (ITEMS + 1) / 2;
  printf(bad ? "FAILED\n" : "ok\n");
  return bad;
}
