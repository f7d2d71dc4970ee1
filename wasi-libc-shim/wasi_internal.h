/* wasi_internal.h: what the files of the WASI shim share: the context and
 * its fd table, the guest-memory accessors (bounds-checked), the preview1
 * constants (errno, filetypes, flags) and the host callbacks per area. */
#ifndef WASMC_WASI_INTERNAL_H
#define WASMC_WASI_INTERNAL_H

#include <string.h>

#include "wasi.h"

/* ---- preview1 constants ------------------------------------------------ */
enum {
  WASI_ESUCCESS = 0, WASI_E2BIG = 1, WASI_EACCES = 2, WASI_EADDRINUSE = 3,
  WASI_EADDRNOTAVAIL = 4, WASI_EAFNOSUPPORT = 5, WASI_EAGAIN = 6, WASI_EALREADY = 7,
  WASI_EBADF = 8, WASI_EBADMSG = 9, WASI_EBUSY = 10, WASI_ECANCELED = 11,
  WASI_ECHILD = 12, WASI_ECONNABORTED = 13, WASI_ECONNREFUSED = 14,
  WASI_ECONNRESET = 15, WASI_EDEADLK = 16, WASI_EDESTADDRREQ = 17, WASI_EDOM = 18,
  WASI_EDQUOT = 19, WASI_EEXIST = 20, WASI_EFAULT = 21, WASI_EFBIG = 22,
  WASI_EHOSTUNREACH = 23, WASI_EIDRM = 24, WASI_EILSEQ = 25, WASI_EINPROGRESS = 26,
  WASI_EINTR = 27, WASI_EINVAL = 28, WASI_EIO = 29, WASI_EISCONN = 30,
  WASI_EISDIR = 31, WASI_ELOOP = 32, WASI_EMFILE = 33, WASI_EMLINK = 34,
  WASI_EMSGSIZE = 35, WASI_EMULTIHOP = 36, WASI_ENAMETOOLONG = 37,
  WASI_ENETDOWN = 38, WASI_ENETRESET = 39, WASI_ENETUNREACH = 40, WASI_ENFILE = 41,
  WASI_ENOBUFS = 42, WASI_ENODEV = 43, WASI_ENOENT = 44, WASI_ENOEXEC = 45,
  WASI_ENOLCK = 46, WASI_ENOLINK = 47, WASI_ENOMEM = 48, WASI_ENOMSG = 49,
  WASI_ENOPROTOOPT = 50, WASI_ENOSPC = 51, WASI_ENOSYS = 52, WASI_ENOTCONN = 53,
  WASI_ENOTDIR = 54, WASI_ENOTEMPTY = 55, WASI_ENOTRECOVERABLE = 56,
  WASI_ENOTSOCK = 57, WASI_ENOTSUP = 58, WASI_ENOTTY = 59, WASI_ENXIO = 60,
  WASI_EOVERFLOW = 61, WASI_EOWNERDEAD = 62, WASI_EPERM = 63, WASI_EPIPE = 64,
  WASI_EPROTO = 65, WASI_EPROTONOSUPPORT = 66, WASI_EPROTOTYPE = 67,
  WASI_ERANGE = 68, WASI_EROFS = 69, WASI_ESPIPE = 70, WASI_ESRCH = 71,
  WASI_ESTALE = 72, WASI_ETIMEDOUT = 73, WASI_ETXTBSY = 74, WASI_EXDEV = 75,
  WASI_ENOTCAPABLE = 76,
};

enum {
  WASI_FILETYPE_UNKNOWN = 0, WASI_FILETYPE_BLOCK_DEVICE = 1,
  WASI_FILETYPE_CHARACTER_DEVICE = 2, WASI_FILETYPE_DIRECTORY = 3,
  WASI_FILETYPE_REGULAR_FILE = 4, WASI_FILETYPE_SOCKET_DGRAM = 5,
  WASI_FILETYPE_SOCKET_STREAM = 6, WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

enum {
  WASI_FDFLAG_APPEND = 1, WASI_FDFLAG_DSYNC = 2, WASI_FDFLAG_NONBLOCK = 4,
  WASI_FDFLAG_RSYNC = 8, WASI_FDFLAG_SYNC = 16,
};

/* Every right of preview1 (bits 0..28). Rights are not enforced yet
 * (issue 4 continues): fds report all of them. */
#define WASI_RIGHTS_ALL UINT64_C(0x1FFFFFFF)

/* ---- the context --------------------------------------------------------- */

typedef struct {
  bool used;
  bool owned;        /* the ctx opened host_fd and closes it */
  int host_fd;
  char *preopen;     /* guest name of a preopened directory, else NULL */
} wasi_fd;

struct wasi_ctx {
  char **argv;
  uint32_t argc;
  char **env;
  uint32_t nenv;
  wasi_fd *fds;
  uint32_t nfds;
  wasmrt_memory *mem;
  wasmrt_host_func **funcs; /* bound host functions, freed with the ctx */
  uint32_t nfuncs, funcs_cap;
  bool exited;
  uint32_t exit_code;
};

/* errno -> WASI errno. */
int32_t wasi_errno_from(int e);

/* The host address of guest range [ptr, ptr+len), or NULL when any of it
 * lies outside the memory's current size (or there is no memory). len 0 is
 * fine anywhere up to the end. */
static inline uint8_t *wasi_mem(wasi_ctx *ctx, uint32_t ptr, uint64_t len) {
  if (!ctx->mem || (uint64_t)ptr + len > ctx->mem->size) return NULL;
  return ctx->mem->base + ptr;
}
/* Unaligned little-endian stores/loads into already checked memory. */
static inline void wasi_put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void wasi_put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline void wasi_put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline uint32_t wasi_get_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* The fd table entry of guest fd, or NULL when it is not open. */
wasi_fd *wasi_fd_get(wasi_ctx *ctx, int32_t fd);

/* ---- host callbacks (wasmrt_host_callback), one per preview1 function -- */
#define WASI_CB(name) bool wasi_cb_##name(void *env, wasmrt_val *v, char *msg, size_t msg_size)
WASI_CB(args_get); WASI_CB(args_sizes_get);
WASI_CB(environ_get); WASI_CB(environ_sizes_get);
WASI_CB(clock_res_get); WASI_CB(clock_time_get); WASI_CB(random_get);
WASI_CB(fd_write); WASI_CB(fd_read); WASI_CB(fd_close); WASI_CB(fd_seek);
WASI_CB(fd_tell); WASI_CB(fd_fdstat_get); WASI_CB(fd_prestat_get);
WASI_CB(fd_prestat_dir_name);
WASI_CB(proc_exit); WASI_CB(sched_yield);
WASI_CB(nosys);

/* Results of every preview1 function but proc_exit: one i32 errno. */
static inline bool wasi_ret(wasmrt_val *v, int32_t e) {
  v[0].i32 = e;
  return true;
}

#endif
