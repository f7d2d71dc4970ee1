/* path_resolve.c: the capability sandbox of the path_* calls. A guest path
 * is resolved beneath the host directory of a guest directory fd and can
 * never leave it: absolute paths, `..` above the base, following symlinks
 * whose target is absolute or climbs out, all give NOTCAPABLE (such links
 * may exist: path_symlink creates them verbatim).
 *
 * Two resolvers open directories beneath the base:
 *  - Linux openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: the
 *    kernel checks every step, atomically with the lookup;
 *  - a portable walk, used when openat2 is missing (ENOSYS, EPERM from a
 *    seccomp filter) or when WASMC_WASI_RESOLVER=portable: one component
 *    at a time with openat(O_NOFOLLOW | O_DIRECTORY), symlinks expanded
 *    here (readlinkat), `..` by popping a stack of held fds, never by
 *    asking the kernel for `..`. Each step opens relative to an fd we hold,
 *    so a concurrent rename or symlink swap cannot redirect a check that
 *    already happened: there is nothing to check-then-use.
 * Both give the caller the parent directory of the last component plus its
 * name; the calls then act on (parent fd, leaf) with AT_SYMLINK_NOFOLLOW
 * (or O_NOFOLLOW), so a leaf swapped for a symlink afterwards is acted on
 * as the link itself, never followed out. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/openat2.h>
#include <sys/syscall.h>
#endif

#include "wasi_internal.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif
/* Symlink expansions per resolution, as Linux's MAXSYMLINKS. */
enum { MAX_EXPANSIONS = 40 };
/* openat2 reports EAGAIN when a rename raced a `..` step; retry a bit. */
enum { OPENAT2_RETRIES = 64 };

#ifdef O_PATH
#define DIR_OPEN_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC)
#else
#define DIR_OPEN_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#endif

/* ---- choosing the resolver ---------------------------------------------- */

enum { MODE_UNKNOWN, MODE_OPENAT2, MODE_PORTABLE };
static atomic_int resolver_mode = MODE_UNKNOWN;

