/* escape.c: the sandbox-escape suite. The granted directory is fd 3
 * (guest name /box, host BASE/box); next to it on the host lies
 * BASE/outside/secret. argv[1] is the host's absolute path of outside/ (so
 * that absolute symlinks can name it); the other arguments are DEV:INO of
 * host files the guest must never open or stat (outside/secret, outside/,
 * BASE, /etc/passwd, /): every fd an attempt gets and every filestat it
 * reads is compared with them. Every attempt prints
 * "NAME: denied (errno N)" or "NAME: ESCAPED"; run-fs-tests.sh also checks
 * on the host that nothing outside was read, created or changed.
 *
 *   escape OUTSIDE DEV:INO...  the suite
 *   escape race SECONDS        opens flip/secret in a loop while the host
 *                              flips flip/ between a directory and a
 *                              symlink to outside/; prints how often each
 *                              outcome happened and whether it escaped
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
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

static int secrets_seen, outside_reached;

/* The host files of argv[2..]: reaching one is an escape even when its
 * contents are not the secret (a stat leaks metadata; /etc/passwd). */
enum { MAX_FORBIDDEN = 8 };
static uint64_t forbidden_dev[MAX_FORBIDDEN], forbidden_ino[MAX_FORBIDDEN];
static int n_forbidden;

static bool is_outside(const __wasi_filestat_t *st) {
  for (int i = 0; i < n_forbidden; i++)
    if (st->dev == forbidden_dev[i] && st->ino == forbidden_ino[i]) return true;
  return false;
}

/* What an attempt opened: which file it is and what it holds; closed. */
static void inspect_fd(__wasi_fd_t fd) {
  __wasi_filestat_t st;
  if (__wasi_fd_filestat_get(fd, &st) == 0 && is_outside(&st)) outside_reached++;
  char buf[64] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_size_t n;
  if (__wasi_fd_read(fd, &iov, 1, &n) == 0 && strstr(buf, "TOPSECRET")) secrets_seen++;
  (void)__wasi_fd_close(fd);
}

