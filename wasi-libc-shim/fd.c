/* fd.c: stream I/O and the state of a guest fd: fd_read/write, the
 * positioned fd_pread/pwrite, close, seek, tell, renumber, the fdstat
 * calls (get, set_flags, set_rights) and the prestat calls. Each checks
 * the guest fd and its rights, then every guest range it will touch,
 * before any side effect: a bad pointer gives FAULT and leaves the fd as
 * it was. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_internal.h"

/* Guest iovecs are (ptr, len) pairs of u32; more than IOV_MAX of them
 * make a short transfer, which POSIX allows and wasi-libc handles. */
int32_t wasi_host_iovs(wasi_ctx *ctx, uint32_t iovs, uint32_t n, struct iovec **out,
                       int *count) {
  const uint8_t *g = wasi_mem(ctx, iovs, (uint64_t)n * 8);
  if (!g) return WASI_EFAULT;
  if (n > IOV_MAX) n = IOV_MAX;
  struct iovec *h = malloc((n ? n : 1) * sizeof *h);
  if (!h) return WASI_ENOMEM;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t p = wasi_get_u32(g + 8 * (size_t)i), len = wasi_get_u32(g + 8 * (size_t)i + 4);
    uint8_t *b = wasi_mem(ctx, p, len);
    if (!b) {
      free(h);
      return WASI_EFAULT;
    }
    h[i] = (struct iovec){.iov_base = b, .iov_len = len};
  }
  *out = h;
  *count = (int)n;
  return WASI_ESUCCESS;
}

/* The fd for a byte-stream call: BADF for a directory (what wasmtime
 * answers for read/write/seek on one) before the rights check, so that
 * a directory reads as "not a file" rather than "not permitted". */
static int32_t file_lookup(wasi_ctx *ctx, int32_t fd, uint64_t need, wasi_fd **out) {
  wasi_fd *f = wasi_fd_get(ctx, fd);
  if (!f || f->filetype == WASI_FILETYPE_DIRECTORY) return WASI_EBADF;
  return wasi_fd_lookup(ctx, fd, need, out);
}

/* fd_write / fd_read: (fd, iovs, iovs_len, out size ptr); fd_pwrite /
 * fd_pread: (fd, iovs, iovs_len, offset i64, out size ptr). */
static bool rw(wasi_ctx *ctx, wasmrt_val *v, bool write, bool positioned) {
  uint64_t need = write ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ;
  /* pread/pwrite also need SEEK: they address the file by offset. */
  if (positioned) need |= WASI_RIGHT_FD_SEEK;
  wasi_fd *f;
  int32_t e = file_lookup(ctx, v[0].i32, need, &f);
  if (e) return wasi_ret(v, e);
  uint8_t *pn = wasi_mem(ctx, (uint32_t)v[positioned ? 4 : 3].i32, 4);
  if (!pn) return wasi_ret(v, WASI_EFAULT);
  uint64_t off = positioned ? (uint64_t)v[3].i64 : 0;
  if (off > INT64_MAX) return wasi_ret(v, WASI_EINVAL);
  struct iovec *iov;
  int n;
  e = wasi_host_iovs(ctx, (uint32_t)v[1].i32, (uint32_t)v[2].i32, &iov, &n);
  if (e) return wasi_ret(v, e);
  bool sock = f->filetype == WASI_FILETYPE_SOCKET_STREAM ||
              f->filetype == WASI_FILETYPE_SOCKET_DGRAM;
  ssize_t r;
  do {
    if (positioned)
      r = write ? pwritev(f->host_fd, iov, n, (off_t)off) : preadv(f->host_fd, iov, n, (off_t)off);
    else if (write && sock)
      /* A peer that hung up must give the guest EPIPE, not SIGPIPE the
       * whole host process. */
      r = sendmsg(f->host_fd, &(struct msghdr){.msg_iov = iov, .msg_iovlen = (size_t)n},
                  MSG_NOSIGNAL);
    else
      r = write ? writev(f->host_fd, iov, n) : readv(f->host_fd, iov, n);
  } while (r < 0 && errno == EINTR);
  int err = errno;
  free(iov);
  if (r < 0) return wasi_ret(v, wasi_errno_from(err));
  wasi_put_u32(pn, (uint32_t)r);
  return wasi_ret(v, WASI_ESUCCESS);
}

