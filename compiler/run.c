/* run.c: the `run` command: compile a WASI program to a shared object,
 * or take it from the compile cache (cache.c) under a key of everything
 * the generated code depends on, load it into this process with the
 * runtime and the WASI host, and run it (wasi_launch, as the built
 * executables do). A cache hit never loads libLLVM: the key is made
 * without it (llvm_api.h) except for --cpu native, whose key needs the
 * host CPU as LLVM names it; only a miss loads libwasmc_llvm.so.
 *
 * A miss does not make the user wait for the optimiser: the module is
 * compiled quickly (RUN_QUICK_LEVEL, stored under that level's own key)
 * and run at once, while a detached, nice'd process compiles the
 * optimised version (the user's -O) into the cache for the next run.
 * Until that entry exists, runs use the quick one. One background
 * compile per entry: it holds the entry's lock (cache_lock) for its whole
 * life. --wait compiles the user's -O in the foreground (no quick entry),
 * --quick only the quick one; WASMC_RUN_WAIT=1 means --wait.
 */
#include "commands.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "codegen.h"
#include "emit.h"
#include "llvm_api.h"
#include "wasi.h"
#include "wasmrt_abi.h"

/* The quick compile's -O. -O0 against -O1 on python.wasm (26 MB): -O1
 * took ~6x as long to compile (docs/architecture.md), so -O0. */
enum { RUN_QUICK_LEVEL = 0 };
/* Temporary files of writers dead for this long are removed (seconds). */
enum { RUN_TEMP_MAX_AGE = 3600 };

static int run_main(cli_args *cp);

/* `run`: the options of compile (minus -o/--shared/--target), the grants
 * and -v anywhere before `--`; the program's arguments after it. */
int cmd_run(int argc, char **argv) {
  return cli_main(CLI_RUN, argc, argv, run_main);
}

/* What the key is made of besides the module: everything the generated
 * code depends on at optimisation level `opt`. `native` stands for this
 * machine's CPU and features, so those go in by value. */
typedef struct {
  const char *triple, *host_cpu, *host_features;
  char llvm_v[64], abi_v[32];
} key_base;

static void make_key(const key_base *b, const cli_args *c, int opt,
                     const uint8_t digest[CACHE_KEY_LEN],
                     uint8_t key[CACHE_KEY_LEN]) {
  bool native = c->cpu && strcmp(c->cpu, "native") == 0;
  /* The chunk size changes the code (no inlining across chunks); -j
   * does not. */
  char opt_v[64];
  snprintf(opt_v, sizeof opt_v, "O%d bc%d g%d chunk%u", opt, c->bounds_checks,
           c->debug_info,
           c->chunk_size ? c->chunk_size : EMIT_CHUNK_SIZE_DEFAULT);
  const char *parts[] = {"wasmc " WASMC_VERSION, b->llvm_v, b->abi_v, b->triple,
                         native ? b->host_cpu : c->cpu ? c->cpu : "(baseline)",
                         native ? b->host_features : "",
                         c->features ? c->features : "", opt_v};
  cache_key(key, digest, parts, (int)(sizeof parts / sizeof *parts));
}

/* Compiles c->file at level `opt` into a new temporary file so[] (in dir
 * when given, else cache_temp_so's place); an exit status. */
static int compile_to(const wasmc_llvm_api *api, const cli_args *c, int opt,
                      const char *triple, const char *dir,
                      const uint8_t key[CACHE_KEY_LEN], char *so, size_t n) {
  if (!(dir ? cache_temp_in_dir(dir, key, so, n) : cache_temp_so(so, n))) {
    fprintf(stderr, "wasmc: error: cannot create a temporary file: %s\n",
            strerror(errno));
    so[0] = '\0';
    return EXIT_BAD_INPUT;
  }
  cli_args b = *c;
  b.out = so;
  b.opt_level = opt;
  return api->compile_file(&b, triple);
}

