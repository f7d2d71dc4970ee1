/* cache.c: the compile cache of `wasmc run` (format and rules in cache.h).
 *
 * Hashing is SHA-256 from Nettle (GnuTLS's crypto library), not LLVM's
 * BLAKE3 (the cached path of `wasmc run` must not load libLLVM,
 * llvm_api.h) and not OpenSSL's libcrypto: Debian builds Nettle "fat"
 * (SHA-NI picked at run time; on one 256 MB buffer, side by side, Nettle
 * 0.9 GB/s and libcrypto 0.7 GB/s), and it is a 300 KB library where
 * libcrypto is 4.7 MB to load and relocate at every cached start. Compression is libzstd, whose
 * frame checksum (XXH64) guards the stored object against damage. Integers
 * in the header are little-endian, written byte by byte so the format does
 * not depend on the host's struct layout.
 */
#include "cache.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>
#include <zstd.h>
#include <zstd_errors.h>

/* magic(8) version(4) reserved(4) key(32) usize(8) csize(8), then one
 * zstd frame with its content checksum */
enum { HDR_SIZE = 64, FORMAT_VERSION = 3 };
static const char MAGIC[8] = {'W', 'A', 'S', 'M', 'C', 'S', 'O', '\0'};
/* A shared object larger than this is not believed (a corrupted size must
 * not make us allocate gigabytes). */
#define MAX_SO_SIZE ((uint64_t)1 << 32)

