/* wasi_internal.h: what the files of the WASI shim share: the context and
 * its fd table, the guest-memory accessors (bounds-checked), the preview1
 * constants (errno, filetypes, flags) and the preview1 functions per area. */
#ifndef WASMC_WASI_INTERNAL_H
#define WASMC_WASI_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
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
  struct wasi_bound **funcs; /* bound host functions (bind.c), freed with the ctx */
  uint32_t nfuncs, funcs_cap;
  /* How the run ended, under end_lock: with wasi-threads several threads
   * may end it at once (proc_exit, proc_raise), while others read it
   * (threads.c, bind.c), and the rwlock below is only held shared by
   * those calls, which orders nothing between them (ThreadSanitizer
   * found the race). The first ending wins: later ones leave it alone,
   * so every thread reports the same status. */
  pthread_mutex_t end_lock;
  bool exited;
  uint32_t exit_code;
  int raised_signal; /* host signal number after proc_raise ended the run, else 0 */
  char end_msg[64];  /* why the call that returned WASI_END ends the run */
  /* wasi-threads: once a thread was spawned (threads.c sets `threaded`),
   * every WASI call holds `lock`: exclusively the calls that change the
   * fd table (wasi_bound.exclusive), shared the others (bind.c). */
  _Atomic bool threaded;
  pthread_rwlock_t lock;
};

/* One bound import: the host function and what its callback needs (the
 * ctx and bind.c's table entry); owned by the ctx. */
typedef struct wasi_bound {
  wasmrt_host_func *hf;
  wasi_ctx *ctx;
  const struct wasi_func_spec *spec;
  bool exclusive; /* changes the fd table: ctx->lock held exclusively */
} wasi_bound;
/* Frees a binding and its host function (bind.c). */
void wasi_bound_free(wasi_bound *b);

/* Copies end_msg (under end_lock) for the call that returned WASI_END. */
void wasi_end_message(wasi_ctx *ctx, char *msg, size_t msg_size);

/* errno -> WASI errno. */
int32_t wasi_errno_from(int e);

/* The host address of guest range [ptr, ptr+len), or NULL when any of it
 * lies outside the memory's current size (or there is no memory). len 0 is
 * fine anywhere up to the end. */
