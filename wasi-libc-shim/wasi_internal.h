/* wasi_internal.h: what the files of the WASI shim share: the context and
 * its fd table, the guest-memory accessors (bounds-checked), the preview1
 * constants (errno, filetypes, flags) and the host callbacks per area. */
#ifndef WASMC_WASI_INTERNAL_H
#define WASMC_WASI_INTERNAL_H

#include <string.h>
#include <sys/stat.h>
#include <time.h>

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

/* Rights (preview1 bits 0..29). Every guest fd carries a base set (what
 * the fd itself may do) and an inheriting set (the most that fds opened
 * through it may get); a call needing a right the fd lacks returns
 * NOTCAPABLE (76). path_open gives the new fd requested & parent's
 * inheriting; fd_fdstat_set_rights can only drop rights. */
enum {
  WASI_RIGHT_FD_DATASYNC = 1 << 0, WASI_RIGHT_FD_READ = 1 << 1,
  WASI_RIGHT_FD_SEEK = 1 << 2, WASI_RIGHT_FD_FDSTAT_SET_FLAGS = 1 << 3,
  WASI_RIGHT_FD_SYNC = 1 << 4, WASI_RIGHT_FD_TELL = 1 << 5,
  WASI_RIGHT_FD_WRITE = 1 << 6, WASI_RIGHT_FD_ADVISE = 1 << 7,
  WASI_RIGHT_FD_ALLOCATE = 1 << 8, WASI_RIGHT_PATH_CREATE_DIRECTORY = 1 << 9,
  WASI_RIGHT_PATH_CREATE_FILE = 1 << 10, WASI_RIGHT_PATH_LINK_SOURCE = 1 << 11,
  WASI_RIGHT_PATH_LINK_TARGET = 1 << 12, WASI_RIGHT_PATH_OPEN = 1 << 13,
  WASI_RIGHT_FD_READDIR = 1 << 14, WASI_RIGHT_PATH_READLINK = 1 << 15,
  WASI_RIGHT_PATH_RENAME_SOURCE = 1 << 16, WASI_RIGHT_PATH_RENAME_TARGET = 1 << 17,
  WASI_RIGHT_PATH_FILESTAT_GET = 1 << 18, WASI_RIGHT_PATH_FILESTAT_SET_SIZE = 1 << 19,
  WASI_RIGHT_PATH_FILESTAT_SET_TIMES = 1 << 20, WASI_RIGHT_FD_FILESTAT_GET = 1 << 21,
  WASI_RIGHT_FD_FILESTAT_SET_SIZE = 1 << 22, WASI_RIGHT_FD_FILESTAT_SET_TIMES = 1 << 23,
  WASI_RIGHT_PATH_SYMLINK = 1 << 24, WASI_RIGHT_PATH_REMOVE_DIRECTORY = 1 << 25,
  WASI_RIGHT_PATH_UNLINK_FILE = 1 << 26, WASI_RIGHT_POLL_FD_READWRITE = 1 << 27,
  WASI_RIGHT_SOCK_SHUTDOWN = 1 << 28, WASI_RIGHT_SOCK_ACCEPT = 1 << 29,
};
#define WASI_RIGHTS_ALL UINT64_C(0x3FFFFFFF)
/* What a regular file / character device / socket / directory fd can
 * usefully hold; a new fd's base rights are masked with the set of its
 * type (as wasmtime does), so fdstat reports meaningful rights. */