static void put_le(uint8_t *p, uint64_t v, int n) {
  for (int i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t get_le(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

/* Formats 1 (BLAKE3) and 2 (SHA-256 of the module bytes and the strings
 * in one pass, a SHA-256 checksum of the object) are ignored: their keys
 * are never asked for, and an entry with another version is a miss. */
_Static_assert(CACHE_KEY_LEN == SHA256_DIGEST_SIZE, "keys are SHA-256 digests");

void cache_digest(const void *module, size_t size, uint8_t out[CACHE_KEY_LEN]) {
  struct sha256_ctx h;
  sha256_init(&h);
  sha256_update(&h, size, module);
  sha256_digest(&h, CACHE_KEY_LEN, out);
}

bool cache_dir(char *buf, size_t n) {
  const char *x = getenv("XDG_CACHE_HOME");
  int len;
  /* The XDG spec says to ignore a relative XDG_CACHE_HOME. */
  if (x && x[0] == '/') {
    len = snprintf(buf, n, "%s/wasmc", x);
  } else {
    const char *home = getenv("HOME");
    if (!home || !*home) return false;
    len = snprintf(buf, n, "%s/.cache/wasmc", home);
  }
  return len > 0 && (size_t)len < n;
}

bool cache_dir_trusted(const char *dir, char *why, size_t n) {
  struct stat st;
  if (stat(dir, &st) != 0) {
    if (errno == ENOENT) return true;
    snprintf(why, n, "cannot stat %s: %s", dir, strerror(errno));
    return false;
  }
  if (!S_ISDIR(st.st_mode))
    snprintf(why, n, "%s is not a directory", dir);
  else if (st.st_uid != geteuid())
    snprintf(why, n, "%s belongs to another user (uid %u)", dir, (unsigned)st.st_uid);
  else if (st.st_mode & (S_IWGRP | S_IWOTH))
    snprintf(why, n, "%s is writable by other users (mode %03o)", dir,
             (unsigned)(st.st_mode & 0777));
  else
    return true;
  return false;
}

void cache_key(uint8_t key[CACHE_KEY_LEN], const uint8_t digest[CACHE_KEY_LEN],
               const char *const *parts, int nparts) {
  struct sha256_ctx h;
  uint8_t len[8];
  static const char domain[] = "wasmc compile cache key v3";
  sha256_init(&h);
  sha256_update(&h, sizeof domain, (const uint8_t *)domain);
  for (int i = 0; i < nparts; i++) {
    const char *s = parts[i] ? parts[i] : "";
    put_le(len, strlen(s), 8);
    sha256_update(&h, 8, len);
    sha256_update(&h, strlen(s), (const uint8_t *)s);
  }
  sha256_update(&h, CACHE_KEY_LEN, digest);
  sha256_digest(&h, CACHE_KEY_LEN, key);
}

bool cache_entry_path(const char *dir, const uint8_t key[CACHE_KEY_LEN],
                      char *buf, size_t n) {
  char hex[2 * CACHE_KEY_LEN + 1];
  for (int i = 0; i < CACHE_KEY_LEN; i++) snprintf(hex + 2 * i, 3, "%02x", key[i]);
  int len = snprintf(buf, n, "%s/%s.wasmc", dir, hex);
  return len > 0 && (size_t)len < n;
}

/* Creates an empty file named A B XXXXXX.so (the X's made unique) and
 * leaves its name in buf: the place a shared object is written to. */
static bool reserve_temp_so(char *buf, size_t n, const char *a, const char *b) {
  int len = snprintf(buf, n, "%s%sXXXXXX.so", a, b);
  if (len < 0 || (size_t)len >= n) {
    errno = ENAMETOOLONG;
    return false;
  }
  int fd = mkstemps(buf, 3);
  if (fd < 0) return false;
  close(fd);
  return true;
}

bool cache_temp_so(char *buf, size_t n) {
  const char *d = getenv("XDG_RUNTIME_DIR");
  if (!d || d[0] != '/' || access(d, W_OK) != 0) d = getenv("TMPDIR");
  if (!d || !*d) d = "/tmp";
  return reserve_temp_so(buf, n, d, "/wasmc-run-");
}

/* Reads a whole regular file (at most max bytes) into a malloc'd buffer. */
static uint8_t *read_file(const char *path, uint64_t max, size_t *size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  uint8_t *buf = NULL;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
    errno = errno ? errno : EFBIG;
    goto out;
  }
  buf = malloc(st.st_size ? (size_t)st.st_size : 1);
  if (!buf) goto out;
  size_t got = 0;
  while (got < (size_t)st.st_size) {
    ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      free(buf);
      buf = NULL;
      goto out;
    }
    got += (size_t)r;
  }
  *size = got;
out:
  close(fd);
  return buf;
}

static bool write_all(int fd, const void *data, size_t size) {
  const uint8_t *p = data;
  while (size) {
    ssize_t w = write(fd, p, size);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w, size -= (size_t)w;
  }
  return true;
}

/* Memory for the decompressed shared object. Preferably a memfd mapped
 * shared (*fd set): the object is decompressed straight into the pages
 * dlopen will map (/proc/self/fd/N), with no file system and no copy
 * through write(2); for python.wasm's 30 MB that is most of a cached
 * start. Where memfds are missing or may not be executable (the
 * vm.memfd_noexec policy), plain malloc'd memory (*fd = -1) that the
 * caller writes to a temporary file. NULL when neither works. */
static uint8_t *so_memory(uint64_t size, int *fd) {
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
  *fd = memfd_create("wasmc-run.so", MFD_CLOEXEC | MFD_EXEC);
  if (*fd < 0 && errno == EINVAL) /* kernels before 6.3 know no MFD_EXEC */
    *fd = memfd_create("wasmc-run.so", MFD_CLOEXEC);
  if (*fd >= 0) {
    void *p = MAP_FAILED;
    if (ftruncate(*fd, (off_t)size) == 0)
      p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
    if (p != MAP_FAILED) return p;
    close(*fd);
    *fd = -1;
  }
  return malloc((size_t)size);
}

/* Whether p starts a zstd frame whose header promises a content checksum
 * (RFC 8878: the magic number, then the frame header descriptor, bit 2),
 * so that ZSTD_decompress verifies the bytes it produces. */
static bool checksummed_frame(const uint8_t *p, size_t n) {
  return n >= 5 && get_le(p, 4) == ZSTD_MAGICNUMBER && (p[4] & 0x04);
}

cache_result cache_lookup(const char *dir, const uint8_t key[CACHE_KEY_LEN],
                          char *so_path, size_t n, int *so_fd) {
  *so_fd = -1;
  char path[4096];
  if (!cache_entry_path(dir, key, path, sizeof path)) return CACHE_MISS;
  size_t size = 0;
  uint8_t *e = read_file(path, MAX_SO_SIZE, &size);
  if (!e) {
    if (errno == ENOENT) return CACHE_MISS;
    fprintf(stderr, "wasmc: note: cache entry %s unreadable (%s), recompiling\n",
            path, strerror(errno));
    return CACHE_BAD;
  }
  const char *why = NULL;
  uint8_t *so = NULL;
  uint64_t usize = 0, csize = 0;
  if (size < HDR_SIZE || memcmp(e, MAGIC, sizeof MAGIC) != 0)
    why = "not a wasmc cache entry";
  else if (get_le(e + 8, 4) != FORMAT_VERSION)
    why = "another cache format version";
  else if (memcmp(e + 16, key, CACHE_KEY_LEN) != 0)
    why = "entry for another key";
  else if ((usize = get_le(e + 48, 8)) == 0 || usize > MAX_SO_SIZE)
    why = "bad size";
  else if ((csize = get_le(e + 56, 8)) != size - HDR_SIZE)
    why = "truncated or extended";
  else if (!checksummed_frame(e + HDR_SIZE, (size_t)csize))
    why = "not a checksummed zstd frame";
  else if (!(so = so_memory(usize, so_fd)))
    why = "out of memory";
  else {
    /* verifies the frame's checksum of the decompressed bytes */
    size_t r = ZSTD_decompress(so, (size_t)usize, e + HDR_SIZE, (size_t)csize);
    if (ZSTD_isError(r))
      why = ZSTD_getErrorCode(r) == ZSTD_error_checksum_wrong
                ? "checksum mismatch" : "corrupted compressed data";
    else if (r != usize)
      why = "wrong decompressed size";
  }
  if (!why && *so_fd >= 0) {
    snprintf(so_path, n, "/proc/self/fd/%d", *so_fd);
  } else if (!why) {
    int fd = -1;
    if (!cache_temp_so(so_path, n) || (fd = open(so_path, O_WRONLY | O_CLOEXEC)) < 0 ||
        !write_all(fd, so, (size_t)usize)) {
      fprintf(stderr, "wasmc: note: cannot write a temporary file (%s), recompiling\n",
              strerror(errno));
      if (fd >= 0) unlink(so_path);
      why = "";
    }
    if (fd >= 0) close(fd);
  }
  if (so && *so_fd >= 0) {
    munmap(so, (size_t)usize);
    so = NULL;
    if (why) {
      close(*so_fd);
      *so_fd = -1;
    }
  }
  free(so);
  free(e);
  if (why && *why)
    fprintf(stderr, "wasmc: note: cache entry %s rejected (%s), recompiling\n", path, why);
  return why ? CACHE_BAD : CACHE_HIT;
}

/* mkdir -p with mode 0700 for the parts it creates. */
static bool make_dirs(const char *dir) {
  char p[4096];
  if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) return false;
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = '\0';
    if (mkdir(p, 0700) != 0 && errno != EEXIST) return false;
    *s = '/';
  }
  return mkdir(p, 0700) == 0 || errno == EEXIST;
}

