/* fd_file.c: a file's contents and metadata through its fd: fd_advise,
 * fd_allocate, fd_datasync, fd_sync, fd_filestat_get and the
 * fd_filestat_set_* calls; also the filestat layout and the fst_flags
 * conversion, which the path_filestat_* calls share. Each needs its own right on the fd; guest
 * sizes and offsets are u64, so anything past INT64_MAX (off_t) is refused
 * before it reaches the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

enum { ADVICE_NORMAL, ADVICE_SEQUENTIAL, ADVICE_RANDOM, ADVICE_WILLNEED, ADVICE_DONTNEED,
       ADVICE_NOREUSE };
enum { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };

/* advice is a u8: NORMAL .. NOREUSE. */
uint32_t wasi_fd_advise(wasi_ctx *ctx, uint32_t fd, uint64_t off, uint64_t len,
                        uint32_t guest_advice) {
  wasi_fd *f;
  int32_t e = wasi_fd_lookup(ctx, (int32_t)fd, WASI_RIGHT_FD_ADVISE, &f);
  if (e) return (uint32_t)e;
  int advice;
  switch (guest_advice) {
  case ADVICE_NORMAL: advice = POSIX_FADV_NORMAL; break;
  case ADVICE_SEQUENTIAL: advice = POSIX_FADV_SEQUENTIAL; break;
  case ADVICE_RANDOM: advice = POSIX_FADV_RANDOM; break;
  case ADVICE_WILLNEED: advice = POSIX_FADV_WILLNEED; break;
  case ADVICE_DONTNEED: advice = POSIX_FADV_DONTNEED; break;
  case ADVICE_NOREUSE: advice = POSIX_FADV_NOREUSE; break;
  default: return WASI_EINVAL;
  }
  if (off > INT64_MAX || len > INT64_MAX) return WASI_EINVAL;
  /* posix_fadvise returns the error number instead of setting errno. */
  return (uint32_t)wasi_errno_from(posix_fadvise(f->host_fd, (off_t)off, (off_t)len, advice));
}

/* Makes sure [offset, offset+len) is allocated, growing the file if
 * needed. */
uint32_t wasi_fd_allocate(wasi_ctx *ctx, uint32_t fd, uint64_t off, uint64_t len) {
  wasi_fd *f;
  int32_t e = wasi_fd_lookup(ctx, (int32_t)fd, WASI_RIGHT_FD_ALLOCATE, &f);
  if (e) return (uint32_t)e;
  if (off > INT64_MAX || len > INT64_MAX) return WASI_EINVAL;
  if (off + len > INT64_MAX) return WASI_EFBIG;
  int r;
  do r = posix_fallocate(f->host_fd, (off_t)off, (off_t)len);
  while (r == EINTR);
  return (uint32_t)wasi_errno_from(r);
}

uint32_t wasi_fd_datasync(wasi_ctx *ctx, uint32_t fd) {
  wasi_fd *f;
  int32_t e = wasi_fd_lookup(ctx, (int32_t)fd, WASI_RIGHT_FD_DATASYNC, &f);
  if (e) return (uint32_t)e;
  return fdatasync(f->host_fd) == 0 ? WASI_ESUCCESS : (uint32_t)wasi_errno_from(errno);
}

uint32_t wasi_fd_sync(wasi_ctx *ctx, uint32_t fd) {
  wasi_fd *f;
  int32_t e = wasi_fd_lookup(ctx, (int32_t)fd, WASI_RIGHT_FD_SYNC, &f);
  if (e) return (uint32_t)e;
  return fsync(f->host_fd) == 0 ? WASI_ESUCCESS : (uint32_t)wasi_errno_from(errno);
}