#define WASI_RIGHTS_FILE                                                          \
  (uint64_t)(WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |    \
             WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL | \
             WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE | WASI_RIGHT_FD_ALLOCATE |      \
             WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE |             \
             WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_DIR                                                            \
  (uint64_t)(WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC |                  \
             WASI_RIGHT_FD_ADVISE | WASI_RIGHT_PATH_CREATE_DIRECTORY |              \
             WASI_RIGHT_PATH_CREATE_FILE | WASI_RIGHT_PATH_LINK_SOURCE |            \
             WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_OPEN | WASI_RIGHT_FD_READDIR | \
             WASI_RIGHT_PATH_READLINK | WASI_RIGHT_PATH_RENAME_SOURCE |             \
             WASI_RIGHT_PATH_RENAME_TARGET | WASI_RIGHT_PATH_FILESTAT_GET |         \
             WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WASI_RIGHT_PATH_FILESTAT_SET_TIMES | \
             WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_TIMES |        \
             WASI_RIGHT_PATH_SYMLINK | WASI_RIGHT_PATH_REMOVE_DIRECTORY |           \
             WASI_RIGHT_PATH_UNLINK_FILE | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_SOCKET                                                         \
  (uint64_t)(WASI_RIGHT_FD_READ | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_WRITE | \
             WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_POLL_FD_READWRITE |            \
             WASI_RIGHT_SOCK_SHUTDOWN | WASI_RIGHT_SOCK_ACCEPT)

/* ---- the context --------------------------------------------------------- */

struct wasi_dir_stream; /* fd_readdir state of a directory fd (readdir.c) */

typedef struct {
  bool used;
  bool owned;        /* the ctx opened host_fd and closes it */
  int host_fd;
  char *preopen;     /* guest name of a preopened directory, else NULL */
  uint8_t filetype;  /* WASI_FILETYPE_*, fixed when the fd is installed */
  uint64_t rights_base, rights_inheriting;
  struct wasi_dir_stream *dir; /* lazily created by fd_readdir, else NULL */
} wasi_fd;

struct wasi_ctx {
  char **argv;
  uint32_t argc;
  char **env;
  uint32_t nenv;
  wasi_fd *fds;
  uint32_t nfds;     /* slots in fds (used or not); grows on demand */
  wasmrt_memory *mem;
  wasmrt_host_func **funcs; /* bound host functions, freed with the ctx */
  uint32_t nfuncs, funcs_cap;
  bool exited;
  uint32_t exit_code;
  int raised_signal; /* host signal number after proc_raise ended the run, else 0 */
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
/* The entry of guest fd if it holds every right in `need`: SUCCESS and
 * *out, else BADF (not open) or NOTCAPABLE (a right missing). */
int32_t wasi_fd_lookup(wasi_ctx *ctx, int32_t fd, uint64_t need, wasi_fd **out);
/* Installs host_fd (owned by the ctx from now on, even on failure) at the
 * lowest free guest fd, with filetype and rights (base is masked with the
 * set for its filetype). SUCCESS + *guest_fd, or NFILE/NOMEM. */
int32_t wasi_fd_install(wasi_ctx *ctx, int host_fd, uint8_t filetype, uint64_t base,
                        uint64_t inheriting, uint32_t *guest_fd);
/* Closes an entry: the host fd when owned, its readdir stream, its name;
 * leaves it unused. Returns the errno of close(2) as a WASI errno. */
int32_t wasi_fd_release(wasi_fd *f);
/* The WASI filetype of a host file (host_fd tells sockets apart). */
uint8_t wasi_filetype_of(unsigned mode, int host_fd);
/* The right set a new fd of this filetype can hold at most. */
uint64_t wasi_rights_for(uint8_t filetype);
/* Writes the 64-byte filestat of st, with the given WASI filetype, to
 * checked guest memory (fd_file.c). */
void wasi_put_filestat(uint8_t *out, const struct stat *st, uint8_t filetype);
/* fst_flags (ATIM, ATIM_NOW, MTIM, MTIM_NOW) + the two times -> the
 * timespecs of futimens/utimensat (a time, UTIME_NOW or UTIME_OMIT);
 * INVAL for unknown bits or a time together with NOW (fd_file.c). */
int32_t wasi_fst_times(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec ts[2]);
/* Frees a readdir stream (readdir.c); NULL is fine. */
void wasi_dir_stream_free(struct wasi_dir_stream *d);
/* Guest iovec array (iovs, n) -> malloc'ed host iovecs (at most IOV_MAX:
 * the rest is a short transfer), every buffer bounds-checked (fd.c;
 * sock.c shares it). A WASI errno. */
struct iovec;
int32_t wasi_host_iovs(wasi_ctx *ctx, uint32_t iovs, uint32_t n, struct iovec **out, int *count);

/* ---- paths (path_resolve.c): resolution beneath a directory fd -------- */
/* A resolved guest path: the directory holding the last component, opened
 * beneath the base (the caller closes it with wasi_path_done), and that
 * component, a plain name or "." (a final `..` resolves to the directory
 * itself), never containing '/'. With `follow`, a symlink in the last
 * place has been expanded (beneath too). must_dir: the path ended in '/'. */
typedef struct {
  int dirfd;
  char *leaf;
  bool must_dir;
} wasi_path;
/* Guest (ptr, len) -> malloc'ed C string: FAULT out of bounds, INVAL with
 * a NUL inside, NAMETOOLONG from PATH_MAX bytes. */
int32_t wasi_path_copy(wasi_ctx *ctx, uint32_t ptr, uint32_t len, char **out);
/* Absolute -> NOTCAPABLE, escaping -> NOTCAPABLE, too many links -> LOOP. */
int32_t wasi_path_resolve(int base_fd, const char *path, bool follow, wasi_path *out);
void wasi_path_done(wasi_path *p);
/* openat(2) of path beneath base_fd (O_CLOEXEC added; O_NOFOLLOW unless
 * follow): *host_fd, or a WASI errno. */
int32_t wasi_path_openat(int base_fd, const char *path, int flags, unsigned mode, bool follow,
                         int *host_fd);

/* ---- host callbacks (wasmrt_host_callback), one per preview1 function -- */
#define WASI_CB(name) bool wasi_cb_##name(void *env, wasmrt_val *v, char *msg, size_t msg_size)
/* args_env.c */
WASI_CB(args_get); WASI_CB(args_sizes_get);
WASI_CB(environ_get); WASI_CB(environ_sizes_get);
/* clock_random.c */
WASI_CB(clock_res_get); WASI_CB(clock_time_get); WASI_CB(random_get);
/* fd.c: stream I/O and fd state */
WASI_CB(fd_write); WASI_CB(fd_read); WASI_CB(fd_pread); WASI_CB(fd_pwrite);
WASI_CB(fd_close); WASI_CB(fd_seek); WASI_CB(fd_tell); WASI_CB(fd_renumber);
WASI_CB(fd_fdstat_get); WASI_CB(fd_fdstat_set_flags); WASI_CB(fd_fdstat_set_rights);
WASI_CB(fd_prestat_get); WASI_CB(fd_prestat_dir_name);
/* fd_file.c: file contents and metadata through an fd */
WASI_CB(fd_advise); WASI_CB(fd_allocate); WASI_CB(fd_datasync); WASI_CB(fd_sync);
WASI_CB(fd_filestat_get); WASI_CB(fd_filestat_set_size); WASI_CB(fd_filestat_set_times);
/* readdir.c */
WASI_CB(fd_readdir);
/* path.c (on top of path_resolve.c) */
WASI_CB(path_create_directory); WASI_CB(path_filestat_get);
WASI_CB(path_filestat_set_times); WASI_CB(path_link); WASI_CB(path_open);
WASI_CB(path_readlink); WASI_CB(path_remove_directory); WASI_CB(path_rename);
WASI_CB(path_symlink); WASI_CB(path_unlink_file);
/* poll.c */
WASI_CB(poll_oneoff);
/* sock.c */
WASI_CB(sock_accept); WASI_CB(sock_recv); WASI_CB(sock_send); WASI_CB(sock_shutdown);
/* proc.c */
WASI_CB(proc_exit); WASI_CB(proc_raise); WASI_CB(sched_yield);

/* Results of every preview1 function but proc_exit: one i32 errno. */
static inline bool wasi_ret(wasmrt_val *v, int32_t e) {
  v[0].i32 = e;
  return true;
}

#endif