/* One zstd frame of src at level 3 with its content checksum (what
 * cache_lookup verifies); a size or a zstd error code. */
static size_t compress(void *dst, size_t cap, const void *src, size_t n) {
  ZSTD_CCtx *z = ZSTD_createCCtx();
  if (!z) return (size_t)-ZSTD_error_memory_allocation;
  size_t r = ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, 3);
  if (!ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, 1);
  if (!ZSTD_isError(r)) r = ZSTD_compress2(z, dst, cap, src, n);
  ZSTD_freeCCtx(z);
  return r;
}

bool cache_store(const char *dir, const uint8_t key[CACHE_KEY_LEN],
                 const char *so_path, char *err, size_t errsz) {
  char path[4096], tmp[4096 + 16];
  size_t usize = 0;
  uint8_t *so = NULL, *e = NULL;
  int fd = -1;
  bool ok = false;
  if (!make_dirs(dir)) {
    snprintf(err, errsz, "cannot create %s: %s", dir, strerror(errno));
    return false;
  }
  if (!cache_entry_path(dir, key, path, sizeof path)) {
    snprintf(err, errsz, "cache path too long");
    return false;
  }
  if (!(so = read_file(so_path, MAX_SO_SIZE, &usize)) || usize == 0) {
    snprintf(err, errsz, "cannot read %s: %s", so_path, strerror(errno));
    goto out;
  }
  size_t bound = ZSTD_compressBound(usize);
  if (!(e = malloc(HDR_SIZE + bound))) {
    snprintf(err, errsz, "out of memory");
    goto out;
  }
  size_t csize = compress(e + HDR_SIZE, bound, so, usize);
  if (ZSTD_isError(csize)) {
    snprintf(err, errsz, "zstd: %s", ZSTD_getErrorName(csize));
    goto out;
  }
  memset(e, 0, HDR_SIZE);
  memcpy(e, MAGIC, sizeof MAGIC);
  put_le(e + 8, FORMAT_VERSION, 4);
  memcpy(e + 16, key, CACHE_KEY_LEN);
  put_le(e + 48, usize, 8);
  put_le(e + 56, csize, 8);

  /* Temporary file in the same directory (rename is atomic only within a
   * file system), fsynced before the rename so that a crash cannot leave
   * a renamed but empty entry. */
  snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path);
  if ((fd = mkstemp(tmp)) < 0) {
    snprintf(err, errsz, "cannot create a file in %s: %s", dir, strerror(errno));
    goto out;
  }
  if (!write_all(fd, e, HDR_SIZE + csize) || fsync(fd) != 0) {
    snprintf(err, errsz, "cannot write %s: %s", tmp, strerror(errno));
    unlink(tmp);
    goto out;
  }
  if (rename(tmp, path) != 0) {
    snprintf(err, errsz, "cannot rename %s: %s", tmp, strerror(errno));
    unlink(tmp);
    goto out;
  }
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) { /* make the rename itself durable; best effort */
    fsync(dfd);
    close(dfd);
  }
  ok = true;
