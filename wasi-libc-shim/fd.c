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

/* fd_write / fd_read, and with `positioned` fd_pwrite / fd_pread at
 * `off`: the fd, its rights and the size pointer `pn` first, then the
 * iovecs (a guest array bind.c cannot size, so they stay guest offsets). */
static uint32_t rw(wasi_ctx *ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len, uint64_t off,
                   uint8_t *pn, bool write, bool positioned) {
  uint64_t need = write ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ;
  /* pread/pwrite also need SEEK: they address the file by offset. */
  if (positioned) need |= WASI_RIGHT_FD_SEEK;
  wasi_fd *f;
  int32_t e = file_lookup(ctx, (int32_t)fd, need, &f);
  if (e) return (uint32_t)e;
  if (!pn) return WASI_EFAULT;
  if (off > INT64_MAX) return WASI_EINVAL;
  struct iovec *iov;
  int n;
  e = wasi_host_iovs(ctx, iovs, iovs_len, &iov, &n);
  if (e) return (uint32_t)e;
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
  if (r < 0) return (uint32_t)wasi_errno_from(err);
  wasi_put_u32(pn, (uint32_t)r);
  return WASI_ESUCCESS;
}

uint32_t wasi_fd_write(wasi_ctx *ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                       uint8_t *nwritten_out) {
  return rw(ctx, fd, iovs, iovs_len, 0, nwritten_out, true, false);
}

uint32_t wasi_fd_read(wasi_ctx *ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                      uint8_t *nread_out) {
  return rw(ctx, fd, iovs, iovs_len, 0, nread_out, false, false);
}

/* On a pipe or socket pread/pwrite fail with ESPIPE, as the spec wants.
 * Linux quirk: pwrite on an O_APPEND fd appends whatever the offset. */
uint32_t wasi_fd_pwrite(wasi_ctx *ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                        uint64_t offset, uint8_t *nwritten_out) {
  return rw(ctx, fd, iovs, iovs_len, offset, nwritten_out, true, true);
}

uint32_t wasi_fd_pread(wasi_ctx *ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                       uint64_t offset, uint8_t *nread_out) {
  return rw(ctx, fd, iovs, iovs_len, offset, nread_out, false, true);
}

uint32_t wasi_fd_close(wasi_ctx *ctx, uint32_t fd) {
  wasi_fd *f = wasi_fd_get(ctx, (int32_t)fd);
  if (!f) return WASI_EBADF;
  return (uint32_t)wasi_fd_release(f);
}

/* lseek and the new position into the u64 at `out`. fd_tell is a seek by
 * 0 from CUR, so both calls share this, and with it the rule: reading the
 * position (offset 0 from CUR) needs only TELL, as in wasmtime; anything
 * else needs SEEK. */
static uint32_t seek(wasi_ctx *ctx, uint32_t fd, int64_t off, int whence, uint8_t *out) {
  uint64_t need = off == 0 && whence == SEEK_CUR ? WASI_RIGHT_FD_TELL : WASI_RIGHT_FD_SEEK;
  wasi_fd *f;
  int32_t e = file_lookup(ctx, (int32_t)fd, need, &f);
  if (e) return (uint32_t)e;
  if (!out) return WASI_EFAULT;
  off_t r = lseek(f->host_fd, (off_t)off, whence);
  if (r < 0) return (uint32_t)wasi_errno_from(errno);
  wasi_put_u64(out, (uint64_t)r);
  return WASI_ESUCCESS;
}

/* The whence is checked first, before the fd. */
uint32_t wasi_fd_seek(wasi_ctx *ctx, uint32_t fd, uint64_t offset, uint32_t whence,
                      uint8_t *newoffset_out) {
  int w;
  switch (whence) {
  case 0: w = SEEK_SET; break;
  case 1: w = SEEK_CUR; break;
  case 2: w = SEEK_END; break;
  default: return WASI_EINVAL;
  }
  return seek(ctx, fd, (int64_t)offset, w, newoffset_out);
}

uint32_t wasi_fd_tell(wasi_ctx *ctx, uint32_t fd, uint8_t *offset_out) {
  return seek(ctx, fd, 0, SEEK_CUR, offset_out);
}

/* `to` must be open (preview1 has no dup2 onto a free number); it is
 * closed and `from` moves there with everything it carries (rights,
 * preopen name, readdir state). from == to is a no-op. */