WASI_CB(fd_write) { return rw(env, v, true, false); }
WASI_CB(fd_read) { return rw(env, v, false, false); }
/* On a pipe or socket pread/pwrite fail with ESPIPE, as the spec wants.
 * Linux quirk: pwrite on an O_APPEND fd appends whatever the offset. */
WASI_CB(fd_pwrite) { return rw(env, v, true, true); }
WASI_CB(fd_pread) { return rw(env, v, false, true); }

WASI_CB(fd_close) {
  wasi_fd *f = wasi_fd_get(env, v[0].i32);
  if (!f) return wasi_ret(v, WASI_EBADF);
  return wasi_ret(v, wasi_fd_release(f));
}

/* lseek and the new position into guest u64 `outp`. fd_tell is a seek by
 * 0 from CUR, so both calls share this, and with it the rule: reading the
 * position (offset 0 from CUR) needs only TELL, as in wasmtime; anything
 * else needs SEEK. */
static int32_t seek(wasi_ctx *ctx, int32_t fd, int64_t off, int whence, uint32_t outp) {
  uint64_t need = off == 0 && whence == SEEK_CUR ? WASI_RIGHT_FD_TELL : WASI_RIGHT_FD_SEEK;
  wasi_fd *f;
  int32_t e = file_lookup(ctx, fd, need, &f);
  if (e) return e;
  uint8_t *out = wasi_mem(ctx, outp, 8);
  if (!out) return WASI_EFAULT;
  off_t r = lseek(f->host_fd, (off_t)off, whence);
  if (r < 0) return wasi_errno_from(errno);
  wasi_put_u64(out, (uint64_t)r);
  return WASI_ESUCCESS;
}

/* (fd, offset i64, whence, out ptr) */
WASI_CB(fd_seek) {
  int whence;
  switch (v[2].i32) {
  case 0: whence = SEEK_SET; break;
  case 1: whence = SEEK_CUR; break;
  case 2: whence = SEEK_END; break;
  default: return wasi_ret(v, WASI_EINVAL);
  }
  return wasi_ret(v, seek(env, v[0].i32, v[1].i64, whence, (uint32_t)v[3].i32));
}

/* (fd, out ptr) */
WASI_CB(fd_tell) {
  return wasi_ret(v, seek(env, v[0].i32, 0, SEEK_CUR, (uint32_t)v[1].i32));
}

/* (from, to): `to` must be open (preview1 has no dup2 onto a free
 * number); it is closed and `from` moves there with everything it
 * carries (rights, preopen name, readdir state). from == to is a no-op. */
WASI_CB(fd_renumber) {
  wasi_ctx *ctx = env;
  wasi_fd *from = wasi_fd_get(ctx, v[0].i32), *to = wasi_fd_get(ctx, v[1].i32);
  if (!from || !to) return wasi_ret(v, WASI_EBADF);
  if (from == to) return wasi_ret(v, WASI_ESUCCESS);
  /* A failing close of the old `to` still frees it: renumber goes on. */
  (void)wasi_fd_release(to);
  *to = *from;
  *from = (wasi_fd){0};
  return wasi_ret(v, WASI_ESUCCESS);
}

/* fdstat: filetype u8 @0, flags u16 @2, rights_base u64 @8, inheriting @16.
 * Needs no right: it is how a guest learns its rights. */
