/* paths.c: every path_* call inside a granted directory (fd 3, guest name
 * /sandbox), through the raw __wasi_* calls and through libc (fopen,
 * mkdir, stat, rename, symlink, unlink, ...): results, errnos and the
 * files left behind, which run-fs-tests.sh also checks on the host. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#define R(x) ((__wasi_rights_t)__WASI_RIGHTS_##x)
static const __wasi_rights_t RW = R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(FD_TELL) |
                                  R(FD_FILESTAT_GET) | R(FD_FDSTAT_SET_FLAGS);
static const __wasi_rights_t DIRR = R(PATH_OPEN) | R(PATH_CREATE_FILE) | R(FD_READDIR) |
                                    R(PATH_FILESTAT_GET) | R(FD_READ);
static const __wasi_lookupflags_t FOLLOW = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;

static int open_at(__wasi_fd_t dir, const char *p, __wasi_lookupflags_t lf, __wasi_oflags_t of,
                   __wasi_rights_t base, __wasi_rights_t inh, __wasi_fdflags_t ff,
                   __wasi_fd_t *fd) {
  return __wasi_path_open(dir, lf, p, of, base, inh, ff, fd);
}

static int put(__wasi_fd_t fd, const char *s) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_size_t n;
  return __wasi_fd_write(fd, &iov, 1, &n);
}

/* Reads up to size-1 bytes into buf (NUL-terminated). */
static int get(__wasi_fd_t fd, char *buf, size_t size) {
  __wasi_iovec_t iov = {(uint8_t *)buf, size - 1};
  __wasi_size_t n = 0;
  int e = __wasi_fd_read(fd, &iov, 1, &n);
  buf[e ? 0 : n] = 0;
  return e;
}

static char *slurp(const char *p) {
  static char buf[256];
  __wasi_fd_t fd;
  int e = open_at(3, p, FOLLOW, 0, RW, 0, 0, &fd);
  if (e) {
    snprintf(buf, sizeof buf, "<errno %d>", e);
    return buf;
  }
  get(fd, buf, sizeof buf);
  (void)__wasi_fd_close(fd);
  return buf;
}

