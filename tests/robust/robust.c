/* robust.c: feeds truncated and corrupted modules to the decoder and the
 * validator and checks that each one ends in a clean accept or a clean
 * reject, never a crash, a hang or a message-less error.
 *
 *   wasmc-robust [--spec DIR] [--sample N] [--max-runs N] [--timeout S]
 *                [--artifacts DIR] [FILE.wasm | FOLDER]...
 *
 * Inputs: every .wasm given (or found in a given folder, such as the
 * build's examples/), plus a deterministic sample of N `module` binaries
 * from wast2json output in --spec DIR (ctest converts the core spec suite
 * there first). For each module it tries every prefix length and
 * single-byte corruptions (every position x {0x00, 0xFF, 0x80, b^0x01,
 * b^0x40}); when a module is large, positions are sampled with a stride
 * so one module costs at most --max-runs runs. Each mutated input sits in
 * a buffer of exactly its size, so ASan sees any read past its end. A
 * clean reject has a non-empty, NUL-terminated message and an offset
 * within the input.
 *
 * Each module runs in a child process under an alarm (--timeout): built
 * with sanitizers (scripts/test's build-asan), a memory error or UB aborts
 * the child with the sanitizer's report, and the parent names the mutation
 * that was running, saves that input to --artifacts DIR and goes on.
 *
 * Prints counts and ends with "N passed, N failed" (one per module).
 */
#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "inspect.h"
#include "wasm.h"

/* ---- the inputs ---------------------------------------------------------- */

typedef struct {
  char *path;
  char *label; /* for messages: "spec:br_table.3.wasm" or the path */
  uint64_t key; /* sampling order */
  size_t size;
  uint32_t source; /* which .json it came from */
  bool chosen;
} input;

typedef struct {
  input *v;
  size_t n, cap;
} input_list;

static bool push(input_list *l, const char *path, const char *label,
                 uint64_t key, uint32_t source) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    input *nv = realloc(l->v, cap * sizeof *nv);
    if (!nv)
      return false;
    l->v = nv;
    l->cap = cap;
  }
  l->v[l->n].path = strdup(path);
  l->v[l->n].label = strdup(label);
  l->v[l->n].key = key;
  l->v[l->n].source = source;
  l->v[l->n].chosen = false;
  struct stat st;
  l->v[l->n].size = stat(path, &st) == 0 ? (size_t)st.st_size : 0;
  return l->v[l->n++].path && l->v[l->n - 1].label;
}

static uint64_t fnv1a(const char *s) {
  uint64_t h = 0xcbf29ce484222325u;
  for (; *s; s++)
    h = (h ^ (uint8_t)*s) * 0x100000001b3u;
  return h;
}

static int by_key(const void *a, const void *b) {
  const input *x = a, *y = b;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return strcmp(x->path, y->path);
}

static int by_path(const void *a, const void *b) {
  return strcmp(((const input *)a)->path, ((const input *)b)->path);
}

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* wasm_read_file (compiler/wasm_file.c) NUL-terminates, so JSON can be parsed
 * in place; errno tells why on failure. */
static uint8_t *read_file(const char *path, size_t *size) {
  wasm_error err = {0};
  return (uint8_t *)wasm_read_file(path, size, &err);
}

/* Every .wasm directly in dir, e.g. the built examples (not below it:
 * build folders hold probes and scratch files in subfolders). */
static bool add_folder(input_list *l, const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "robust: cannot open %s: %s\n", dir, strerror(errno));
    return false;
  }
  bool ok = true;
  struct dirent *e;
  while (ok && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(path, &st) != 0)
      continue;
    if (S_ISREG(st.st_mode) && has_suffix(e->d_name, ".wasm"))
      ok = push(l, path, path, 0, 0);
  }
  closedir(d);
  return ok;
}

/* The `module` commands of every wast2json .json in dir: the spec suite's
 * valid modules (assert_* modules are left out: they are broken already). */
