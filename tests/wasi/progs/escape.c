/* escape.c: the sandbox-escape suite. The granted directory is fd 3
 * (guest name /box); next to it on the host lies outside/secret. argv[1]
 * is the host's absolute path of outside/ (so that absolute symlinks can
 * name it). Every attempt prints "NAME: denied (errno N)" or
 * "NAME: ESCAPED"; run-fs-tests.sh also checks on the host that nothing
 * outside was read, created or changed.
 *
 *   escape OUTSIDE             the suite
 *   escape race SECONDS        opens flip/secret in a loop while the host
 *                              flips flip/ between a directory and a
 *                              symlink to outside/; prints how often each
 *                              outcome happened and whether it escaped
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wasi/api.h>

#define R(x) ((__wasi_rights_t)__WASI_RIGHTS_##x)
static const __wasi_rights_t RW = R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(FD_FILESTAT_GET);
static const __wasi_rights_t DIRR = R(PATH_OPEN) | R(PATH_CREATE_FILE) | R(PATH_FILESTAT_GET) |
                                    R(FD_READDIR) | R(PATH_RENAME_SOURCE) | R(PATH_RENAME_TARGET);
static const __wasi_lookupflags_t FOLLOW = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
static const char *outside;

/* Raw imports: (pointer, length) strings that may hold a NUL or point
 * anywhere, which the __wasi_* wrappers (strlen) cannot send. */
#define IMPORT(n) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#n)))
IMPORT(path_open) int32_t raw_path_open(int32_t, int32_t, int32_t, int32_t, int32_t, int64_t,
                                        int64_t, int32_t, int32_t);
IMPORT(path_filestat_get) int32_t raw_path_filestat_get(int32_t, int32_t, int32_t, int32_t,
                                                        int32_t);
IMPORT(path_readlink) int32_t raw_path_readlink(int32_t, int32_t, int32_t, int32_t, int32_t,
                                                int32_t);
