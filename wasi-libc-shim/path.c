/* path.c: the ten path_* calls. Each looks up its directory fd (BADF, then
 * NOTDIR for a non-directory, then NOTCAPABLE for a missing right), copies
 * and checks every guest range before any side effect, resolves its
 * path(s) beneath the directory with path_resolve.c and then acts on the
 * (parent fd, leaf) it got, never following a symlink on its own: the
 * resolver expanded those that had to be followed, beneath. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

enum { LOOKUP_SYMLINK_FOLLOW = 1 };
enum { OFLAG_CREAT = 1, OFLAG_DIRECTORY = 2, OFLAG_EXCL = 4, OFLAG_TRUNC = 8 };

/* The host fd of directory fd `fd` holding the rights in `need`. */
static int32_t dir_fd(wasi_ctx *ctx, int32_t fd, uint64_t need, int *host) {
  wasi_fd *f = wasi_fd_get(ctx, fd);
  if (!f) return WASI_EBADF;
  if (f->filetype != WASI_FILETYPE_DIRECTORY) return WASI_ENOTDIR;
  if ((f->rights_base & need) != need) return WASI_ENOTCAPABLE;
  *host = f->host_fd;
  return WASI_ESUCCESS;
}

/* Directory fd + guest path (checked host pointer, NULL: FAULT) ->
 * resolved (parent, leaf): the common start of every call but path_open. */
static int32_t resolve(wasi_ctx *ctx, uint32_t fd, uint64_t need, const uint8_t *ptr,
                       uint32_t len, bool follow, wasi_path *out) {
  int host;
  int32_t e = dir_fd(ctx, (int32_t)fd, need, &host);
  if (e) return e;
  char *path;
  if ((e = wasi_path_copy(ptr, len, &path))) return e;
  e = wasi_path_resolve(host, path, follow, out);
  free(path);
  return e;
}

/* The two names of path_link and path_rename: the new directory's right
 * and the new name's guest string are checked first, then the old name is
 * resolved, then the new one (the order errors are reported in). On
 * success both are resolved; on failure neither needs wasi_path_done. */
static int32_t resolve_two(wasi_ctx *ctx, uint32_t ofd, uint64_t oright, const uint8_t *optr,
                           uint32_t olen, bool ofollow, uint32_t nfd, uint64_t nright,
                           const uint8_t *nptr, uint32_t nlen, wasi_path *o, wasi_path *n) {
  *n = (wasi_path){.dirfd = -1};
  int nhost;
  int32_t e = dir_fd(ctx, (int32_t)nfd, nright, &nhost);
  if (e) return e;
  char *npath;
  if ((e = wasi_path_copy(nptr, nlen, &npath))) return e;
  if (!(e = resolve(ctx, ofd, oright, optr, olen, ofollow, o)) &&
      (e = wasi_path_resolve(nhost, npath, false, n)))
    wasi_path_done(o);
  free(npath);
  return e;
}

/* What the leaf is, as lstat sees it: 0 and *st, or a WASI errno. */
static int32_t leaf_stat(const wasi_path *p, struct stat *st) {
  return fstatat(p->dirfd, p->leaf, st, AT_SYMLINK_NOFOLLOW) == 0 ? WASI_ESUCCESS
                                                                  : wasi_errno_from(errno);
}

/* A path ending in '/' names a directory: ENOTDIR for anything else. */
static int32_t dir_check(const wasi_path *p) {
  if (!p->must_dir) return WASI_ESUCCESS;
  struct stat st;
  int32_t e = leaf_stat(p, &st);
  if (e) return e;
  return S_ISDIR(st.st_mode) ? WASI_ESUCCESS : WASI_ENOTDIR;
}

/* A new name given with a trailing '/' can only be a directory; for the
 * calls that create non-directories, Linux says EEXIST or ENOENT. */
static int32_t new_nondir_check(const wasi_path *p) {
  if (!p->must_dir) return WASI_ESUCCESS;
  struct stat st;
  return leaf_stat(p, &st) == 0 ? WASI_EEXIST : WASI_ENOENT;
}

