/* wasi_host.c: a minimal WASI preview1 host for wasm2c output, enough for
 * the C benchmarks of bench/ (clang --target=wasm32-wasi, wasi-libc).
 *
 * Implemented: fd_write to stdout/stderr, fd_read from stdin, fd_seek /
 * fd_tell / fd_fdstat_get / fd_close on fds 0-2, args from the host's
 * argv, an empty environment, clock_time_get / clock_res_get, random_get,
 * sched_yield, proc_exit (longjmp to the driver). fd_prestat_get answers
 * EBADF, so wasi-libc finds no preopened directories. Every other preview1
 * function is defined too, so that any module links, and returns ENOSYS.
 *
 * Names and signatures follow what wasm2c of wabt 1.0.32 (Debian 12)
 * generates: import F of module "wasi_snapshot_preview1" is the C function
 * Z_wasi_snapshot_preview1Z_F(struct Z_wasi_snapshot_preview1_instance_t *,
 * params...), with i32 as u32 and i64 as u64. build.sh compiles this file
 * with -DWASI_HOST_CHECK, which includes the generated header, so that the
 * compiler checks every signature the module actually imports against the
 * definitions here. */
#define _GNU_SOURCE /* getrandom, sched_yield, clock ids */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "wasi_host.h"
#ifdef WASI_HOST_CHECK
#include "guest.h"
#endif

/* wasm2c stores linear memory byte-reversed on big-endian hosts; the
 * accessors below assume the plain little-endian layout. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "wasi_host.c supports little-endian hosts only"
#endif

#define WASI(name) Z_wasi_snapshot_preview1Z_##name

/* preview1 errno values (witx "errno"). */
enum {
  WASI_ESUCCESS = 0,
  WASI_EAGAIN = 6,
  WASI_EBADF = 8,
  WASI_EFAULT = 21,
  WASI_EFBIG = 22,
  WASI_EINTR = 27,
  WASI_EINVAL = 28,
  WASI_EIO = 29,
  WASI_EISDIR = 31,
  WASI_ENOSPC = 51,
  WASI_ENOSYS = 52,
  WASI_EOVERFLOW = 61,
  WASI_EPERM = 63,
  WASI_EPIPE = 64,
  WASI_ESPIPE = 70,
};

/* preview1 filetype values and the fd rights bits this host reports. */
enum {
  WASI_FILETYPE_UNKNOWN = 0,
  WASI_FILETYPE_BLOCK_DEVICE = 1,
  WASI_FILETYPE_CHARACTER_DEVICE = 2,
  WASI_FILETYPE_DIRECTORY = 3,
  WASI_FILETYPE_REGULAR_FILE = 4,
  WASI_FILETYPE_SOCKET_STREAM = 6,
  WASI_FILETYPE_SYMBOLIC_LINK = 7,
};
#define WASI_RIGHT_FD_READ (UINT64_C(1) << 1)
#define WASI_RIGHT_FD_SEEK (UINT64_C(1) << 2)
#define WASI_RIGHT_FD_TELL (UINT64_C(1) << 5)
#define WASI_RIGHT_FD_WRITE (UINT64_C(1) << 6)

void wasi_host_init(wasi_host *host, int argc, char **argv) {
  memset(host, 0, sizeof *host);
  host->argc = argc;
  host->argv = argv;
}

/* ---- guest memory ---- */

/* The guest range [addr, addr + len) as a host pointer, or NULL when it
 * does not lie inside linear memory: a bad pointer from the guest becomes
 * EFAULT instead of a host crash. */
static uint8_t *span(wasi_host *h, uint32_t addr, uint64_t len) {
  if ((uint64_t)addr + len > h->memory->size) return NULL;
  return h->memory->data + addr;
}

static uint32_t get_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof v); }
static void put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof v); }