static bool add_spec(input_list *l, const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "robust: cannot open %s: %s\n", dir, strerror(errno));
    return false;
  }
  struct dirent *e;
  bool ok = true;
  uint32_t source = 0;
  while (ok && (e = readdir(d))) {
    if (!has_suffix(e->d_name, ".json"))
      continue;
    source++;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    size_t size;
    char *text = (char *)read_file(path, &size);
    if (!text) {
      fprintf(stderr, "robust: cannot read %s\n", path);
      ok = false;
      break;
    }
    cJSON *root = cJSON_ParseWithLength(text, size);
    free(text);
    const cJSON *cmds = cJSON_GetObjectItemCaseSensitive(root, "commands");
    if (!cJSON_IsArray(cmds)) {
      fprintf(stderr, "robust: %s is not wast2json output\n", path);
      cJSON_Delete(root);
      ok = false;
      break;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, cmds) {
      const cJSON *type = cJSON_GetObjectItemCaseSensitive(c, "type");
      const cJSON *file = cJSON_GetObjectItemCaseSensitive(c, "filename");
      if (!cJSON_IsString(type) || strcmp(type->valuestring, "module") != 0 ||
          !cJSON_IsString(file))
        continue;
      char wasm[PATH_MAX + 256], label[300];
      snprintf(wasm, sizeof wasm, "%s/%s", dir, file->valuestring);
      snprintf(label, sizeof label, "spec:%s", file->valuestring);
      /* Hashing the name spreads the sample over all files of the suite
       * and keeps it the same from run to run. */
      if (!push(l, wasm, label, fnv1a(file->valuestring), source)) {
        ok = false;
        break;
      }
    }
    cJSON_Delete(root);
  }
  closedir(d);
  return ok;
}

/* Picks n of the spec modules and moves them to the front, in name order;
 * returns how many. Half the suite's modules are under 44 bytes (a type
 * and an empty function), which exercise little, so the pick prefers
 * modules of 64 bytes to 16 KiB, one per .wast file first so that the
 * sample spans the whole suite; the hash order keeps it stable. */
static size_t choose_sample(input_list *l, size_t n) {
  if (l->n == 0)
    return 0;
  qsort(l->v, l->n, sizeof *l->v, by_key);
  uint32_t nsources = 0;
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].source >= nsources)
      nsources = l->v[i].source + 1;
  bool *source_used = calloc(nsources, sizeof *source_used);
  if (!source_used)
    return 0;
  size_t got = 0;
  for (int pass = 0; pass < 3 && got < n; pass++) {
    for (size_t i = 0; i < l->n && got < n; i++) {
      input *in = &l->v[i];
      bool rich = in->size >= 64 && in->size <= 16384;
      if (in->chosen || (pass < 2 && !rich) ||
          (pass == 0 && source_used[in->source]))
        continue;
      source_used[in->source] = true;
      in->chosen = true;
      got++;
    }
  }
  free(source_used);
  /* chosen ones first, then by name */
  size_t k = 0;
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].chosen) {
      input t = l->v[k];
      l->v[k++] = l->v[i];
      l->v[i] = t;
    }
  qsort(l->v, got, sizeof *l->v, by_path);
  return got;
}

typedef struct {
  uint64_t runs, accepted, rejected_decode, rejected_validate, bad;
} tally;

/* ---- what is being tried, for crash reports ------------------------------ */

/* Each module is checked in a child process that records, before every
 * run, what it is about to try, in memory shared with the parent. When the
 * child dies (ASan/UBSan abort, signal, alarm), the parent reads which
 * mutation killed it, rebuilds that input and saves it, and goes on with
 * the next module. This needs no cooperation from the sanitizer runtimes. */
enum { M_ORIGINAL, M_TRUNCATE, M_CORRUPT };
typedef struct {
  int mode;
  size_t len, pos;
  uint8_t from, to;
  bool finished; /* the child got through all runs */
  tally t;
} progress;

