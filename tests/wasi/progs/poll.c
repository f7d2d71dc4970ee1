/* poll.c: poll_oneoff. `poll sleep`: clock subscriptions (relative,
 * absolute realtime, the smallest of several winning, usleep of
 * wasi-libc) measured with the monotonic clock, errors as events, no
 * subscriptions. `poll stdin`: readiness of a stdin pipe (data, then
 * hang-up at EOF), a write subscription on stdout, and a fd without the
 * poll right. Elapsed times are printed as "ok" when within bounds. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static __wasi_timestamp_t now(__wasi_clockid_t id) {
  __wasi_timestamp_t t = 0;
  (void)__wasi_clock_time_get(id, 1, &t);
  return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id,
                                       __wasi_timestamp_t timeout, int abs) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.flags = abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
  return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_eventtype_t type, int fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = type;
  s.u.u.fd_read.file_descriptor = (__wasi_fd_t)fd;
  return s;
}

#define MS 1000000ull

static const char *within(__wasi_timestamp_t t, __wasi_timestamp_t lo, __wasi_timestamp_t hi) {
  static char buf[64];
  if (t >= lo && t < hi) return "ok";
  snprintf(buf, sizeof buf, "%llu ms", (unsigned long long)(t / MS));
  return buf;
}

static int do_sleep(void) {
  __wasi_event_t ev[4];
  __wasi_size_t n = 99;
  __wasi_timestamp_t t0 = now(__WASI_CLOCKID_MONOTONIC);
  __wasi_subscription_t s[3] = {clock_sub(7, __WASI_CLOCKID_MONOTONIC, 200 * MS, 0)};
  int e = __wasi_poll_oneoff(s, ev, 1, &n);
  __wasi_timestamp_t dt = now(__WASI_CLOCKID_MONOTONIC) - t0;
  printf("relative 200ms: %d n=%u ud=%llu type=%d err=%d time %s\n", e, (unsigned)n,
         (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error, within(dt, 200 * MS, 2000 * MS));

  t0 = now(__WASI_CLOCKID_MONOTONIC);
  s[0] = clock_sub(1, __WASI_CLOCKID_REALTIME, now(__WASI_CLOCKID_REALTIME) + 150 * MS, 1);
  e = __wasi_poll_oneoff(s, ev, 1, &n);
  dt = now(__WASI_CLOCKID_MONOTONIC) - t0;
  printf("realtime abstime +150ms: %d n=%u time %s\n", e, (unsigned)n, within(dt, 140 * MS, 2000 * MS));

  t0 = now(__WASI_CLOCKID_MONOTONIC);
  s[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, t0 + 100 * MS, 1);
  e = __wasi_poll_oneoff(s, ev, 1, &n);
  dt = now(__WASI_CLOCKID_MONOTONIC) - t0;
  printf("monotonic abstime +100ms: %d n=%u time %s\n", e, (unsigned)n, within(dt, 100 * MS, 2000 * MS));

  s[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
  s[1] = clock_sub(2, __WASI_CLOCKID_MONOTONIC, 100 * MS, 0);
  s[2] = clock_sub(3, __WASI_CLOCKID_REALTIME, 3000 * MS, 0);
  t0 = now(__WASI_CLOCKID_MONOTONIC);
  e = __wasi_poll_oneoff(s, ev, 3, &n);
  dt = now(__WASI_CLOCKID_MONOTONIC) - t0;
  printf("smallest of 5s/100ms/3s: %d n=%u ud=%llu time %s\n", e, (unsigned)n,
         (unsigned long long)ev[0].userdata, within(dt, 100 * MS, 2000 * MS));

  t0 = now(__WASI_CLOCKID_MONOTONIC);
  usleep(120000);
  dt = now(__WASI_CLOCKID_MONOTONIC) - t0;
  printf("usleep(120ms): time %s\n", within(dt, 120 * MS, 2000 * MS));

  /* Errors come back at once as events; the 5 s clock does not fire. */
  s[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
  s[1] = fd_sub(2, __WASI_EVENTTYPE_FD_READ, 77);
  s[2] = clock_sub(3, 9, 0, 0);
  t0 = now(__WASI_CLOCKID_MONOTONIC);
  e = __wasi_poll_oneoff(s, ev, 3, &n);
  dt = now(__WASI_CLOCKID_MONOTONIC) - t0;
  printf("bad fd + bad clock: %d n=%u ev0 ud=%llu err=%d ev1 ud=%llu err=%d time %s\n", e,
         (unsigned)n, (unsigned long long)ev[0].userdata, ev[0].error,
         (unsigned long long)ev[1].userdata, ev[1].error, within(dt, 0, 1000 * MS));
  printf("no subscriptions: %d\n", __wasi_poll_oneoff(s, ev, 0, &n));
  /* A zero timeout fires at once. */
  s[0] = clock_sub(5, __WASI_CLOCKID_MONOTONIC, 0, 0);
  e = __wasi_poll_oneoff(s, ev, 1, &n);
  printf("zero timeout: %d n=%u ud=%llu\n", e, (unsigned)n, (unsigned long long)ev[0].userdata);
  /* in and out may be the same memory */
  __wasi_subscription_t same[2] = {clock_sub(11, __WASI_CLOCKID_MONOTONIC, 0, 0),
                                   clock_sub(12, __WASI_CLOCKID_MONOTONIC, 0, 0)};
  __wasi_event_t *evs = (__wasi_event_t *)same;
  e = __wasi_poll_oneoff(same, evs, 2, &n);
  printf("overlapping in/out: %d n=%u ud=%llu,%llu\n", e, (unsigned)n,
         (unsigned long long)evs[0].userdata, (unsigned long long)evs[1].userdata);
  return 0;
}