/* Whether the file at path still holds exactly bytes[0..size). */
static bool same_file(const char *path, const uint8_t *bytes, size_t size) {
  size_t n = 0;
  uint8_t *now = cli_slurp(path, &n);
  bool same = now && n == size && memcmp(now, bytes, size) == 0;
  free(now);
  return same;
}

/* The body of the background process (never returns): loads the library
 * unless the parent had (a quick hit does not map libLLVM even to start
 * this), compiles c at its -O into dir under key, holding lock_fd (the entry's lock) until
 * the entry is stored or given up. Quiet (stdio is /dev/null); killed
 * midway it leaves at most temporary files, which cache_clean_temps
 * removes later. */
static _Noreturn void background_compile(const wasmc_llvm_api *api,
                                         const cli_args *c, const char *triple,
                                         const char *dir,
                                         const uint8_t key[CACHE_KEY_LEN],
                                         const uint8_t *bytes, size_t size,
                                         const char *lock_path, int lock_fd) {
  cache_clean_temps(dir, RUN_TEMP_MAX_AGE);
  char so[4096] = "", msg[512];
  /* compile_file reads the file again, and the key is of the bytes the
   * run read: a module rewritten meanwhile (a rebuild while this compile
   * runs) must not be stored under the old key. */
  if ((api || (api = llvm_api_load())) && same_file(c->file, bytes, size) &&
      compile_to(api, c, c->opt_level, triple, dir, key, so, sizeof so) == EXIT_OK &&
      same_file(c->file, bytes, size) && access(dir, F_OK) == 0)
    cache_store(dir, key, so, msg, sizeof msg); /* (not into a removed cache) */
  if (so[0]) unlink(so);
  cache_unlock(lock_path, lock_fd);
  _exit(0);
}

/* Starts the background compile of the optimised entry unless one runs
 * (its lock is held) or the entry appeared meanwhile (`had` is what the
 * lookup found: a CACHE_BAD entry is rewritten). Double fork: the
 * compile is no child of the program (no zombie, no wait), setsid (no
 * terminal signals), nice'd, stdio on /dev/null and every other
 * descriptor closed (a pipe reading the program's output must see its
 * end when the program ends). The lock file holds the compile's pid. */
static void start_background(const wasmc_llvm_api *api, const cli_args *c,
                             const char *triple, const char *dir,
                             const uint8_t key[CACHE_KEY_LEN], cache_result had,
                             const char *entry, const uint8_t *bytes, size_t size,
                             bool verbose) {
  char lock_path[4096 + 16];
  int lfd = cache_lock(dir, key, lock_path, sizeof lock_path);
  if (lfd < 0) {
    if (verbose)
      fprintf(stderr, "wasmc: the optimised (-O%d) compile is already running "
              "in the background\n", c->opt_level);
    return;
  }
  if (had == CACHE_MISS && access(entry, F_OK) == 0) {
    cache_unlock(lock_path, lfd); /* stored since our lookup */
    return;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "wasmc: note: no background compile: fork: %s\n", strerror(errno));
    cache_unlock(lock_path, lfd);
    return;
  }
  if (pid == 0) {
    setsid();
    pid_t p2 = fork();
    if (p2 != 0) {
      if (p2 > 0) { /* the pid, for whoever wonders what holds the lock */
        char buf[32];
        int len = snprintf(buf, sizeof buf, "%ld\n", (long)p2);
        if (ftruncate(lfd, 0) != 0 || pwrite(lfd, buf, (size_t)len, 0) != len) {
          /* best effort */
        }
      }
      _exit(p2 > 0 ? 0 : 1);
    }
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0) {
      dup2(nul, 0);
      dup2(nul, 1);
      dup2(nul, 2);
      if (nul > 2) close(nul);
    }
    if (lfd > 3) close_range(3, (unsigned)lfd - 1, 0);
    close_range((unsigned)lfd + 1, ~0U, 0);
    if (setpriority(PRIO_PROCESS, 0, 10) != 0) {
      /* nice is a courtesy: compile at the same priority */
    }
    background_compile(api, c, triple, dir, key, bytes, size, lock_path, lfd);
  }
  close(lfd); /* the grandchild keeps the lock */
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (verbose) {
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
      fprintf(stderr, "wasmc: compiling the optimised (-O%d) version in the "
              "background into %s\n", c->opt_level, entry);
    else
      fprintf(stderr, "wasmc: note: the background compile did not start\n");
  }
}