/* One result per line: the order of calls is the order of lines. */
#define P(label, expr) printf("%s: %d\n", label, (int)(expr))
/* A libc call: its result and errno. */
#define PE(label, expr) (errno = 0, pe(label, (int)(expr)))
static void pe(const char *label, int r) { printf("%s: %d errno %d\n", label, r, errno); }
/* A call that must succeed for the lines after it to mean anything. */
#define Q(expr) quiet((expr), __LINE__)
static int quiet(int e, int line) {
  if (e) printf("unexpected errno %d at line %d\n", e, line);
  return e;
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
  __wasi_fd_t fd, dfd, rfd;
  __wasi_filestat_t st, st2;

  /* path_create_directory */
  P("mkdir d", __wasi_path_create_directory(3, "d"));
  P("mkdir d again", __wasi_path_create_directory(3, "d"));
  P("mkdir e/", __wasi_path_create_directory(3, "e/"));
  P("mkdir in missing dir", __wasi_path_create_directory(3, "nope/x"));

  /* path_open: create, write, read back */
  int e = open_at(3, "d/f.txt", 0, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RW, 0, 0, &fd);
  printf("create d/f.txt: %d\n", e);
  if (e) return 1;
  P("write", put(fd, "hello"));
  P("close", __wasi_fd_close(fd));
  printf("read back: %s\n", slurp("d/f.txt"));
  printf("open missing: %d\n", open_at(3, "d/none", 0, 0, RW, 0, 0, &fd));
  printf("creat|excl existing: %d\n",
         open_at(3, "d/f.txt", 0, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW, 0, 0, &fd));
  printf("directory flag on file: %d\n",
         open_at(3, "d/f.txt", 0, __WASI_OFLAGS_DIRECTORY, RW, 0, 0, &fd));
  printf("creat|directory: %d\n",
         open_at(3, "d/new", 0, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_DIRECTORY, RW, 0, 0, &fd));
  printf("write access on a directory: %d\n", open_at(3, "d", 0, 0, RW, 0, 0, &fd));
  printf("creat with trailing slash: %d\n",
         open_at(3, "d/g.txt/", 0, __WASI_OFLAGS_CREAT, RW, 0, 0, &fd));
  printf("file with trailing slash: %d\n", open_at(3, "d/f.txt/", 0, 0, RW, 0, 0, &fd));

  /* a directory fd from path_open is a base of its own */
  e = open_at(3, "d", 0, __WASI_OFLAGS_DIRECTORY, DIRR, R(FD_READ) | R(FD_SEEK), 0, &dfd);
  __wasi_fdstat_t fs;
  if (!e) Q(__wasi_fd_fdstat_get(dfd, &fs));
  printf("open d: %d, filetype %d\n", e, e ? -1 : fs.fs_filetype);
  e = open_at(dfd, "f.txt", 0, 0, R(FD_READ), 0, 0, &rfd);
  char buf[64];
  printf("open f.txt via d: %d", e);
  if (!e) {
    get(rfd, buf, sizeof buf);
    printf(", read '%s'", buf);
    (void)__wasi_fd_close(rfd);
  }
  printf("\n");
  printf("via d: mkdir (right missing): %d\n", __wasi_path_create_directory(dfd, "x"));
  printf("via d: creat|trunc (right missing): %d\n",
         open_at(dfd, "f.txt", 0, __WASI_OFLAGS_TRUNC, R(FD_READ), 0, 0, &rfd));
  /* requested rights & the parent's inheriting (FD_READ|...) -> read-only */
  e = open_at(dfd, "f.txt", 0, 0, R(FD_READ) | R(FD_WRITE), 0, 0, &rfd);
  if (!e) Q(__wasi_fd_fdstat_get(rfd, &fs));
  printf("via d: rw open: %d, base is read: %s, write denied: %s\n", e,
         !e && fs.fs_rights_base == R(FD_READ) ? "yes" : "no",
         !e && put(rfd, "X") != 0 ? "yes" : "no");
  if (!e) (void)__wasi_fd_close(rfd);
  printf("via d: creat (has the right): %d\n",
         open_at(dfd, "made", 0, __WASI_OFLAGS_CREAT, R(FD_READ), 0, 0, &rfd));
  (void)__wasi_fd_close(rfd);
  (void)__wasi_fd_close(dfd);

  /* bad directory fds */
  P("path_open on closed fd", open_at(77, "x", 0, 0, RW, 0, 0, &fd));
  P("path_open on stdout", open_at(1, "x", 0, 0, RW, 0, 0, &fd));
  e = open_at(3, "d/f.txt", 0, 0, RW, 0, 0, &rfd);
  P("path_open on a file fd", open_at(rfd, "x", 0, 0, RW, 0, 0, &fd));
  P("filestat on a file fd", __wasi_path_filestat_get(rfd, 0, "x", &st));
  (void)__wasi_fd_close(rfd);

  /* truncate, append */
  e = open_at(3, "d/f.txt", 0, __WASI_OFLAGS_TRUNC, RW, 0, 0, &fd);
  printf("trunc: %d, now '%s'\n", e, e ? "" : slurp("d/f.txt"));
  put(fd, "hello");
  (void)__wasi_fd_close(fd);
  e = open_at(3, "d/f.txt", 0, 0, RW, 0, __WASI_FDFLAGS_APPEND, &fd);
  Q(__wasi_fd_fdstat_get(fd, &fs));
  printf("append: %d, flags %d\n", e, fs.fs_flags);
  P("append write", put(fd, "XY"));
  printf("now '%s'\n", slurp("d/f.txt"));
  (void)__wasi_fd_close(fd);

  /* fdflags, and the new fd's rights: requested & the parent's inheriting,
   * masked to what a file can hold */
  static const struct { const char *name; __wasi_fdflags_t f; } ffs[] = {
      {"dsync", __WASI_FDFLAGS_DSYNC}, {"nonblock", __WASI_FDFLAGS_NONBLOCK},
      {"rsync", __WASI_FDFLAGS_RSYNC}, {"sync", __WASI_FDFLAGS_SYNC}};
  for (size_t i = 0; i < sizeof ffs / sizeof ffs[0]; i++) {
    e = open_at(3, "d/f.txt", 0, 0, RW, 0, ffs[i].f, &fd);
    if (!e) Q(__wasi_fd_fdstat_get(fd, &fs));
    printf("open %s: %d, flags %d\n", ffs[i].name, e, e ? -1 : fs.fs_flags);
    if (!e) (void)__wasi_fd_close(fd);
  }
  e = open_at(3, "d/f.txt", 0, 0, R(FD_READ) | R(FD_SEEK) | R(PATH_OPEN), R(FD_WRITE), 0, &fd);
  if (!e) Q(__wasi_fd_fdstat_get(fd, &fs));
  printf("rights: %d, base is read|seek: %s, inheriting is write: %s\n", e,
         fs.fs_rights_base == (R(FD_READ) | R(FD_SEEK)) ? "yes" : "no",
         fs.fs_rights_inheriting == R(FD_WRITE) ? "yes" : "no");
  if (!e) (void)__wasi_fd_close(fd);

  /* path_filestat_get */
  e = __wasi_path_filestat_get(3, FOLLOW, "d/f.txt", &st);
  printf("filestat d/f.txt: %d, filetype %d, size %llu, nlink %llu\n", e, st.filetype,
         (unsigned long long)st.size, (unsigned long long)st.nlink);
  e = __wasi_path_filestat_get(3, 0, "d", &st);
  printf("filestat dir: %d, filetype %d\n", e, st.filetype);
  P("filestat missing", __wasi_path_filestat_get(3, 0, "nope", &st));
  P("filestat file/", __wasi_path_filestat_get(3, 0, "d/f.txt/", &st));
  P("filestat e/", __wasi_path_filestat_get(3, 0, "e/", &st));
  Q(__wasi_path_filestat_get(3, 0, ".", &st));
  Q(__wasi_path_filestat_get(3, 0, "d/..", &st2));
  printf("'.' and 'd/..' same dir: %s\n", st.ino == st2.ino && st.filetype == 3 ? "yes" : "no");
  printf("empty path: %d\n", __wasi_path_filestat_get(3, 0, "", &st));

  /* path_symlink, path_readlink, following or not */
  P("symlink d/lnk -> f.txt", __wasi_path_symlink("f.txt", 3, "d/lnk"));
  P("symlink again", __wasi_path_symlink("f.txt", 3, "d/lnk"));
  P("symlink new/", __wasi_path_symlink("f.txt", 3, "d/lnk9/"));
  char lb[16];
  __wasi_size_t used;
  memset(lb, 0, sizeof lb);
  e = __wasi_path_readlink(3, "d/lnk", (uint8_t *)lb, sizeof lb, &used);
  printf("readlink: %d, '%.*s' (%u)\n", e, (int)used, lb, (unsigned)used);
  e = __wasi_path_readlink(3, "d/lnk", (uint8_t *)lb, 3, &used);
  printf("readlink short buffer: %d, '%.*s' (%u)\n", e, (int)used, lb, (unsigned)used);
  P("readlink on a file", __wasi_path_readlink(3, "d/f.txt", (uint8_t *)lb, 16, &used));
  Q(__wasi_path_filestat_get(3, 0, "d/lnk", &st));
  Q(__wasi_path_filestat_get(3, FOLLOW, "d/lnk", &st2));
  printf("lnk nofollow filetype %d, follow filetype %d\n", st.filetype, st2.filetype);
  printf("open via lnk: %s\n", slurp("d/lnk"));
  P("open lnk nofollow", open_at(3, "d/lnk", 0, 0, RW, 0, 0, &fd));
  P("symlink dl -> d", __wasi_path_symlink("d", 3, "dl"));
  printf("open dl/f.txt: %s\n", slurp("dl/f.txt"));
  P("open dl/ nofollow, as dir", open_at(3, "dl/", 0, __WASI_OFLAGS_DIRECTORY, DIRR, 0, 0, &fd));
  (void)__wasi_fd_close(fd);
  P("symlink loop1", __wasi_path_symlink("loop2", 3, "loop1"));
  P("symlink loop2", __wasi_path_symlink("loop1", 3, "loop2"));
  P("open loop", open_at(3, "loop1", FOLLOW, 0, RW, 0, 0, &fd));
  P("filestat loop/", __wasi_path_filestat_get(3, 0, "loop1/", &st));
  P("symlink dang -> d/target", __wasi_path_symlink("d/target", 3, "dang"));
  P("creat through dang", open_at(3, "dang", FOLLOW, __WASI_OFLAGS_CREAT, RW, 0, 0, &fd));
  (void)__wasi_fd_close(fd);
  printf("created d/target: %s\n", slurp("d/target"));
  P("creat|excl through a link",
    open_at(3, "dang", FOLLOW, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW, 0, 0, &fd));

  /* path_link */
  P("link d/f.txt -> d/hard", __wasi_path_link(3, 0, "d/f.txt", 3, "d/hard"));
  P("link again", __wasi_path_link(3, 0, "d/f.txt", 3, "d/hard"));
  P("link follow lnk -> hard2", __wasi_path_link(3, FOLLOW, "d/lnk", 3, "d/hard2"));
  P("link nofollow lnk -> hard3", __wasi_path_link(3, 0, "d/lnk", 3, "d/hard3"));
  P("link to new/", __wasi_path_link(3, 0, "d/f.txt", 3, "d/hard4/"));
  Q(__wasi_path_filestat_get(3, 0, "d/f.txt", &st));
  Q(__wasi_path_filestat_get(3, 0, "d/hard3", &st2));
  printf("nlink %llu, hard3 filetype %d\n", (unsigned long long)st.nlink, st2.filetype);
  P("link a directory", __wasi_path_link(3, 0, "e", 3, "e2"));

  /* path_rename */
  P("rename d/hard -> d/renamed", __wasi_path_rename(3, "d/hard", 3, "d/renamed"));
  P("stat old name", __wasi_path_filestat_get(3, 0, "d/hard", &st));
  P("stat new name", __wasi_path_filestat_get(3, 0, "d/renamed", &st));
  P("rename missing", __wasi_path_rename(3, "nope", 3, "x"));
  P("rename file to file/", __wasi_path_rename(3, "d/renamed", 3, "d/r2/"));
  P("rename dir e -> e3/", __wasi_path_rename(3, "e", 3, "e3/"));
  P("rename dir over nonempty dir", __wasi_path_rename(3, "e3", 3, "d"));

  /* path_filestat_set_times */
  const __wasi_timestamp_t A = 1000000000000000005ull, M = 1100000000000000007ull;
  e = __wasi_path_filestat_set_times(3, FOLLOW, "d/lnk", A, M,
                                     __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
  Q(__wasi_path_filestat_get(3, 0, "d/f.txt", &st));
  printf("set_times via link (follow): %d, atim %s, mtim %s\n", e, st.atim == A ? "ok" : "wrong",
         st.mtim == M ? "ok" : "wrong");
  e = __wasi_path_filestat_set_times(3, 0, "d/lnk", 0, 5000000000ull, __WASI_FSTFLAGS_MTIM);
  Q(__wasi_path_filestat_get(3, 0, "d/f.txt", &st));
  Q(__wasi_path_filestat_get(3, 0, "d/lnk", &st2));
  printf("set_times on link itself: %d, file mtim kept: %s, link mtim %llu\n", e,
         st.mtim == M ? "yes" : "no", (unsigned long long)st2.mtim);
  e = __wasi_path_filestat_set_times(3, 0, "d/f.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW);
  Q(__wasi_path_filestat_get(3, 0, "d/f.txt", &st));
  printf("mtim now: %d, after 2020: %s, atim kept: %s\n", e,
         st.mtim > 1577836800000000000ull ? "yes" : "no", st.atim == A ? "yes" : "no");
  const __wasi_fstflags_t AA = __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW,
                          MM = __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW;
  P("atim|atim_now", __wasi_path_filestat_set_times(3, 0, "d/f.txt", 0, 0, AA));
  P("mtim|mtim_now", __wasi_path_filestat_set_times(3, 0, "d/f.txt", 0, 0, MM));
  e = __wasi_path_filestat_set_times(3, 0, "d/f.txt", 0, M, __WASI_FSTFLAGS_MTIM);
  printf("set mtim again: %d\n", e);

  /* path_unlink_file, path_remove_directory */
  P("unlink d/renamed", __wasi_path_unlink_file(3, "d/renamed"));
  P("unlink again", __wasi_path_unlink_file(3, "d/renamed"));
  P("unlink a dir", __wasi_path_unlink_file(3, "e3"));
  P("unlink file/", __wasi_path_unlink_file(3, "d/f.txt/"));
  P("rmdir nonempty", __wasi_path_remove_directory(3, "d"));
  P("rmdir a file", __wasi_path_remove_directory(3, "d/f.txt"));
  P("rmdir e3/", __wasi_path_remove_directory(3, "e3/"));
  P("rmdir again", __wasi_path_remove_directory(3, "e3"));
  P("rmdir .", __wasi_path_remove_directory(3, "."));
  P("unlink loop1", __wasi_path_unlink_file(3, "loop1"));
  P("unlink loop2", __wasi_path_unlink_file(3, "loop2"));
  P("unlink dang", __wasi_path_unlink_file(3, "dang"));
  P("unlink dl (a link to a dir)", __wasi_path_unlink_file(3, "dl"));

  /* through libc */
  FILE *f = fopen("/sandbox/libc.txt", "w");
  if (!f) return 2;
  fprintf(f, "via stdio %d\n", 42);
  printf("fclose: %d\n", fclose(f));
  f = fopen("/sandbox/libc.txt", "r");
  if (!f) return 3;
  memset(buf, 0, sizeof buf);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  printf("fread %zu: %s", n, buf);
  f = fopen("/sandbox/libc.txt", "a");
  fputs("more\n", f);
  fclose(f);
  printf("after append: %s", slurp("libc.txt"));
  struct stat s;
  PE("libc mkdir", mkdir("/sandbox/ld", 0755));
  e = stat("/sandbox/ld", &s);
  printf("libc stat dir: %d isdir %d\n", e, S_ISDIR(s.st_mode));
  e = stat("/sandbox/libc.txt", &s);
  printf("libc stat file: %d size %lld\n", e, (long long)s.st_size);
  errno = 0;
  f = fopen("/sandbox/missing", "r");
  printf("libc open missing: %s errno %d\n", f ? "opened" : "NULL", errno);
  PE("libc rename", rename("/sandbox/libc.txt", "/sandbox/ld/moved.txt"));
  PE("libc symlink", symlink("moved.txt", "/sandbox/ld/sym"));
  PE("libc link", link("/sandbox/ld/moved.txt", "/sandbox/ld/hl"));
  char rl[32] = {0};
  ssize_t rn = readlink("/sandbox/ld/sym", rl, sizeof rl - 1);
  printf("libc readlink: %zd '%s'\n", rn, rl);
  P("libc lstat is link", lstat("/sandbox/ld/sym", &s) == 0 && S_ISLNK(s.st_mode));
  PE("libc access sym", access("/sandbox/ld/sym", F_OK));
  PE("libc access missing", access("/sandbox/zz", F_OK));
  DIR *dir = opendir("/sandbox/ld");
  if (dir) {
    char *names[16];
    int k = 0;
    struct dirent *de;
    while ((de = readdir(dir)) && k < 16)
      if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) names[k++] = strdup(de->d_name);
    closedir(dir);
    qsort(names, (size_t)k, sizeof *names, cmp);
    printf("readdir ld:");
    for (int i = 0; i < k; i++) printf(" %s", names[i]);
    printf("\n");
  } else {
    printf("opendir: errno %d\n", errno);
  }
  PE("libc unlink sym", unlink("/sandbox/ld/sym"));
  PE("libc unlink hl", unlink("/sandbox/ld/hl"));
  PE("libc rmdir a file", rmdir("/sandbox/ld/moved.txt"));
  PE("libc rmdir nonempty", rmdir("/sandbox/ld"));
  return 0;
}