uint32_t wasi_path_create_directory(wasi_ctx *ctx, uint32_t fd, const uint8_t *path,
                                    uint32_t path_len) {
  wasi_path p;
  int32_t e = resolve(ctx, fd, WASI_RIGHT_PATH_CREATE_DIRECTORY, path, path_len, false, &p);
  if (e) return (uint32_t)e;
  if (mkdirat(p.dirfd, p.leaf, 0777) != 0) e = wasi_errno_from(errno);
  wasi_path_done(&p);
  return (uint32_t)e;
}

/* A bad `out` is FAULT only after the fd and the path resolved. */
uint32_t wasi_path_filestat_get(wasi_ctx *ctx, uint32_t fd, uint32_t lookupflags,
                                const uint8_t *path, uint32_t path_len, uint8_t *out) {
  wasi_path p;
  int32_t e = resolve(ctx, fd, WASI_RIGHT_PATH_FILESTAT_GET, path, path_len,
                      lookupflags & LOOKUP_SYMLINK_FOLLOW, &p);
  if (e) return (uint32_t)e;
  struct stat st;
  if (!out) e = WASI_EFAULT;
  else if (!(e = leaf_stat(&p, &st)) && p.must_dir && !S_ISDIR(st.st_mode)) e = WASI_ENOTDIR;
  if (!e) wasi_put_filestat(out, &st, wasi_filetype_of(st.st_mode, -1));
  wasi_path_done(&p);
  return (uint32_t)e;
}

uint32_t wasi_path_filestat_set_times(wasi_ctx *ctx, uint32_t fd, uint32_t lookupflags,
                                      const uint8_t *path, uint32_t path_len, uint64_t atim,
                                      uint64_t mtim, uint32_t fst_flags) {
  /* The flags are checked before the fd and path. */
  struct timespec ts[2];
  int32_t e = wasi_fst_times(atim, mtim, fst_flags, ts);
  if (e) return (uint32_t)e;
  wasi_path p;
  e = resolve(ctx, fd, WASI_RIGHT_PATH_FILESTAT_SET_TIMES, path, path_len,
              lookupflags & LOOKUP_SYMLINK_FOLLOW, &p);
  if (e) return (uint32_t)e;
  if (!(e = dir_check(&p)) && utimensat(p.dirfd, p.leaf, ts, AT_SYMLINK_NOFOLLOW) != 0)
    e = wasi_errno_from(errno);
  wasi_path_done(&p);
  return (uint32_t)e;
}

uint32_t wasi_path_link(wasi_ctx *ctx, uint32_t old_fd, uint32_t old_flags,
                        const uint8_t *old_path, uint32_t old_path_len, uint32_t new_fd,
                        const uint8_t *new_path, uint32_t new_path_len) {
  wasi_path o, n;
  int32_t e = resolve_two(ctx, old_fd, WASI_RIGHT_PATH_LINK_SOURCE, old_path, old_path_len,
                          old_flags & LOOKUP_SYMLINK_FOLLOW, new_fd, WASI_RIGHT_PATH_LINK_TARGET,
                          new_path, new_path_len, &o, &n);
  if (e) return (uint32_t)e;
  if (!(e = dir_check(&o)) && !(e = new_nondir_check(&n)) &&
      linkat(o.dirfd, o.leaf, n.dirfd, n.leaf, 0) != 0)
    e = wasi_errno_from(errno);
  wasi_path_done(&o);
  wasi_path_done(&n);
  return (uint32_t)e;
}

/* read/write access from the requested rights, as wasmtime derives it. */
static int access_mode(uint64_t rights) {
  bool r = rights & (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR);
  bool w = rights & (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE |
                     WASI_RIGHT_FD_FILESTAT_SET_SIZE);
  return r && w ? O_RDWR : w ? O_WRONLY : O_RDONLY;
}

/* Order: the directory fd and its rights, the path string, then a bad
 * fd_out (FAULT) before bad flags (INVAL). */