static uint64_t ns(struct timespec t) {
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* filestat (64 B): dev u64 @0, ino @8, filetype u8 @16, nlink @24,
 * size @32, atim @40, mtim @48, ctim @56 (ns since the epoch). */
void wasi_put_filestat(uint8_t *out, const struct stat *st, uint8_t filetype) {
  memset(out, 0, 64);
  wasi_put_u64(out, (uint64_t)st->st_dev);
  wasi_put_u64(out + 8, (uint64_t)st->st_ino);
  out[16] = filetype;
  wasi_put_u64(out + 24, (uint64_t)st->st_nlink);
  wasi_put_u64(out + 32, (uint64_t)st->st_size);
  wasi_put_u64(out + 40, ns(st->st_atim));
  wasi_put_u64(out + 48, ns(st->st_mtim));
  wasi_put_u64(out + 56, ns(st->st_ctim));
}

/* The filetype is the fd's own, fixed at install (a pipe stays UNKNOWN, a
 * socket tells stream from datagram), so it agrees with fd_fdstat_get. */
uint32_t wasi_fd_filestat_get(wasi_ctx *ctx, uint32_t fd, uint8_t *out) {
  wasi_fd *f;
  int32_t e = wasi_fd_lookup(ctx, (int32_t)fd, WASI_RIGHT_FD_FILESTAT_GET, &f);
  if (e) return (uint32_t)e;
  if (!out) return WASI_EFAULT;
  struct stat st;
  if (fstat(f->host_fd, &st) != 0) return (uint32_t)wasi_errno_from(errno);
  wasi_put_filestat(out, &st, f->filetype);
  return WASI_ESUCCESS;
}

/* Truncates or extends with zeroes. */
uint32_t wasi_fd_filestat_set_size(wasi_ctx *ctx, uint32_t fd, uint64_t size) {
  wasi_fd *f;
  int32_t e = wasi_fd_lookup(ctx, (int32_t)fd, WASI_RIGHT_FD_FILESTAT_SET_SIZE, &f);
  if (e) return (uint32_t)e;
  if (size > INT64_MAX) return WASI_EINVAL;
  int r;
  do r = ftruncate(f->host_fd, (off_t)size);
  while (r != 0 && errno == EINTR);
  return r == 0 ? WASI_ESUCCESS : (uint32_t)wasi_errno_from(errno);
}

int32_t wasi_fst_times(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec ts[2]) {
  if (flags & ~(uint32_t)(FST_ATIM | FST_ATIM_NOW | FST_MTIM | FST_MTIM_NOW)) return WASI_EINVAL;
  if ((flags & FST_ATIM && flags & FST_ATIM_NOW) || (flags & FST_MTIM && flags & FST_MTIM_NOW))
    return WASI_EINVAL;
  uint64_t t[2] = {atim, mtim};
  uint32_t set[2] = {FST_ATIM, FST_MTIM}, now[2] = {FST_ATIM_NOW, FST_MTIM_NOW};
  for (int i = 0; i < 2; i++) {
    if (flags & set[i])
      ts[i] = (struct timespec){.tv_sec = (time_t)(t[i] / 1000000000u),
                                .tv_nsec = (long)(t[i] % 1000000000u)};
    else
      ts[i] = (struct timespec){.tv_sec = 0, .tv_nsec = flags & now[i] ? UTIME_NOW : UTIME_OMIT};
  }
  return WASI_ESUCCESS;
}

/* fst_flags is a u16: ATIM, ATIM_NOW, MTIM, MTIM_NOW. */
uint32_t wasi_fd_filestat_set_times(wasi_ctx *ctx, uint32_t fd, uint64_t atim, uint64_t mtim,
                                    uint32_t fst_flags) {
  wasi_fd *f;
  int32_t e = wasi_fd_lookup(ctx, (int32_t)fd, WASI_RIGHT_FD_FILESTAT_SET_TIMES, &f);
  if (e) return (uint32_t)e;
  struct timespec ts[2];
  e = wasi_fst_times(atim, mtim, fst_flags, ts);
  if (e) return (uint32_t)e;
  return futimens(f->host_fd, ts) == 0 ? WASI_ESUCCESS : (uint32_t)wasi_errno_from(errno);
}
