/* poll.c: poll_oneoff: wait for clock deadlines and fd readiness.
 *
 * Every clock subscription becomes a deadline on the host's monotonic
 * clock (a REALTIME ABSTIME one is converted once, at entry), and the
 * earliest one bounds the wait. With no fd subscriptions the wait is a
 * clock_nanosleep to that deadline (sleep() in wasi-libc is exactly
 * this); otherwise poll(2) on the fds with the remaining time, rounded up
 * to whole milliseconds so it never returns early. A signal (EINTR) only
 * restarts the wait with the time left. Subscriptions that cannot be
 * waited for (a bad fd, a missing right, an unknown clock) are reported
 * at once as events carrying that errno, as wasmtime does. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>

#include "wasi_internal.h"

enum { EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };
enum { CLOCK_ID_REALTIME = 0, CLOCK_ID_MONOTONIC = 1, CLOCK_ID_PROCESS = 2, CLOCK_ID_THREAD = 3 };
enum { SUBCLOCK_ABSTIME = 1, EVRW_HANGUP = 1 };

typedef struct {
  uint64_t userdata;
  uint8_t type;
  uint16_t error;     /* set up front: fires immediately with this errno */
  uint64_t deadline;  /* clock: monotonic ns */
  int pfd;            /* fd: index in the pollfd array, else -1 */
} sub;

static uint64_t now_ns(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return (uint64_t)t.tv_sec * UINT64_C(1000000000) + (uint64_t)t.tv_nsec;
}

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

/* Deadline of a clock subscription (at 16: id u32, timeout u64 @24,
 * precision u64 @32 (a hint, unused), flags u16 @40) on CLOCK_MONOTONIC. */
static uint16_t clock_deadline(const uint8_t *s, uint64_t *deadline) {
  uint32_t id = wasi_get_u32(s + 16);
  uint64_t timeout;
  uint16_t flags;
  memcpy(&timeout, s + 24, 8);
  memcpy(&flags, s + 40, 2);
  uint64_t mono = now_ns(CLOCK_MONOTONIC);
  switch (id) {
  case CLOCK_ID_MONOTONIC:
    *deadline = flags & SUBCLOCK_ABSTIME ? timeout : sat_add(mono, timeout);
    return WASI_ESUCCESS;
  case CLOCK_ID_REALTIME:
    if (flags & SUBCLOCK_ABSTIME) {
      uint64_t real = now_ns(CLOCK_REALTIME);
      timeout = timeout > real ? timeout - real : 0;
    }
    *deadline = sat_add(mono, timeout);
    return WASI_ESUCCESS;
  case CLOCK_ID_PROCESS:
  case CLOCK_ID_THREAD:
    /* No host primitive waits on CPU time; wasmtime refuses these too. */
    return WASI_ENOTSUP;
  default:
    return WASI_EINVAL;
  }
}

/* Waits until the earliest deadline (UINT64_MAX: none) or, with fds,
 * until one of them is ready. Returns a WASI errno. */
static int32_t wait_events(struct pollfd *pfds, nfds_t npfds, uint64_t deadline) {
  for (;;) {
    uint64_t now = now_ns(CLOCK_MONOTONIC);
    if (!npfds) {
      if (deadline == UINT64_MAX) return WASI_EINVAL; /* cannot happen: nsubs > 0 */
      if (now >= deadline) return WASI_ESUCCESS;
      struct timespec ts = {.tv_sec = (time_t)(deadline / 1000000000u),
                            .tv_nsec = (long)(deadline % 1000000000u)};
      int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
      if (r == 0 || r == EINTR) continue; /* re-check: spurious wakeups are fine */
      return wasi_errno_from(r);
    }
    int ms = -1;
    if (deadline != UINT64_MAX) {
      uint64_t left = deadline > now ? deadline - now : 0;
      uint64_t m = left / 1000000u + (left % 1000000u != 0);
      ms = m > INT32_MAX ? INT32_MAX : (int)m;
    }
    int r = poll(pfds, npfds, ms);
    if (r >= 0) {
      /* poll with a clamped timeout may return before the deadline. */
      if (r == 0 && deadline != UINT64_MAX && now_ns(CLOCK_MONOTONIC) < deadline) continue;
      return WASI_ESUCCESS;
    }
    if (errno != EINTR) return wasi_errno_from(errno);
  }
}

