/* difffuzz_compare.c: does a wasmc trace say what binaryen's interpreter
 * said?
 *
 *   difffuzz-compare REFERENCE.log TRACE
 *
 * REFERENCE.log is the stdout of `wasm-opt M.wasm --fuzz-exec-before`
 * (binaryen 108), TRACE the output of `difffuzz-run M.so` (its format is
 * in difffuzz_trace.h). Both are read as lists of events (call, log,
 * result, trap, exception) and compared in order, value by value:
 *   - integers and floats exactly (floats bit for bit, -0 included; the
 *     reference's decimal text is read back to the double it denotes,
 *     which is exact because binaryen prints the shortest text that reads
 *     back to the same double);
 *   - NaNs exactly too, sign and payload: scripts/difffuzz removes the
 *     NaNs whose bits the spec leaves open before either engine runs the
 *     module (binaryen's --denan for f32/f64, difffuzz-denan for v128),
 *     so a NaN left in a trace comes from an instruction that must
 *     preserve its bits (constants, loads, neg, abs, copysign, pmin/pmax,
 *     bitwise operations); v128 values lane by lane;
 *   - traps by kind: binaryen's messages are mapped to the spec's trap
 *     categories (ref_traps below); one it does not know is a mismatch.
 * Exit status: 0 same, 1 different (the first difference is printed),
 * 3 inconclusive (the reference hit one of its own host limits, after
 * which binaryen itself does not compare results), 2 usage or I/O error.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difffuzz_trace.h"

enum { EV_CALL, EV_LOG, EV_RESULT, EV_TRAP, EV_EXCEPTION, EV_HOST_LIMIT, EV_ERROR };
static const char *const ev_names[] = {"call", "log", "result", "trap", "exception",
                                       "host limit", "error"};

typedef struct {
  int kind;
  char *name;    /* call/result: the export; trap: the kind; error: text */
  char **vals;   /* log/result values */
  size_t nvals;
  char *line;    /* the original line, for messages */
  size_t lineno;
} event;

typedef struct {
  event *ev;
  size_t n, cap;
} event_list;

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n);
  if (!p) {
    fprintf(stderr, "difffuzz-compare: out of memory\n");
    exit(2);
  }
  return p;
}

static char *xstrndup(const char *s, size_t n) {
  char *d = xrealloc(NULL, n + 1);
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

static event *push(event_list *l, int kind, const char *line, size_t lineno) {
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 64;
    l->ev = xrealloc(l->ev, l->cap * sizeof *l->ev);
  }
  event *e = &l->ev[l->n++];
  *e = (event){.kind = kind, .line = xstrndup(line, strlen(line)), .lineno = lineno};
  return e;
}

static void add_val(event *e, const char *s, size_t n) {
  e->vals = xrealloc(e->vals, (e->nvals + 1) * sizeof *e->vals);
  e->vals[e->nvals++] = xstrndup(s, n);
}

/* ---- binaryen's log ---------------------------------------------------- */

/* Binaryen's trap messages (wasm-interpreter.h, shell-interface.h and
 * literal.cpp of version 108) by prefix or, with a leading '*', by
 * substring, and the spec category each one is. */
static const struct {
  const char *pattern, *kind;
} ref_traps[] = {
    {"unreachable", "unreachable"},
    {"offset > memory", "memory-oob"},
    {"final > memory", "memory-oob"},
    {"bytes > memory", "memory-oob"},
    {"highest > memory", "memory-oob"},
    {"out of bounds memory access", "memory-oob"},  /* memory.fill/init */
    {"out of bounds segment access", "memory-oob"}, /* memory.init/copy */
    {"*by 0", "divide-by-zero"},                     /* i32.div_s by 0, ... */
    {"*div_s overflow", "integer-overflow"},
    {"*Float overflow", "integer-overflow"},         /* i32.truncSFloat overflow */
    {"*Float of nan", "invalid-conversion"},
    {"callTable overflow", "undefined-element"},
    {"uninitialized table element", "uninitialized-element"},
    {"callIndirect:", "indirect-call-type"},
    {"out of bounds table access", "table-oob"},
    {"null target in call_ref", "null-function-reference"},
    {"null ref", "null-reference"},
    {"unaligned atomic operation", "unaligned-atomic"},
    {"stack limit", "stack-exhausted"},
};

static const char *ref_trap_kind(const char *msg) {
  for (size_t i = 0; i < sizeof ref_traps / sizeof ref_traps[0]; i++) {
    const char *p = ref_traps[i].pattern;
    if (p[0] == '*' ? strstr(msg, p + 1) != NULL : strncmp(msg, p, strlen(p)) == 0)
      return ref_traps[i].kind;
  }
  return NULL;
}

