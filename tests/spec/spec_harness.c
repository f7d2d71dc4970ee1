/* spec_harness.c: checks wast2json output (FILE.json + FILE.N.wasm) against
 * wasmc's decoder and validator.
 *
 *   wasmc-spec [-v] [-j N] [--target T] [-O L] [--timeout S] [--no-fork]
 *              [--conversion-failed WAST ERRLOG]... FILE.json...
 *
 * Usually run by scripts/spectest, which converts the .wast files first.
 * Every JSON file is checked in a child process of its own, up to N at a
 * time: a crash, a sanitizer report or a hang in the decoder then costs one
 * command, not the run. The child records its progress in shared memory, so
 * after a crash the parent reports the command that was being checked and
 * starts a new child at the next command. Output is printed per file in the
 * order of the command line, whatever order the children finish in.
 *
 * Until the compiler exists (issue 3), commands that need execution
 * (register, action, assert_return, assert_trap, assert_exhaustion,
 * assert_exception) are counted as skipped, never as passed.
 *
 * Exit status: 0 all checks passed, 1 something failed, 2 usage error.
 */
#include <cJSON.h>
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

#include "wasm.h"

/* ---- command kinds and results ------------------------------------------- */

enum kind {
  K_MODULE,
  K_ASSERT_INVALID,
  K_ASSERT_MALFORMED,
  K_ASSERT_UNLINKABLE,
  K_ASSERT_UNINSTANTIABLE,
  K_REGISTER,
  K_ACTION,
  K_ASSERT_RETURN,
  K_ASSERT_TRAP,
  K_ASSERT_EXHAUSTION,
  K_ASSERT_EXCEPTION,
  K_OTHER, /* a command type this harness does not know: always a failure */
  NKINDS
};
static const char *const kind_names[NKINDS] = {
    "module",           "assert_invalid",    "assert_malformed",
    "assert_unlinkable", "assert_uninstantiable", "register",
    "action",           "assert_return",     "assert_trap",
    "assert_exhaustion", "assert_exception",  "(unknown command)",
};

enum result { R_PASSED, R_FAILED, R_SKIPPED, R_NA, NRESULTS };

/* Per-JSON-file state, in memory shared with the children. */
typedef struct {
  uint32_t counts[NKINDS][NRESULTS];
  /* Rejections whose message does not contain the spec's expected text:
   * not failures (wording is ours), but where a module is refused for the
   * wrong reason, it shows up here; -v marks them. */
  uint32_t wording_differs;
  int32_t ncommands;               /* -1 until the JSON has been read */
  int32_t next;                    /* first command not finished yet */
  int32_t current;                 /* command being checked, or -1 */
  int32_t current_line;
  uint8_t current_kind;
  char source[PATH_MAX];   /* the .wast, for messages about a crash */
  char current_file[256];  /* the module being checked */
  bool done;       /* a child reached the end of the commands */
  bool file_error; /* JSON unreadable: reported, counted once */
} file_slot;

/* ---- options ------------------------------------------------------------- */

static bool verbose;
static unsigned timeout_secs = 60; /* per command; generous for ASan */

static void usage(FILE *out) {
  fputs(
      "usage: wasmc-spec [options] FILE.json...\n"
      "Checks wast2json output against wasmc's decoder and validator.\n"
      "  -v                  show why each assert_invalid/assert_malformed\n"
      "                      module was rejected, next to the expected text\n"
      "  -j N                check N files in parallel (default: nproc)\n"
      "  --target T          x86_64, aarch64, riscv64 or a full triple such\n"
      "                      as aarch64-linux-gnu (default: the host)\n"
      "  -O L                optimisation level 0..3 (default 2)\n"
      "  --timeout S         seconds allowed per command (default 60)\n"
      "  --no-fork           check everything in this process (for debuggers)\n"
      "  --conversion-failed WAST ERRLOG\n"
      "                      report WAST as not converted (counted as\n"
      "                      failed), showing wast2json's messages in ERRLOG\n"
      "--target and -O only take effect once modules are executed (issue 3);\n"
      "until then commands that need execution are counted as skipped.\n",
      out);
}