static progress *cur; /* shared */
static const char *cur_label;

static void describe(const progress *p, const char *label, char *out,
                     size_t n) {
  switch (p->mode) {
  case M_ORIGINAL:
    snprintf(out, n, "%s (unchanged, %zu bytes)", label, p->len);
    break;
  case M_TRUNCATE:
    snprintf(out, n, "%s truncated to %zu bytes", label, p->len);
    break;
  default:
    snprintf(out, n, "%s with byte 0x%zx changed from 0x%02x to 0x%02x",
             label, p->pos, p->from, p->to);
  }
}

/* Writes the input described by p (a mutation of bytes) as DIR/NAME. */
static void save_input(const char *dir, const char *name, const uint8_t *bytes,
                       const progress *p) {
  if (!dir)
    return;
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f) {
    printf("robust: cannot save %s: %s\n", path, strerror(errno));
    return;
  }
  if (p->mode == M_CORRUPT) {
    fwrite(bytes, 1, p->pos, f);
    fputc(p->to, f);
    fwrite(bytes + p->pos + 1, 1, p->len - p->pos - 1, f);
  } else {
    fwrite(bytes, 1, p->len, f);
  }
  fclose(f);
  printf("robust: input saved as %s\n", path);
}

/* ---- one run ------------------------------------------------------------- */

static FILE *devnull;
static const char *artifacts;
static const uint8_t *cur_original; /* the unmutated module, for saving */

/* Checks one input of exactly len bytes (cur says which mutation it is);
 * returns false and prints why when the result is not a clean accept or a
 * clean reject. */
static bool run_one(const uint8_t *bytes, size_t len, unsigned *printed) {
  tally *t = &cur->t;
  uint8_t *buf = malloc(len ? len : 1);
  if (!buf) {
    fputs("robust: out of memory\n", stderr);
    exit(2);
  }
  memcpy(buf, bytes, len);
  cur->len = len;

  wasm_error err = {0};
  const char *problem = NULL;
  bool valid = false;
  wasm_module *m = wasm_decode(buf, len, cur_label, &err);
  if (!m) {
    t->rejected_decode++;
  } else if (err.set) {
    problem = "the decoder returned a module but also an error";
  } else if (wasm_validate(m, &err)) {
    valid = true;
    if (err.set)
      problem = "the validator accepted but also set an error";
    t->accepted++;
  } else {
    t->rejected_validate++;
  }
  if (!valid && !problem) {
    if (!err.set)
      problem = "rejected without an error";
    else if (!memchr(err.msg, '\0', sizeof err.msg))
      problem = "the message is not NUL-terminated";
    else if (!err.msg[0])
      problem = "rejected with an empty message";
    else if (err.offset > len)
      problem = "the error offset lies beyond the end of the input";
  }
  /* A module that passes must be usable: the summary walks all of it. */
  if (valid && devnull)
    wasm_inspect_print(devnull, m);
  wasm_module_free(m);
  free(buf);
  t->runs++;

  if (!problem)
    return true;
  t->bad++;
  if (++*printed <= 10) {
    char what[512];
    describe(cur, cur_label, what, sizeof what);
    printf("FAIL %s: %s (offset 0x%zx, message \"%.*s\")\n", what, problem,
           err.offset, (int)sizeof err.msg, err.msg);
    if (*printed == 1)
      save_input(artifacts, "robust-fail.wasm", cur_original, cur);
    fflush(stdout);
  }
  return false;
}

/* All runs for one module, in the child. Exit status 0: all clean, 3: some
 * unclean results (printed). Anything else is a crash or a leak report. */