uint32_t wasi_path_open(wasi_ctx *ctx, uint32_t fd, uint32_t dirflags, const uint8_t *path,
                        uint32_t path_len, uint32_t oflags, uint64_t rights_base,
                        uint64_t rights_inheriting, uint32_t fdflags, uint8_t *fd_out) {
  uint64_t need = WASI_RIGHT_PATH_OPEN;
  if (oflags & OFLAG_CREAT) need |= WASI_RIGHT_PATH_CREATE_FILE;
  if (oflags & OFLAG_TRUNC) need |= WASI_RIGHT_PATH_FILESTAT_SET_SIZE;
  int host;
  int32_t e = dir_fd(ctx, (int32_t)fd, need, &host);
  if (e) return (uint32_t)e;
  uint64_t parent_inh = wasi_fd_get(ctx, (int32_t)fd)->rights_inheriting;
  char *cpath;
  if ((e = wasi_path_copy(path, path_len, &cpath))) return (uint32_t)e;
  if (!fd_out) e = WASI_EFAULT;
  else if ((oflags & ~0xFu) || (fdflags & ~0x1Fu)) e = WASI_EINVAL;
  /* Linux would create a regular file (or say EINVAL, from 6.4). */
  else if ((oflags & OFLAG_CREAT) && (oflags & OFLAG_DIRECTORY)) e = WASI_EINVAL;
  if (e) {
    free(cpath);
    return (uint32_t)e;
  }
  int flags = access_mode(rights_base);
  if (oflags & OFLAG_CREAT) flags |= O_CREAT;
  if (oflags & OFLAG_DIRECTORY) flags |= O_DIRECTORY;
  if (oflags & OFLAG_EXCL) flags |= O_EXCL;
  if (oflags & OFLAG_TRUNC) flags |= O_TRUNC;
  if (fdflags & WASI_FDFLAG_APPEND) flags |= O_APPEND;
  if (fdflags & WASI_FDFLAG_DSYNC) flags |= O_DSYNC;
  if (fdflags & WASI_FDFLAG_NONBLOCK) flags |= O_NONBLOCK;
  if (fdflags & WASI_FDFLAG_RSYNC) flags |= O_RSYNC;
  if (fdflags & WASI_FDFLAG_SYNC) flags |= O_SYNC;
  int hfd;
  e = wasi_path_openat(host, cpath, flags | O_NOCTTY, 0666, dirflags & LOOKUP_SYMLINK_FOLLOW,
                       &hfd);
  free(cpath);
  if (e) return (uint32_t)e;
  struct stat st;
  if (fstat(hfd, &st) != 0) {
    e = wasi_errno_from(errno);
    close(hfd);
    return (uint32_t)e;
  }
  uint32_t gfd;
  e = wasi_fd_install(ctx, hfd, wasi_filetype_of(st.st_mode, hfd), rights_base & parent_inh,
                      rights_inheriting & parent_inh, &gfd);
  if (e) return (uint32_t)e;
  wasi_put_u32(fd_out, gfd);
  return WASI_ESUCCESS;
}

/* The target, truncated to buf_len (no NUL), whatever it says: absolute
 * text too (Wasmtime says PERM there; see path_symlink). A bad buf or
 * bufused_out is FAULT only after the fd and the path resolved. */
uint32_t wasi_path_readlink(wasi_ctx *ctx, uint32_t fd, const uint8_t *path, uint32_t path_len,
                            uint8_t *buf, uint32_t blen, uint8_t *used) {
  wasi_path p;
  int32_t e = resolve(ctx, fd, WASI_RIGHT_PATH_READLINK, path, path_len, false, &p);
  if (e) return (uint32_t)e;
  if (!buf || !used) {
    wasi_path_done(&p);
    return WASI_EFAULT;
  }
  size_t cap = 4096;
  char *t = NULL;
  ssize_t n;
  for (;;) {
    char *nt = realloc(t, cap);
    if (!nt) {
      n = -1;
      errno = ENOMEM;
      break;
    }
    t = nt;
    n = readlinkat(p.dirfd, p.leaf, t, cap);
    if (n < 0 || (size_t)n < cap || cap >= (1u << 20)) break;
    cap *= 2;
  }
  if (n < 0) e = wasi_errno_from(errno);
  else {
    uint32_t k = (size_t)n < blen ? (uint32_t)n : blen;
    memcpy(buf, t, k);
    wasi_put_u32(used, k);
  }
  free(t);
  wasi_path_done(&p);
  return (uint32_t)e;
}

/* path_remove_directory (`dir`) and path_unlink_file: unlinkat with or
 * without AT_REMOVEDIR; one body so that both resolve and release the
 * name the same way. */
