/* stress.c: the runtime's and the WASI host's thread-shared paths, hit
 * from several threads at once (tests/wasi/run-threads-tests.sh, and
 * under ThreadSanitizer tests/wasi/tsan-threads.sh, which is what these
 * modes are for: the generated code is not instrumented, our C is).
 *   wasi      4 threads make WASI calls (shared and exclusive ones:
 *             fd_write, fd_fdstat_get/set_flags, clock, random,
 *             sched_yield) while they grow the memory (the grow lock),
 *             wait with short timeouts on one word that they also notify
 *             (the parking lot: a timed-out waiter leaving the queue while
 *             a notify walks it) and each spawns a thread of its own
 *             (instantiation on several threads while finished threads
 *             free their instances); prints "wasi: ok"
 *   exit_all  4 threads and main call proc_exit(5) at the same moment
 *   oob       a thread's load faults beyond the memory (the SIGSEGV
 *             handler and its longjmp on a spawned thread): 134
 * Threads other than main call WASI directly, never libc (shim.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#include "shim.h"

#define NTHREADS 4
#define ROUNDS 200

static volatile int32_t go;     /* 1: everyone starts */
static volatile int32_t failed; /* a thread saw a wrong result */

static void wait_for_go(void) {
  while (!__atomic_load_n(&go, __ATOMIC_SEQ_CST)) shim_wait(&go, 0, -1);
}

static void start_all(void) {
  __atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
  shim_notify(&go, 0xffffffffu);
}

/* ---- wasi ---- */

/* Started by a worker, not by main: its shim_thread and stack were
 * allocated by main (only main may call malloc). */
static shim_thread *nested[NTHREADS];
static volatile int32_t nested_ran;
static volatile int32_t word; /* waited on (never changes) and notified */

static void nested_body(void *arg) {
  (void)arg;
  __wasi_timestamp_t t;
  if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t) != 0) failed = 1;
  __atomic_fetch_add(&nested_ran, 1, __ATOMIC_SEQ_CST);
}

static void wasi_body(void *arg) {
  int i = (int)(intptr_t)arg;
  wait_for_go();
  for (int r = 0; r < ROUNDS; r++) {
    __wasi_ciovec_t iov = {(const uint8_t *)"", 0};
    __wasi_size_t n;
    __wasi_fdstat_t st;
    __wasi_timestamp_t t;
    uint8_t buf[16];
    if (__wasi_fd_write(1, &iov, 1, &n) != 0 || n != 0) failed = 1;
    if (__wasi_fd_fdstat_get(1, &st) != 0) failed = 1;
    /* Exclusive (changes an fd entry): waits for the shared ones. */
    else if (r % 16 == 0 && __wasi_fd_fdstat_set_flags(1, st.fs_flags) != 0) failed = 1;
    if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t) != 0) failed = 1;
    if (__wasi_random_get(buf, sizeof buf) != 0) failed = 1;
    if (r % 32 == 0 && __wasi_sched_yield() != 0) failed = 1;
    /* Each thread grows the memory now and then (the WASI calls above
     * check their pointers against the size another thread changes). */
    if (r % 16 == i) __builtin_wasm_memory_grow(0, 1);
    /* 0 ok (notified), 2 timed out; never 1: the word stays 0. */
    if (shim_wait(&word, 0, 1000 * (r % 4)) == 1) failed = 1;
    shim_notify(&word, (unsigned)(r % 3));
    if (r == ROUNDS / 2 && shim_spawn_prepared(nested[i]) < 0) failed = 1;
  }
}

static int run_wasi(void) {
  shim_thread *t[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    nested[i] = shim_prepare(nested_body, NULL);
    if (!nested[i] || !(t[i] = shim_start(wasi_body, (void *)(intptr_t)i))) return 1;
  }
  start_all();
  for (int i = 0; i < NTHREADS; i++) shim_join(t[i]);
  for (int i = 0; i < NTHREADS; i++) shim_join(nested[i]);
  if (failed || nested_ran != NTHREADS) {
    printf("wasi: failed (%d, %d nested)\n", (int)failed, (int)nested_ran);
    return 1;
  }
  printf("wasi: ok\n");
  return 0;
}

/* ---- exit_all ---- */

static void exit_body(void *arg) {
  (void)arg;
  wait_for_go();
  __wasi_proc_exit(5);
}

/* ---- oob ---- */

static void oob_body(void *arg) {
  (void)arg;
  /* Past any size the memory can have (16 MiB max): a guard-page fault,
   * or the compare of --bounds-checks code. */
  volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)0xfff00000u;
  (void)*p;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "wasi";
  if (strcmp(mode, "wasi") == 0) return run_wasi();
  if (strcmp(mode, "exit_all") == 0) {
    for (int i = 0; i < NTHREADS; i++)
      if (!shim_start(exit_body, NULL)) return 1;
    start_all();
    __wasi_proc_exit(5);
  }
  if (strcmp(mode, "oob") == 0) {
    if (!shim_start(oob_body, NULL)) return 1;
    for (;;) shim_wait(&go, 0, -1);
  }
  return 2;
}
