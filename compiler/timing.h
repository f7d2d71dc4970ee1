/* timing.h: the clocks of --time-report (codegen.c, emit.c, compile.c):
 * wall time (CLOCK_MONOTONIC) and the calling thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID), in seconds. Read only when a report was
 * asked for, so a compile without one pays nothing. */
#ifndef WASMC_TIMING_H
#define WASMC_TIMING_H

#include <time.h>

static inline double timing_clock(clockid_t id) {
  struct timespec ts;
  if (clock_gettime(id, &ts) != 0)
    return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seconds since an arbitrary start, for differences. */
static inline double timing_wall(void) {
  return timing_clock(CLOCK_MONOTONIC);
}

/* The calling thread's CPU seconds so far. */
static inline double timing_thread_cpu(void) {
  return timing_clock(CLOCK_THREAD_CPUTIME_ID);
}

#endif