static int check_module(const uint8_t *bytes, size_t size,
                        unsigned long max_runs) {
  unsigned printed = 0;
  bool ok = true;

  cur->mode = M_ORIGINAL;
  ok &= run_one(bytes, size, &printed);
  if (cur->t.accepted == 0) {
    /* Mutating it still tests robustness; the spec harness reports why a
     * valid module is refused. */
    printf("note: %s is itself rejected by wasmc\n", cur_label);
  }

  /* Budget: a third for truncations, the rest for corruptions. */
  size_t trunc_budget = max_runs / 3, corrupt_budget = max_runs - trunc_budget;
  size_t step = size / trunc_budget + 1;
  cur->mode = M_TRUNCATE;
  for (size_t len = 0; len < size; len += step)
    ok &= run_one(bytes, len, &printed);

  /* Odd strides visit positions of every residue class, so sampled
   * corruptions still hit the headers, the LEB128s and the code. */
  size_t pstep = (size * 5) / corrupt_budget + 1;
  if (pstep > 1 && pstep % 2 == 0)
    pstep++;
  uint8_t *work = malloc(size ? size : 1);
  if (!work) {
    fputs("robust: out of memory\n", stderr);
    return 2;
  }
  memcpy(work, bytes, size);
  cur->mode = M_CORRUPT;
  for (size_t pos = 0; pos < size; pos += pstep) {
    uint8_t b = bytes[pos];
    const uint8_t vals[] = {0x00, 0xFF, 0x80, (uint8_t)(b ^ 0x01),
                            (uint8_t)(b ^ 0x40)};
    for (size_t v = 0; v < sizeof vals; v++) {
      if (vals[v] == b)
        continue;
      cur->pos = pos;
      cur->from = b;
      cur->to = vals[v];
      work[pos] = vals[v];
      ok &= run_one(work, size, &printed);
      work[pos] = b;
    }
  }
  free(work);
  if (printed > 10)
    printf("FAIL %s: ... %u unclean results in all\n", cur_label, printed);
  cur->finished = true;
  return ok ? 0 : 3;
}

/* ---- main ---------------------------------------------------------------- */

static bool parse_num(const char *s, unsigned long max, unsigned long *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || end == s || *end || *s == '-' || v > max)
    return false;
  *out = v;
  return true;
}

static double now_secs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void free_list(input_list *l) {
  for (size_t i = 0; i < l->n; i++) {
    free(l->v[i].path);
    free(l->v[i].label);
  }
  free(l->v);
}

