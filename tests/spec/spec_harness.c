/* spec_harness.c: the spec-suite harness (wasmc-spec, and wasmc-spec-run
 * for cross targets: spec.h): runs wast2json output (FILE.json +
 * FILE.N.wasm) through wasmc and the runtime.
 *
 *   wasmc-spec [-v] [-j N] [--target T] [-O L] [--bounds-checks]
 *              [--cpu C] [--features F] [--chunk-size B] [--cache DIR]
 *              [--timeout S]
 *              [--compile-only PLAN] [--no-fork] [--counts FILE]
 *              [--conversion-failed WAST ERRLOG]... FILE.json...
 *   wasmc-spec-run --precompiled PLAN [-v] [-j N] [--timeout S] ... FILE.json...
 *
 * Usually run by scripts/spectest, which converts the .wast files first.
 * This file is the driver: options, one child process per JSON file (up
 * to N at a time) and the final table. The commands themselves are run by
 * spec_commands.c (see spec.h for the other files). A crash, a sanitizer
 * report or a hang costs one command, not the run: the child records its
 * progress in shared memory, so after a crash the parent reports the
 * command that was running and starts a new child that replays the
 * commands before it (to rebuild the instances) and goes on after it.
 * Output is printed per file in the order of the command line, whatever
 * order the children finish in.
 *
 * Exit status: 0 all checks passed, 1 something failed, 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
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

#include "spec.h"
#include "wasm.h"

const char *const kind_names[NKINDS] = {
    "module",           "assert_invalid",    "assert_malformed",
    "assert_unlinkable", "assert_uninstantiable", "register",
    "action",           "assert_return",     "assert_trap",
    "assert_exhaustion", "assert_exception",  "thread",
    "wait",             "module_definition", "module_instance",
    "assert_invalid_custom", "assert_malformed_custom", "(unknown command)",
};

/* ---- options ------------------------------------------------------------- */

spec_config cfg = {.opt_level = 2, .timeout_secs = 60 /* generous for ASan */};

static void usage(FILE *out) {
  fputs(
      "usage: wasmc-spec [options] FILE.json...\n"
      "Runs wast2json output through wasmc: every module is decoded,\n"
      "validated, compiled to a shared object and instantiated with the\n"
      "runtime; every assertion is checked.\n"
      "  -v                  also list commands that failed because their\n"
      "                      module was not available, and show why each\n"
      "                      assert_invalid/assert_malformed/assert_unlinkable\n"
      "                      module was refused, next to the expected text\n"
      "  -j N                run N files in parallel (default: nproc)\n"
      "  --target T          x86_64, aarch64, riscv64 or a Linux triple such\n"
      "                      as x86_64-linux-gnu (default: the host; another\n"
      "                      architecture needs --compile-only)\n"
      "  -O L                optimisation level 0..3 (default 2)\n"
      "  --bounds-checks     compile with explicit bounds checks instead of\n"
      "                      guard pages\n"
      "  --cpu C, --features F   as for wasmc compile\n"
      "  --chunk-size B      as for wasmc compile: compile modules with more\n"
      "                      than B bytes of code in chunks (1: every\n"
      "                      function its own chunk)\n"
      "  --cache DIR         keep compiled modules in DIR (a subfolder per\n"
      "                      harness build); default: a temporary folder\n"
      "  --timeout S         seconds allowed per command (default 60)\n"
      "  --compile-only PLAN compile every module into the --cache folder and\n"
      "                      write PLAN for wasmc-spec-run; run no command\n"
      "  --precompiled PLAN  (wasmc-spec-run) take the modules, target and\n"
      "                      options from PLAN instead of compiling\n"
      "  --no-fork           run everything in this process (for debuggers)\n"
      "  --counts FILE       also write each file's totals to FILE, a line\n"
      "                      per file: NAME passed failed skipped n/a (tabs;\n"
      "                      NAME as given: FILE.json or a WAST not\n"
      "                      converted); scripts/spectest --expect adds them\n"
      "                      up per corpus\n"
      "  --conversion-failed WAST ERRLOG\n"
      "                      report WAST as not converted (counted as\n"
      "                      failed), showing wast2json's messages in ERRLOG\n",
      out);
}

static bool parse_uint(const char *s, unsigned min, unsigned max,
                       unsigned *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || end == s || *end || *s == '-' || v < min || v > max)
    return false;
  *out = (unsigned)v;
  return true;
}

/* ---- small helpers ------------------------------------------------------- */

static double now_secs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Messages go out unbuffered in effect: a crash right after must not lose
 * them, and they must come before a sanitizer report on the same fd. */