static uint32_t remove_name(wasi_ctx *ctx, uint32_t fd, const uint8_t *path, uint32_t path_len,
                            bool dir) {
  wasi_path p;
  int32_t e = resolve(ctx, fd, dir ? WASI_RIGHT_PATH_REMOVE_DIRECTORY : WASI_RIGHT_PATH_UNLINK_FILE,
                      path, path_len, false, &p);
  if (e) return (uint32_t)e;
  if (!dir && p.must_dir) {
    /* unlink("x/"): Linux says EISDIR for a directory, ENOTDIR otherwise;
     * unlinkat without the slash would remove a file the guest did not
     * name. */
    struct stat st;
    if (!(e = leaf_stat(&p, &st))) e = S_ISDIR(st.st_mode) ? WASI_EISDIR : WASI_ENOTDIR;
  } else if (unlinkat(p.dirfd, p.leaf, dir ? AT_REMOVEDIR : 0) != 0) {
    e = wasi_errno_from(errno);
  }
  wasi_path_done(&p);
  return (uint32_t)e;
}

uint32_t wasi_path_remove_directory(wasi_ctx *ctx, uint32_t fd, const uint8_t *path,
                                    uint32_t path_len) {
  return remove_name(ctx, fd, path, path_len, true);
}

uint32_t wasi_path_rename(wasi_ctx *ctx, uint32_t fd, const uint8_t *old_path,
                          uint32_t old_path_len, uint32_t new_fd, const uint8_t *new_path,
                          uint32_t new_path_len) {
  wasi_path o, n;
  int32_t e = resolve_two(ctx, fd, WASI_RIGHT_PATH_RENAME_SOURCE, old_path, old_path_len, false,
                          new_fd, WASI_RIGHT_PATH_RENAME_TARGET, new_path, new_path_len, &o, &n);
  if (e) return (uint32_t)e;
  /* A trailing '/' on either name: the source must be a directory. */
  if (n.must_dir) o.must_dir = true;
  if (!(e = dir_check(&o)) && renameat(o.dirfd, o.leaf, n.dirfd, n.leaf) != 0)
    e = wasi_errno_from(errno);
  wasi_path_done(&o);
  wasi_path_done(&n);
  return (uint32_t)e;
}

/* old_path is the link's text, stored verbatim whatever it says (issue
 * 13): an absolute target ("/etc/passwd") or a relative one climbing out
 * ("../x") is created, path_readlink gives it back and path_unlink_file
 * removes it. The sandbox does not rest on refusing such text but on
 * never following it out: path_resolve.c refuses every such step with
 * NOTCAPABLE, as it must anyway for links the host made.
 * Wasmtime differs for absolute text only: cap-std refuses to create such
 * a link (and to readlink one) with PERM, so that a guest cannot leave a
 * link for host programs that follow links in the granted directory. We
 * keep POSIX's and preview1's "a link holds a string" for both; relative
 * text climbing out is created by Wasmtime too. Only the new name has to
 * lie beneath fd, like every path. */
uint32_t wasi_path_symlink(wasi_ctx *ctx, const uint8_t *old_path, uint32_t old_path_len,
                           uint32_t fd, const uint8_t *new_path, uint32_t new_path_len) {
  int host;
  int32_t e = dir_fd(ctx, (int32_t)fd, WASI_RIGHT_PATH_SYMLINK, &host);
  if (e) return (uint32_t)e;
  char *target;
  if ((e = wasi_path_copy(old_path, old_path_len, &target))) return (uint32_t)e;
  wasi_path p;
  e = resolve(ctx, fd, WASI_RIGHT_PATH_SYMLINK, new_path, new_path_len, false, &p);
  if (!e) {
    if (!(e = new_nondir_check(&p)) && symlinkat(target, p.dirfd, p.leaf) != 0)
      e = wasi_errno_from(errno);
    wasi_path_done(&p);
  }
  free(target);
  return (uint32_t)e;
}

uint32_t wasi_path_unlink_file(wasi_ctx *ctx, uint32_t fd, const uint8_t *path,
                               uint32_t path_len) {
  return remove_name(ctx, fd, path, path_len, false);
}