/* Stores so under key, with the -v line saying what happened. */
static void store(const char *dir, const uint8_t key[CACHE_KEY_LEN],
                  const char *so, const char *entry, const char *what,
                  bool verbose) {
  char msg[512];
  if (!cache_store(dir, key, so, msg, sizeof msg))
    fprintf(stderr, "wasmc: note: not cached: %s\n", msg);
  else if (verbose)
    fprintf(stderr, "wasmc: cache miss: compiled %sand stored %s\n", what, entry);
}

static int run_main(cli_args *cp) {
  cli_args c = *cp;
  bool verbose = c.verbose;
  if (!c.file)
    return usage_error("'run' needs a FILE");
  if (c.run_wait && c.run_quick)
    return usage_error("--wait and --quick exclude each other");
  const char *env_wait = getenv("WASMC_RUN_WAIT");
  if (env_wait && strcmp(env_wait, "1") == 0 && !c.run_quick)
    c.run_wait = true;
  /* argv for wasi_launch: FILE, the grants (checked by wasi_launch, which
   * the built executables share), "--", ARGS */
  char **largv = calloc((size_t)c.ngrants + (size_t)c.prog_argc + 3, sizeof *largv);
  if (!largv) {
    fputs("wasmc: error: out of memory\n", stderr);
    return EXIT_BAD_INPUT;
  }
  int largc = 0;
  largv[largc++] = (char *)c.file;
  for (int k = 0; k < c.ngrants; k++)
    largv[largc++] = (char *)c.grants[k];
  largv[largc++] = "--";
  for (int k = 0; k < c.prog_argc; k++)
    largv[largc++] = c.prog_argv[k];

  int status = EXIT_BAD_INPUT;
  uint8_t *bytes = NULL;
  char so[4096] = "", dir[4096];
  int so_fd = -1; /* the memfd holding a cached shared object, if any */
  wasmrt_module *mod = NULL;
  char *host_cpu = NULL, *host_features = NULL;
  const wasmc_llvm_api *api = NULL;
  key_base kb = {.triple = emit_host_triple()};
  if (!kb.triple) {
    fputs("wasmc: error: wasmc cannot generate code for this machine\n", stderr);
    goto out;
  }
  const char *triple = kb.triple;
  if (!cli_check_readable(c.file)) goto out;
  size_t size = 0;
  if (!(bytes = cli_slurp(c.file, &size))) goto out;

  /* `native` is LLVM's idea of this CPU (what emit.c compiles for), so
   * that case loads the library; CPUID/HWCAP would be a second opinion
   * that could disagree with it. */
  if (c.cpu && strcmp(c.cpu, "native") == 0) {
    if (!(api = llvm_api_load())) goto out;
    kb.host_cpu = host_cpu = api->host_cpu_name();
    kb.host_features = host_features = api->host_cpu_features();
  }
  /* The LLVM version wasmc was built against; a miss checks that the
   * loaded libLLVM is that one before storing (below). */
  snprintf(kb.llvm_v, sizeof kb.llvm_v, "LLVM %s", llvm_api_build_llvm_version());
  snprintf(kb.abi_v, sizeof kb.abi_v, "ABI %u codegen %u",
           (unsigned)WASMRT_ABI_VERSION, (unsigned)EMIT_CODEGEN_REVISION);
  uint8_t digest[CACHE_KEY_LEN], key[CACHE_KEY_LEN], qkey[CACHE_KEY_LEN];
  cache_digest(bytes, size, digest);
  make_key(&kb, &c, c.opt_level, digest, key);
  make_key(&kb, &c, RUN_QUICK_LEVEL, digest, qkey);

  bool have_cache = cache_dir(dir, sizeof dir);
  char why[4096 + 64];
  if (!have_cache) {
    fputs("wasmc: note: no cache directory ($XDG_CACHE_HOME and $HOME unset), "
          "compiling without a cache\n", stderr);
  } else if (!cache_dir_trusted(dir, why, sizeof why)) {
    fprintf(stderr, "wasmc: note: not using the compile cache: %s\n", why);
    have_cache = false;
  }
  /* Two tiers only with a cache to put the optimised entry in, and an
   * -O above the quick one. */
  bool tiers = have_cache && !c.run_wait && c.opt_level > RUN_QUICK_LEVEL;
  char entry[4096] = "", qentry[4096] = "";
  if (have_cache) {
    cache_entry_path(dir, key, entry, sizeof entry);
    cache_entry_path(dir, qkey, qentry, sizeof qentry);
  }
  /* The optimised entry, then (tiers) the quick one. */
  cache_result cr = have_cache ? cache_lookup(dir, key, so, sizeof so, &so_fd) : CACHE_MISS;
  cache_result qr = CACHE_MISS;
  if (cr == CACHE_HIT) {
    if (verbose) fprintf(stderr, "wasmc: cache hit: %s\n", entry);
  } else if (tiers) {
    qr = cache_lookup(dir, qkey, so, sizeof so, &so_fd);
  }
  if (qr == CACHE_HIT && verbose)
    fprintf(stderr, "wasmc: cache hit: the quick (-O%d) entry %s\n",
            RUN_QUICK_LEVEL, qentry);
  if (cr != CACHE_HIT && qr != CACHE_HIT) {
    /* A miss: the library, a compile (quick with tiers), a store. */
    if (!(api = api ? api : llvm_api_load())) goto out;
    int level = tiers ? RUN_QUICK_LEVEL : c.opt_level;
    int rc = compile_to(api, &c, level, triple, NULL, NULL, so, sizeof so);
    if (rc != EXIT_OK) {
      status = rc;
      goto out;
    }
    /* The key names the LLVM of the build; a libLLVM upgraded since
     * (same soname, new point release) could generate other code. */
    unsigned maj = 0, min = 0, pat = 0;
    api->llvm_version(&maj, &min, &pat);
    char run_v[64];
    snprintf(run_v, sizeof run_v, "LLVM %u.%u.%u", maj, min, pat);
    if (have_cache && strcmp(run_v, kb.llvm_v) != 0) {
      fprintf(stderr, "wasmc: note: not cached: wasmc was built with %s but "
              "runs with %s (rebuild wasmc)\n", kb.llvm_v, run_v);
      have_cache = tiers = false;
    }
    if (have_cache && tiers)
      store(dir, qkey, so, qentry, "quickly (-O0) ", verbose);
    else if (have_cache)
      store(dir, key, so, entry, "", verbose);
  }
  /* The optimised entry is missing: have it made for the next run. */
  if (tiers && cr != CACHE_HIT && !c.run_quick)
    start_background(api, &c, triple, dir, key, cr, entry, bytes, size, verbose);
  wasmrt_error err;
  mod = wasmrt_module_load(so, &err);
  /* loaded (or not): the memfd or file is no longer needed, but for -g
   * it stays until the run ends (out:): a trap's backtrace reads the
   * object's line table through it (runtime/debug_line.c) */
  if (!(mod && c.debug_info)) {
    if (so_fd >= 0) close(so_fd);
    else unlink(so);
    so_fd = -1;
    so[0] = '\0';
  }
  if (!mod) {
    fprintf(stderr, "wasmc: error: %s: %s\n", c.file, err.message);
    goto out;
  }
  free(bytes);
  bytes = NULL;
  fflush(stdout);
  status = wasi_launch(mod, largc, largv, "wasmc");

out:
  if (so_fd >= 0) close(so_fd);
  else if (so[0]) unlink(so);
  if (mod) wasmrt_module_free(mod);
  if (api && host_cpu) api->dispose_message(host_cpu);
  if (api && host_features) api->dispose_message(host_features);
  free(bytes);
  free(largv);
  fflush(stdout);
  return status;
}
