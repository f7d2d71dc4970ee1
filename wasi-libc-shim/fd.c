/* fd.c: the fd_* calls implemented so far: write, read, close, seek, tell,
 * fdstat_get, prestat_get, prestat_dir_name. Each checks the guest fd,
 * then every guest range it will touch, before any side effect: a bad
 * pointer gives FAULT and leaves the fd as it was. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_internal.h"

/* Guest iovec array (ptr, len pairs of u32) -> host iovecs, at most
 * IOV_MAX of them (the rest is a short transfer, which POSIX allows and
 * wasi-libc handles). Returns a WASI errno; *out is malloc'ed. */
static int32_t host_iovs(wasi_ctx *ctx, uint32_t iovs, uint32_t n, struct iovec **out,
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

/* fd_write / fd_read: (fd, iovs, iovs_len, out size ptr). */
static bool rw(wasi_ctx *ctx, wasmrt_val *v, bool write) {
  wasi_fd *f = wasi_fd_get(ctx, v[0].i32);
  if (!f) return wasi_ret(v, WASI_EBADF);
  uint8_t *pn = wasi_mem(ctx, (uint32_t)v[3].i32, 4);
  if (!pn) return wasi_ret(v, WASI_EFAULT);
  struct iovec *iov;
  int n;
  int32_t e = host_iovs(ctx, (uint32_t)v[1].i32, (uint32_t)v[2].i32, &iov, &n);
  if (e) return wasi_ret(v, e);
  ssize_t r;
  do
    r = write ? writev(f->host_fd, iov, n) : readv(f->host_fd, iov, n);
  while (r < 0 && errno == EINTR);
  int err = errno;
  free(iov);
  if (r < 0) return wasi_ret(v, wasi_errno_from(err));
  wasi_put_u32(pn, (uint32_t)r);
  return wasi_ret(v, WASI_ESUCCESS);
}

WASI_CB(fd_write) { return rw(env, v, true); }
WASI_CB(fd_read) { return rw(env, v, false); }

WASI_CB(fd_close) {
  wasi_fd *f = wasi_fd_get(env, v[0].i32);
  if (!f) return wasi_ret(v, WASI_EBADF);
  int r = f->owned ? close(f->host_fd) : 0;
  int err = errno;
  free(f->preopen);
  *f = (wasi_fd){0};
  /* The guest fd is gone either way (close(2) frees the fd even on EIO). */
  return wasi_ret(v, r == 0 ? WASI_ESUCCESS : wasi_errno_from(err));
}

/* (fd, offset i64, whence, out ptr) */
WASI_CB(fd_seek) {
  wasi_fd *f = wasi_fd_get(env, v[0].i32);
  if (!f) return wasi_ret(v, WASI_EBADF);
  int64_t off = v[1].i64;
  int whence;
  switch (v[2].i32) {
  case 0: whence = SEEK_SET; break;
  case 1: whence = SEEK_CUR; break;
  case 2: whence = SEEK_END; break;
  default: return wasi_ret(v, WASI_EINVAL);
  }
  uint8_t *out = wasi_mem(env, (uint32_t)v[3].i32, 8);
  if (!out) return wasi_ret(v, WASI_EFAULT);
  if (f->preopen) return wasi_ret(v, WASI_EBADF); /* directories do not seek */
  off_t r = lseek(f->host_fd, (off_t)off, whence);
  if (r < 0) return wasi_ret(v, wasi_errno_from(errno));
  wasi_put_u64(out, (uint64_t)r);
  return wasi_ret(v, WASI_ESUCCESS);
}

WASI_CB(fd_tell) {
  wasi_fd *f = wasi_fd_get(env, v[0].i32);
  if (!f) return wasi_ret(v, WASI_EBADF);
  uint8_t *out = wasi_mem(env, (uint32_t)v[1].i32, 8);
  if (!out) return wasi_ret(v, WASI_EFAULT);
  if (f->preopen) return wasi_ret(v, WASI_EBADF);
  off_t r = lseek(f->host_fd, 0, SEEK_CUR);
  if (r < 0) return wasi_ret(v, wasi_errno_from(errno));
  wasi_put_u64(out, (uint64_t)r);
  return wasi_ret(v, WASI_ESUCCESS);
}

static uint8_t filetype(mode_t m, int host_fd) {
  if (S_ISREG(m)) return WASI_FILETYPE_REGULAR_FILE;
  if (S_ISDIR(m)) return WASI_FILETYPE_DIRECTORY;
  if (S_ISCHR(m)) return WASI_FILETYPE_CHARACTER_DEVICE;
  if (S_ISBLK(m)) return WASI_FILETYPE_BLOCK_DEVICE;
  if (S_ISLNK(m)) return WASI_FILETYPE_SYMBOLIC_LINK;
  if (S_ISSOCK(m)) {
    int type;
    socklen_t len = sizeof type;
    if (getsockopt(host_fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM)
      return WASI_FILETYPE_SOCKET_DGRAM;
    return WASI_FILETYPE_SOCKET_STREAM;
  }
  return WASI_FILETYPE_UNKNOWN; /* pipes and FIFOs: what wasmtime reports too */
}

/* fdstat: filetype u8 @0, flags u16 @2, rights_base u64 @8, inheriting @16. */
WASI_CB(fd_fdstat_get) {
  wasi_fd *f = wasi_fd_get(env, v[0].i32);
  if (!f) return wasi_ret(v, WASI_EBADF);
  uint8_t *out = wasi_mem(env, (uint32_t)v[1].i32, 24);
  if (!out) return wasi_ret(v, WASI_EFAULT);
  struct stat st;
  if (fstat(f->host_fd, &st) != 0) return wasi_ret(v, wasi_errno_from(errno));
  int fl = fcntl(f->host_fd, F_GETFL);
  if (fl < 0) return wasi_ret(v, wasi_errno_from(errno));
  uint16_t flags = 0;
  if (fl & O_APPEND) flags |= WASI_FDFLAG_APPEND;
  if (fl & O_NONBLOCK) flags |= WASI_FDFLAG_NONBLOCK;
  /* O_SYNC includes the O_DSYNC bit on Linux, and O_RSYNC == O_SYNC. */
  if ((fl & O_SYNC) == O_SYNC) flags |= WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC;
  else if (fl & O_DSYNC) flags |= WASI_FDFLAG_DSYNC;
  memset(out, 0, 24);
  out[0] = filetype(st.st_mode, f->host_fd);
  wasi_put_u16(out + 2, flags);
  wasi_put_u64(out + 8, WASI_RIGHTS_ALL);
  wasi_put_u64(out + 16, WASI_RIGHTS_ALL);
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