/* Host errno -> preview1 errno, for the calls that reach the kernel. */
static uint32_t wasi_errno(int e) {
  switch (e) {
  case EAGAIN: return WASI_EAGAIN;
  case EBADF: return WASI_EBADF;
  case EFAULT: return WASI_EFAULT;
  case EFBIG: return WASI_EFBIG;
  case EINTR: return WASI_EINTR;
  case EINVAL: return WASI_EINVAL;
  case EISDIR: return WASI_EISDIR;
  case ENOSPC: return WASI_ENOSPC;
  case EOVERFLOW: return WASI_EOVERFLOW;
  case EPERM: return WASI_EPERM;
  case EPIPE: return WASI_EPIPE;
  case ESPIPE: return WASI_ESPIPE;
  default: return WASI_EIO;
  }
}

/* ---- fds 0-2 ---- */

/* fd_read / fd_write: gather the guest's iovec array ({u32 buf, u32 len}
 * each) into host iovecs, a batch at a time, so that wasi-libc's usual
 * two-iovec write is one writev system call. Stops at the first short
 * transfer and reports what was moved, as POSIX readv/writev do. */
static uint32_t do_io(wasi_host *h, int fd, int writing, uint32_t iovs, uint32_t iovs_len,
                      uint32_t done_ptr) {
  enum { BATCH = 32 };
  uint8_t *done = span(h, done_ptr, 4);
  const uint8_t *list = span(h, iovs, (uint64_t)iovs_len * 8);
  if (!done || !list) return WASI_EFAULT;

  uint64_t total = 0;
  uint32_t i = 0;
  while (i < iovs_len) {
    struct iovec vec[BATCH];
    size_t want = 0;
    int n = 0;
    for (; i < iovs_len && n < BATCH; i++, n++) {
      uint32_t buf = get_u32(list + 8 * i), len = get_u32(list + 8 * i + 4);
      uint8_t *p = span(h, buf, len);
      if (!p) return WASI_EFAULT;
      vec[n].iov_base = p;
      vec[n].iov_len = len;
      want += len;
    }
    ssize_t got;
    do got = writing ? writev(fd, vec, n) : readv(fd, vec, n);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
      if (total == 0) return wasi_errno(errno);
      break; /* report the part that was transferred */
    }
    total += (uint64_t)got;
    if ((size_t)got < want) break;
  }
  put_u32(done, total > UINT32_MAX ? UINT32_MAX : (uint32_t)total);
  return WASI_ESUCCESS;
}

uint32_t WASI(fd_write)(wasi_host *h, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                        uint32_t nwritten) {
  if (fd != 1 && fd != 2) return WASI_EBADF;
  return do_io(h, (int)fd, 1, iovs, iovs_len, nwritten);
}

uint32_t WASI(fd_read)(wasi_host *h, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                       uint32_t nread) {
  if (fd != 0) return WASI_EBADF;
  return do_io(h, 0, 0, iovs, iovs_len, nread);
}

/* preview1 whence values (SET, CUR, END = 0, 1, 2) equal Linux's. */
uint32_t WASI(fd_seek)(wasi_host *h, uint32_t fd, uint64_t offset, uint32_t whence,
                       uint32_t newoffset) {
  if (fd > 2) return WASI_EBADF;
  if (whence > 2) return WASI_EINVAL;
  uint8_t *out = span(h, newoffset, 8);
  if (!out) return WASI_EFAULT;
  off_t pos = lseek((int)fd, (off_t)(int64_t)offset, (int)whence);
  if (pos < 0) return wasi_errno(errno);
  put_u64(out, (uint64_t)pos);
  return WASI_ESUCCESS;
}

uint32_t WASI(fd_tell)(wasi_host *h, uint32_t fd, uint32_t offset) {
  return WASI(fd_seek)(h, fd, 0, SEEK_CUR, offset);
}

/* fdstat (24 bytes): u8 filetype @0, u16 flags @2, u64 rights_base @8,
 * u64 rights_inheriting @16. wasi-libc's isatty() says yes only for a
 * character device without the SEEK and TELL rights, and stdio line-
 * buffers stdout only on a tty. So a real tty gets exactly that, and
 * anything else (file, pipe, /dev/null) its type plus SEEK|TELL: stdout is
 * then fully buffered, as a native program's is. */