/* subscription (48 B): userdata u64 @0, tag u8 @8, union @16; event
 * (32 B): userdata u64 @0, error u16 @8, type u8 @10, nbytes u64 @16,
 * flags u16 @24. The two arrays are sized by n and stay guest offsets:
 * n == 0 is INVAL before any pointer is looked at. */
uint32_t wasi_poll_oneoff(wasi_ctx *ctx, uint32_t in_ptr, uint32_t out_ptr, uint32_t n,
                          uint8_t *pnev) {
  if (n == 0) return WASI_EINVAL;
  const uint8_t *in = wasi_mem(ctx, in_ptr, (uint64_t)n * 48);
  uint8_t *out = wasi_mem(ctx, out_ptr, (uint64_t)n * 32);
  if (!in || !out || !pnev) return WASI_EFAULT;

  sub *subs = calloc(n, sizeof *subs);
  struct pollfd *pfds = calloc(n, sizeof *pfds);
  if (!subs || !pfds) {
    free(subs), free(pfds);
    return WASI_ENOMEM;
  }
  /* Read every subscription before writing any event: in and out may
   * overlap in guest memory. */
  nfds_t npfds = 0;
  uint64_t deadline = UINT64_MAX;
  bool immediate = false;
  int32_t e = WASI_ESUCCESS;
  for (uint32_t i = 0; i < n && !e; i++) {
    const uint8_t *s = in + 48 * (size_t)i;
    sub *u = &subs[i];
    memcpy(&u->userdata, s, 8);
    u->type = s[8];
    u->pfd = -1;
    u->deadline = UINT64_MAX;
    if (u->type == EV_CLOCK) {
      u->error = clock_deadline(s, &u->deadline);
      if (!u->error && u->deadline < deadline) deadline = u->deadline;
    } else if (u->type == EV_FD_READ || u->type == EV_FD_WRITE) {
      wasi_fd *f;
      u->error = (uint16_t)wasi_fd_lookup(ctx, (int32_t)wasi_get_u32(s + 16),
                                          WASI_RIGHT_POLL_FD_READWRITE, &f);
      if (!u->error) {
        pfds[npfds] = (struct pollfd){.fd = f->host_fd,
                                      .events = u->type == EV_FD_READ ? POLLIN : POLLOUT};
        u->pfd = (int)npfds++;
      }
    } else {
      e = WASI_EINVAL; /* not a subscription at all */
    }
    if (u->error) immediate = true;
  }
  if (!e) {
    /* An event that has already happened (an error) must not wait. */
    e = wait_events(pfds, npfds, immediate ? 0 : deadline);
  }
  if (e) {
    free(subs), free(pfds);
    return (uint32_t)e;
  }

  uint64_t now = now_ns(CLOCK_MONOTONIC);
  uint32_t nev = 0;
  for (uint32_t i = 0; i < n; i++) {
    const sub *u = &subs[i];
    uint16_t err = u->error, rwflags = 0;
    uint64_t nbytes = 0;
    if (!err && u->type == EV_CLOCK) {
      if (now < u->deadline) continue;
    } else if (!err) {
      const struct pollfd *p = &pfds[u->pfd];
      if (!p->revents) continue;
      if (p->revents & POLLNVAL) {
        err = WASI_EBADF;
      } else {
        if (p->revents & POLLHUP) rwflags |= EVRW_HANGUP;
        if (p->revents & POLLERR && !(p->revents & (POLLIN | POLLOUT))) err = WASI_EIO;
        int avail;
        /* How much can be read now: FIONREAD where the fd supports it
         * (pipes, sockets, ttys, files), else 0 ("some"). */
        if (u->type == EV_FD_READ && ioctl(p->fd, FIONREAD, &avail) == 0 && avail > 0)
          nbytes = (uint64_t)avail;
      }
    }
    uint8_t *ev = out + 32 * (size_t)nev++;
    memset(ev, 0, 32);
    wasi_put_u64(ev, u->userdata);
    wasi_put_u16(ev + 8, err);
    ev[10] = u->type;
    wasi_put_u64(ev + 16, nbytes);
    wasi_put_u16(ev + 24, rwflags);
  }
  free(subs), free(pfds);
  wasi_put_u32(pnev, nev);
  return WASI_ESUCCESS;
}
