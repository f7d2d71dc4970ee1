/* timing.h: the clocks of --time-report (cli.c, codegen.c, emit.c,
 * compile.c): wall time (CLOCK_MONOTONIC), the calling thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID) and getrusage's process CPU, in seconds.
 * Read only when a report was asked for, so a compile without one pays
 * nothing. */
#ifndef WASMC_TIMING_H
#define WASMC_TIMING_H

#include <sys/resource.h>
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

/* User + system CPU seconds of `who` (RUSAGE_SELF: this process;
 * RUSAGE_CHILDREN: its waited-for children, e.g. cc); 0 when getrusage
 * fails. */
static inline double timing_rusage_cpu(int who) {
  struct rusage ru;
  if (getrusage(who, &ru) != 0)
    return 0;
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* Where a phase started: wall and this thread's CPU. */
typedef struct {
  double wall, cpu;
} timing_mark;

static inline timing_mark timing_now(void) {
  return (timing_mark){timing_wall(), timing_thread_cpu()};
}

/* Adds the time since *m to *wall and *cpu and moves *m to now, so that
 * one mark times consecutive phases. */
static inline void timing_lap(timing_mark *m, double *wall, double *cpu) {
  timing_mark now = timing_now();
  *wall += now.wall - m->wall;
  *cpu += now.cpu - m->cpu;
  *m = now;
}

#endif