IMPORT(path_symlink) int32_t raw_path_symlink(int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(path_rename) int32_t raw_path_rename(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
#define P32(p) ((int32_t)(uintptr_t)(p))
#define BAD 0x7FFFFFF0

static int secrets_seen;

/* An attempt's outcome; an opened fd is read, and closed. */
static void report(const char *name, int e, int fd) {
  if (fd >= 0) {
    char buf[64] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n;
    if (__wasi_fd_read((__wasi_fd_t)fd, &iov, 1, &n) == 0 && strstr(buf, "TOPSECRET"))
      secrets_seen++;
    (void)__wasi_fd_close((__wasi_fd_t)fd);
  }
  if (e) printf("%s: denied (errno %d)\n", name, e);
  else printf("%s: ESCAPED\n", name);
}

static void try_open(const char *name, __wasi_fd_t dir, const char *path,
                     __wasi_lookupflags_t lf, __wasi_oflags_t of) {
  __wasi_fd_t fd;
  int e = __wasi_path_open(dir, lf, path, of, RW, RW, 0, &fd);
  report(name, e, e ? -1 : (int)fd);
}

static void try_stat(const char *name, const char *path, __wasi_lookupflags_t lf) {
  __wasi_filestat_t st;
  report(name, __wasi_path_filestat_get(3, lf, path, &st), -1);
}

/* Set-up steps inside the box must work, or the suite means nothing. */
static void must(const char *what, int e) {
  if (e) {
    printf("setup %s failed: errno %d\n", what, e);
    exit(1);
  }
}

static char *cat(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 1;
  char *s = malloc(n);
  snprintf(s, n, "%s%s", a, b);
  return s;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The check-then-use race: the host swaps flip/ under us. */
static int race(double seconds) {
  long opened_inside = 0, denied = 0, other = 0, escaped = 0, n = 0, nofd = 0;
  double end = now() + seconds;
  while (now() < end || n < 1000) {
    __wasi_fd_t fd;
    int e = __wasi_path_open(3, FOLLOW, "flip/secret", 0, RW, RW, 0, &fd);
    n++;
    if (e == 0) {
      char buf[64] = {0};
      __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
      __wasi_size_t got;
      if (__wasi_fd_read(fd, &iov, 1, &got) == 0) {
        if (strstr(buf, "TOPSECRET")) escaped++;
        else if (strstr(buf, "inside")) opened_inside++;
        else other++;
      }
      (void)__wasi_fd_close(fd);
    } else if (e == __WASI_ERRNO_NOTCAPABLE) {
      denied++;
    } else if (e == __WASI_ERRNO_MFILE || e == __WASI_ERRNO_NFILE) {
      nofd++; /* the host would be leaking fds */
    } else {
      other++; /* ENOENT / ENOTDIR while the host is mid-swap */
    }
  }
  fprintf(stderr, "race: %ld opens, %ld inside, %ld denied, %ld other, %ld escaped\n", n,
          opened_inside, denied, other, escaped);
  printf("race: escaped %ld\n", escaped);
  printf("race: saw the directory: %s\n", opened_inside ? "yes" : "no");
  printf("race: saw the link (denied): %s\n", denied ? "yes" : "no");
  printf("race: out of fds: %ld\n", nofd);
  return escaped != 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "race") == 0) return race(atof(argv[2]));
  if (argc != 2) return 2;
  outside = argv[1];
  char *abs_secret = cat(outside, "/secret");

  /* `..` and absolute paths */
  try_open("dotdot_root", 3, "..", 0, __WASI_OFLAGS_DIRECTORY);
  try_open("dotdot_file", 3, "../outside/secret", FOLLOW, 0);
  must("mkdir a", __wasi_path_create_directory(3, "a"));
  try_open("a_dotdot_dotdot", 3, "a/../../outside/secret", FOLLOW, 0);
  try_open("dot_dotdot_slash", 3, "./../", 0, 0);
  try_open("a_dot_dotdot_dotdot", 3, "a/./../..", 0, __WASI_OFLAGS_DIRECTORY);
  try_open("absolute_etc_passwd", 3, "/etc/passwd", FOLLOW, 0);
  try_open("absolute_secret", 3, abs_secret, FOLLOW, 0);
  try_stat("stat_dotdot", "..", 0);
  try_stat("stat_a_dotdot_dotdot", "a/../..", FOLLOW);
  {
    __wasi_fd_t afd;
    must("open a", __wasi_path_open(3, 0, "a", __WASI_OFLAGS_DIRECTORY, DIRR, RW, 0, &afd));
    /* An fd of a subdirectory is a capability of its own: no climbing. */
    try_open("subdir_fd_dotdot", afd, "../a", 0, __WASI_OFLAGS_DIRECTORY);
    (void)__wasi_fd_close(afd);
  }

  /* symlinks with an absolute target: creating them is allowed (the text
   * is stored verbatim), following them is not */
  must("symlink abs", __wasi_path_symlink(abs_secret, 3, "abs"));
  try_open("abs_symlink_open", 3, "abs", FOLLOW, 0);
  try_stat("abs_symlink_stat_follow", "abs", FOLLOW);
  try_stat("abs_symlink_trailing_slash", "abs/", 0);
  {
    char buf[256];
    __wasi_size_t used;
    int e = __wasi_path_readlink(3, "abs", (uint8_t *)buf, sizeof buf, &used);
    printf("abs_symlink_readlink: %d, text is the target: %s\n", e,
           !e && used == strlen(abs_secret) && !memcmp(buf, abs_secret, used) ? "yes" : "no");
  }
  {
    __wasi_filestat_t st;
    int e = __wasi_path_filestat_get(3, 0, "abs", &st);
    printf("abs_symlink_lstat: %d, filetype %d\n", e, st.filetype);
  }
  report("abs_symlink_set_times",
         __wasi_path_filestat_set_times(3, FOLLOW, "abs", 0, 0, __WASI_FSTFLAGS_MTIM), -1);
  report("abs_symlink_hardlink_follow", __wasi_path_link(3, FOLLOW, "abs", 3, "stolen"), -1);

  /* relative symlinks that climb out */
  must("symlink rel", __wasi_path_symlink("../outside/secret", 3, "rel"));
  try_open("rel_symlink_open", 3, "rel", FOLLOW, 0);
  try_stat("rel_symlink_stat", "rel", FOLLOW);
  must("symlink a/up2", __wasi_path_symlink("../../outside", 3, "a/up2"));
  try_open("rel_symlink_dotdot_dotdot", 3, "a/up2/secret", FOLLOW, 0);
  try_open("rel_symlink_nofollow_intermediate", 3, "a/up2/secret", 0, 0);
  must("symlink c1", __wasi_path_symlink("c2", 3, "c1"));
  must("symlink c2", __wasi_path_symlink("a/c3", 3, "c2"));
  must("symlink a/c3", __wasi_path_symlink("../rel", 3, "a/c3"));
  try_open("symlink_chain", 3, "c1", FOLLOW, 0);
  must("symlink inner", __wasi_path_symlink("a/../..", 3, "inner"));
  try_open("symlink_to_dotdot_via_inside", 3, "inner/outside/secret", FOLLOW, 0);

  /* a symlink to a directory outside, then a path through it */
  must("symlink dl", __wasi_path_symlink(outside, 3, "dl"));
  must("symlink dr", __wasi_path_symlink("../outside", 3, "dr"));
  try_open("dirlink_abs_file", 3, "dl/secret", FOLLOW, 0);
  try_open("dirlink_abs_file_nofollow", 3, "dl/secret", 0, 0);
  try_open("dirlink_rel_file", 3, "dr/secret", FOLLOW, 0);
  try_open("dirlink_abs_dir", 3, "dl", FOLLOW, __WASI_OFLAGS_DIRECTORY);
  try_open("dirlink_trailing_slash", 3, "dl/", 0, 0);
  try_stat("dirlink_stat", "dr/secret", 0);
  try_open("dirlink_creat", 3, "dl/created_via_link", FOLLOW, __WASI_OFLAGS_CREAT);
  report("dirlink_mkdir", __wasi_path_create_directory(3, "dl/newdir"), -1);
  report("dirlink_unlink", __wasi_path_unlink_file(3, "dr/secret"), -1);
  report("dirlink_rmdir", __wasi_path_remove_directory(3, "dl/."), -1);
  {
    char buf[64];
    __wasi_size_t used;
    report("dirlink_readlink", __wasi_path_readlink(3, "dl/secret", (uint8_t *)buf, 64, &used),
           -1);
  }

  /* renames and links to and from outside */
  __wasi_fd_t fd;
  must("create mv.txt", __wasi_path_open(3, 0, "mv.txt", __WASI_OFLAGS_CREAT, RW, RW, 0, &fd));
  (void)__wasi_fd_close(fd);
  must("mkdir sub", __wasi_path_create_directory(3, "sub"));
  report("rename_file_out", __wasi_path_rename(3, "mv.txt", 3, "../mv.txt"), -1);
  report("rename_file_out_via_link", __wasi_path_rename(3, "mv.txt", 3, "dr/mv.txt"), -1);
  report("rename_file_out_abs", __wasi_path_rename(3, "mv.txt", 3, cat(outside, "/mv.txt")), -1);
  report("rename_dir_out", __wasi_path_rename(3, "sub", 3, "../sub"), -1);
  report("rename_dir_out_deep", __wasi_path_rename(3, "sub", 3, "a/../../sub"), -1);
  report("rename_secret_in", __wasi_path_rename(3, "dl/secret", 3, "got"), -1);
  report("rename_root_away", __wasi_path_rename(3, ".", 3, "../boxmoved"), -1);
  report("link_out", __wasi_path_link(3, 0, "mv.txt", 3, "../ln.txt"), -1);
  report("link_out_via_link", __wasi_path_link(3, 0, "mv.txt", 3, "dl/ln.txt"), -1);
  report("link_secret_in", __wasi_path_link(3, 0, "dr/secret", 3, "stolen"), -1);
  report("symlink_create_outside", __wasi_path_symlink("x", 3, "../evil"), -1);
  report("symlink_create_via_link", __wasi_path_symlink("x", 3, "dl/evil"), -1);
  report("mkdir_out", __wasi_path_create_directory(3, "../newdir"), -1);
  report("unlink_out", __wasi_path_unlink_file(3, "../outside/secret"), -1);

  /* a symlink made by the guest, then opened through */
  must("symlink mk", __wasi_path_symlink("../../../../../../../../etc/passwd", 3, "mk"));
  try_open("made_symlink_open", 3, "mk", FOLLOW, 0);

  /* creating through dangling symlinks that point outside */
  must("symlink dang", __wasi_path_symlink("../outside/created", 3, "dang"));
  must("symlink dang_abs", __wasi_path_symlink(cat(outside, "/created_abs"), 3, "dang_abs"));
  try_open("creat_dangling_rel", 3, "dang", FOLLOW, __WASI_OFLAGS_CREAT);
  try_open("creat_dangling_abs", 3, "dang_abs", FOLLOW, __WASI_OFLAGS_CREAT);
  try_open("creat_dangling_trunc", 3, "dang", FOLLOW, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC);
  try_open("creat_dangling_nofollow", 3, "dang", 0, __WASI_OFLAGS_CREAT);
  try_open("creat_dangling_excl", 3, "dang", FOLLOW, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL);

  /* symlink loops and long paths: an error, not a hang or a crash */
  must("symlink l1", __wasi_path_symlink("l2", 3, "l1"));
  must("symlink l2", __wasi_path_symlink("l1", 3, "l2"));
  try_open("symlink_loop", 3, "l1/x", FOLLOW, 0);
  {
    static char longp[9000];
    for (int i = 0; i + 2 < (int)sizeof longp; i += 2) memcpy(longp + i, "a/", 2);
    try_open("long_path", 3, longp, FOLLOW, 0);
    memset(longp, 'x', 300);
    longp[300] = 0;
    try_open("long_component", 3, longp, FOLLOW, __WASI_OFLAGS_CREAT);
    /* many `..` after going down: climbs back to the base, then one more */
    char *p = longp;
    for (int i = 0; i < 500; i++) p += sprintf(p, "a/..%s", "/");
    strcpy(p, "../outside/secret");
    try_open("many_dotdot", 3, longp, FOLLOW, 0);
  }

  /* NUL inside the (ptr, len) string, and pointers outside memory */
  {
    static const char nul[] = "rel\0x";
    int32_t out;
    report("nul_in_path", raw_path_open(3, 1, P32(nul), 5, 0, (int64_t)RW, 0, 0, P32(&out)), -1);
    report("nul_in_symlink_target", raw_path_symlink(P32(nul), 5, 3, P32("nulsym"), 6), -1);
    report("bad_path_ptr", raw_path_open(3, 1, BAD, 100, 0, (int64_t)RW, 0, 0, P32(&out)), -1);
    report("bad_path_len", raw_path_open(3, 1, P32("mv.txt"), 0x7FFFFFFF, 0, (int64_t)RW, 0, 0,
                                         P32(&out)), -1);
    /* a create with an unwritable result pointer must not create */
    report("bad_out_ptr_creat", raw_path_open(3, 1, P32("faultfile"), 9, 1, (int64_t)RW, 0, 0,
                                              BAD), -1);
    report("bad_filestat_buf", raw_path_filestat_get(3, 1, P32("mv.txt"), 6, BAD), -1);
    report("bad_readlink_buf", raw_path_readlink(3, P32("abs"), 3, BAD, 64, P32(&out)), -1);
    report("bad_rename_ptr", raw_path_rename(3, P32("mv.txt"), 6, 3, BAD, 4), -1);
  }

  /* through libc: the preopen prefix is matched, the rest resolved beneath */
  {
    errno = 0;
    FILE *f = fopen("/box/../outside/secret", "r");
    int e = errno;
    if (f) fclose(f);
    report("libc_fopen_dotdot", f ? 0 : e, -1);
    errno = 0;
    f = fopen("/box/rel", "r");
    e = errno;
    if (f) fclose(f);
    report("libc_fopen_rel_symlink", f ? 0 : e, -1);
    errno = 0;
    f = fopen("/box/dang", "w");
    e = errno;
    if (f) fclose(f);
    report("libc_fopen_w_dangling", f ? 0 : e, -1);
  }

  printf("secret read: %s\n", secrets_seen ? "YES" : "no");
  return 0;
}