void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  fflush(stdout);
}

/* wasm_read_file (compiler/wasm_file.c) NUL-terminates. */
static char *read_file(const char *path, size_t *size) {
  wasm_error err = {0};
  return (char *)wasm_read_file(path, size, &err);
}

/* ---- parallel driver ----------------------------------------------------- */

typedef struct {
  const char *json;
  int fd;      /* the children's stdout+stderr (a memfd), -1 before start */
  pid_t pid;   /* running child, 0 when none */
  bool finished;
} job;

static void copy_out(int fd) {
  char buf[65536];
  ssize_t n;
  lseek(fd, 0, SEEK_SET);
  fflush(stdout);
  while ((n = read(fd, buf, sizeof buf)) > 0)
    fwrite(buf, 1, (size_t)n, stdout);
  fflush(stdout);
}

/* Starts a child checking jobs[i] from command `start`. */
static bool spawn(job *jb, file_slot *slot, int start) {
  if (jb->fd < 0) {
    jb->fd = memfd_create("wasmc-spec", 0);
    if (jb->fd < 0) {
      perror("wasmc-spec: memfd_create");
      return false;
    }
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    perror("wasmc-spec: fork");
    return false;
  }
  if (pid == 0) {
    dup2(jb->fd, STDOUT_FILENO);
    dup2(jb->fd, STDERR_FILENO);
    check_json(jb->json, start, slot);
    fflush(stdout);
    exit(0); /* exit, not _exit: LeakSanitizer checks at exit */
  }
  jb->pid = pid;
  return true;
}

static void describe_status(int status, char *buf, size_t n) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGALRM)
      snprintf(buf, n, "timed out after %u s", cfg.timeout_secs);
    else
      snprintf(buf, n, "crashed (signal %d, %s)", sig, strsignal(sig));
  } else {
    snprintf(buf, n, "died with exit status %d (sanitizer report above?)",
             WEXITSTATUS(status));
  }
}

/* Handles the end of a child: either the file is finished, or the child
 * died and a new one resumes after the command that killed it. */
static bool reap(job *jb, file_slot *slot, int status) {
  jb->pid = 0;
  bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (clean && (slot->done || slot->file_error)) {
    jb->finished = true;
    return true;
  }
  char why[128];
  describe_status(status, why, sizeof why);
  if (slot->current >= 0) {
    dprintf(jb->fd, "%s:%d: %s: %s%sthe harness %s\n", slot->source,
            slot->current_line, kind_names[slot->current_kind],
            slot->current_file, slot->current_file[0] ? ": " : "", why);
    slot->counts[slot->current_kind][R_FAILED]++;
    if (slot->ncrashed < SPEC_MAX_CRASHED)
      slot->crashed[slot->ncrashed++] = slot->current;
    int resume = slot->current + 1;
    slot->current = -1;
    slot->next = resume;
    if (slot->ncommands >= 0 && resume < slot->ncommands)
      return spawn(jb, slot, resume);
    slot->done = true;
  } else if (slot->done) {
    /* All commands ran; the child died at exit: typically a leak report. */
    dprintf(jb->fd, "%s: the harness %s after the last command\n",
            slot->source[0] ? slot->source : jb->json, why);
    slot->file_error = true;
  } else {
    dprintf(jb->fd, "%s: the harness %s while reading the JSON\n", jb->json,
            why);
    slot->file_error = true;
  }
  jb->finished = true;
  return true;
}

/* ---- main ---------------------------------------------------------------- */

typedef struct {
  const char *wast, *errlog;
} conv_failure;

static void print_errlog(const char *path) {
  size_t size;
  char *text = read_file(path, &size);
  if (!text) {
    printf("    (cannot read %s)\n", path);
    return;
  }
  int lines = 0;
  char *save = NULL;
  for (char *l = strtok_r(text, "\n", &save); l;
       l = strtok_r(NULL, "\n", &save)) {
    if (++lines > 20) {
      printf("    ...\n");
      break;
    }
    printf("    %s\n", l);
  }
  if (lines == 0)
    printf("    (wast2json printed nothing but failed)\n");
  free(text);
}

/* The argument lists live until exit; freeing them at exit keeps
 * LeakSanitizer from turning an early usage error (2) into a leak (1). */
static const char **jsons;
static conv_failure *convs;

/* --counts: one line per file, so that scripts/spectest can check the
 * totals of each corpus (a .wast that went missing, a converter that
 * drops commands) against tests/spec/expected-counts.txt. */