uint32_t wasi_fd_renumber(wasi_ctx *ctx, uint32_t from_fd, uint32_t to_fd) {
  wasi_fd *from = wasi_fd_get(ctx, (int32_t)from_fd), *to = wasi_fd_get(ctx, (int32_t)to_fd);
  if (!from || !to) return WASI_EBADF;
  if (from == to) return WASI_ESUCCESS;
  /* A failing close of the old `to` still frees it: renumber goes on. */
  (void)wasi_fd_release(to);
  *to = *from;
  *from = (wasi_fd){0};
  return WASI_ESUCCESS;
}

/* fdstat: filetype u8 @0, flags u16 @2, rights_base u64 @8, inheriting @16.
 * Needs no right: it is how a guest learns its rights. */
uint32_t wasi_fd_fdstat_get(wasi_ctx *ctx, uint32_t fd, uint8_t *out) {
  wasi_fd *f = wasi_fd_get(ctx, (int32_t)fd);
  if (!f) return WASI_EBADF;
  if (!out) return WASI_EFAULT;
  int fl = fcntl(f->host_fd, F_GETFL);
  if (fl < 0) return (uint32_t)wasi_errno_from(errno);
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
  return WASI_ESUCCESS;
}

/* APPEND and NONBLOCK map to fcntl(F_SETFL). Linux cannot change
 * O_DSYNC/O_SYNC after open (F_SETFL ignores them), so, like wasmtime,
 * asking for DSYNC, RSYNC or SYNC here is INVAL rather than a silent
 * no-op. */
uint32_t wasi_fd_fdstat_set_flags(wasi_ctx *ctx, uint32_t fd, uint32_t want) {
  wasi_fd *f;
  int32_t e = wasi_fd_lookup(ctx, (int32_t)fd, WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &f);
  if (e) return (uint32_t)e;
  if (want & ~(uint32_t)(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)) return WASI_EINVAL;
  int fl = fcntl(f->host_fd, F_GETFL);
  if (fl < 0) return (uint32_t)wasi_errno_from(errno);
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (want & WASI_FDFLAG_APPEND) fl |= O_APPEND;
  if (want & WASI_FDFLAG_NONBLOCK) fl |= O_NONBLOCK;
  if (fcntl(f->host_fd, F_SETFL, fl) != 0) return (uint32_t)wasi_errno_from(errno);
  return WASI_ESUCCESS;
}

/* Rights can only be dropped; asking for one the fd does not hold is
 * NOTCAPABLE and changes nothing. */
uint32_t wasi_fd_fdstat_set_rights(wasi_ctx *ctx, uint32_t fd, uint64_t base, uint64_t inh) {
  wasi_fd *f = wasi_fd_get(ctx, (int32_t)fd);
  if (!f) return WASI_EBADF;
  if ((base & ~f->rights_base) || (inh & ~f->rights_inheriting)) return WASI_ENOTCAPABLE;
  f->rights_base = base;
  f->rights_inheriting = inh;
  return WASI_ESUCCESS;
}

/* prestat: tag u8 @0 (0 = dir), name length u32 @4. BADF for any fd that
 * is not a preopened directory: wasi-libc scans fds 3.. until BADF. */
uint32_t wasi_fd_prestat_get(wasi_ctx *ctx, uint32_t fd, uint8_t *out) {
  wasi_fd *f = wasi_fd_get(ctx, (int32_t)fd);
  if (!f || !f->preopen) return WASI_EBADF;
  if (!out) return WASI_EFAULT;
  memset(out, 0, 8);
  wasi_put_u32(out + 4, (uint32_t)strlen(f->preopen));
  return WASI_ESUCCESS;
}

/* The name without a NUL; NAMETOOLONG when len is short. */
uint32_t wasi_fd_prestat_dir_name(wasi_ctx *ctx, uint32_t fd, uint8_t *out, uint32_t len) {
  wasi_fd *f = wasi_fd_get(ctx, (int32_t)fd);
  if (!f || !f->preopen) return WASI_EBADF;
  if (!out) return WASI_EFAULT;
  size_t n = strlen(f->preopen);
  if (len < n) return WASI_ENAMETOOLONG;
  memcpy(out, f->preopen, n);
  return WASI_ESUCCESS;
}