/* Short architecture names or a Linux triple starting with one of them. */
static bool target_ok(const char *t, char *out, size_t outsz) {
  static const char *const arches[] = {"x86_64", "aarch64", "riscv64"};
  for (size_t i = 0; i < sizeof arches / sizeof *arches; i++) {
    size_t n = strlen(arches[i]);
    if (strncmp(t, arches[i], n) != 0)
      continue;
    if (t[n] == '\0') {
      snprintf(out, outsz, "%s-linux-gnu", t);
      return true;
    }
    if (t[n] != '-' || !strstr(t + n, "-linux"))
      return false;
    for (const char *p = t + n; *p; p++)
      if (!(('a' <= *p && *p <= 'z') || ('0' <= *p && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.'))
        return false;
    if (t[strlen(t) - 1] == '-')
      return false;
    snprintf(out, outsz, "%s", t);
    return true;
  }
  return false;
}

static const char *host_target(void) {
#if defined(__x86_64__)
  return "x86_64-linux-gnu";
#elif defined(__aarch64__)
  return "aarch64-linux-gnu";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64-linux-gnu";
#else
  return "unknown";
#endif
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
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  fflush(stdout);
}

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* wasm_read_file (compiler/module.c) NUL-terminates, so JSON can be parsed
 * in place; errno tells why on failure. */
static char *read_file(const char *path, size_t *size) {
  wasm_error err = {0};
  return (char *)wasm_read_file(path, size, &err);
}

/* ---- checking one module ------------------------------------------------- */

enum verdict {
  V_UNREADABLE,
  V_ACCEPTED,
  V_REJECTED_DECODE,
  V_REJECTED_VALIDATE,
  V_REJECTED_SILENTLY, /* no message: a bug of its own */
};

/* Decodes and validates one .wasm; msg receives "X.wasm:0x1f: error: ..."
 * for rejections, or the reason the file could not be read. The buffer is
 * allocated with the file's exact size so that ASan sees any read past the
 * end of the module. */
static enum verdict check_module(const char *path, char *msg, size_t msgsz) {
  size_t size = 0;
  char *bytes = read_file(path, &size);
  if (!bytes) {
    snprintf(msg, msgsz, "cannot read %s: %s", path, strerror(errno));
    return V_UNREADABLE;
  }
  uint8_t *exact = malloc(size ? size : 1);
  if (!exact) {
    free(bytes);
    snprintf(msg, msgsz, "out of memory reading %s", path);
    return V_UNREADABLE;
  }
  memcpy(exact, bytes, size);
  free(bytes);

  const char *name = base_name(path);
  wasm_error err = {0};
  enum verdict v = V_ACCEPTED;
  wasm_module *m = wasm_decode(exact, size, name, &err);
  if (!m)
    v = V_REJECTED_DECODE;
  else if (!wasm_validate(m, &err))
    v = V_REJECTED_VALIDATE;
  /* A rejection without a message would leave users guessing. */
  if (v != V_ACCEPTED && (!err.set || !err.msg[0])) {
    snprintf(msg, msgsz, "%s was rejected by the %s without an error message",
             name, v == V_REJECTED_DECODE ? "decoder" : "validator");
    v = V_REJECTED_SILENTLY;
  } else if (v != V_ACCEPTED) {
    snprintf(msg, msgsz, "%s:0x%zx: error: %s", name, err.offset, err.msg);
  }
  wasm_module_free(m);
  free(exact);
  return v;
}

/* ---- checking one JSON file ---------------------------------------------- */

static enum kind kind_of(const char *type) {
  for (int k = 0; k < K_OTHER; k++)
    if (strcmp(type, kind_names[k]) == 0)
      return (enum kind)k;
  return K_OTHER;
}

static const char *json_str(const cJSON *obj, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Checks the commands of one JSON file from index `start` on, recording
 * progress and counts in *slot. Messages go to stdout. */
static void check_json(const char *json_path, int start, file_slot *slot) {
  size_t size;
  char *text = read_file(json_path, &size);
  if (!text) {
    say("%s: error: cannot read: %s\n", json_path, strerror(errno));
    slot->file_error = true;
    return;
  }
  cJSON *root = cJSON_ParseWithLength(text, size);
  free(text);
  const cJSON *cmds = root ? cJSON_GetObjectItemCaseSensitive(root, "commands")
                           : NULL;
  if (!cJSON_IsArray(cmds)) {
    say("%s: error: not wast2json output (no \"commands\" array)\n",
        json_path);
    slot->file_error = true;
    cJSON_Delete(root);
    return;
  }
  const char *source = json_str(root, "source_filename");
  if (!source)
    source = json_path;
  snprintf(slot->source, sizeof slot->source, "%s", source);

  /* .wasm names in the JSON are relative to the JSON's folder. */
  char dir[PATH_MAX];
  const char *slash = strrchr(json_path, '/');
  if (slash)
    snprintf(dir, sizeof dir, "%.*s/", (int)(slash - json_path), json_path);
  else
    dir[0] = '\0';

  slot->ncommands = cJSON_GetArraySize(cmds);
  int i = 0;
  const cJSON *cmd;
  cJSON_ArrayForEach(cmd, cmds) {
    if (i++ < start)
      continue;
    int index = i - 1;
    const char *type = json_str(cmd, "type");
    const cJSON *line_item = cJSON_GetObjectItemCaseSensitive(cmd, "line");
    int line = cJSON_IsNumber(line_item) ? line_item->valueint : 0;
    enum kind k = type ? kind_of(type) : K_OTHER;
    slot->current_line = line;
    slot->current_kind = (uint8_t)k;
    slot->current_file[0] = '\0';
    slot->current = index;

    enum result r = R_FAILED;
    const char *filename = json_str(cmd, "filename");
    const char *module_type = json_str(cmd, "module_type");
    const char *expected = json_str(cmd, "text");
    char path[PATH_MAX + 256], msg[PATH_MAX + 1024];
    switch (k) {
    case K_MODULE:
    case K_ASSERT_UNLINKABLE:
    case K_ASSERT_UNINSTANTIABLE:
    case K_ASSERT_INVALID:
    case K_ASSERT_MALFORMED: {
      if (module_type && strcmp(module_type, "text") == 0) {
        r = R_NA; /* wasmc reads binaries only */
        break;
      }
      if (!filename) {
        say("%s:%d: %s: no \"filename\" in the command\n", source, line,
            kind_names[k]);
        break;
      }
      snprintf(path, sizeof path, "%s%s", dir, filename);
      snprintf(slot->current_file, sizeof slot->current_file, "%s", filename);
      alarm(timeout_secs);
      enum verdict v = check_module(path, msg, sizeof msg);
      alarm(0);
      bool must_reject = k == K_ASSERT_INVALID || k == K_ASSERT_MALFORMED;
      if (v == V_UNREADABLE || v == V_REJECTED_SILENTLY) {
        say("%s:%d: %s: %s\n", source, line, kind_names[k], msg);
      } else if (!must_reject) {
        /* module, and unlinkable/uninstantiable modules: all are valid;
         * only linking or instantiation would refuse the latter two. */
        if (v == V_ACCEPTED)
          r = R_PASSED;
        else
          say("%s:%d: %s: module %s was rejected: %s\n", source, line,
              kind_names[k], filename, msg);
      } else if (v == V_ACCEPTED) {
        say("%s:%d: %s: module %s was accepted (expected: \"%s\")\n", source,
            line, kind_names[k], filename, expected ? expected : "?");
      } else {
        r = R_PASSED;
        bool differs = !expected || !strcasestr(msg, expected);
        slot->wording_differs += differs;
        if (verbose)
          say("%s:%d: %s: rejected by the %s: %s (expected: \"%s\")%s\n",
              source, line, kind_names[k],
              v == V_REJECTED_DECODE ? "decoder" : "validator", msg,
              expected ? expected : "?", differs ? " [wording differs]" : "");
      }
      break;
    }
    case K_REGISTER:
    case K_ACTION:
    case K_ASSERT_RETURN:
    case K_ASSERT_TRAP:
    case K_ASSERT_EXHAUSTION:
    case K_ASSERT_EXCEPTION:
      r = R_SKIPPED; /* needs execution: issue 3 */
      break;
    case K_OTHER:
    case NKINDS:
      say("%s:%d: unknown command type \"%s\"\n", source, line,
          type ? type : "(none)");
      break;
    }
    slot->counts[k][r]++;
    slot->current = -1;
    slot->next = index + 1;
  }
  slot->done = true;
  cJSON_Delete(root);
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
      snprintf(buf, n, "timed out after %u s", timeout_secs);
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
static void free_args(void) {
  free(jsons);
  free(convs);
}

int main(int argc, char **argv) {
  unsigned jobs_n = 0, opt_level = 2;
  bool no_fork = false;
  char target[128];
  snprintf(target, sizeof target, "%s", host_target());
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
      verbose = true;
    } else if (strcmp(a, "--no-fork") == 0) {
      no_fork = true;
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
    } else if (strcmp(a, "--target") == 0 || strncmp(a, "--target=", 9) == 0) {
      val = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
      if (!val || !target_ok(val, target, sizeof target)) {
        fprintf(stderr,
                "wasmc-spec: unsupported target '%s' (want x86_64, aarch64, "
                "riscv64 or a Linux triple such as aarch64-linux-gnu)\n",
                val ? val : "");
        return 2;
      }
    } else if (strcmp(a, "--timeout") == 0) {
      val = i + 1 < argc ? argv[++i] : NULL;
      if (!val || !parse_uint(val, 1, 86400, &timeout_secs)) {
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

  printf("wasmc spec harness: %d file%s", njson + nconv,
         njson + nconv == 1 ? "" : "s");
  if (nconv)
    printf(" (%d not converted)", nconv);
  printf(", target %s, -O%u, -j %u (target and -O apply once modules are "
         "executed, issue 3)\n",
         target, opt_level, jobs_n);
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
  for (int i = 0; i < njson; i++) {
    for (int k = 0; k < NKINDS; k++)
      for (int r = 0; r < NRESULTS; r++)
        tot[k][r] += slots[i].counts[k][r];
    file_errors += slots[i].file_error;
    wording_differs += slots[i].wording_differs;
  }
  uint32_t sum[NRESULTS] = {0};
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
  printf("skipped = needs execution (register, action, assert_return, "
         "assert_trap, ...), which arrives with the compiler (issue 3)\n"
         "n/a = modules in the text format (wasmc reads binaries only)\n");
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
  printf("checked %d file%s in %.1f s\n", njson, njson == 1 ? "" : "s",
         elapsed);
  printf("%u passed, %u failed, %u skipped\n", sum[R_PASSED], sum[R_FAILED],
         sum[R_SKIPPED]);

  munmap(slots, slots_size);
  free(jbs);
  if (harness_error)
    return 2;
  return sum[R_FAILED] ? 1 : 0;
}