/* Splits binaryen's value text: space-separated values, where a v128 is
 * "i32x4 0x.. 0x.. 0x.. 0x.." (kept as one value, lanes joined by ':'),
 * or a tuple "(a, b, ...)". */
static void ref_values(event *e, const char *s) {
  size_t len = strlen(s);
  bool tuple = len >= 2 && s[0] == '(' && s[len - 1] == ')';
  if (tuple)
    s++, len -= 2;
  char *copy = xstrndup(s, len);
  char *save = NULL;
  for (char *tok = strtok_r(copy, tuple ? ", " : " ", &save); tok;
       tok = strtok_r(NULL, tuple ? ", " : " ", &save)) {
    if (strcmp(tok, "i32x4") == 0) {
      char buf[64] = "i32x4";
      for (int i = 0; i < 4; i++) {
        char *lane = strtok_r(NULL, tuple ? ", " : " ", &save);
        if (!lane)
          break;
        strncat(buf, ":", sizeof buf - strlen(buf) - 1);
        strncat(buf, lane, sizeof buf - strlen(buf) - 1);
      }
      add_val(e, buf, strlen(buf));
    } else {
      add_val(e, tok, strlen(tok));
    }
  }
  free(copy);
}

static bool starts(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* One line of binaryen's log. false: a line this reader does not know
 * (binaryen's format changed?). */
static bool read_ref_line(event_list *l, char *line, size_t lineno) {
  size_t len = strlen(line);
  if (len == 0)
    return true;
  if (starts(line, "[fuzz-exec] note result: ")) {
    const char *rest = line + 25, *arrow = strstr(rest, " => ");
    if (!arrow)
      return false;
    event *e = push(l, EV_RESULT, line, lineno);
    e->name = xstrndup(rest, (size_t)(arrow - rest));
    ref_values(e, arrow + 4);
    return true;
  }
  if (starts(line, "[fuzz-exec] calling ")) {
    push(l, EV_CALL, line, lineno)->name = xstrndup(line + 20, len - 20);
    return true;
  }
  if (line[len - 1] != ']')
    return starts(line, "warning: "); /* stderr noise, if merged */
  line[len - 1] = 0;
  if (strcmp(line, "[LoggingExternalInterface logging") == 0 ||
      starts(line, "[LoggingExternalInterface logging ")) {
    line[len - 1] = ']';
    event *e = push(l, EV_LOG, line, lineno);
    line[len - 1] = 0;
    ref_values(e, line + strlen("[LoggingExternalInterface logging"));
    return true;
  }
  if (starts(line, "[trap ")) {
    const char *kind = ref_trap_kind(line + 6);
    char unknown[600];
    snprintf(unknown, sizeof unknown, "?%s", line + 6);
    line[len - 1] = ']';
    push(l, EV_TRAP, line, lineno)->name = xstrndup(kind ? kind : unknown,
                                                    strlen(kind ? kind : unknown));
    return true;
  }
  line[len - 1] = ']';
  if (starts(line, "[exception thrown: ")) {
    push(l, EV_EXCEPTION, line, lineno);
    return true;
  }
  if (starts(line, "[host limit ")) {
    push(l, EV_HOST_LIMIT, line, lineno);
    return true;
  }
  return false;
}

/* ---- wasmc's trace ------------------------------------------------------ */

/* One line of difffuzz-run's trace. false: not a trace line. */
static bool read_trace_line(event_list *l, char *line, size_t lineno) {
  char *sp = strchr(line, ' ');
  size_t wlen = sp ? (size_t)(sp - line) : strlen(line);
  const char *arg = sp ? sp + 1 : "";
  int kind = -1;
  for (int k = 0; k < (int)(sizeof ev_names / sizeof ev_names[0]); k++)
    if (strlen(ev_names[k]) == wlen && strncmp(line, ev_names[k], wlen) == 0)
      kind = k;
  if (kind == EV_CALL || kind == EV_TRAP || kind == EV_ERROR) {
    push(l, kind, line, lineno)->name = xstrndup(arg, strlen(arg));
  } else if (kind == EV_EXCEPTION) {
    push(l, kind, line, lineno);
  } else if (kind == EV_LOG || kind == EV_RESULT) {
    event *e = push(l, kind, line, lineno);
    char *copy = xstrndup(arg, strlen(arg)), *save = NULL;
    char *tok = strtok_r(copy, " ", &save);
    if (kind == EV_RESULT) {
      e->name = xstrndup(tok ? tok : "", tok ? strlen(tok) : 0);
      tok = strtok_r(NULL, " ", &save);
    }
    for (; tok; tok = strtok_r(NULL, " ", &save))
      add_val(e, tok, strlen(tok));
    free(copy);
  } else {
    return false;
  }
  return true;
}

/* ---- reading a file ---------------------------------------------------- */

/* Reads path line by line (without its line ending) into l through
 * read_line; a line it refuses is reported as not being `what`. */
static bool read_events(const char *path, bool (*read_line)(event_list *, char *, size_t),
                        const char *what, event_list *l) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "difffuzz-compare: %s: %s\n", path, strerror(errno));
    return false;
  }
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t n;
  bool ok = true;
  while (ok && (n = getline(&line, &cap, f)) >= 0) {
    lineno++;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
      line[--n] = 0;
    if (!read_line(l, line, lineno)) {
      fprintf(stderr, "difffuzz-compare: %s:%zu: not %s: %s\n", path, lineno, what, line);
      ok = false;
    }
  }
  free(line);
  fclose(f);
  return ok;
}