uint32_t WASI(fd_fdstat_get)(wasi_host *h, uint32_t fd, uint32_t buf) {
  if (fd > 2) return WASI_EBADF;
  uint8_t *out = span(h, buf, 24);
  if (!out) return WASI_EFAULT;
  struct stat st;
  if (fstat((int)fd, &st) != 0) return wasi_errno(errno);

  uint8_t type = WASI_FILETYPE_UNKNOWN;
  uint64_t rights = WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE;
  if (isatty((int)fd)) {
    type = WASI_FILETYPE_CHARACTER_DEVICE;
  } else {
    rights |= WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL;
    if (S_ISREG(st.st_mode)) type = WASI_FILETYPE_REGULAR_FILE;
    else if (S_ISCHR(st.st_mode)) type = WASI_FILETYPE_CHARACTER_DEVICE;
    else if (S_ISBLK(st.st_mode)) type = WASI_FILETYPE_BLOCK_DEVICE;
    else if (S_ISDIR(st.st_mode)) type = WASI_FILETYPE_DIRECTORY;
    else if (S_ISSOCK(st.st_mode)) type = WASI_FILETYPE_SOCKET_STREAM;
    else if (S_ISLNK(st.st_mode)) type = WASI_FILETYPE_SYMBOLIC_LINK;
  }
  memset(out, 0, 24);
  out[0] = type;
  put_u64(out + 8, rights);
  return WASI_ESUCCESS;
}

/* The guest's stdio streams stay open on the host: the driver may still
 * have a trap message to print. */
uint32_t WASI(fd_close)(wasi_host *h, uint32_t fd) {
  (void)h;
  return fd <= 2 ? WASI_ESUCCESS : WASI_EBADF;
}

/* No preopened directories: wasi-libc probes fd 3, 4, ... until EBADF. */
uint32_t WASI(fd_prestat_get)(wasi_host *h, uint32_t fd, uint32_t buf) {
  (void)h, (void)fd, (void)buf;
  return WASI_EBADF;
}

uint32_t WASI(fd_prestat_dir_name)(wasi_host *h, uint32_t fd, uint32_t path,
                                   uint32_t path_len) {
  (void)h, (void)fd, (void)path, (void)path_len;
  return WASI_EBADF;
}

/* ---- args and environment ---- */

uint32_t WASI(args_sizes_get)(wasi_host *h, uint32_t argc_ptr, uint32_t buf_size_ptr) {
  uint8_t *pc = span(h, argc_ptr, 4), *ps = span(h, buf_size_ptr, 4);
  if (!pc || !ps) return WASI_EFAULT;
  uint64_t size = 0;
  for (int i = 0; i < h->argc; i++) size += strlen(h->argv[i]) + 1;
  if (size > UINT32_MAX) return WASI_EOVERFLOW;
  put_u32(pc, (uint32_t)h->argc);
  put_u32(ps, (uint32_t)size);
  return WASI_ESUCCESS;
}

/* argv_ptr receives argc u32 pointers into buf_ptr, where the strings go
 * NUL-terminated one after the other; the guest sized both buffers with
 * args_sizes_get. */
uint32_t WASI(args_get)(wasi_host *h, uint32_t argv_ptr, uint32_t buf_ptr) {
  uint8_t *vec = span(h, argv_ptr, 4 * (uint64_t)h->argc);
  if (!vec) return WASI_EFAULT;
  uint32_t at = buf_ptr;
  for (int i = 0; i < h->argc; i++) {
    size_t len = strlen(h->argv[i]) + 1;
    uint8_t *dst = span(h, at, len);
    if (!dst) return WASI_EFAULT;
    memcpy(dst, h->argv[i], len);
    put_u32(vec + 4 * i, at);
    at += (uint32_t)len;
  }
  return WASI_ESUCCESS;
}

/* An empty environment: results do not depend on the caller's. */
uint32_t WASI(environ_sizes_get)(wasi_host *h, uint32_t count_ptr, uint32_t buf_size_ptr) {
  uint8_t *pc = span(h, count_ptr, 4), *ps = span(h, buf_size_ptr, 4);
  if (!pc || !ps) return WASI_EFAULT;
  put_u32(pc, 0);
  put_u32(ps, 0);
  return WASI_ESUCCESS;
}

uint32_t WASI(environ_get)(wasi_host *h, uint32_t environ_ptr, uint32_t buf_ptr) {
  (void)h, (void)environ_ptr, (void)buf_ptr;
  return WASI_ESUCCESS;
}

