/* spec_compile.c: spec-test modules to shared objects, in process.
 *
 * The harness calls the compiler's library directly (lower -> emit ->
 * link, via emit_wasm_module and link_shared) instead of spawning `wasmc`
 * per module: ~1600 modules make process start-up and re-reading count.
 * Results are cached as FOLDER/KEY.so, KEY = a 128-bit hash of the
 * module's bytes and of the options that change the code (target, CPU,
 * features, -O, bounds checks). With --cache, FOLDER is stamped with the
 * harness binary's identity (it embeds the compiler), so rebuilding the
 * compiler invalidates the whole cache, and spec_cache_prepare removes
 * stale folders; without it, FOLDER is a temporary folder of the run.
 * Files appear atomically (written under a temporary name, renamed), so
 * parallel children compiling the same module never see half a file.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "link.h"
#include "lower.h"
#include "spec.h"
#include "wasm.h"

/* ---- hashing ------------------------------------------------------------- */

/* FNV-1a, finished with a splitmix64 step so that nearby inputs spread;
 * two independent seeds give the 128 bits of a key. */
static uint64_t hash64(const uint8_t *p, size_t n, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ull ^ seed;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

static void options_string(char *buf, size_t n) {
  snprintf(buf, n, "%s|%s|%s|O%d|%s", cfg.triple, cfg.cpu ? cfg.cpu : "",
           cfg.features ? cfg.features : "", cfg.opt_level,
           cfg.bounds_checks ? "bounds" : "guard");
}

/* ---- the cache folder ------------------------------------------------------ */

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  remove(path);
  return 0;
}

bool spec_cache_prepare(const char *root, char *dir_out, size_t dirsz,
                        char *err, size_t errsz) {
  struct stat st;
  if (stat("/proc/self/exe", &st) != 0) {
    snprintf(err, errsz, "cannot stat /proc/self/exe: %s", strerror(errno));
    return false;
  }
  char stamp[64];
  snprintf(stamp, sizeof stamp, "b-%" PRIx64 "-%" PRIx64 "-%" PRIx64,
           (uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec,
           (uint64_t)st.st_size);
  if (mkdir(root, 0777) != 0 && errno != EEXIST) {
    snprintf(err, errsz, "cannot create %s: %s", root, strerror(errno));
    return false;
  }
  /* Folders of other harness builds hold code of another compiler. */
  DIR *d = opendir(root);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (strncmp(e->d_name, "b-", 2) != 0 || strcmp(e->d_name, stamp) == 0)
        continue;
      char old[PATH_MAX];
      snprintf(old, sizeof old, "%s/%s", root, e->d_name);
      nftw(old, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    }
    closedir(d);
  }
  snprintf(dir_out, dirsz, "%s/%s", root, stamp);
  if (mkdir(dir_out, 0777) != 0 && errno != EEXIST) {
    snprintf(err, errsz, "cannot create %s: %s", dir_out, strerror(errno));
    return false;
  }
  return true;
}

/* Without --cache the run gets a temporary folder, shared by the
 * children and removed at the end. */
static char temp_dir[PATH_MAX];

bool spec_cache_temp(char *dir_out, size_t dirsz, char *err, size_t errsz) {
  const char *tmp = getenv("TMPDIR");
  snprintf(temp_dir, sizeof temp_dir, "%s/wasmc-spec-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(temp_dir)) {
    snprintf(err, errsz, "cannot create a temporary folder: %s",
             strerror(errno));
    temp_dir[0] = '\0';
    return false;
  }
  snprintf(dir_out, dirsz, "%s", temp_dir);
  return true;
}

void spec_cache_cleanup(void) {
  if (temp_dir[0])
    nftw(temp_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
  temp_dir[0] = '\0';
}

/* ---- compiling ------------------------------------------------------------- */

static emit_target *target; /* one per child, made on first use */

static void free_target(void) {
  emit_target_free(target);
  target = NULL;
}

bool spec_compile(const struct wasm_module *m, const uint8_t *bytes,
                  size_t size, char *so_path, size_t so_size, bool *cached,
                  char *err, size_t errsz) {
  const char *dir = cfg.cache_dir;
  char opts[512];
  options_string(opts, sizeof opts);
  uint64_t h1 = hash64(bytes, size, 0) ^ hash64((const uint8_t *)opts, strlen(opts), 1);
  uint64_t h2 = hash64(bytes, size, 0x9e3779b97f4a7c15ull) ^
                hash64((const uint8_t *)opts, strlen(opts), 2);
  snprintf(so_path, so_size, "%s/%016" PRIx64 "%016" PRIx64 ".so", dir, h1, h2);
  *cached = access(so_path, R_OK) == 0;
  if (*cached)
    return true;

  if (!target) {
    emit_options eo = {.triple = cfg.triple, .cpu = cfg.cpu,
                       .features = cfg.features, .opt_level = cfg.opt_level,
                       .verify = true /* a test tool: catch bad IR early */};
    target = emit_target_new(&eo, err, errsz);
    if (!target)
      return false;
    atexit(free_target);
  }
  char obj[PATH_MAX + 64], tmp_so[PATH_MAX + 64];
  snprintf(obj, sizeof obj, "%s.%d.o", so_path, (int)getpid());
  snprintf(tmp_so, sizeof tmp_so, "%s.%d.tmp", so_path, (int)getpid());
  lower_options lo = {.bounds_checks = cfg.bounds_checks,
                      .opt_level = cfg.opt_level};
  wasm_error werr = {0};
  bool ok = emit_wasm_module(target, m, &lo, obj, NULL, &werr);
  if (!ok) {
    if (werr.offset)
      snprintf(err, errsz, "0x%zx: %s", werr.offset, werr.msg);
    else
      snprintf(err, errsz, "%s", werr.msg);
  } else {
    ok = link_shared(emit_target_linker(target), obj, tmp_so, err, errsz);
    if (ok && rename(tmp_so, so_path) != 0) {
      snprintf(err, errsz, "cannot rename %s: %s", tmp_so, strerror(errno));
      ok = false;
    }
  }
  unlink(obj);
  if (!ok)
    unlink(tmp_so);
  return ok;
}
