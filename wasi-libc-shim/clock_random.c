/* clock_random.c: clock_res_get / clock_time_get (clock ids 0 realtime,
 * 1 monotonic, 2 process cputime, 3 thread cputime, in nanoseconds) and
 * random_get (the kernel's getrandom, looping over partial reads). */
#include <errno.h>
#include <sys/random.h>
#include <time.h>

#include "wasi_internal.h"

static bool host_clock(int32_t id, clockid_t *out) {
  switch (id) {
  case 0: *out = CLOCK_REALTIME; return true;
  case 1: *out = CLOCK_MONOTONIC; return true;
  case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
  case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
  default: return false;
  }
}

static uint64_t ns(const struct timespec *ts) {
  return (uint64_t)ts->tv_sec * UINT64_C(1000000000) + (uint64_t)ts->tv_nsec;
}

/* clock_getres or clock_gettime (`get`) of guest clock `clock`, in
 * nanoseconds into the u64 at `out`: both calls check the same things in
 * the same order (the clock before the pointer) and differ only in what
 * they ask the host. */
static uint32_t clock_query(uint32_t clock, uint8_t *out,
                            int (*get)(clockid_t, struct timespec *)) {
  clockid_t id;
  if (!host_clock((int32_t)clock, &id)) return WASI_EINVAL;
  if (!out) return WASI_EFAULT;
  struct timespec ts;
  if (get(id, &ts) != 0) return wasi_errno_from(errno);
  wasi_put_u64(out, ns(&ts));
  return WASI_ESUCCESS;
}

uint32_t wasi_clock_res_get(wasi_ctx *ctx, uint32_t id, uint8_t *res_out) {
  return clock_query(id, res_out, clock_getres);
}

/* precision is a hint we do not need. */
uint32_t wasi_clock_time_get(wasi_ctx *ctx, uint32_t id, uint64_t precision, uint8_t *time_out) {
  return clock_query(id, time_out, clock_gettime);
}

/* bind.c has answered FAULT for a bad buffer (the only check). */
uint32_t wasi_random_get(wasi_ctx *ctx, uint8_t *buf, uint32_t buf_len) {
  while (buf_len > 0) {
    ssize_t n = getrandom(buf, buf_len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return wasi_errno_from(errno);
    }
    buf += n;
    buf_len -= (uint32_t)n;
  }
  return WASI_ESUCCESS;
}