/* ---- clocks, randomness, scheduling, exit ---- */

/* preview1 clock ids: REALTIME, MONOTONIC, PROCESS_CPUTIME_ID,
 * THREAD_CPUTIME_ID. */
static int host_clock(uint32_t id, clockid_t *out) {
  static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                  CLOCK_THREAD_CPUTIME_ID};
  if (id >= sizeof ids / sizeof ids[0]) return 0;
  *out = ids[id];
  return 1;
}

static uint64_t nanoseconds(const struct timespec *ts) {
  return (uint64_t)ts->tv_sec * UINT64_C(1000000000) + (uint64_t)ts->tv_nsec;
}

/* The precision hint is ignored: clock_gettime is always as precise as it
 * can be. */
uint32_t WASI(clock_time_get)(wasi_host *h, uint32_t id, uint64_t precision, uint32_t time_ptr) {
  (void)precision;
  clockid_t clk;
  if (!host_clock(id, &clk)) return WASI_EINVAL;
  uint8_t *out = span(h, time_ptr, 8);
  if (!out) return WASI_EFAULT;
  struct timespec ts;
  if (clock_gettime(clk, &ts) != 0) return wasi_errno(errno);
  put_u64(out, nanoseconds(&ts));
  return WASI_ESUCCESS;
}

uint32_t WASI(clock_res_get)(wasi_host *h, uint32_t id, uint32_t res_ptr) {
  clockid_t clk;
  if (!host_clock(id, &clk)) return WASI_EINVAL;
  uint8_t *out = span(h, res_ptr, 8);
  if (!out) return WASI_EFAULT;
  struct timespec ts;
  if (clock_getres(clk, &ts) != 0) return wasi_errno(errno);
  put_u64(out, nanoseconds(&ts));
  return WASI_ESUCCESS;
}

uint32_t WASI(random_get)(wasi_host *h, uint32_t buf, uint32_t buf_len) {
  uint8_t *p = span(h, buf, buf_len);
  if (!p) return WASI_EFAULT;
  /* getrandom returns at most 32 MiB per call and may be interrupted. */
  for (uint32_t got = 0; got < buf_len;) {
    ssize_t n = getrandom(p + got, buf_len - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return wasi_errno(errno);
    }
    got += (uint32_t)n;
  }
  return WASI_ESUCCESS;
}

uint32_t WASI(sched_yield)(wasi_host *h) {
  (void)h;
  sched_yield();
  return WASI_ESUCCESS;
}

/* proc_exit never returns to the guest: unwind to the driver, which then
 * exits with the code. */
void WASI(proc_exit)(wasi_host *h, uint32_t code) {
  h->exit_code = (int)code;
  longjmp(h->exit_jmp, 1);
}

/* ---- everything else: ENOSYS ---- */

