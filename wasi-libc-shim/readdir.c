/* readdir.c: fd_readdir and the per-fd directory stream behind it.
 *
 * Cookies: the guest passes back the d_next of the last entry it kept, so
 * a cookie must name a position that stays valid between calls. Host
 * telldir() values do not qualify: seekdir() with a value the guest made
 * up (or one from a DIR that was since reopened) is undefined behaviour.
 * So cookie 0 (a rewind) snapshots the whole listing, read through a
 * fresh openat(fd, ".") so that the guest fd's own offset is untouched,
 * and cookie c names entry c-1 of that snapshot: any cookie is either a
 * valid index or past the end (end of directory). The cost is memory
 * proportional to the directory, and entries created after the rewind
 * only show up at the next rewind, which POSIX allows for readdir too. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

typedef struct {
  uint64_t ino;
  size_t name;       /* offset in names */
  uint32_t namlen;
  uint8_t type;      /* WASI_FILETYPE_* */
} dir_entry;

struct wasi_dir_stream {
  dir_entry *e;
  uint32_t n, cap;
  char *names;
  size_t names_len, names_cap;
};

void wasi_dir_stream_free(struct wasi_dir_stream *d) {
  if (!d) return;
  free(d->e);
  free(d->names);
  free(d);
}

static uint8_t type_of(DIR *dir, const struct dirent *de) {
  switch (de->d_type) {
  case DT_REG: return WASI_FILETYPE_REGULAR_FILE;
  case DT_DIR: return WASI_FILETYPE_DIRECTORY;
  case DT_LNK: return WASI_FILETYPE_SYMBOLIC_LINK;
  case DT_CHR: return WASI_FILETYPE_CHARACTER_DEVICE;
  case DT_BLK: return WASI_FILETYPE_BLOCK_DEVICE;
  case DT_SOCK: return WASI_FILETYPE_SOCKET_STREAM; /* no way to tell dgram by name */
  case DT_FIFO: return WASI_FILETYPE_UNKNOWN;       /* as fd_fdstat_get says of pipes */
  default: break;
  }
  /* Some file systems do not fill d_type: ask for the entry itself
   * (not following a symlink, which is an entry of its own). */
  struct stat st;
  if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return WASI_FILETYPE_UNKNOWN;
  return wasi_filetype_of(st.st_mode, -1);
}

static bool add(struct wasi_dir_stream *d, const struct dirent *de, uint8_t type) {
  size_t len = strlen(de->d_name);
  if (d->n == d->cap) {
    if (d->cap >= UINT32_MAX / 2) return false;
    uint32_t cap = d->cap ? 2 * d->cap : 64;
    dir_entry *p = realloc(d->e, cap * sizeof *p);
    if (!p) return false;
    d->e = p, d->cap = cap;
  }
  if (d->names_cap - d->names_len < len) {
    size_t cap = d->names_cap ? d->names_cap : 1024;
    while (cap - d->names_len < len) cap *= 2;
    char *p = realloc(d->names, cap);
    if (!p) return false;
    d->names = p, d->names_cap = cap;
  }
  memcpy(d->names + d->names_len, de->d_name, len);
  d->e[d->n++] = (dir_entry){.ino = (uint64_t)de->d_ino, .name = d->names_len,
                             .namlen = (uint32_t)len, .type = type};
  d->names_len += len;
  return true;
}

/* The whole listing of directory host_fd, `.` and `..` included, in the
 * host's order. A WASI errno. */
static int32_t snapshot(int host_fd, struct wasi_dir_stream **out) {
  int fd = openat(host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return wasi_errno_from(errno);
  DIR *dir = fdopendir(fd);
  if (!dir) {
    int err = errno;
    close(fd);
    return wasi_errno_from(err);
  }
  struct wasi_dir_stream *d = calloc(1, sizeof *d);
  int32_t e = d ? WASI_ESUCCESS : WASI_ENOMEM;
  while (!e) {
    errno = 0;
    struct dirent *de = readdir(dir);
    if (!de) {
      e = wasi_errno_from(errno); /* 0 at the end */
      break;
    }
    if (!add(d, de, type_of(dir, de))) e = WASI_ENOMEM;
  }
  closedir(dir);
  if (e) {
    wasi_dir_stream_free(d);
    return e;
  }
  *out = d;
  return WASI_ESUCCESS;
}

/* Entries are dirent (24 B:
 * d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20) + name
 * without NUL, back to back; the last one is cut off when the buffer is
 * full, and bufused == buf_len tells the guest there may be more. */
uint32_t wasi_fd_readdir(wasi_ctx *ctx, uint32_t fd, uint8_t *buf, uint32_t len,
                         uint64_t cookie, uint8_t *used) {
  wasi_fd *f = wasi_fd_get(ctx, (int32_t)fd);
  if (!f) return WASI_EBADF;
  if (f->filetype != WASI_FILETYPE_DIRECTORY) return WASI_ENOTDIR;
  int32_t e = wasi_fd_lookup(ctx, (int32_t)fd, WASI_RIGHT_FD_READDIR, &f);
  if (e) return (uint32_t)e;
  if (!buf || !used) return WASI_EFAULT;
  if (cookie == 0 || !f->dir) {
    struct wasi_dir_stream *d = NULL;
    if ((e = snapshot(f->host_fd, &d))) return (uint32_t)e;
    wasi_dir_stream_free(f->dir);
    f->dir = d;
  }
  const struct wasi_dir_stream *d = f->dir;
  uint32_t pos = 0;
  for (uint64_t i = cookie; i < d->n && pos < len; i++) {
    const dir_entry *de = &d->e[i];
    uint8_t h[24] = {0};
    wasi_put_u64(h, i + 1);
    wasi_put_u64(h + 8, de->ino);
    wasi_put_u32(h + 16, de->namlen);
    h[20] = de->type;
    uint32_t n = len - pos < 24 ? len - pos : 24;
    memcpy(buf + pos, h, n);
    pos += n;
    n = len - pos < de->namlen ? len - pos : de->namlen;
    memcpy(buf + pos, d->names + de->name, n);
    pos += n;
  }
  wasi_put_u32(used, pos);
  return WASI_ESUCCESS;
}