#if defined(__linux__) && defined(SYS_openat2)
static int sys_openat2(int dirfd, const char *path, int flags, mode_t mode) {
  struct open_how how = {.flags = (uint64_t)(unsigned)flags,
                         .mode = (flags & O_CREAT) ? mode : 0,
                         .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
  long r;
  int tries = 0;
  do
    r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
  while (r < 0 && (errno == EAGAIN || errno == EINTR) && ++tries < OPENAT2_RETRIES);
  return (int)r;
}
#endif

static int mode(void) {
  int m = atomic_load(&resolver_mode);
  if (m != MODE_UNKNOWN) return m;
  m = MODE_PORTABLE;
  const char *env = getenv("WASMC_WASI_RESOLVER");
#if defined(__linux__) && defined(SYS_openat2)
  if (!env || strcmp(env, "portable") != 0) {
    /* Probe once: a kernel before 5.6 says ENOSYS, some seccomp filters
     * (older container runtimes) say EPERM for syscalls they do not know. */
    int fd = sys_openat2(AT_FDCWD, ".", DIR_OPEN_FLAGS, 0);
    if (fd >= 0) {
      close(fd);
      m = MODE_OPENAT2;
    } else if (errno != ENOSYS && errno != EPERM) {
      m = MODE_OPENAT2; /* e.g. a cwd we may not read: openat2 itself works */
    }
  }
#else
  (void)env;
#endif
  atomic_store(&resolver_mode, m);
  return m;
}

/* ---- guest path strings ------------------------------------------------- */

int32_t wasi_path_copy(const uint8_t *g, uint32_t len, char **out) {
  if (!g) return WASI_EFAULT;
  /* wasi-libc never sends a NUL, but a C string would silently end there
   * and name a different file than the guest asked for. */
  if (memchr(g, 0, len)) return WASI_EINVAL;
  if (len >= PATH_MAX) return WASI_ENAMETOOLONG;
  char *s = malloc((size_t)len + 1);
  if (!s) return WASI_ENOMEM;
  memcpy(s, g, len);
  s[len] = 0;
  *out = s;
  return WASI_ESUCCESS;
}

/* "a" + "/" + "b" (sep only when both are non-empty), or NULL (errno). */
static char *join(const char *a, size_t alen, const char *b, size_t blen, bool slash) {
  if (alen + blen + 2 >= PATH_MAX) {
    errno = ENAMETOOLONG;
    return NULL;
  }
  char *s = malloc(alen + blen + 3);
  if (!s) return NULL;
  size_t k = 0;
  memcpy(s, a, alen);
  k += alen;
  if (alen && blen) s[k++] = '/';
  memcpy(s + k, b, blen);
  k += blen;
  if (slash) s[k++] = '/';
  s[k] = 0;
  return s;
}

/* readlinkat into a PATH_MAX buffer: the length, or -1 with errno. */
static ssize_t read_link(int dirfd, const char *name, char *buf) {
  ssize_t n = readlinkat(dirfd, name, buf, PATH_MAX);
  if (n >= PATH_MAX) {
    errno = ENAMETOOLONG;
    return -1;
  }
  if (n >= 0) buf[n] = 0;
  return n;
}

/* The WASI errno for a symlink target we are about to follow, 0 if fine.
 * Absolute text is refused before anything is looked up, so the answer
 * does not depend on what exists on the host; it is never read as a path
 * beneath the base either (a link to "/x" is not "x"). NOTCAPABLE, like
 * every other step out here (`..` above the base, openat2's EXDEV):
 * Wasmtime answers PERM (63) for all of them, cap-std's "a path led
 * outside"; we keep preview1's own errno for a missing capability, one
 * errno for every escape, which the README and the tests pin. Relative
 * text climbing out is refused where the `..` pops past the base. */
static int32_t target_check(const char *t, ssize_t n, int *budget) {
  if (--*budget < 0) return WASI_ELOOP;
  if (n == 0) return WASI_ENOENT;          /* as the kernel treats "" */
  if (t[0] == '/') return WASI_ENOTCAPABLE; /* absolute: outside by definition */
  return WASI_ESUCCESS;
}

/* ---- the portable walk -------------------------------------------------- */

static void close_stack(int *stk, size_t n) {
  for (size_t i = 1; i < n; i++) close(stk[i]); /* stk[0] is the base, not ours */
}

/* Opens directory `path` beneath `base` one component at a time; *out is
 * a new fd (O_PATH where available). */
static int32_t walk_portable(int base, const char *path, int *budget, int *out) {
  size_t cap = 16, n = 1;
  int *stk = malloc(cap * sizeof *stk);
  char *rest = strdup(path);
  char *target = malloc(PATH_MAX);
  int32_t err = WASI_ESUCCESS;
  if (!stk || !rest || !target) {
    err = WASI_ENOMEM;
    goto done;
  }
  stk[0] = base;
  size_t pos = 0;
  for (;;) {
    while (rest[pos] == '/') pos++;
    if (!rest[pos]) break;
    size_t start = pos;
    while (rest[pos] && rest[pos] != '/') pos++;
    size_t clen = pos - start;
    if (clen > NAME_MAX) {
      err = WASI_ENAMETOOLONG;
      goto done;
    }
    char name[NAME_MAX + 1];
    memcpy(name, rest + start, clen);
    name[clen] = 0;
    if (strcmp(name, ".") == 0) continue;
    if (strcmp(name, "..") == 0) {
      /* The parent is the fd below on our stack; below the base there is
       * nothing we may hold. */
      if (n == 1) {
        err = WASI_ENOTCAPABLE;
        goto done;
      }
      close(stk[--n]);
      continue;
    }
    int fd = openat(stk[n - 1], name, DIR_OPEN_FLAGS | O_NOFOLLOW);
    if (fd >= 0) {
      if (n == cap) {
        int *p = realloc(stk, 2 * cap * sizeof *p);
        if (!p) {
          close(fd);
          err = WASI_ENOMEM;
          goto done;
        }
        stk = p;
        cap *= 2;
      }
      stk[n++] = fd;
      continue;
    }
    int e = errno;
    /* A symlink shows up as ELOOP (O_NOFOLLOW) or ENOTDIR (O_PATH gives
     * the link itself, which is no directory); FreeBSD says EMLINK. */
    if (e != ELOOP && e != ENOTDIR && e != EMLINK) {
      err = wasi_errno_from(e);
      goto done;
    }
    ssize_t tl = read_link(stk[n - 1], name, target);
    if (tl < 0) {
      if (errno == EINVAL && e == ELOOP && --*budget >= 0) {
        pos = start; /* was a link, is not any more: look again */
        continue;
      }
      err = errno == EINVAL ? wasi_errno_from(e) : wasi_errno_from(errno);
      goto done;
    }
    if ((err = target_check(target, tl, budget))) goto done;
    char *r = join(target, (size_t)tl, rest + pos, strlen(rest + pos), false);
    if (!r) {
      err = wasi_errno_from(errno);
      goto done;
    }
    free(rest);
    rest = r;
    pos = 0;
  }
  if (n == 1) {
    /* The base itself: a fresh fd so that the caller always closes. */
    int fd = fcntl(base, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) err = wasi_errno_from(errno);
    else *out = fd;
  } else {
    *out = stk[--n];
  }
done:
  if (stk) close_stack(stk, n);
  free(stk);
  free(rest);
  free(target);
  return err;
}

/* Directory `path` (may be "") beneath base, with the current resolver. */
static int32_t open_dir(int base, const char *path, int *budget, int *out) {
#if defined(__linux__) && defined(SYS_openat2)
  if (mode() == MODE_OPENAT2) {
    int fd = sys_openat2(base, *path ? path : ".", DIR_OPEN_FLAGS, 0);
    if (fd >= 0) {
      *out = fd;
      return WASI_ESUCCESS;
    }
    if (errno == EXDEV) return WASI_ENOTCAPABLE; /* it would have escaped */
    if (errno != ENOSYS) return wasi_errno_from(errno);
    atomic_store(&resolver_mode, MODE_PORTABLE);
  }
#endif
  return walk_portable(base, path, budget, out);
}

/* ---- parent + leaf ---------------------------------------------------- */

void wasi_path_done(wasi_path *p) {
  if (p->dirfd >= 0) close(p->dirfd);
  free(p->leaf);
  *p = (wasi_path){.dirfd = -1};
}

int32_t wasi_path_resolve(int base, const char *path, bool follow, wasi_path *out) {
  *out = (wasi_path){.dirfd = -1};
  if (path[0] == '/') return WASI_ENOTCAPABLE;
  if (path[0] == 0) return WASI_ENOENT;
  char *cur = strdup(path);
  char *target = malloc(PATH_MAX);
  int budget = MAX_EXPANSIONS;
  int32_t err = WASI_ESUCCESS;
  if (!cur || !target) {
    err = WASI_ENOMEM;
    goto fail;
  }
  for (;;) {
    /* A trailing slash: the target must be a directory, and a symlink
     * there is followed (POSIX), whatever `follow` says. */
    size_t len = strlen(cur);
    bool must_dir = false;
    while (len > 1 && cur[len - 1] == '/') {
      cur[--len] = 0;
      must_dir = true;
    }
    char *slash = strrchr(cur, '/');
    const char *leaf = slash ? slash + 1 : cur;
    size_t dlen = slash ? (size_t)(slash - cur) : 0;
    int dirfd;
    if (strcmp(leaf, ".") == 0 || strcmp(leaf, "..") == 0) {
      /* Never hand `..` to a *at() call: resolve the whole path as a
       * directory (beneath), and act on its ".". */
      if ((err = open_dir(base, cur, &budget, &dirfd))) goto fail;
      out->dirfd = dirfd;
      out->leaf = strdup(".");
      out->must_dir = true;
      if (!out->leaf) {
        err = WASI_ENOMEM;
        goto fail;
      }
      break;
    }
    if (strlen(leaf) > NAME_MAX) {
      err = WASI_ENAMETOOLONG;
      goto fail;
    }
    char save = slash ? *slash : 0;
    if (slash) *slash = 0;
    err = open_dir(base, slash ? cur : "", &budget, &dirfd);
    if (slash) *slash = save;
    if (err) goto fail;
    if (follow || must_dir) {
      ssize_t tl = read_link(dirfd, leaf, target);
      if (tl >= 0) {
        close(dirfd);
        if ((err = target_check(target, tl, &budget))) goto fail;
        /* The target is relative to the link's directory: splice it in
         * and resolve again from the base. */
        char *r = join(cur, dlen, target, (size_t)tl, must_dir);
        if (!r) {
          err = wasi_errno_from(errno);
          goto fail;
        }
        free(cur);
        cur = r;
        continue;
      }
      /* EINVAL (no link) or ENOENT (nothing there yet): the leaf is final. */
    }
    out->dirfd = dirfd;
    out->leaf = strdup(leaf);
    out->must_dir = must_dir;
    if (!out->leaf) {
      err = WASI_ENOMEM;
      goto fail;
    }
    break;
  }
  free(cur);
  free(target);
  return WASI_ESUCCESS;
fail:
  wasi_path_done(out);
  free(cur);
  free(target);
  return err;
}

/* ---- path_open's final open --------------------------------------------- */

int32_t wasi_path_openat(int base, const char *path, int flags, unsigned fmode, bool follow,
                         int *out) {
  if (path[0] == '/') return WASI_ENOTCAPABLE;
  if (path[0] == 0) return WASI_ENOENT;
  flags |= O_CLOEXEC;
#if defined(__linux__) && defined(SYS_openat2)
  if (mode() == MODE_OPENAT2) {
    int fd = sys_openat2(base, path, flags | (follow ? 0 : O_NOFOLLOW), fmode);
    if (fd >= 0) {
      *out = fd;
      return WASI_ESUCCESS;
    }
    if (errno == EXDEV) return WASI_ENOTCAPABLE;
    if (errno != ENOSYS) return wasi_errno_from(errno);
    atomic_store(&resolver_mode, MODE_PORTABLE);
  }
#endif
  /* O_CREAT|O_EXCL never follows a symlink in the last component (POSIX):
   * it fails with EEXIST, as it does through openat2. */
  if ((flags & O_CREAT) && (flags & O_EXCL)) follow = false;
  wasi_path p;
  int32_t err = wasi_path_resolve(base, path, follow, &p);
  if (err) return err;
  if (p.must_dir) {
    if (flags & O_CREAT) {
      wasi_path_done(&p);
      return WASI_EISDIR; /* what Linux says for open("x/", O_CREAT) */
    }
    flags |= O_DIRECTORY;
  }
  /* The leaf was expanded if `follow`: whatever is there now is opened as
   * itself, and a symlink swapped in meanwhile fails with ELOOP. */
  int fd = openat(p.dirfd, p.leaf, flags | O_NOFOLLOW, fmode);
  err = fd < 0 ? wasi_errno_from(errno) : WASI_ESUCCESS;
  wasi_path_done(&p);
  if (!err) *out = fd;
  return err;
}
