/* spec_cache.c: where compiled spec-test modules are kept, shared by both
 * flavours of the harness (spec.h).
 *
 * A module's shared object is FOLDER/KEY.so, KEY = a 128-bit hash of the
 * module's bytes and of cfg.key_options (target, CPU, features, -O,
 * bounds checks: what changes the code). With --cache, FOLDER is ROOT/
 * b-STAMP, STAMP the compiling harness binary's identity (it embeds the
 * compiler), so rebuilding the compiler invalidates the whole cache and
 * spec_cache_prepare removes stale folders; without it, FOLDER is a
 * temporary folder of the run. For a cross target the compiling harness
 * also leaves FOLDER/KEY.err, the compiler's message, for each module it
 * could not compile, so that the runner under qemu reports the same error.
 * Files appear atomically (written under a temporary name, renamed), so
 * parallel children never see half a file.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"

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

void spec_cache_so_path(const uint8_t *bytes, size_t size, char *path,
                        size_t n) {
  const uint8_t *o = (const uint8_t *)cfg.key_options;
  size_t on = strlen(cfg.key_options);
  uint64_t h1 = hash64(bytes, size, 0) ^ hash64(o, on, 1);
  uint64_t h2 = hash64(bytes, size, 0x9e3779b97f4a7c15ull) ^ hash64(o, on, 2);
  snprintf(path, n, "%s/%016" PRIx64 "%016" PRIx64 ".so", cfg.cache_dir, h1,
           h2);
}

/* KEY.so -> KEY.err */
static void err_path(const char *so_path, char *buf, size_t n) {
  size_t len = strlen(so_path);
  snprintf(buf, n, "%.*s.err", (int)(len > 3 ? len - 3 : len), so_path);
}

void spec_cache_put_error(const char *so_path, const char *msg) {
  char path[PATH_MAX + 64], tmp[PATH_MAX + 80];
  err_path(so_path, path, sizeof path);
  snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f)
    return; /* the runner then says the module is missing */
  bool ok = fputs(msg, f) >= 0;
  ok = fclose(f) == 0 && ok;
  if (!ok || rename(tmp, path) != 0)
    unlink(tmp);
}

bool spec_cache_get_error(const char *so_path, char *msg, size_t n) {
  char path[PATH_MAX + 64];
  err_path(so_path, path, sizeof path);
  FILE *f = fopen(path, "r");
  if (!f)
    return false;
  size_t len = fread(msg, 1, n - 1, f);
  msg[len] = '\0';
  fclose(f);
  return true;
}

void spec_cache_forget_error(const char *so_path) {
  char path[PATH_MAX + 64];
  err_path(so_path, path, sizeof path);
  unlink(path);
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

/* ---- the plan of a cross run ---------------------------------------------- */

/* One "name=value" line per setting; the runner needs exactly what the
 * compiling harness used, so it takes it from here, not from its own
 * command line. */
bool spec_plan_write(const char *path, char *err, size_t errsz) {
  char tmp[PATH_MAX + 32];
  snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) {
    snprintf(err, errsz, "cannot write %s: %s", tmp, strerror(errno));
    return false;
  }
  fprintf(f,
          "# wasmc-spec plan: modules compiled by wasmc-spec --compile-only,\n"
          "# for wasmc-spec-run --precompiled (see tests/spec/spec.h)\n"
          "dir=%s\nkey=%s\ntriple=%s\ncpu=%s\nfeatures=%s\nopt=%d\nbounds=%d\n",
          cfg.cache_dir, cfg.key_options, cfg.triple, cfg.cpu ? cfg.cpu : "",
          cfg.features ? cfg.features : "", cfg.opt_level, cfg.bounds_checks);
  bool ok = !ferror(f);
  ok = fclose(f) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) {
    snprintf(err, errsz, "cannot write %s: %s", path, strerror(errno));
    unlink(tmp);
    return false;
  }
  return true;
}

bool spec_plan_read(const char *path, char *err, size_t errsz) {
  static char dir[PATH_MAX], cpu[128], features[256];
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errsz, "cannot read the plan %s: %s", path, strerror(errno));
    return false;
  }
  char line[PATH_MAX + 64];
  unsigned seen = 0;
  bool ok = true;
  while (ok && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0')
      continue;
    char *eq = strchr(line, '=');
    if (!eq) {
      ok = false;
      break;
    }
    *eq = '\0';
    const char *v = eq + 1;
    static const char *const names[] = {"dir", "key", "triple", "cpu",
                                        "features", "opt", "bounds"};
    int k = 0;
    while (k < 7 && strcmp(line, names[k]) != 0)
      k++;
    switch (k) {
    case 0: snprintf(dir, sizeof dir, "%s", v); break;
    case 1: snprintf(cfg.key_options, sizeof cfg.key_options, "%s", v); break;
    case 2: snprintf(cfg.triple, sizeof cfg.triple, "%s", v); break;
    case 3: snprintf(cpu, sizeof cpu, "%s", v); break;
    case 4: snprintf(features, sizeof features, "%s", v); break;
    case 5:
      ok = v[0] >= '0' && v[0] <= '3' && !v[1];
      cfg.opt_level = v[0] - '0';
      break;
    case 6:
      ok = (v[0] == '0' || v[0] == '1') && !v[1];
      cfg.bounds_checks = v[0] == '1';
      break;
    default: ok = false;
    }
    seen |= 1u << k;
  }
  fclose(f);
  if (!ok || seen != 0x7f) {
    snprintf(err, errsz, "%s: not a plan written by wasmc-spec --compile-only",
             path);
    return false;
  }
  cfg.cache_dir = dir;
  cfg.cpu = cpu[0] ? cpu : NULL;
  cfg.features = features[0] ? features : NULL;
  return true;
}