/* An attempt's outcome; an opened fd is inspected, and closed. */
static void report(const char *name, int e, int fd) {
  if (fd >= 0) inspect_fd((__wasi_fd_t)fd);
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
  int e = __wasi_path_filestat_get(3, lf, path, &st);
  if (!e && is_outside(&st)) outside_reached++;
  report(name, e, -1);
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

/* The first bytes of `path` beneath fd 3 opened with `lf`, or "" when the
 * open fails (*e: its errno). */
static const char *read_via(const char *path, __wasi_lookupflags_t lf, int *e) {
  static char buf[64];
  buf[0] = 0;
  __wasi_fd_t fd;
  if ((*e = __wasi_path_open(3, lf, path, 0, RW, RW, 0, &fd))) return buf;
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_size_t n = 0;
  if (__wasi_fd_read(fd, &iov, 1, &n) != 0) n = 0;
  buf[n] = 0;
  (void)__wasi_fd_close(fd);
  return buf;
}

/* Whether path_readlink gives exactly `want`. */
static bool readlink_is(const char *path, const char *want) {
  char buf[512];
  __wasi_size_t used;
  return __wasi_path_readlink(3, path, (uint8_t *)buf, sizeof buf, &used) == 0 &&
         used == strlen(want) && !memcmp(buf, want, used);
}

/* Issue 13: a symlink whose target is absolute can be created (the text is
 * stored verbatim), read back with readlink and removed, through the raw
 * call and through libc; following it is refused with NOTCAPABLE wherever
 * it sits in a path, with the same errno whether the host path exists or
 * not (no probing of the host's tree), and even when the text names the
 * box itself, by its host path or its guest path (a link's text is never
 * mapped through the preopens). Relative links inside the box work, `..`
 * included; a relative link climbing out is created, read and removed,
 * never followed. */
static void absolute_targets(const char *outside, const char *abs_secret) {
  __wasi_fd_t fd;
  must("create in.txt", __wasi_path_open(3, 0, "in.txt", __WASI_OFLAGS_CREAT, RW, RW, 0, &fd));
  __wasi_ciovec_t iov = {(const uint8_t *)"inside", 6};
  __wasi_size_t n;
  must("write in.txt", __wasi_fd_write(fd, &iov, 1, &n));
  (void)__wasi_fd_close(fd);

  /* creating and reading back */
  printf("abs_create: %d\n", __wasi_path_symlink("/etc/passwd", 3, "etcpw"));
  printf("abs_create_root: %d\n", __wasi_path_symlink("/", 3, "rootl"));
  errno = 0;
  int r = symlink(abs_secret, "/box/libcabs");
  printf("abs_create_libc: %d errno %d\n", r, errno);
  printf("abs_readlink: text is the target: %s\n", readlink_is("etcpw", "/etc/passwd") ? "yes" : "no");
  {
    char buf[512];
    ssize_t k = readlink("/box/libcabs", buf, sizeof buf);
    printf("abs_readlink_libc: text is the target: %s\n",
           k == (ssize_t)strlen(abs_secret) && !memcmp(buf, abs_secret, (size_t)k) ? "yes" : "no");
  }
  {
    __wasi_filestat_t st = {0};
    int e = __wasi_path_filestat_get(3, 0, "etcpw", &st);
    printf("abs_lstat: %d, filetype %d, size is the text's: %s\n", e, st.filetype,
           st.size == strlen("/etc/passwd") ? "yes" : "no");
  }

  /* following */
  try_open("abs_open_follow", 3, "etcpw", FOLLOW, 0);
  try_open("abs_open_nofollow", 3, "etcpw", 0, 0); /* O_NOFOLLOW on a link: ELOOP */
  try_open("abs_open_dir_follow", 3, "rootl", FOLLOW, __WASI_OFLAGS_DIRECTORY);
  try_open("abs_open_through_root", 3, "rootl/etc/passwd", 0, 0);
  try_open("abs_open_trailing_slash", 3, "rootl/", 0, __WASI_OFLAGS_DIRECTORY);
  try_open("abs_creat_follow", 3, "libcabs", FOLLOW, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC);
  {
    /* a refused stat writes nothing: no metadata of the host file */
    __wasi_filestat_t st, fresh;
    memset(&st, 0xA5, sizeof st);
    memcpy(&fresh, &st, sizeof st);
    int e = __wasi_path_filestat_get(3, FOLLOW, "libcabs", &st);
    if (!e && is_outside(&st)) outside_reached++;
    printf("abs_stat_follow: %d, buffer untouched: %s\n", e, memcmp(&st, &fresh, sizeof st) ? "no" : "yes");
  }
  {
    struct stat st;
    errno = 0;
    int o = open("/box/etcpw", O_RDONLY);
    int e = errno;
    if (o >= 0) inspect_fd((__wasi_fd_t)o);
    printf("abs_libc_open: %s errno %d\n", o >= 0 ? "OPENED" : "-1", e);
    errno = 0;
    r = stat("/box/libcabs", &st);
    printf("abs_libc_stat: %d errno %d\n", r, errno);
    errno = 0;
    DIR *d = opendir("/box/rootl");
    e = errno;
    if (d) closedir(d);
    printf("abs_libc_opendir: %s errno %d\n", d ? "OPENED" : "NULL", e);
  }
  {
    must("symlink ghost", __wasi_path_symlink("/nonexistent/wasmc-escape-probe", 3, "ghost"));
    __wasi_filestat_t st;
    int e1 = __wasi_path_filestat_get(3, FOLLOW, "etcpw", &st);
    int e2 = __wasi_path_filestat_get(3, FOLLOW, "ghost", &st);
    int e3, e4;
    read_via("etcpw", FOLLOW, &e3);
    read_via("ghost", FOLLOW, &e4);
    printf("abs_no_probing: stat %d/%d, open %d/%d\n", e1, e2, e3, e4);
  }
  {
    /* BASE/box is the box: still absolute, still refused (as Wasmtime) */
    char *box = malloc(strlen(outside) + 4);
    strcpy(box, outside);
    strcpy(strrchr(box, '/') + 1, "box");
    must("symlink boxself", __wasi_path_symlink(box, 3, "boxself"));
    try_open("abs_target_is_the_box", 3, "boxself/in.txt", FOLLOW, 0);
    must("symlink guestname", __wasi_path_symlink("/box/in.txt", 3, "guestname"));
    try_open("abs_target_guest_name", 3, "guestname", FOLLOW, 0);
    errno = 0;
    FILE *f = fopen("/box/guestname", "r");
    int e = errno;
    if (f) fclose(f);
    report("abs_target_guest_name_libc", f ? 0 : e, -1);
    free(box);
  }

  /* removing: the link goes, its target stays (host: outside/ unchanged) */
  {
    int e = __wasi_path_unlink_file(3, "etcpw");
    __wasi_filestat_t st;
    printf("abs_unlink: %d, then lstat: %d\n", e, __wasi_path_filestat_get(3, 0, "etcpw", &st));
    errno = 0;
    r = unlink("/box/libcabs");
    printf("abs_unlink_libc: %d errno %d\n", r, errno);
    must("unlink rootl", __wasi_path_unlink_file(3, "rootl"));
    must("unlink ghost", __wasi_path_unlink_file(3, "ghost"));
    must("unlink boxself", __wasi_path_unlink_file(3, "boxself"));
    must("unlink guestname", __wasi_path_unlink_file(3, "guestname"));
  }

  /* relative links inside the box still work */
  int e;
  const char *t;
  must("symlink in_link", __wasi_path_symlink("in.txt", 3, "in_link"));
  t = read_via("in_link", FOLLOW, &e);
  printf("rel_inside_open: %d '%s'\n", e, t);
  must("symlink a/in_up", __wasi_path_symlink("../in.txt", 3, "a/in_up"));
  t = read_via("a/in_up", FOLLOW, &e);
  printf("rel_inside_dotdot_open: %d '%s'\n", e, t);
  must("symlink adir", __wasi_path_symlink("a", 3, "adir"));
  t = read_via("adir/in_up", FOLLOW, &e);
  printf("rel_inside_chain_open: %d '%s'\n", e, t);
  {
    __wasi_filestat_t st = {0};
    e = __wasi_path_filestat_get(3, FOLLOW, "adir/in_up", &st);
    printf("rel_inside_stat: %d, filetype %d, size %" PRIu64 "\n", e, st.filetype, st.size);
    DIR *d = opendir("/box/adir");
    printf("rel_inside_libc_opendir: %s\n", d ? "ok" : strerror(errno));
    if (d) closedir(d);
    char buf[16] = {0};
    FILE *f = fopen("/box/adir/in_up", "r");
    if (f) {
      if (!fgets(buf, sizeof buf, f)) buf[0] = 0;
      fclose(f);
    }
    printf("rel_inside_libc_fopen: '%s'\n", buf);
  }

  /* a relative link climbing out: created, read back, removed, not followed */
  printf("rel_escape_create: %d\n", __wasi_path_symlink("../outside/secret", 3, "rel2"));
  printf("rel_escape_readlink: text is the target: %s\n",
         readlink_is("rel2", "../outside/secret") ? "yes" : "no");
  try_open("rel_escape_open", 3, "rel2", FOLLOW, 0);
  printf("rel_escape_unlink: %d\n", __wasi_path_unlink_file(3, "rel2"));
}

/* xorshift32: the hostile-path generator's numbers. */
static uint32_t rnd(uint32_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 17;
  *x ^= *x << 5;
  return *x;
}

/* Hostile paths at random (a fixed seed, so a failure replays): parts
 * that climb, jump through absolute or escaping links, loop or dangle,
 * glued with one or two slashes, given to every path call, which may also
 * make new links out. Anything may fail and anything inside may work;
 * nothing may open, stat or read a host file outside, and the host checks
 * that nothing outside was created, changed or removed. */
static void hostile_paths(const char *outside) {
  static const char *const parts[] = {
      "..", ".", "", "a", "adir", "in_link", "in.txt", "abs", "dl", "dr", "rel", "inner",
      "mk", "up2", "c1", "l1", "dang", "dang_abs", "secret", "outside", "box", "fz"};
  static const char *const targets[] = {"x", "../outside", "..", "/", "/etc"};
  enum { N = 3000, NPARTS = sizeof parts / sizeof *parts };
  const __wasi_rights_t dir_rights = DIRR | R(FD_FILESTAT_GET);
  uint32_t x = 0x13u;
  long worked = 0, refused = 0;
  static char path[1024];
  for (int i = 0; i < N; i++) {
    size_t k = 0;
    uint32_t lead = rnd(&x) % 8;
    if (lead == 0) k += (size_t)sprintf(path + k, "%s/", outside);
    else if (lead == 1) k += (size_t)sprintf(path + k, "/");
    int nc = 1 + (int)(rnd(&x) % 6);
    for (int c = 0; c < nc; c++) {
      if (c) k += (size_t)sprintf(path + k, rnd(&x) % 5 ? "/" : "//");
      k += (size_t)sprintf(path + k, "%s", parts[rnd(&x) % NPARTS]);
    }
    if (rnd(&x) % 6 == 0) path[k++] = '/';
    path[k] = 0;
    __wasi_fd_t fd;
    __wasi_filestat_t st;
    bool opened = false, statted = false;
    int e;
    switch (rnd(&x) % 11) {
    case 0: e = __wasi_path_open(3, FOLLOW, path, 0, RW, RW, 0, &fd), opened = true; break;
    case 1: e = __wasi_path_open(3, 0, path, 0, RW, RW, 0, &fd), opened = true; break;
    case 2:
      e = __wasi_path_open(3, FOLLOW, path, __WASI_OFLAGS_DIRECTORY, dir_rights, RW, 0, &fd);
      opened = true;
      break;
    case 3: e = __wasi_path_open(3, FOLLOW, path, __WASI_OFLAGS_CREAT, RW, RW, 0, &fd), opened = true; break;
    case 4: e = __wasi_path_filestat_get(3, FOLLOW, path, &st), statted = true; break;
    case 5: e = __wasi_path_filestat_get(3, 0, path, &st), statted = true; break;
    case 6: e = __wasi_path_create_directory(3, path); break;
    case 7: {
      uint32_t pick = rnd(&x) % 6;
      e = __wasi_path_symlink(pick < 5 ? targets[pick] : outside, 3, path);
      break;
    }
    case 8: {
      /* a hard link of a file outside would carry its inode */
      __wasi_lookupflags_t lf = rnd(&x) % 2 ? FOLLOW : 0;
      if (!(e = __wasi_path_link(3, lf, path, 3, "fz_hl"))) {
        statted = __wasi_path_filestat_get(3, 0, "fz_hl", &st) == 0;
        (void)__wasi_path_unlink_file(3, "fz_hl");
      }
      break;
    }
    case 9: e = __wasi_path_unlink_file(3, path); break;
    default: {
      char buf[64];
      __wasi_size_t used;
      e = __wasi_path_readlink(3, path, (uint8_t *)buf, sizeof buf, &used);
    }
    }
    if (e) {
      refused += e == __WASI_ERRNO_NOTCAPABLE;
      continue;
    }
    worked++;
    if (opened) inspect_fd(fd);
    if (statted && is_outside(&st)) outside_reached++;
  }
  printf("hostile_paths: %d calls, some worked inside: %s, some refused with 76: %s\n", N,
         worked ? "yes" : "no", refused ? "yes" : "no");
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
  if (argc < 2 || argc - 2 > MAX_FORBIDDEN) return 2;
  outside = argv[1];
  for (int i = 2; i < argc; i++, n_forbidden++)
    if (sscanf(argv[i], "%" SCNu64 ":%" SCNu64, &forbidden_dev[n_forbidden],
               &forbidden_ino[n_forbidden]) != 2)
      return 2;
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

  absolute_targets(outside, abs_secret);

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

  hostile_paths(outside);

  printf("secret read: %s\n", secrets_seen ? "YES" : "no");
  printf("host files outside reached: %s\n", outside_reached ? "YES" : "no");
  return 0;
}