WASI_CB(fd_fdstat_get) {
  wasi_fd *f = wasi_fd_get(env, v[0].i32);
  if (!f) return wasi_ret(v, WASI_EBADF);
  uint8_t *out = wasi_mem(env, (uint32_t)v[1].i32, 24);
  if (!out) return wasi_ret(v, WASI_EFAULT);
  int fl = fcntl(f->host_fd, F_GETFL);
  if (fl < 0) return wasi_ret(v, wasi_errno_from(errno));
  uint16_t flags = 0;
  if (fl & O_APPEND) flags |= WASI_FDFLAG_APPEND;
  if (fl & O_NONBLOCK) flags |= WASI_FDFLAG_NONBLOCK;
  /* O_SYNC includes the O_DSYNC bit on Linux, and O_RSYNC == O_SYNC. */
  if ((fl & O_SYNC) == O_SYNC) flags |= WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC;
  else if (fl & O_DSYNC) flags |= WASI_FDFLAG_DSYNC;
  memset(out, 0, 24);
  out[0] = f->filetype;
  wasi_put_u16(out + 2, flags);
  wasi_put_u64(out + 8, f->rights_base);
  wasi_put_u64(out + 16, f->rights_inheriting);
  return wasi_ret(v, WASI_ESUCCESS);
}

/* (fd, fdflags u16). APPEND and NONBLOCK map to fcntl(F_SETFL). Linux
 * cannot change O_DSYNC/O_SYNC after open (F_SETFL ignores them), so,
 * like wasmtime, asking for DSYNC, RSYNC or SYNC here is INVAL rather
 * than a silent no-op. */
WASI_CB(fd_fdstat_set_flags) {
  wasi_fd *f;
  int32_t e = wasi_fd_lookup(env, v[0].i32, WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &f);
  if (e) return wasi_ret(v, e);
  uint32_t want = (uint32_t)v[1].i32;
  if (want & ~(uint32_t)(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)) return wasi_ret(v, WASI_EINVAL);
  int fl = fcntl(f->host_fd, F_GETFL);
  if (fl < 0) return wasi_ret(v, wasi_errno_from(errno));
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (want & WASI_FDFLAG_APPEND) fl |= O_APPEND;
  if (want & WASI_FDFLAG_NONBLOCK) fl |= O_NONBLOCK;
  if (fcntl(f->host_fd, F_SETFL, fl) != 0) return wasi_ret(v, wasi_errno_from(errno));
  return wasi_ret(v, WASI_ESUCCESS);
}

/* (fd, base u64, inheriting u64): rights can only be dropped; asking for
 * one the fd does not hold is NOTCAPABLE and changes nothing. */
WASI_CB(fd_fdstat_set_rights) {
  wasi_fd *f = wasi_fd_get(env, v[0].i32);
  if (!f) return wasi_ret(v, WASI_EBADF);
  uint64_t base = (uint64_t)v[1].i64, inh = (uint64_t)v[2].i64;
  if ((base & ~f->rights_base) || (inh & ~f->rights_inheriting))
    return wasi_ret(v, WASI_ENOTCAPABLE);
  f->rights_base = base;
  f->rights_inheriting = inh;
  return wasi_ret(v, WASI_ESUCCESS);
}

/* prestat: tag u8 @0 (0 = dir), name length u32 @4. BADF for any fd that
 * is not a preopened directory: wasi-libc scans fds 3.. until BADF. */
WASI_CB(fd_prestat_get) {
  wasi_fd *f = wasi_fd_get(env, v[0].i32);
  if (!f || !f->preopen) return wasi_ret(v, WASI_EBADF);
  uint8_t *out = wasi_mem(env, (uint32_t)v[1].i32, 8);
  if (!out) return wasi_ret(v, WASI_EFAULT);
  memset(out, 0, 8);
  wasi_put_u32(out + 4, (uint32_t)strlen(f->preopen));
  return wasi_ret(v, WASI_ESUCCESS);
}

/* (fd, buf, len): the name without a NUL; NAMETOOLONG when len is short. */
WASI_CB(fd_prestat_dir_name) {
  wasi_fd *f = wasi_fd_get(env, v[0].i32);
  if (!f || !f->preopen) return wasi_ret(v, WASI_EBADF);
  uint32_t len = (uint32_t)v[2].i32;
  uint8_t *out = wasi_mem(env, (uint32_t)v[1].i32, len);
  if (!out) return wasi_ret(v, WASI_EFAULT);
  size_t n = strlen(f->preopen);
  if (len < n) return wasi_ret(v, WASI_ENAMETOOLONG);
  memcpy(out, f->preopen, n);
  return wasi_ret(v, WASI_ESUCCESS);
}