int main(int argc, char **argv) {
  unsigned long sample = 60, max_runs = 5000, timeout = 120;
  const char *spec_dir = NULL;
  input_list given = {0}, spec = {0};
  int status = 0;

  for (int i = 1; i < argc && status == 0; i++) {
    const char *a = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--spec") == 0 && val) {
      spec_dir = val;
      i++;
    } else if (strcmp(a, "--sample") == 0 && val &&
               parse_num(val, 1000000, &sample)) {
      i++;
    } else if (strcmp(a, "--max-runs") == 0 && val &&
               parse_num(val, 100000000, &max_runs) && max_runs >= 10) {
      i++;
    } else if (strcmp(a, "--timeout") == 0 && val &&
               parse_num(val, 86400, &timeout) && timeout > 0) {
      i++;
    } else if (strcmp(a, "--artifacts") == 0 && val) {
      artifacts = val;
      i++;
    } else if (a[0] == '-') {
      fprintf(stderr,
              "usage: wasmc-robust [--spec DIR] [--sample N] [--max-runs N] "
              "[--timeout S] [--artifacts DIR] [FILE.wasm | FOLDER]...\n"
              "robust: bad option or value: %s\n",
              a);
      status = 2;
    } else {
      struct stat st;
      if (stat(a, &st) != 0) {
        fprintf(stderr, "robust: %s: %s\n", a, strerror(errno));
        status = 2;
      } else if (S_ISDIR(st.st_mode) ? !add_folder(&given, a)
                                     : !push(&given, a, a, 0, 0)) {
        status = 2;
      }
    }
  }
  if (status == 0 && spec_dir && !add_spec(&spec, spec_dir))
    status = 2;
  /* (qsort's base may not be NULL, even for 0 elements) */
  if (given.n)
    qsort(given.v, given.n, sizeof *given.v, by_path);
  size_t nspec = choose_sample(&spec, sample);
  if (status == 0 && given.n + nspec == 0) {
    fputs("robust: no modules to test (give .wasm files, folders or --spec "
          "DIR with wast2json output)\n",
          stderr);
    status = 2;
  }
  cur = mmap(NULL, sizeof *cur, PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (status == 0 && cur == MAP_FAILED) {
    perror("robust: mmap");
    status = 2;
  }
  if (status != 0) {
    free_list(&given);
    free_list(&spec);
    return status;
  }
  if (artifacts)
    mkdir(artifacts, 0755);
  devnull = fopen("/dev/null", "w");

  printf("robust: %zu given module%s, %zu of %zu spec modules; at most %lu "
         "runs per module\n",
         given.n, given.n == 1 ? "" : "s", nspec, spec.n, max_runs);

  double t0 = now_secs();
  tally total = {0};
  unsigned passed = 0, failed = 0, crashed = 0;
  for (size_t i = 0; i < given.n + nspec; i++) {
    const input *in = i < given.n ? &given.v[i] : &spec.v[i - given.n];
    size_t size;
    uint8_t *bytes = read_file(in->path, &size);
    if (!bytes) {
      printf("FAIL %s: cannot read: %s\n", in->path, strerror(errno));
      failed++;
      continue;
    }
    cur_label = in->label;
    cur_original = bytes;
    memset(cur, 0, sizeof *cur);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
      perror("robust: fork");
      return 2;
    }
    if (pid == 0) {
      alarm((unsigned)timeout); /* default action: the child dies */
      int code = check_module(bytes, size, max_runs);
      fflush(stdout);
      exit(code); /* exit, not _exit: LeakSanitizer checks at exit */
    }
    int ws;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
      ;
    bool ok = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    if (!ok && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 3)) {
      char what[512], why[96];
      describe(cur, cur_label, what, sizeof what);
      if (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGALRM)
        snprintf(why, sizeof why, "TIMEOUT (over %lu s for the module)",
                 timeout);
      else if (WIFSIGNALED(ws))
        snprintf(why, sizeof why, "CRASH (signal %d, %s)", WTERMSIG(ws),
                 strsignal(WTERMSIG(ws)));
      else
        snprintf(why, sizeof why, "CRASH (exit status %d, sanitizer report "
                 "above?)", WEXITSTATUS(ws));
      if (cur->finished) {
        printf("FAIL %s: %s after the last run (a leak?)\n", cur_label, why);
      } else {
        printf("FAIL %s while checking %s\n", why, what);
        char name[64];
        snprintf(name, sizeof name, "robust-crash-%u.wasm", crashed);
        save_input(artifacts, name, bytes, cur);
        crashed++;
      }
    }
    free(bytes);
    ok ? passed++ : failed++;
    total.runs += cur->t.runs;
    total.accepted += cur->t.accepted;
    total.rejected_decode += cur->t.rejected_decode;
    total.rejected_validate += cur->t.rejected_validate;
    total.bad += cur->t.bad;
  }
  double elapsed = now_secs() - t0;

  printf("robust: %zu modules, %llu runs in %.1f s: %llu accepted, %llu "
         "rejected by the decoder, %llu rejected by the validator, %llu "
         "unclean, %u crashed or timed out\n",
         given.n + nspec, (unsigned long long)total.runs, elapsed,
         (unsigned long long)total.accepted,
         (unsigned long long)total.rejected_decode,
         (unsigned long long)total.rejected_validate,
         (unsigned long long)total.bad, crashed);
  printf("%u passed, %u failed\n", passed, failed);

  if (devnull)
    fclose(devnull);
  munmap(cur, sizeof *cur);
  free_list(&given);
  free_list(&spec);
  return failed ? 1 : 0;
}