/* ---- comparison ---------------------------------------------------------- */

/* Four lanes from "P:0xA:0xB:0xC:0xD" after a prefix of plen characters. */
static bool lanes(const char *s, size_t plen, uint32_t out[4]) {
  s += plen;
  for (int i = 0; i < 4; i++) {
    if (*s != ':')
      return false;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s + 1, &end, 16);
    if (errno || end == s + 1 || v > 0xffffffffu)
      return false;
    out[i] = (uint32_t)v;
    s = end;
  }
  return *s == 0;
}

/* Does binaryen's text `ref` denote the typed value `ours`? */
static bool value_match(const char *ref, const char *ours) {
  char *end;
  if (starts(ours, "i32:") || starts(ours, "i64:")) {
    errno = 0;
    long long r = strtoll(ref, &end, 10);
    if (errno || *end || end == ref)
      return false;
    return r == strtoll(ours + 4, NULL, 10);
  }
  if (starts(ours, "f32:") || starts(ours, "f64:")) {
    /* A NaN: the same text, "[-]nan:0xPAYLOAD", in both. */
    if (strstr(ours, "nan") || strstr(ref, "nan"))
      return strcmp(ref, ours + 4) == 0;
    double r = strtod(ref, &end);
    if (*end || end == ref)
      return false;
    double o = strtod(ours + 4, NULL);
    return memcmp(&r, &o, sizeof r) == 0;
  }
  if (starts(ours, "v128:")) {
    uint32_t a[4], b[4];
    return starts(ref, "i32x4:") && lanes(ref, 5, a) && lanes(ours, 4, b) &&
           memcmp(a, b, sizeof a) == 0;
  }
  /* A reference: binaryen prints a reference result as its type, or in
   * a tuple as "funcref(NAME)". */
  size_t n = strcspn(ref, "(");
  return strlen(ours) == n && strncmp(ref, ours, n) == 0;
}

static bool event_match(const event *r, const event *o) {
  if (r->kind != o->kind)
    return false;
  if ((r->name || o->name) && (!r->name || !o->name || strcmp(r->name, o->name) != 0))
    return false;
  if (r->nvals != o->nvals)
    return false;
  for (size_t i = 0; i < r->nvals; i++)
    if (!value_match(r->vals[i], o->vals[i]))
      return false;
  return true;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: difffuzz-compare REFERENCE.log TRACE\n");
    return 2;
  }
  event_list ref = {0}, ours = {0};
  if (!read_events(argv[1], read_ref_line, "a line of binaryen 108's --fuzz-exec output",
                   &ref) ||
      !read_events(argv[2], read_trace_line, "a trace line", &ours))
    return 2;
  for (size_t i = 0; i < ref.n; i++)
    if (ref.ev[i].kind == EV_HOST_LIMIT) {
      printf("inconclusive: binaryen hit a host limit (%s:%zu: %s)\n", argv[1],
             ref.ev[i].lineno, ref.ev[i].line);
      return 3;
    }
  size_t n = ref.n < ours.n ? ref.n : ours.n;
  for (size_t i = 0; i < n; i++) {
    if (!event_match(&ref.ev[i], &ours.ev[i])) {
      printf("event %zu differs:\n  binaryen (%s:%zu): %s\n  wasmc    (%s:%zu): %s\n", i + 1,
             argv[1], ref.ev[i].lineno, ref.ev[i].line, argv[2], ours.ev[i].lineno,
             ours.ev[i].line);
      return 1;
    }
  }
  if (ref.n != ours.n) {
    const event_list *longer = ref.n > ours.n ? &ref : &ours;
    printf("%s has %zu more events, from: %s\n", ref.n > ours.n ? "binaryen" : "wasmc",
           longer->n - n, longer->ev[n].line);
    return 1;
  }
  printf("same: %zu events\n", ref.n);
  return 0;
}