static bool write_counts(const char *path, const file_slot *slots, int njson,
                         int nconv) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "wasmc-spec: cannot write %s: %s\n", path, strerror(errno));
    return false;
  }
  for (int i = 0; i < njson; i++) {
    uint32_t r[NRESULTS] = {0};
    for (int k = 0; k < NKINDS; k++)
      for (int j = 0; j < NRESULTS; j++)
        r[j] += slots[i].counts[k][j];
    r[R_FAILED] += slots[i].file_error; /* as in the table's total */
    fprintf(f, "%s\t%u\t%u\t%u\t%u\n", jsons[i], r[R_PASSED], r[R_FAILED],
            r[R_SKIPPED], r[R_NA]);
  }
  for (int i = 0; i < nconv; i++)
    fprintf(f, "%s\t0\t1\t0\t0\n", convs[i].wast);
  bool ok = !ferror(f);
  if (fclose(f) != 0 || !ok) {
    fprintf(stderr, "wasmc-spec: cannot write %s\n", path);
    return false;
  }
  return true;
}
static void free_args(void) {
  free(jsons);
  free(convs);
}

int main(int argc, char **argv) {
  unsigned jobs_n = 0, opt_level = 2;
  bool no_fork = false;
  const char *counts_path = NULL;
  spec_setup setup = {0};
  jsons = calloc((size_t)argc, sizeof *jsons);
  convs = calloc((size_t)argc, sizeof *convs);
  atexit(free_args);
  int njson = 0, nconv = 0;
  if (!jsons || !convs) {
    fputs("wasmc-spec: out of memory\n", stderr);
    return 2;
  }

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = NULL;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(a, "-v") == 0) {
      cfg.verbose = true;
    } else if (strcmp(a, "--no-fork") == 0) {
      no_fork = true;
    } else if (strcmp(a, "--counts") == 0) {
      if (i + 1 >= argc) {
        fputs("wasmc-spec: --counts needs a file\n", stderr);
        return 2;
      }
      counts_path = argv[++i];
    } else if (strncmp(a, "-j", 2) == 0) {
      val = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
      if (!val || !parse_uint(val, 1, 1024, &jobs_n)) {
        fprintf(stderr, "wasmc-spec: -j wants a number 1..1024, got '%s'\n",
                val ? val : "");
        return 2;
      }
    } else if (strncmp(a, "-O", 2) == 0) {
      val = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
      if (!val || !parse_uint(val, 0, 3, &opt_level)) {
        fprintf(stderr, "wasmc-spec: -O wants 0, 1, 2 or 3, got '%s'\n",
                val ? val : "");
        return 2;
      }
      setup.options_given = true;
    } else if (strcmp(a, "--target") == 0 || strncmp(a, "--target=", 9) == 0) {
      setup.target = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
      if (!setup.target) {
        fputs("wasmc-spec: --target needs a value\n", stderr);
        return 2;
      }
    } else if (strcmp(a, "--bounds-checks") == 0) {
      cfg.bounds_checks = true;
      setup.options_given = true;
    } else if (strcmp(a, "--cpu") == 0 || strcmp(a, "--features") == 0 ||
               strcmp(a, "--cache") == 0 || strcmp(a, "--compile-only") == 0 ||
               strcmp(a, "--precompiled") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "wasmc-spec: %s needs a value\n", a);
        return 2;
      }
      const char **dst = strcmp(a, "--cpu") == 0        ? &cfg.cpu
                         : strcmp(a, "--features") == 0 ? &cfg.features
                         : strcmp(a, "--cache") == 0    ? &setup.cache_root
                         : strcmp(a, "--compile-only") == 0
                             ? &setup.compile_only
                             : &setup.precompiled;
      *dst = argv[++i];
      setup.options_given |= dst == &cfg.cpu || dst == &cfg.features;
    } else if (strcmp(a, "--chunk-size") == 0) {
      val = i + 1 < argc ? argv[++i] : NULL;
      unsigned size;
      if (!val || !parse_uint(val, 1, UINT32_MAX, &size)) {
        fprintf(stderr, "wasmc-spec: --chunk-size wants bytes, got '%s'\n",
                val ? val : "");
        return 2;
      }
      cfg.chunk_size = size;
      setup.options_given = true;
    } else if (strcmp(a, "--timeout") == 0) {
      val = i + 1 < argc ? argv[++i] : NULL;
      if (!val || !parse_uint(val, 1, 86400, &cfg.timeout_secs)) {
        fprintf(stderr, "wasmc-spec: --timeout wants seconds, got '%s'\n",
                val ? val : "");
        return 2;
      }
    } else if (strcmp(a, "--conversion-failed") == 0) {
      if (i + 2 >= argc) {
        fputs("wasmc-spec: --conversion-failed wants WAST ERRLOG\n", stderr);
        return 2;
      }
      convs[nconv].wast = argv[++i];
      convs[nconv].errlog = argv[++i];
      nconv++;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "wasmc-spec: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    } else {
      jsons[njson++] = a;
    }
  }
  if (njson == 0 && nconv == 0) {
    usage(stderr);
    return 2;
  }
  if (jobs_n == 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    jobs_n = n > 0 ? (unsigned)n : 1;
  }
  cfg.opt_level = (int)opt_level;
  char err[1024];
  if (!spec_backend_setup(&setup, err, sizeof err)) {
    fprintf(stderr, "wasmc-spec: %s\n", err);
    return 2;
  }

  printf("wasmc spec harness: %d file%s", njson + nconv,
         njson + nconv == 1 ? "" : "s");
  if (nconv)
    printf(" (%d not converted)", nconv);
  printf(", target %s, cpu %s%s%s, -O%d%s, -j %u (%s)\n", cfg.triple,
         cfg.cpu ? cfg.cpu : "baseline", cfg.features ? ", features " : "",
         cfg.features ? cfg.features : "", cfg.opt_level,
         cfg.bounds_checks ? ", explicit bounds checks" : "", jobs_n,
         spec_backend_describe());
  fflush(stdout);

  double t0 = now_secs();
  size_t slots_size = (size_t)(njson ? njson : 1) * sizeof(file_slot);
  file_slot *slots = mmap(NULL, slots_size, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  job *jbs = calloc((size_t)(njson ? njson : 1), sizeof *jbs);
  if (slots == MAP_FAILED || !jbs) {
    fputs("wasmc-spec: out of memory\n", stderr);
    return 2;
  }
  for (int i = 0; i < njson; i++) {
    jbs[i].json = jsons[i];
    jbs[i].fd = -1;
    slots[i].ncommands = -1;
    slots[i].current = -1;
  }

  bool harness_error = false;
  if (no_fork) {
    for (int i = 0; i < njson; i++) {
      check_json(jsons[i], 0, &slots[i]);
      jbs[i].finished = true;
    }
  } else {
    int started = 0, printed = 0, running = 0;
    while (printed < njson) {
      while (running < (int)jobs_n && started < njson) {
        if (!spawn(&jbs[started], &slots[started], 0)) {
          harness_error = true;
          jbs[started].finished = true;
          slots[started].file_error = true;
        } else {
          running++;
        }
        started++;
      }
      while (printed < njson && jbs[printed].finished) {
        if (jbs[printed].fd >= 0) {
          copy_out(jbs[printed].fd);
          close(jbs[printed].fd);
        }
        printed++;
      }
      if (printed == njson)
        break;
      int status;
      pid_t pid = waitpid(-1, &status, 0);
      if (pid < 0) {
        if (errno == EINTR)
          continue;
        perror("wasmc-spec: waitpid");
        return 2;
      }
      running--;
      for (int i = 0; i < started; i++) {
        if (jbs[i].pid != pid)
          continue;
        if (!reap(&jbs[i], &slots[i], status))
          harness_error = true;
        if (jbs[i].pid)
          running++; /* resumed after a crash */
        break;
      }
    }
  }
  double elapsed = now_secs() - t0;

  /* ---- the table ---- */
  uint32_t tot[NKINDS][NRESULTS] = {{0}};
  uint32_t file_errors = 0, wording_differs = 0, rejections = 0;
  uint32_t dependents = 0, compiled = 0, cached = 0, other_reasons = 0;
  double compile_secs = 0;
  spec_reason reasons[64];
  int nreasons = 0;
  for (int i = 0; i < njson; i++) {
    dependents += slots[i].dependent_failures;
    compiled += slots[i].modules_compiled;
    cached += slots[i].modules_cached;
    compile_secs += slots[i].compile_secs;
    other_reasons += slots[i].other_reasons;
    for (int r = 0; r < SPEC_NREASONS && slots[i].reasons[r].what[0]; r++) {
      const spec_reason *sr = &slots[i].reasons[r];
      int j = 0;
      while (j < nreasons && strcmp(reasons[j].what, sr->what) != 0)
        j++;
      if (j < nreasons)
        reasons[j].modules += sr->modules;
      else if (nreasons < 64)
        reasons[nreasons++] = *sr;
      else
        other_reasons += sr->modules;
    }
    for (int k = 0; k < NKINDS; k++)
      for (int r = 0; r < NRESULTS; r++)
        tot[k][r] += slots[i].counts[k][r];
    file_errors += slots[i].file_error;
    wording_differs += slots[i].wording_differs;
  }
  uint32_t sum[NRESULTS] = {0};
  /* A --compile-only run checked no command: the runner's table counts. */
  if (!cfg.compile_only) {
    printf("\n%-24s %8s %8s %8s %8s\n", "command", "passed", "failed",
           "skipped", "n/a");
    for (int k = 0; k < NKINDS; k++) {
      uint32_t any = 0;
      for (int r = 0; r < NRESULTS; r++) {
        any += tot[k][r];
        sum[r] += tot[k][r];
      }
      /* The kinds every Wasm 2.0 file may have are always listed, so tables
       * of different runs line up; the rarer ones only when present. */
      if (any || k <= K_ASSERT_EXHAUSTION)
        printf("%-24s %8u %8u %8u %8u\n", kind_names[k], tot[k][R_PASSED],
               tot[k][R_FAILED], tot[k][R_SKIPPED], tot[k][R_NA]);
    }
    /* Files that could not be converted or read, or whose child died after
     * the last command (e.g. a LeakSanitizer report): one failure each. */
    if (file_errors || nconv)
      printf("%-24s %8s %8u %8s %8s\n", "(whole-file errors)", "",
             file_errors + (uint32_t)nconv, "", "");
    sum[R_FAILED] += file_errors + (uint32_t)nconv;
    printf("%-24s %8u %8u %8u %8u\n", "total", sum[R_PASSED], sum[R_FAILED],
           sum[R_SKIPPED], sum[R_NA]);
    printf("n/a = text-format modules outside assert_invalid/assert_malformed (not run)\n");
  }
  if (dependents)
    printf("note: %u of the failures are commands whose module could not be "
           "compiled or instantiated (-v lists them)\n",
           dependents);
  if (nreasons) {
    /* Most frequent first: what is missing, and what it costs. */
    for (int a = 1; a < nreasons; a++)
      for (int b = a; b > 0 && reasons[b].modules > reasons[b - 1].modules; b--) {
        spec_reason t = reasons[b];
        reasons[b] = reasons[b - 1];
        reasons[b - 1] = t;
      }
    printf("modules that failed to compile, by first error:\n");
    for (int r = 0; r < nreasons; r++)
      printf("  %6u  %s\n", reasons[r].modules, reasons[r].what);
    if (other_reasons)
      printf("  %6u  (other errors)\n", other_reasons);
  }
  rejections =
      tot[K_ASSERT_INVALID][R_PASSED] + tot[K_ASSERT_MALFORMED][R_PASSED];
  if (wording_differs)
    printf("note: %u of %u expected rejections give a message without the "
           "spec's text (they pass; -v marks them \"[wording differs]\", to "
           "spot a module refused for the wrong reason)\n",
           wording_differs, rejections);
  if (nconv) {
    printf("\ncould not convert %d file%s with wast2json:\n", nconv,
           nconv == 1 ? "" : "s");
    for (int i = 0; i < nconv; i++) {
      printf("  %s:\n", convs[i].wast);
      print_errlog(convs[i].errlog);
    }
  }
  printf("modules: %u compiled (%.1f s of compiling + linking, summed over "
         "the children), %u from the cache\n",
         compiled, compile_secs, cached);
  if (cfg.compile_only) {
    uint32_t refused = tot[K_MODULE][R_FAILED] +
                       tot[K_ASSERT_UNLINKABLE][R_FAILED] +
                       tot[K_ASSERT_UNINSTANTIABLE][R_FAILED];
    printf("compiled the modules of %d file%s for %s in %.1f s (%u could "
           "not be compiled; the run reports them)\n",
           njson, njson == 1 ? "" : "s", cfg.triple, elapsed, refused);
  } else {
    printf("checked %d file%s in %.1f s\n", njson, njson == 1 ? "" : "s",
           elapsed);
    /* The target in front: runs for several targets are told apart. */
    printf("%s: %u passed, %u failed, %u skipped\n", cfg.triple, sum[R_PASSED],
           sum[R_FAILED], sum[R_SKIPPED]);
  }

  if (counts_path && !cfg.compile_only &&
      !write_counts(counts_path, slots, njson, nconv))
    harness_error = true;

  munmap(slots, slots_size);
  free(jbs);
  spec_cache_cleanup();
  if (harness_error)
    return 2;
  if (cfg.compile_only)
    return file_errors ? 1 : 0;
  return sum[R_FAILED] ? 1 : 0;
}