static inline uint8_t *wasi_mem(wasi_ctx *ctx, uint32_t ptr, uint64_t len) {
  /* atomic: another thread may grow a shared memory (wasmrt_abi.h) */
  if (!ctx->mem || (uint64_t)ptr + len > __atomic_load_n(&ctx->mem->size, __ATOMIC_ACQUIRE))
    return NULL;
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
/* Guest string (checked host pointer, len) -> malloc'ed C string: FAULT
 * for NULL (out of bounds), INVAL with a NUL inside, NAMETOOLONG from
 * PATH_MAX bytes. */
int32_t wasi_path_copy(const uint8_t *g, uint32_t len, char **out);
/* Absolute -> NOTCAPABLE, escaping -> NOTCAPABLE, too many links -> LOOP. */
int32_t wasi_path_resolve(int base_fd, const char *path, bool follow, wasi_path *out);
void wasi_path_done(wasi_path *p);
/* openat(2) of path beneath base_fd (O_CLOEXEC added; O_NOFOLLOW unless
 * follow): *host_fd, or a WASI errno. */
int32_t wasi_path_openat(int base_fd, const char *path, int flags, unsigned mode, bool follow,
                         int *host_fd);

/* ---- the preview1 functions, one plain C function each ------------------
 * wasi_NAME implements wasi_snapshot_preview1.NAME; bind.c's table maps
 * the import to it and calls it with the Wasm arguments, typed: i32 as
 * uint32_t, i64 as uint64_t, and guest pointers the table describes (a
 * fixed-size object, or a buffer whose length is the next parameter) as
 * host pointers that bind.c has checked against the memory: NULL when the
 * range is not all inside it. A function says FAULT for a NULL pointer at
 * the point its checks are ordered (after BADF etc.). Pointers bind.c
 * cannot size (iovec and subscription arrays, argv/environ, whose extent
 * depends on other data) stay guest offsets, checked with wasi_mem.
 * Each returns a WASI errno, or WASI_END: the call ends the run. */
#define WASI_END UINT32_MAX
/* args_env.c */
uint32_t wasi_args_get(wasi_ctx *ctx, uint32_t argv, uint32_t argv_buf);
uint32_t wasi_args_sizes_get(wasi_ctx *ctx, uint8_t *argc_out, uint8_t *buf_size_out);
uint32_t wasi_environ_get(wasi_ctx *ctx, uint32_t environ, uint32_t environ_buf);
uint32_t wasi_environ_sizes_get(wasi_ctx *ctx, uint8_t *count_out, uint8_t *buf_size_out);
/* clock_random.c */
uint32_t wasi_clock_res_get(wasi_ctx *ctx, uint32_t id, uint8_t *res_out);
uint32_t wasi_clock_time_get(wasi_ctx *ctx, uint32_t id, uint64_t precision, uint8_t *time_out);
uint32_t wasi_random_get(wasi_ctx *ctx, uint8_t *buf, uint32_t buf_len);
/* fd.c: stream I/O and fd state */
uint32_t wasi_fd_write(wasi_ctx *ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                       uint8_t *nwritten_out);
uint32_t wasi_fd_read(wasi_ctx *ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                      uint8_t *nread_out);
uint32_t wasi_fd_pwrite(wasi_ctx *ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                        uint64_t offset, uint8_t *nwritten_out);
uint32_t wasi_fd_pread(wasi_ctx *ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                       uint64_t offset, uint8_t *nread_out);
uint32_t wasi_fd_close(wasi_ctx *ctx, uint32_t fd);
uint32_t wasi_fd_seek(wasi_ctx *ctx, uint32_t fd, uint64_t offset, uint32_t whence,
                      uint8_t *newoffset_out);
uint32_t wasi_fd_tell(wasi_ctx *ctx, uint32_t fd, uint8_t *offset_out);
uint32_t wasi_fd_renumber(wasi_ctx *ctx, uint32_t from, uint32_t to);
uint32_t wasi_fd_fdstat_get(wasi_ctx *ctx, uint32_t fd, uint8_t *fdstat_out);
uint32_t wasi_fd_fdstat_set_flags(wasi_ctx *ctx, uint32_t fd, uint32_t fdflags);
uint32_t wasi_fd_fdstat_set_rights(wasi_ctx *ctx, uint32_t fd, uint64_t rights_base,
                                   uint64_t rights_inheriting);
uint32_t wasi_fd_prestat_get(wasi_ctx *ctx, uint32_t fd, uint8_t *prestat_out);
uint32_t wasi_fd_prestat_dir_name(wasi_ctx *ctx, uint32_t fd, uint8_t *path, uint32_t path_len);
/* fd_file.c: file contents and metadata through an fd */
uint32_t wasi_fd_advise(wasi_ctx *ctx, uint32_t fd, uint64_t offset, uint64_t len,
                        uint32_t advice);
uint32_t wasi_fd_allocate(wasi_ctx *ctx, uint32_t fd, uint64_t offset, uint64_t len);
uint32_t wasi_fd_datasync(wasi_ctx *ctx, uint32_t fd);
uint32_t wasi_fd_sync(wasi_ctx *ctx, uint32_t fd);
uint32_t wasi_fd_filestat_get(wasi_ctx *ctx, uint32_t fd, uint8_t *filestat_out);
uint32_t wasi_fd_filestat_set_size(wasi_ctx *ctx, uint32_t fd, uint64_t size);
uint32_t wasi_fd_filestat_set_times(wasi_ctx *ctx, uint32_t fd, uint64_t atim, uint64_t mtim,
                                    uint32_t fst_flags);
/* readdir.c */
uint32_t wasi_fd_readdir(wasi_ctx *ctx, uint32_t fd, uint8_t *buf, uint32_t buf_len,
                         uint64_t cookie, uint8_t *bufused_out);
/* path.c (on top of path_resolve.c) */
uint32_t wasi_path_create_directory(wasi_ctx *ctx, uint32_t fd, const uint8_t *path,
                                    uint32_t path_len);
uint32_t wasi_path_filestat_get(wasi_ctx *ctx, uint32_t fd, uint32_t lookupflags,
                                const uint8_t *path, uint32_t path_len, uint8_t *filestat_out);
uint32_t wasi_path_filestat_set_times(wasi_ctx *ctx, uint32_t fd, uint32_t lookupflags,
                                      const uint8_t *path, uint32_t path_len, uint64_t atim,
                                      uint64_t mtim, uint32_t fst_flags);
uint32_t wasi_path_link(wasi_ctx *ctx, uint32_t old_fd, uint32_t old_flags,
                        const uint8_t *old_path, uint32_t old_path_len, uint32_t new_fd,
                        const uint8_t *new_path, uint32_t new_path_len);
uint32_t wasi_path_open(wasi_ctx *ctx, uint32_t fd, uint32_t dirflags, const uint8_t *path,
                        uint32_t path_len, uint32_t oflags, uint64_t rights_base,
                        uint64_t rights_inheriting, uint32_t fdflags, uint8_t *fd_out);
uint32_t wasi_path_readlink(wasi_ctx *ctx, uint32_t fd, const uint8_t *path, uint32_t path_len,
                            uint8_t *buf, uint32_t buf_len, uint8_t *bufused_out);
uint32_t wasi_path_remove_directory(wasi_ctx *ctx, uint32_t fd, const uint8_t *path,
                                    uint32_t path_len);
uint32_t wasi_path_rename(wasi_ctx *ctx, uint32_t fd, const uint8_t *old_path,
                          uint32_t old_path_len, uint32_t new_fd, const uint8_t *new_path,
                          uint32_t new_path_len);
uint32_t wasi_path_symlink(wasi_ctx *ctx, const uint8_t *old_path, uint32_t old_path_len,
                           uint32_t fd, const uint8_t *new_path, uint32_t new_path_len);
uint32_t wasi_path_unlink_file(wasi_ctx *ctx, uint32_t fd, const uint8_t *path,
                               uint32_t path_len);
/* poll.c */
uint32_t wasi_poll_oneoff(wasi_ctx *ctx, uint32_t in, uint32_t out, uint32_t nsubscriptions,
                          uint8_t *nevents_out);
/* sock.c */
uint32_t wasi_sock_accept(wasi_ctx *ctx, uint32_t fd, uint32_t flags, uint8_t *fd_out);
uint32_t wasi_sock_recv(wasi_ctx *ctx, uint32_t fd, uint32_t ri_data, uint32_t ri_data_len,
                        uint32_t ri_flags, uint8_t *size_out, uint8_t *roflags_out);
uint32_t wasi_sock_send(wasi_ctx *ctx, uint32_t fd, uint32_t si_data, uint32_t si_data_len,
                        uint32_t si_flags, uint8_t *size_out);
uint32_t wasi_sock_shutdown(wasi_ctx *ctx, uint32_t fd, uint32_t how);
/* proc.c: proc_exit always, proc_raise for a fatal signal, return WASI_END
 * with the reason in ctx->end_msg (proc_exit has no errno result). */
uint32_t wasi_proc_exit(wasi_ctx *ctx, uint32_t code);
uint32_t wasi_proc_raise(wasi_ctx *ctx, uint32_t sig);
uint32_t wasi_sched_yield(wasi_ctx *ctx);

#endif