/* These stubs ignore their arguments by design; the parameters are named
 * only because C17 requires names in a definition. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"

uint32_t WASI(fd_advise)(wasi_host *h, uint32_t fd, uint64_t off, uint64_t len, uint32_t adv) {
  return WASI_ENOSYS;
}
uint32_t WASI(fd_allocate)(wasi_host *h, uint32_t fd, uint64_t off, uint64_t len) {
  return WASI_ENOSYS;
}
uint32_t WASI(fd_datasync)(wasi_host *h, uint32_t fd) { return WASI_ENOSYS; }
uint32_t WASI(fd_fdstat_set_flags)(wasi_host *h, uint32_t fd, uint32_t flags) {
  return WASI_ENOSYS;
}
uint32_t WASI(fd_fdstat_set_rights)(wasi_host *h, uint32_t fd, uint64_t base, uint64_t inh) {
  return WASI_ENOSYS;
}
uint32_t WASI(fd_filestat_get)(wasi_host *h, uint32_t fd, uint32_t buf) { return WASI_ENOSYS; }
uint32_t WASI(fd_filestat_set_size)(wasi_host *h, uint32_t fd, uint64_t size) {
  return WASI_ENOSYS;
}
uint32_t WASI(fd_filestat_set_times)(wasi_host *h, uint32_t fd, uint64_t atim, uint64_t mtim,
                                     uint32_t flags) {
  return WASI_ENOSYS;
}
uint32_t WASI(fd_pread)(wasi_host *h, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t off,
                        uint32_t nread) {
  return WASI_ENOSYS;
}
uint32_t WASI(fd_pwrite)(wasi_host *h, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t off,
                         uint32_t nwritten) {
  return WASI_ENOSYS;
}
uint32_t WASI(fd_readdir)(wasi_host *h, uint32_t fd, uint32_t buf, uint32_t len,
                          uint64_t cookie, uint32_t used) {
  return WASI_ENOSYS;
}
uint32_t WASI(fd_renumber)(wasi_host *h, uint32_t fd, uint32_t to) { return WASI_ENOSYS; }
uint32_t WASI(fd_sync)(wasi_host *h, uint32_t fd) { return WASI_ENOSYS; }
uint32_t WASI(path_create_directory)(wasi_host *h, uint32_t fd, uint32_t path, uint32_t len) {
  return WASI_ENOSYS;
}
uint32_t WASI(path_filestat_get)(wasi_host *h, uint32_t fd, uint32_t flags, uint32_t path,
                                 uint32_t len, uint32_t buf) {
  return WASI_ENOSYS;
}
uint32_t WASI(path_filestat_set_times)(wasi_host *h, uint32_t fd, uint32_t flags, uint32_t path,
                                       uint32_t len, uint64_t atim, uint64_t mtim,
                                       uint32_t fst_flags) {
  return WASI_ENOSYS;
}
uint32_t WASI(path_link)(wasi_host *h, uint32_t old_fd, uint32_t old_flags, uint32_t old_path,
                         uint32_t old_len, uint32_t new_fd, uint32_t new_path,
                         uint32_t new_len) {
  return WASI_ENOSYS;
}
uint32_t WASI(path_open)(wasi_host *h, uint32_t fd, uint32_t dirflags, uint32_t path,
                         uint32_t len, uint32_t oflags, uint64_t base, uint64_t inh,
                         uint32_t fdflags, uint32_t fd_ptr) {
  return WASI_ENOSYS;
}
uint32_t WASI(path_readlink)(wasi_host *h, uint32_t fd, uint32_t path, uint32_t len,
                             uint32_t buf, uint32_t buf_len, uint32_t used) {
  return WASI_ENOSYS;
}
uint32_t WASI(path_remove_directory)(wasi_host *h, uint32_t fd, uint32_t path, uint32_t len) {
  return WASI_ENOSYS;
}
uint32_t WASI(path_rename)(wasi_host *h, uint32_t fd, uint32_t old_path, uint32_t old_len,
                           uint32_t new_fd, uint32_t new_path, uint32_t new_len) {
  return WASI_ENOSYS;
}
uint32_t WASI(path_symlink)(wasi_host *h, uint32_t old_path, uint32_t old_len, uint32_t fd,
                            uint32_t new_path, uint32_t new_len) {
  return WASI_ENOSYS;
}
uint32_t WASI(path_unlink_file)(wasi_host *h, uint32_t fd, uint32_t path, uint32_t len) {
  return WASI_ENOSYS;
}
uint32_t WASI(poll_oneoff)(wasi_host *h, uint32_t in, uint32_t out, uint32_t nsubs,
                           uint32_t nevents) {
  return WASI_ENOSYS;
}
uint32_t WASI(proc_raise)(wasi_host *h, uint32_t sig) { return WASI_ENOSYS; }
uint32_t WASI(sock_accept)(wasi_host *h, uint32_t fd, uint32_t flags, uint32_t fd_ptr) {
  return WASI_ENOSYS;
}
uint32_t WASI(sock_recv)(wasi_host *h, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t flags,
                         uint32_t len_ptr, uint32_t flags_ptr) {
  return WASI_ENOSYS;
}
uint32_t WASI(sock_send)(wasi_host *h, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t flags,
                         uint32_t len_ptr) {
  return WASI_ENOSYS;
}
uint32_t WASI(sock_shutdown)(wasi_host *h, uint32_t fd, uint32_t how) { return WASI_ENOSYS; }

#pragma GCC diagnostic pop
