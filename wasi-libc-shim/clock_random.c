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
 * nanoseconds into guest u64 `outp`: both calls check the same things in
 * the same order and differ only in what they ask the host. */
static int32_t clock_query(wasi_ctx *ctx, int32_t clock, uint32_t outp,
                           int (*get)(clockid_t, struct timespec *)) {
  clockid_t id;
  if (!host_clock(clock, &id)) return WASI_EINVAL;
  uint8_t *out = wasi_mem(ctx, outp, 8);
  if (!out) return WASI_EFAULT;
  struct timespec ts;
  if (get(id, &ts) != 0) return wasi_errno_from(errno);
  wasi_put_u64(out, ns(&ts));
  return WASI_ESUCCESS;
}

/* (id, out ptr) */
WASI_CB(clock_res_get) {
  return wasi_ret(v, clock_query(env, v[0].i32, (uint32_t)v[1].i32, clock_getres));
}

/* (id, precision i64, out ptr); precision is a hint we do not need. */
WASI_CB(clock_time_get) {
  return wasi_ret(v, clock_query(env, v[0].i32, (uint32_t)v[2].i32, clock_gettime));
}

WASI_CB(random_get) {
  uint32_t len = (uint32_t)v[1].i32;
  uint8_t *p = wasi_mem(env, (uint32_t)v[0].i32, len);
  if (!p) return wasi_ret(v, WASI_EFAULT);
  while (len > 0) {
    ssize_t n = getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return wasi_ret(v, wasi_errno_from(errno));
    }
    p += n;
    len -= (uint32_t)n;
  }
  return wasi_ret(v, WASI_ESUCCESS);
}