out:
  if (fd >= 0) close(fd);
  free(so);
  free(e);
  return ok;
}

int cache_lock(const char *dir, const uint8_t key[CACHE_KEY_LEN],
               char *lock_path, size_t n) {
  char entry[4096];
  if (!cache_entry_path(dir, key, entry, sizeof entry)) return -1;
  size_t len = strlen(entry) - strlen(".wasmc");
  int w = snprintf(lock_path, n, "%.*s.lock", (int)len, entry);
  if (w < 0 || (size_t)w >= n) return -1;
  int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

void cache_unlock(const char *lock_path, int fd) {
  unlink(lock_path);
  close(fd);
}

bool cache_temp_in_dir(const char *dir, const uint8_t key[CACHE_KEY_LEN],
                       char *buf, size_t n) {
  char entry[4096];
  if (!make_dirs(dir) || !cache_entry_path(dir, key, entry, sizeof entry))
    return false;
  return reserve_temp_so(buf, n, entry, ".tmp-");
}

void cache_clean_temps(const char *dir, long max_age) {
  DIR *d = opendir(dir);
  if (!d) return;
  time_t now = time(NULL);
  struct dirent *de;
  while ((de = readdir(d))) {
    if (!strstr(de->d_name, ".tmp-")) continue;
    struct stat st;
    if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(st.st_mode) && now - st.st_mtime > max_age)
      unlinkat(dirfd(d), de->d_name, 0);
  }
  closedir(d);
}