static int do_stdin(void) {
  __wasi_event_t ev[3];
  __wasi_size_t n;
  /* Data arrives (possibly late): the read subscription fires, with
   * nbytes = what is buffered; the 10 s clock does not. */
  __wasi_subscription_t s[3] = {fd_sub(1, __WASI_EVENTTYPE_FD_READ, 0),
                                clock_sub(2, __WASI_CLOCKID_MONOTONIC, 10000 * MS, 0)};
  int e = __wasi_poll_oneoff(s, ev, 2, &n);
  printf("stdin data: %d n=%u ud=%llu type=%d err=%d\n", e, (unsigned)n,
         (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error);
  char buf[64];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t got = 0, r;
  /* Read everything up to EOF (the writer may write in pieces). */
  while (__wasi_fd_read(0, &iov, 1, &r) == 0 && r > 0) got += r;
  printf("read %u bytes\n", (unsigned)got);
  /* At EOF the pipe reports hang-up. */
  e = __wasi_poll_oneoff(s, ev, 2, &n);
  printf("stdin eof: %d n=%u ud=%llu hangup=%d nbytes=%llu\n", e, (unsigned)n,
         (unsigned long long)ev[0].userdata,
         !!(ev[0].fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP),
         (unsigned long long)ev[0].fd_readwrite.nbytes);
  /* Mixed: stdout (a pipe) is writable at once. */
  s[0] = fd_sub(3, __WASI_EVENTTYPE_FD_WRITE, 1);
  e = __wasi_poll_oneoff(s, ev, 2, &n);
  printf("stdout writable: %d n=%u ud=%llu type=%d\n", e, (unsigned)n,
         (unsigned long long)ev[0].userdata, ev[0].type);
  /* Without the poll right: NOTCAPABLE in the event. */
  __wasi_fdstat_t fs;
  (void)__wasi_fd_fdstat_get(0, &fs);
  (void)__wasi_fd_fdstat_set_rights(0, fs.fs_rights_base & ~__WASI_RIGHTS_POLL_FD_READWRITE, 0);
  s[0] = fd_sub(4, __WASI_EVENTTYPE_FD_READ, 0);
  e = __wasi_poll_oneoff(s, ev, 2, &n);
  printf("no poll right: %d n=%u ud=%llu err=%d\n", e, (unsigned)n,
         (unsigned long long)ev[0].userdata, ev[0].error);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "sleep")) return do_sleep();
  if (argc == 2 && !strcmp(argv[1], "stdin")) return do_stdin();
  fprintf(stderr, "usage: poll sleep|stdin\n");
  return 2;
}
