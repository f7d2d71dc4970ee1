/* spec_commands.c: runs the commands of one wast2json JSON file.
 *
 * Modules are decoded and validated by the front end, compiled to shared
 * objects by the module back end (spec_compile.c, or taken from the cache
 * by spec_precompiled.c under qemu), loaded and
 * instantiated through the embedding API (runtime/wasmrt.h) with imports
 * resolved against the `spectest` host module and the modules registered
 * so far. Actions call exports (or read exported globals) and assertions
 * compare results, traps and link errors with the script's expectations:
 *
 *   module                 decodes, validates, compiles, instantiates
 *   assert_invalid/_malformed   rejected by the validator / decoder; a
 *                          module in the text format (module_type "text",
 *                          a .wat) must be rejected by wasmc's text reader
 *                          (assert_malformed), or by the reader, decoder or
 *                          validator (assert_invalid)
 *   assert_unlinkable      instantiation fails without a trap
 *   assert_uninstantiable  instantiation traps (start function, segments)
 *   register               the current (or named) instance becomes
 *                          importable under a module name
 *   action                 the call runs without trapping
 *   assert_return          results match (exact bits, NaN patterns, lanes)
 *   assert_trap            the call traps; the message starts with the
 *                          expected text (the reference interpreter's rule)
 *   assert_exhaustion      the call traps with call stack exhausted
 *   thread, wait           threads (below)
 *   module_definition      decodes, validates, compiles, loads; not
 *                          instantiated (a definition $M, or the last one)
 *   module_instance        instantiates a definition anew (its own
 *                          memories, tables, globals) as instance $I, which
 *                          becomes the current module
 *   assert_malformed_custom / assert_invalid_custom
 *                          the module is wrong only in a custom section or
 *                          annotation, which the spec lets an engine reject
 *                          or ignore (with a warning): a .wat must be
 *                          refused by the text reader (it refuses such
 *                          annotations, see compiler/wat.h); a binary
 *                          module must be refused, or is skipped when
 *                          accepted (wasmc does not interpret the custom
 *                          section, which the spec allows)
 *
 * A command whose module could not be compiled or instantiated fails too
 * (a "dependent" failure), with the module's own error reported once.
 * A child that crashed is replaced by one that first replays the commands
 * before the crash silently (not counted) to rebuild the same state.
 *
 * Threads. The threads proposal's scripts run modules concurrently:
 *   (thread $T (shared (module $M) ...) CMD...)   starts thread $T
 *   (wait $T)                                     joins it
 * wast2json 1.0.32 does not know them (it refuses the script), so this
 * harness defines their JSON form, which our own converter (the text
 * reader) emits, and tests/spec/wasmc/threads/ holds hand-written files:
 *
 *   {"type": "thread", "line": N, "name": "$T",
 *    "shared": ["$M", ...],
 *    "commands": [ ...commands of the thread, any type, same form... ]}
 *   {"type": "wait", "line": N, "thread": "$T"}
 *
 * "shared" names modules ($names of module commands) of the starting
 * script (or thread) that the new thread sees under the same names, e.g.
 * to `register` a module exporting a shared memory; nothing else is
 * shared (a thread starts with no current module and nothing
 * registered). Module files are relative to the JSON file, as usual. The
 * thread runs its commands on its own native thread, concurrently with
 * the script, which goes on at once; each of its commands is counted in
 * the table like a top-level one, when the script waits for it (a thread
 * never waited for is joined, and counted, at the end of the file). A
 * "thread" command passes when the thread was started, a "wait" when it
 * was joined. Per-command timeouts (SIGALRM) apply to the script's own
 * commands only: a hanging thread shows up as its `wait` timing out.
 * With --compile-only the thread's modules are compiled in order and
 * nothing runs.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spec.h"
#include "wasm.h"
#include "wat.h"
#include "wat_lex.h"

/* ---- output and counting --------------------------------------------------- */

/* Thread-local: each script thread has its own (see the top). */
static _Thread_local bool quiet;  /* replaying commands before a crash */
static _Thread_local file_slot *slot;
static _Thread_local bool in_thread; /* a script thread, not the script */
static const char *source; /* the .wast, for messages */

/* "SOURCE:LINE: KIND: message" for a failed command (not when replaying). */
static void report(int line, enum kind k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(int line, enum kind k, const char *fmt, ...) {
  if (quiet)
    return;
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  say("%s:%d: %s: %s\n", source, line, kind_names[k], buf);
}

/* The per-command timeout: SIGALRM is per process, so only the script's
 * own thread arms it (see the top). */
static void arm_timer(unsigned secs) {
  if (!in_thread)
    alarm(secs);
}

static double now_secs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *json_str(const json *obj, const char *key) {
  const json *v = json_get(obj, key);
  return json_is_string(v) ? v->str : NULL;
}

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* ---- names with NUL characters ------------------------------------------------ */

/* Export names may contain U+0000 (names.wast), which the JSON reader cannot return
 * (its strings are NUL-terminated). Before parsing, every \u0000 escape
 * of the JSON text is replaced in place by the escape of a private-use
 * character that the file does not otherwise contain; export names are
 * mapped back (with their true length) when they are used. */
static char nul_marker[4]; /* its UTF-8 encoding, "" when not needed */

static bool mentions(const char *text, size_t size, unsigned cp) {
  char esc_lo[8], esc_up[8], utf8[4] = {(char)(0xE0 | (cp >> 12)),
                                        (char)(0x80 | ((cp >> 6) & 0x3F)),
                                        (char)(0x80 | (cp & 0x3F)), 0};
  snprintf(esc_lo, sizeof esc_lo, "\\u%04x", cp);
  snprintf(esc_up, sizeof esc_up, "\\u%04X", cp);
  return memmem(text, size, esc_lo, 6) || memmem(text, size, esc_up, 6) ||
         memmem(text, size, utf8, 3);
}

static void protect_nuls(char *text, size_t size) {
  nul_marker[0] = '\0';
  if (!memmem(text, size, "\\u0000", 6))
    return;
  unsigned cp = 0xE000;
  while (cp < 0xF8FF && mentions(text, size, cp))
    cp++;
  char esc[8];
  snprintf(esc, sizeof esc, "\\u%04X", cp);
  for (size_t i = 0; i + 1 < size; i++) {
    if (text[i] != '\\')
      continue;
    if (i + 6 <= size && memcmp(text + i, "\\u0000", 6) == 0)
      memcpy(text + i, esc, 6);
    i++; /* skip the escaped character (so "\\\\u0000" stays as it is) */
  }
  nul_marker[0] = (char)(0xE0 | (cp >> 12));
  nul_marker[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
  nul_marker[2] = (char)(0x80 | (cp & 0x3F));
  nul_marker[3] = '\0';
}

/* The true bytes of a name from the JSON, in buf; returns its length. */
static size_t real_name(const char *s, char *buf, size_t bufsz) {
  size_t n = 0;
  while (*s && n + 1 < bufsz) {
    /* strncmp, not memcmp: s may end before 3 bytes */
    if (nul_marker[0] && strncmp(s, nul_marker, 3) == 0) {
      buf[n++] = '\0';
      s += 3;
    } else {
      buf[n++] = *s++;
    }
  }
  buf[n] = '\0';
  return n;
}

/* ---- the script's state ----------------------------------------------------- */

typedef struct {
  char *name;
  wasmrt_instance *inst; /* NULL: the module failed; `why` says how */
  char *why;
} binding;

typedef struct {
  binding *v;
  size_t n, cap;
} binding_list;

static _Thread_local struct {
  wasmrt_instance *current;
  char *current_why;           /* why there is no current instance */
  binding_list names;          /* $name -> instance */
  binding_list registered;     /* register "as" -> instance */
  struct def { char *name; wasmrt_module *m; char *why; } *defs; /* definitions */
  size_t ndefs, defs_cap;
  wasmrt_instance **insts;     /* every instance, for freeing in reverse */
  size_t ninsts, insts_cap;
  struct { char *path; wasmrt_module *m; } *mods; /* loaded .so files */
  size_t nmods, mods_cap;
} st;

static char *dup_str(const char *s) { return s ? strdup(s) : NULL; }

static void bind(binding_list *l, const char *name, wasmrt_instance *inst,
                 const char *why) {
  for (size_t i = 0; i < l->n; i++) {
    if (strcmp(l->v[i].name, name) == 0) {
      l->v[i].inst = inst;
      free(l->v[i].why);
      l->v[i].why = dup_str(why);
      return;
    }
  }
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    binding *v = realloc(l->v, cap * sizeof *v);
    if (!v)
      abort();
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = (binding){dup_str(name), inst, dup_str(why)};
}

static binding *find(binding_list *l, const char *name) {
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->v[i].name, name) == 0)
      return &l->v[i];
  return NULL;
}

static void free_bindings(binding_list *l) {
  for (size_t i = 0; i < l->n; i++) {
    free(l->v[i].name);
    free(l->v[i].why);
  }
  free(l->v);
  memset(l, 0, sizeof *l);
}

static void set_current(wasmrt_instance *inst, const char *name, const char *why) {
  st.current = inst;
  free(st.current_why);
  st.current_why = dup_str(why);
  if (name)
    bind(&st.names, name, inst, why);
}

static void keep_instance(wasmrt_instance *inst) {
  if (st.ninsts == st.insts_cap) {
    size_t cap = st.insts_cap ? 2 * st.insts_cap : 16;
    wasmrt_instance **v = realloc(st.insts, cap * sizeof *v);
    if (!v)
      abort();
    st.insts = v;
    st.insts_cap = cap;
  }
  st.insts[st.ninsts++] = inst;
}

/* Frees this thread's state (`st` is thread-local). */
static void free_thread_state(void) {
  /* Reverse order: an importer goes before the instance it imports from. */
  while (st.ninsts)
    wasmrt_instance_free(st.insts[--st.ninsts]);
  free(st.insts);
  for (size_t i = 0; i < st.nmods; i++) {
    wasmrt_module_free(st.mods[i].m);
    free(st.mods[i].path);
  }
  free(st.mods);
  for (size_t i = 0; i < st.ndefs; i++) {
    free(st.defs[i].name);
    free(st.defs[i].why);
  }
  free(st.defs);
  free_bindings(&st.names);
  free_bindings(&st.registered);
  free(st.current_why);
  memset(&st, 0, sizeof st);
}

/* The script's own state at the end of a file, and the spectest host
 * objects, which its threads share (made before any starts). */
static void free_state(void) {
  free_thread_state();
  spec_host_free();
}

/* ---- compile failure reasons -------------------------------------------------- */

static void record_reason(const char *msg) {
  if (quiet)
    return;
  /* "0x1f: not supported yet: i32.popcnt" -> "not supported yet: i32.popcnt" */
  const char *key = strstr(msg, "not supported yet");
  if (!key) {
    key = msg;
    if (key[0] == '0' && key[1] == 'x') {
      const char *c = strstr(key, ": ");
      if (c)
        key = c + 2;
    }
  }
  char k[sizeof slot->reasons[0].what];
  size_t n = strlen(key);
  if (n >= sizeof k)
    n = sizeof k - 1; /* keys are prefixes of long messages */
  memcpy(k, key, n);
  k[n] = '\0';
  for (int i = 0; i < SPEC_NREASONS; i++) {
    spec_reason *r = &slot->reasons[i];
    if (r->what[0] == '\0') {
      memcpy(r->what, k, sizeof k);
      r->modules = 1;
      return;
    }
    if (strcmp(r->what, k) == 0) {
      r->modules++;
      return;
    }
  }
  slot->other_reasons++;
}

/* ---- modules ---------------------------------------------------------------- */

enum verdict {
  V_UNREADABLE,
  V_ACCEPTED,
  V_REJECTED_DECODE,
  V_REJECTED_VALIDATE,
  V_REJECTED_TEXT,     /* the text reader refused the .wat */
  V_REJECTED_SILENTLY, /* no message: a bug of its own */
};

/* Decodes and validates one .wasm; on acceptance *mod_out (if non-NULL)
 * keeps the module and *bytes_out its bytes (the caller frees both). msg
 * receives "X.wasm:0x1f: error: ..." for rejections. The buffer has the
 * file's exact size so that ASan sees any read past the end. */
static enum verdict check_module(const char *path, char *msg, size_t msgsz,
                                 wasm_module **mod_out, uint8_t **bytes_out,
                                 size_t *size_out) {
  size_t size = 0;
  wasm_error err = {0};
  uint8_t *bytes = wasm_read_file(path, &size, &err);
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
  enum verdict v = V_ACCEPTED;
  wasm_module *m = wasm_decode(exact, size, name, &err);
  if (!m)
    v = V_REJECTED_DECODE;
  else if (!wasm_validate(m, &err))
    v = V_REJECTED_VALIDATE;
  if (v != V_ACCEPTED && (!err.set || !err.msg[0])) {
    snprintf(msg, msgsz, "%s was rejected by the %s without an error message",
             name, v == V_REJECTED_DECODE ? "decoder" : "validator");
    v = V_REJECTED_SILENTLY;
  } else if (v != V_ACCEPTED) {
    snprintf(msg, msgsz, "%s:0x%zx: error: %s", name, err.offset, err.msg);
  }
  if (v == V_ACCEPTED && mod_out) {
    *mod_out = m;
    *bytes_out = exact;
    *size_out = size;
    return v;
  }
  wasm_module_free(m);
  free(exact);
  return v;
}

/* Validates a module and compiles it (or takes it from the cache): its
 * shared object's path in so. false + msg on failure. */
static bool module_so(const char *path, char *so, size_t sosz, char *msg,
                      size_t msgsz) {
  wasm_module *m = NULL;
  uint8_t *bytes = NULL;
  size_t size = 0;
  enum verdict v = check_module(path, msg, msgsz, &m, &bytes, &size);
  if (v != V_ACCEPTED)
    return false;
  char err[1024];
  bool cached = false;
  double t0 = now_secs();
  bool ok = spec_module_so(m, bytes, size, so, sosz, &cached, err, sizeof err);
  if (!quiet) {
    if (cached)
      slot->modules_cached++;
    else
      slot->modules_compiled++;
    slot->compile_secs += now_secs() - t0;
  }
  wasm_module_free(m);
  free(bytes);
  if (!ok) {
    snprintf(msg, msgsz, "%.255s: compilation failed: %s", base_name(path), err);
    record_reason(err);
  }
  return ok;
}

/* module_so, then loads the shared object (once per file). NULL + msg on
 * failure. */
static pthread_mutex_t compile_lock = PTHREAD_MUTEX_INITIALIZER;

static wasmrt_module *prepare_module(const char *path, char *msg, size_t msgsz) {
  char so[PATH_MAX + 64];
  /* Script threads compile one at a time: the cache files and the
   * compile counters are not meant for concurrent writers. */
  pthread_mutex_lock(&compile_lock);
  bool compiled = module_so(path, so, sizeof so, msg, msgsz);
  pthread_mutex_unlock(&compile_lock);
  if (!compiled)
    return NULL;
  for (size_t i = 0; i < st.nmods; i++)
    if (strcmp(st.mods[i].path, so) == 0)
      return st.mods[i].m;
  wasmrt_error rerr;
  memset(&rerr, 0, sizeof rerr);
  wasmrt_module *rm = wasmrt_module_load(so, &rerr);
  if (!rm) {
    snprintf(msg, msgsz, "%.255s: loading %.1024s failed: %s", base_name(path), so,
             rerr.message);
    return NULL;
  }
  if (st.nmods == st.mods_cap) {
    size_t cap = st.mods_cap ? 2 * st.mods_cap : 16;
    void *p = realloc(st.mods, cap * sizeof *st.mods);
    if (!p)
      abort();
    st.mods = p;
    st.mods_cap = cap;
  }
  st.mods[st.nmods].path = strdup(so);
  st.mods[st.nmods].m = rm;
  st.nmods++;
  return rm;
}

enum inst_result { I_OK, I_LINK_ERROR, I_TRAP, I_DEPENDENT };

/* Resolves the imports (spectest, registered instances) and instantiates.
 * On failure msg says why; *trap_msg gets the runtime's message. */
static enum inst_result instantiate(wasmrt_module *rm, wasmrt_instance **out,
                                    wasmrt_error *rerr, char *msg, size_t msgsz) {
  const wasmrt_module_desc *d = wasmrt_module_descriptor(rm);
  wasmrt_extern *imports = calloc(d->nimports ? d->nimports : 1, sizeof *imports);
  if (!imports)
    abort();
  memset(rerr, 0, sizeof *rerr);
  for (uint32_t i = 0; i < d->nimports; i++) {
    const wasmrt_import_desc *im = &d->imports[i];
    bool found = false;
    if (im->module_len == 8 && memcmp(im->module, "spectest", 8) == 0) {
      found = spec_host_lookup(im->name, im->name_len, &imports[i]);
    } else {
      binding *b = find(&st.registered, im->module);
      if (b && !b->inst) {
        snprintf(msg, msgsz, "import \"%s\".\"%s\": registered module not "
                 "available (%s)", im->module, im->name, b->why ? b->why : "?");
        free(imports);
        return I_DEPENDENT;
      }
      if (b)
        found = wasmrt_instance_export(b->inst, im->name, im->name_len, &imports[i]);
    }
    if (!found) {
      snprintf(rerr->message, sizeof rerr->message,
               "unknown import \"%s\".\"%s\"", im->module, im->name);
      snprintf(msg, msgsz, "%s", rerr->message);
      free(imports);
      return I_LINK_ERROR;
    }
  }
  arm_timer(cfg.timeout_secs); /* start functions may loop */
  *out = wasmrt_instantiate(rm, imports, d->nimports, rerr);
  arm_timer(0);
  free(imports);
  if (*out) {
    keep_instance(*out);
    return I_OK;
  }
  snprintf(msg, msgsz, "%s", rerr->message);
  return rerr->trap != WASMRT_TRAP_NONE ? I_TRAP : I_LINK_ERROR;
}

/* ---- actions ---------------------------------------------------------------- */

enum act_result { A_OK, A_TRAP, A_ERROR, A_DEPENDENT };

typedef struct {
  uint32_t nresults;
  uint8_t types[64];
  wasmrt_val vals[64];
  wasmrt_error err; /* A_TRAP */
  char msg[1024];   /* A_ERROR / A_DEPENDENT */
  char what[300];   /* "invoke \"f\"" for messages */
} act_out;

static wasmrt_instance *action_instance(const json *action, act_out *o,
                                        enum act_result *r) {
  const char *mname = json_str(action, "module");
  if (mname) {
    binding *b = find(&st.names, mname);
    if (!b) {
      snprintf(o->msg, sizeof o->msg, "no module named %s", mname);
      *r = A_ERROR;
      return NULL;
    }
    if (!b->inst) {
      snprintf(o->msg, sizeof o->msg, "module %s not available (%s)", mname,
               b->why ? b->why : "?");
      *r = A_DEPENDENT;
    }
    return b->inst;
  }
  if (!st.current) {
    if (st.current_why) {
      snprintf(o->msg, sizeof o->msg, "module not available (%s)", st.current_why);
      *r = A_DEPENDENT;
    } else {
      snprintf(o->msg, sizeof o->msg, "no module to act on");
      *r = A_ERROR;
    }
  }
  return st.current;
}

static enum act_result run_action(const json *action, act_out *o) {
  memset(o, 0, sizeof *o);
  const char *type = json_str(action, "type");
  const char *field = json_str(action, "field");
  snprintf(o->what, sizeof o->what, "%s \"%s\"", type ? type : "?",
           field ? field : "?");
  enum act_result r = A_ERROR;
  wasmrt_instance *inst = action_instance(action, o, &r);
  if (!inst)
    return r;
  if (!type || !field) {
    snprintf(o->msg, sizeof o->msg, "malformed action");
    return A_ERROR;
  }
  wasmrt_extern ext;
  char name[1024];
  size_t name_len = real_name(field, name, sizeof name);
  if (!wasmrt_instance_export(inst, name, name_len, &ext)) {
    snprintf(o->msg, sizeof o->msg, "no export \"%s\"", field);
    return A_ERROR;
  }
  if (strcmp(type, "get") == 0) {
    if (ext.kind != WASMRT_EXTERN_GLOBAL) {
      snprintf(o->msg, sizeof o->msg, "export \"%s\" is not a global", field);
      return A_ERROR;
    }
    o->nresults = 1;
    /* a reference (ABI 5's 32-bit type) reads as the top of its
     * hierarchy, as in flat signatures */
    o->types[0] = spec_flat_type(ext.of.global->type);
    o->vals[0] = ext.of.global->value;
    return A_OK;
  }
  if (strcmp(type, "invoke") != 0) {
    snprintf(o->msg, sizeof o->msg, "unknown action type \"%s\"", type);
    return A_ERROR;
  }
  if (ext.kind != WASMRT_EXTERN_FUNC) {
    snprintf(o->msg, sizeof o->msg, "export \"%s\" is not a function", field);
    return A_ERROR;
  }
  const wasmrt_functype_desc *ft = wasmrt_funcref_type(ext.of.func);
  const json *args = json_get(action, "args");
  uint32_t nargs = (uint32_t)json_size(args);
  if (!ft || ft->nparams != nargs || ft->nparams > 64 || ft->nresults > 64) {
    snprintf(o->msg, sizeof o->msg, "%u arguments for a function of %u params",
             nargs, ft ? ft->nparams : 0);
    return A_ERROR;
  }
  uint32_t i = 0;
  const json *a;
  json_each(a, args) {
    uint8_t t;
    char err[128];
    if (!spec_value_parse(a, &t, &o->vals[i], err, sizeof err)) {
      snprintf(o->msg, sizeof o->msg, "argument %u: %s", i, err);
      return A_ERROR;
    }
    if (!spec_arg_fits(t, &o->vals[i], ft->params[i])) {
      snprintf(o->msg, sizeof o->msg, "argument %u has the wrong type", i);
      return A_ERROR;
    }
    i++;
  }
  uint32_t nvals = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
  arm_timer(cfg.timeout_secs);
  bool ok = wasmrt_call(inst, ext.of.func, o->vals, nvals ? nvals : 1, &o->err);
  arm_timer(0);
  if (!ok) {
    if (o->err.trap != WASMRT_TRAP_NONE)
      return A_TRAP;
    snprintf(o->msg, sizeof o->msg, "call failed: %s", o->err.message);
    return A_ERROR;
  }
  o->nresults = ft->nresults;
  memcpy(o->types, ft->results, ft->nresults);
  return A_OK;
}

/* Records a command that failed only because its module is missing. */
static enum result dependent(int line, enum kind k, const act_out *o) {
  if (!quiet) {
    slot->dependent_failures++;
    if (cfg.verbose)
      report(line, k, "%s: %s", o->what, o->msg);
  }
  return R_FAILED;
}

static void format_results(const act_out *o, char *buf, size_t n) {
  size_t len = 0;
  buf[0] = '\0';
  for (uint32_t i = 0; i < o->nresults && len + 1 < n; i++) {
    char v[128];
    spec_value_format(o->types[i], &o->vals[i], v, sizeof v);
    len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", v);
  }
  if (o->nresults == 0)
    snprintf(buf, n, "(no results)");
}

static enum result check_return(int line, const json *cmd, act_out *o) {
  enum act_result r = run_action(json_get(cmd, "action"), o);
  if (r == A_DEPENDENT)
    return dependent(line, K_ASSERT_RETURN, o);
  if (r == A_ERROR) {
    report(line, K_ASSERT_RETURN, "%s: %s", o->what, o->msg);
    return R_FAILED;
  }
  if (r == A_TRAP) {
    report(line, K_ASSERT_RETURN, "%s: unexpected trap: %s", o->what,
           o->err.message);
    return R_FAILED;
  }
  const json *exp = json_get(cmd, "expected");
  const json *e;
  /* wabt 1.0.32 (Debian's wast2json) writes `(either v1 v2 ...)` of a
   * single result as "either": [v1, v2, ...] in place of "expected";
   * newer wabt writes an expected value {"type": "either", "values": ...},
   * which spec_value_matches handles. */
  const json *either = exp ? NULL : json_get(cmd, "either");
  if (either) {
    if (o->nresults == 1)
      json_each(e, either)
        if (spec_value_matches(e, o->types[0], &o->vals[0]))
          return R_PASSED;
    exp = either; /* for the message: every allowed value */
  }
  uint32_t nexp = (uint32_t)json_size(exp);
  bool ok = !either && nexp == o->nresults;
  uint32_t i = 0;
  json_each(e, exp) {
    if (!ok)
      break;
    ok = spec_value_matches(e, o->types[i], &o->vals[i]);
    i++;
  }
  if (ok)
    return R_PASSED;
  char got[1024], want[1024];
  format_results(o, got, sizeof got);
  size_t len = 0;
  want[0] = '\0';
  json_each(e, exp) {
    char w[256];
    spec_expected_format(e, w, sizeof w);
    len += (size_t)snprintf(want + len, sizeof want - len, "%s%s",
                            len ? ", " : "", w);
    if (len >= sizeof want)
      break;
  }
  report(line, K_ASSERT_RETURN, "%s: got %s, expected %s%s", o->what, got,
         either ? "one of " : "", nexp ? want : "(no results)");
  return R_FAILED;
}

/* The reference interpreter's rule: the trap's message starts with the
 * expected text. One relaxation: a few scripts expect the element index
 * after the wording ("uninitialized element 2"); the runtime's trap codes
 * do not carry it, so a trailing " N" of the expected text is optional. */
static bool trap_text_matches(const char *actual, const char *expected) {
  size_t n = strlen(expected);
  if (strncmp(actual, expected, n) == 0)
    return true;
  size_t d = n;
  while (d > 0 && expected[d - 1] >= '0' && expected[d - 1] <= '9')
    d--;
  if (d == n || d < 2 || expected[d - 1] != ' ')
    return false;
  d--; /* the wording without " N" */
  return strncmp(actual, expected, d) == 0 &&
         (actual[d] == '\0' || actual[d] == ' ');
}

/* assert_trap and assert_exhaustion on an action. */
static enum result check_trap(int line, enum kind k, const json *cmd, act_out *o) {
  enum act_result r = run_action(json_get(cmd, "action"), o);
  const char *expected = json_str(cmd, "text");
  if (!expected)
    expected = "";
  if (r == A_DEPENDENT)
    return dependent(line, k, o);
  if (r == A_ERROR) {
    report(line, k, "%s: %s", o->what, o->msg);
    return R_FAILED;
  }
  if (r == A_OK) {
    char got[1024];
    format_results(o, got, sizeof got);
    report(line, k, "%s: expected trap \"%s\", got %s", o->what, expected, got);
    return R_FAILED;
  }
  bool code_ok = k != K_ASSERT_EXHAUSTION ||
                 o->err.trap == WASMRT_TRAP_STACK_EXHAUSTED;
  if (code_ok && trap_text_matches(o->err.message, expected))
    return R_PASSED;
  report(line, k, "%s: trapped with \"%s\", expected \"%s\"", o->what,
         o->err.message, expected);
  return R_FAILED;
}

/* assert_exception: the action ends with an uncaught Wasm exception (not
 * a trap, which no Wasm handler can catch either, but is another
 * outcome). */
static enum result check_exception(int line, const json *cmd, act_out *o) {
  enum act_result r = run_action(json_get(cmd, "action"), o);
  if (r == A_DEPENDENT)
    return dependent(line, K_ASSERT_EXCEPTION, o);
  if (r == A_ERROR) {
    report(line, K_ASSERT_EXCEPTION, "%s: %s", o->what, o->msg);
    return R_FAILED;
  }
  if (r == A_OK) {
    char got[1024];
    format_results(o, got, sizeof got);
    report(line, K_ASSERT_EXCEPTION, "%s: expected an exception, got %s",
           o->what, got);
    return R_FAILED;
  }
  if (o->err.trap == WASMRT_TRAP_UNCAUGHT_EXCEPTION)
    return R_PASSED;
  report(line, K_ASSERT_EXCEPTION, "%s: trapped with \"%s\", expected an "
         "uncaught exception", o->what, o->err.message);
  return R_FAILED;
}

/* ---- one JSON file -------------------------------------------------------------- */

static enum kind kind_of(const char *type) {
  for (int k = 0; k < K_OTHER; k++)
    if (strcmp(type, kind_names[k]) == 0)
      return (enum kind)k;
  return K_OTHER;
}

/* module, assert_unlinkable, assert_uninstantiable. */
static enum result run_module_command(int line, enum kind k, const json *cmd,
                                      const char *path, const char *filename) {
  const char *name = json_str(cmd, "name");
  const char *expected = json_str(cmd, "text");
  char msg[4096];
  arm_timer(cfg.timeout_secs);
  wasmrt_module *rm = prepare_module(path, msg, sizeof msg);
  arm_timer(0);
  if (!rm) {
    report(line, k, "%s", msg);
    if (k == K_MODULE)
      set_current(NULL, name, msg);
    return R_FAILED;
  }
  wasmrt_instance *inst = NULL;
  wasmrt_error rerr;
  enum inst_result ir = instantiate(rm, &inst, &rerr, msg, sizeof msg);
  switch (k) {
  case K_MODULE:
    if (ir == I_OK) {
      set_current(inst, name, NULL);
      return R_PASSED;
    }
    {
      char why[4500];
      snprintf(why, sizeof why, "%s: instantiation failed: %s", filename, msg);
      report(line, k, "%s", why);
      set_current(NULL, name, why);
    }
    return R_FAILED;
  case K_ASSERT_UNLINKABLE:
    if (ir == I_LINK_ERROR) {
      if (!quiet && cfg.verbose)
        say("%s:%d: %s: refused: %s (expected: \"%s\")\n", source, line,
            kind_names[k], msg, expected ? expected : "?");
      return R_PASSED;
    }
    break;
  case K_ASSERT_UNINSTANTIABLE:
    if (ir == I_TRAP) {
      if (expected && !trap_text_matches(rerr.message, expected)) {
        report(line, k, "%s: trapped with \"%s\", expected \"%s\"", filename,
               rerr.message, expected);
        return R_FAILED;
      }
      return R_PASSED;
    }
    break;
  default:
    break;
  }
  if (ir == I_OK)
    report(line, k, "%s: instantiated, expected \"%s\"", filename,
           expected ? expected : "?");
  else
    report(line, k, "%s: %s (%s), expected \"%s\"", filename,
           ir == I_TRAP ? "trapped" : ir == I_DEPENDENT ? "not attempted"
                                                        : "link error",
           msg, expected ? expected : "?");
  return R_FAILED;
}

/* ---- module definitions and instances ----------------------------------------- */

/* Records a definition (m NULL: it failed, why says how). The loaded module
 * belongs to st.mods, so definitions only point at it. */
static void define(const char *name, wasmrt_module *m, const char *why) {
  if (st.ndefs == st.defs_cap) {
    size_t cap = st.defs_cap ? 2 * st.defs_cap : 8;
    void *p = realloc(st.defs, cap * sizeof *st.defs);
    if (!p)
      abort();
    st.defs = p;
    st.defs_cap = cap;
  }
  st.defs[st.ndefs++] = (struct def){dup_str(name), m, dup_str(why)};
}

/* A definition by name (the newest of that name), or the last one. */
static struct def *find_def(const char *name) {
  if (!name)
    return st.ndefs ? &st.defs[st.ndefs - 1] : NULL;
  for (size_t i = st.ndefs; i-- > 0;)
    if (st.defs[i].name && strcmp(st.defs[i].name, name) == 0)
      return &st.defs[i];
  return NULL;
}

/* module_definition: everything a module command does except
 * instantiation, so a module too large to instantiate here (memory.wast's
 * 65536 pages) still proves it decodes, validates and compiles. */
static enum result run_definition(int line, const json *cmd, const char *path) {
  const char *name = json_str(cmd, "name");
  char msg[4096];
  alarm(cfg.timeout_secs);
  wasmrt_module *rm = prepare_module(path, msg, sizeof msg);
  alarm(0);
  define(name, rm, rm ? NULL : msg);
  if (rm)
    return R_PASSED;
  report(line, K_MODULE_DEFINITION, "%s", msg);
  return R_FAILED;
}

/* module_instance: a fresh instance of a definition; the runtime gives
 * each instance its own memories, tables and globals, which is what makes
 * instantiation generative (instance.wast). */
static enum result run_instance(int line, const json *cmd) {
  const char *iname = json_str(cmd, "instance");
  const char *mname = json_str(cmd, "module");
  struct def *d = find_def(mname);
  if (!d) {
    report(line, K_MODULE_INSTANCE, "no module definition %s", mname ? mname : "yet");
    set_current(NULL, iname, "no such module definition");
    return R_FAILED;
  }
  if (!d->m) {
    char why[4500];
    snprintf(why, sizeof why, "definition %s failed: %s", mname ? mname : "",
             d->why ? d->why : "?");
    set_current(NULL, iname, why);
    if (!quiet) {
      slot->dependent_failures++;
      if (cfg.verbose)
        report(line, K_MODULE_INSTANCE, "%s", why);
    }
    return R_FAILED;
  }
  wasmrt_instance *inst = NULL;
  wasmrt_error rerr;
  char msg[4096];
  if (instantiate(d->m, &inst, &rerr, msg, sizeof msg) == I_OK) {
    set_current(inst, iname, NULL);
    return R_PASSED;
  }
  char why[4500];
  snprintf(why, sizeof why, "instance of %s: instantiation failed: %s",
           mname ? mname : "the last definition", msg);
  report(line, K_MODULE_INSTANCE, "%s", why);
  set_current(NULL, iname, why);
  return R_FAILED;
}

/* A module in the text format (a .wat of an assertion): parsed by wasmc's
 * own text reader (compiler/wat.h); when that accepts it, the binary it
 * makes is decoded and validated as any other module. */
static enum verdict check_text_module(const char *path, char *msg, size_t msgsz) {
  size_t size = 0;
  wasm_error err = {0};
  char *text = (char *)wasm_read_file(path, &size, &err);
  if (!text) {
    snprintf(msg, msgsz, "cannot read %s: %s", path, strerror(errno));
    return V_UNREADABLE;
  }
  uint8_t *bin = NULL;
  size_t nbin = 0;
  const char *name = base_name(path);
  enum verdict v = V_ACCEPTED;
  if (!wat_to_wasm(text, size, &bin, &nbin, &err)) {
    uint32_t line, col;
    wat_position(text, size, err.offset, &line, &col);
    snprintf(msg, msgsz, "%s:%u:%u: error: %s", name, line, col, err.msg);
    v = err.msg[0] ? V_REJECTED_TEXT : V_REJECTED_SILENTLY;
  } else {
    wasm_module *m = wasm_decode(bin, nbin, name, &err);
    if (!m)
      v = V_REJECTED_DECODE;
    else if (!wasm_validate(m, &err))
      v = V_REJECTED_VALIDATE;
    if (v != V_ACCEPTED)
      snprintf(msg, msgsz, "%s (converted):0x%zx: error: %s", name, err.offset, err.msg);
    wasm_module_free(m);
  }
  free(bin);
  free(text);
  return v;
}

static enum result run_validation_command(int line, enum kind k, const char *path,
                                          const char *filename, const char *expected,
                                          bool text) {
  char msg[PATH_MAX + 1024];
  arm_timer(cfg.timeout_secs);
  enum verdict v = text ? check_text_module(path, msg, sizeof msg)
                        : check_module(path, msg, sizeof msg, NULL, NULL, NULL);
  arm_timer(0);
  /* malformed text must be refused by the text reader itself: a module
   * that parses but fails decoding or validation was not malformed text */
  if (text && (k == K_ASSERT_MALFORMED || k == K_ASSERT_MALFORMED_CUSTOM) &&
      (v == V_REJECTED_DECODE || v == V_REJECTED_VALIDATE)) {
    report(line, k, "module %s was accepted by the text reader (expected: \"%s\"; "
           "then: %s)", filename, expected ? expected : "?", msg);
    return R_FAILED;
  }
  if (v == V_UNREADABLE || v == V_REJECTED_SILENTLY) {
    report(line, k, "%s", msg);
    return R_FAILED;
  }
  const char *why = v == V_ACCEPTED ? spec_superseded(source, line) : NULL;
  if (why) {
    if (!quiet)
      say("%s:%d: %s: skipped: module %s is accepted: %s\n", source, line,
          kind_names[k], filename, why);
    return R_SKIPPED;
  }
  if (v == V_ACCEPTED && !text &&
      (k == K_ASSERT_INVALID_CUSTOM || k == K_ASSERT_MALFORMED_CUSTOM)) {
    /* the decoder keeps custom sections it does not know as opaque bytes:
     * ignoring one is the spec's other allowed outcome, but proves nothing */
    if (cfg.verbose && !quiet)
      say("%s:%d: %s: %s accepted: its custom section is not interpreted by "
          "wasmc (skipped; expected: \"%s\")\n", source, line, kind_names[k], filename,
          expected ? expected : "?");
    return R_SKIPPED;
  }
  if (v == V_ACCEPTED) {
    report(line, k, "module %s was accepted (expected: \"%s\")", filename,
           expected ? expected : "?");
    return R_FAILED;
  }
  /* A module refused because wasmc lacks a feature proves nothing about
   * the rule the assertion tests: a "not supported yet" refusal is a
   * failure. */
  if (strstr(msg, "not supported yet")) {
    report(line, k, "module %s refused for a missing feature, not for the "
           "expected reason (\"%s\"): %s", filename,
           expected ? expected : "?", msg);
    return R_FAILED;
  }
  bool differs = !expected || !strcasestr(msg, expected);
  if (!quiet)
    slot->wording_differs += differs;
  if (cfg.verbose && !quiet)
    say("%s:%d: %s: rejected by the %s: %s (expected: \"%s\")%s\n", source,
        line, kind_names[k], v == V_REJECTED_DECODE ? "decoder"
                             : v == V_REJECTED_TEXT ? "text reader" : "validator",
        msg, expected ? expected : "?", differs ? " [wording differs]" : "");
  return R_PASSED;
}

/* ---- script threads (threads proposal; JSON form at the top) ------------------ */

static enum result run_command(const json *cmd, enum kind k, int line,
                               const char *dir);

typedef struct script_thread {
  struct script_thread *next;
  char *name;
  pthread_t tid;
  bool started, joined;
  const json *commands;
  const char *dir;
  binding_list shared;      /* the parent's modules it may name */
  file_slot *counts;        /* its commands' results, merged at the wait */
} script_thread;

static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static script_thread *threads; /* of the file being checked */


static void *script_thread_main(void *arg) {
  script_thread *t = arg;
  in_thread = true;
  quiet = false;
  slot = t->counts;
  for (size_t i = 0; i < t->shared.n; i++)
    bind(&st.names, t->shared.v[i].name, t->shared.v[i].inst, t->shared.v[i].why);
  const json *cmd;
  json_each(cmd, t->commands) {
    const char *type = json_str(cmd, "type");
    const json *line_item = json_get(cmd, "line");
    int line = json_is_number(line_item) ? (int)line_item->num : 0;
    enum kind k = type ? kind_of(type) : K_OTHER;
    enum result r = run_command(cmd, k, line, t->dir);
    slot->counts[k][r]++;
  }
  /* What the thread made dies with it: LeakSanitizer found every script
   * thread's instances, modules and bindings leaked. Its instances
   * import from the parent's shared ones (never the other way round), so
   * they go first; the parent frees its own after joining. */
  free_thread_state();
  return NULL;
}

/* Counts of a joined thread go to the script's slot. */
static void merge_counts(file_slot *to, const file_slot *from) {
  for (int k = 0; k < NKINDS; k++)
    for (int r = 0; r < NRESULTS; r++)
      to->counts[k][r] += from->counts[k][r];
  to->wording_differs += from->wording_differs;
  to->dependent_failures += from->dependent_failures;
  to->modules_compiled += from->modules_compiled;
  to->modules_cached += from->modules_cached;
  to->compile_secs += from->compile_secs;
}

static enum result start_thread(int line, const json *cmd, const char *dir) {
  const char *name = json_str(cmd, "name");
  const json *commands = json_get(cmd, "commands");
  if (!name || !json_is_array(commands)) {
    report(line, K_THREAD, "a thread needs a \"name\" and a \"commands\" array");
    return R_FAILED;
  }
  if (cfg.compile_only) {
    /* Cross runs: only the modules matter here; compile them in order. */
    const json *c;
    json_each(c, commands) {
      const char *type = json_str(c, "type");
      const json *line_item = json_get(c, "line");
      run_command(c, type ? kind_of(type) : K_OTHER,
                  json_is_number(line_item) ? (int)line_item->num : line, dir);
    }
    return R_PASSED;
  }
  script_thread *t = calloc(1, sizeof *t);
  if (!t)
    abort();
  t->name = strdup(name);
  t->commands = commands;
  t->dir = dir;
  t->counts = calloc(1, sizeof *t->counts);
  if (!t->name || !t->counts)
    abort();
  const json *m;
  json_each(m, json_get(cmd, "shared")) {
    if (!json_is_string(m)) {
      report(line, K_THREAD, "thread %s: \"shared\" lists module names (strings)", name);
      continue;
    }
    binding *b = find(&st.names, m->str);
    if (!b)
      report(line, K_THREAD, "thread %s: no module named %s to share", name, m->str);
    else
      bind(&t->shared, b->name, b->inst, b->why);
  }
  /* The spectest host objects are made on first use: make them here,
   * before two threads can race to. */
  wasmrt_extern unused;
  spec_host_lookup("memory", 6, &unused);
  t->started = pthread_create(&t->tid, NULL, script_thread_main, t) == 0;
  pthread_mutex_lock(&threads_lock);
  t->next = threads;
  threads = t;
  pthread_mutex_unlock(&threads_lock);
  if (!t->started)
    report(line, K_THREAD, "thread %s: cannot start a native thread", name);
  return t->started ? R_PASSED : R_FAILED;
}

static void join_thread(script_thread *t) {
  if (t->started && !t->joined) {
    pthread_join(t->tid, NULL);
    t->joined = true;
    if (!quiet)
      merge_counts(slot, t->counts);
  }
}

static enum result wait_thread(int line, const json *cmd) {
  if (cfg.compile_only)
    return R_SKIPPED;
  const char *name = json_str(cmd, "thread");
  script_thread *t = NULL;
  pthread_mutex_lock(&threads_lock);
  for (script_thread *i = threads; i && name; i = i->next)
    if (!i->joined && strcmp(i->name, name) == 0) {
      t = i;
      break;
    }
  pthread_mutex_unlock(&threads_lock);
  if (!t) {
    report(line, K_WAIT, "no running thread named %s", name ? name : "(none)");
    return R_FAILED;
  }
  arm_timer(cfg.timeout_secs);
  join_thread(t);
  arm_timer(0);
  return t->started ? R_PASSED : R_FAILED;
}

/* At the end of the file: join what was never waited for, free all. */
static void end_threads(void) {
  for (script_thread *t = threads; t; t = t->next)
    join_thread(t);
  while (threads) {
    script_thread *t = threads;
    threads = t->next;
    free_bindings(&t->shared);
    free(t->counts);
    free(t->name);
    free(t);
  }
}

static enum result run_command(const json *cmd, enum kind k, int line,
                               const char *dir) {
  const char *filename = json_str(cmd, "filename");
  const char *module_type = json_str(cmd, "module_type");
  const char *expected = json_str(cmd, "text");
  char path[PATH_MAX + 256];
  act_out *o = NULL;
  enum result r = R_FAILED;
  if (cfg.compile_only && k != K_MODULE && k != K_ASSERT_UNLINKABLE &&
      k != K_ASSERT_UNINSTANTIABLE && k != K_MODULE_DEFINITION)
    return R_SKIPPED;
  bool validation = k == K_ASSERT_INVALID || k == K_ASSERT_MALFORMED ||
                    k == K_ASSERT_INVALID_CUSTOM || k == K_ASSERT_MALFORMED_CUSTOM;
  switch (k) {
  case K_MODULE:
  case K_MODULE_DEFINITION:
  case K_ASSERT_UNLINKABLE:
  case K_ASSERT_UNINSTANTIABLE:
  case K_ASSERT_INVALID:
  case K_ASSERT_MALFORMED:
  case K_ASSERT_INVALID_CUSTOM:
  case K_ASSERT_MALFORMED_CUSTOM:
    bool text = module_type && strcmp(module_type, "text") == 0;
    /* text modules of the assert_invalid/assert_malformed kinds go to the
     * text reader; elsewhere (never written by wasmc-wast2json, which
     * converts quoted module commands) they are not run */
    if (text && !validation)
      return R_NA;
    if (!filename) {
      report(line, k, "no \"filename\" in the command");
      return R_FAILED;
    }
    snprintf(path, sizeof path, "%s%s", dir, filename);
    if (!quiet)
      snprintf(slot->current_file, sizeof slot->current_file, "%s", filename);
    if (validation)
      return cfg.compile_only
                 ? R_SKIPPED
                 : run_validation_command(line, k, path, filename, expected, text);
    if (cfg.compile_only) {
      /* The host half of a cross run: only the shared object matters. */
      char so[PATH_MAX + 64], msg[4096];
      arm_timer(cfg.timeout_secs);
      bool ok = module_so(path, so, sizeof so, msg, sizeof msg);
      arm_timer(0);
      if (!ok)
        report(line, k, "%s", msg);
      return ok ? R_PASSED : R_FAILED;
    }
    if (k == K_MODULE_DEFINITION)
      return run_definition(line, cmd, path);
    return run_module_command(line, k, cmd, path, filename);
  case K_MODULE_INSTANCE:
    return run_instance(line, cmd);
  case K_REGISTER: {
    const char *as = json_str(cmd, "as");
    const char *name = json_str(cmd, "name");
    if (!as) {
      report(line, k, "no \"as\" in the command");
      return R_FAILED;
    }
    wasmrt_instance *inst = st.current;
    const char *why = st.current_why;
    if (name) {
      binding *b = find(&st.names, name);
      if (!b) {
        report(line, k, "no module named %s", name);
        return R_FAILED;
      }
      inst = b->inst;
      why = b->why;
    }
    bind(&st.registered, as, inst, why);
    if (inst)
      return R_PASSED;
    if (!quiet) {
      slot->dependent_failures++;
      if (cfg.verbose)
        report(line, k, "module not available (%s)", why ? why : "none yet");
    }
    return R_FAILED;
  }
  case K_ACTION:
  case K_ASSERT_RETURN:
  case K_ASSERT_TRAP:
  case K_ASSERT_EXHAUSTION:
    o = malloc(sizeof *o);
    if (!o)
      abort();
    if (k == K_ASSERT_RETURN) {
      r = check_return(line, cmd, o);
    } else if (k == K_ACTION) {
      enum act_result ar =
          run_action(json_get(cmd, "action"), o);
      if (ar == A_OK)
        r = R_PASSED;
      else if (ar == A_DEPENDENT)
        r = dependent(line, k, o);
      else
        report(line, k, "%s: %s", o->what,
               ar == A_TRAP ? o->err.message : o->msg);
    } else {
      r = check_trap(line, k, cmd, o);
    }
    free(o);
    return r;
  case K_ASSERT_EXCEPTION:
    /* the call ends with a Wasm exception no handler caught */
    o = malloc(sizeof *o);
    if (!o)
      abort();
    r = check_exception(line, cmd, o);
    free(o);
    return r;
  case K_THREAD:
    return start_thread(line, cmd, dir);
  case K_WAIT:
    return wait_thread(line, cmd);
  case K_OTHER:
  case NKINDS:
    break;
  }
  report(line, k, "unknown command type \"%s\"", json_str(cmd, "type"));
  return R_FAILED;
}

static bool crashed_before(int index) {
  for (uint32_t i = 0; i < slot->ncrashed && i < SPEC_MAX_CRASHED; i++)
    if (slot->crashed[i] == index)
      return true;
  return false;
}

void check_json(const char *json_path, int start, file_slot *s) {
  slot = s;
  size_t size;
  wasm_error rerr = {0};
  char *text = (char *)wasm_read_file(json_path, &size, &rerr);
  if (!text) {
    say("%s: error: cannot read: %s\n", json_path, strerror(errno));
    slot->file_error = true;
    return;
  }
  protect_nuls(text, size);
  char jerr[128];
  json *root = json_parse(text, size, jerr, sizeof jerr);
  free(text);
  if (!root) {
    say("%s: error: not JSON: %s\n", json_path, jerr);
    slot->file_error = true;
    return;
  }
  const json *cmds = json_get(root, "commands");
  if (!json_is_array(cmds)) {
    say("%s: error: not wast2json output (no \"commands\" array)\n", json_path);
    slot->file_error = true;
    json_free(root);
    return;
  }
  source = json_str(root, "source_filename");
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

  slot->ncommands = json_size(cmds);
  int index = 0;
  const json *cmd;
  json_each(cmd, cmds) {
    int i = index++;
    const char *type = json_str(cmd, "type");
    const json *line_item = json_get(cmd, "line");
    int line = json_is_number(line_item) ? (int)line_item->num : 0;
    enum kind k = type ? kind_of(type) : K_OTHER;
    if (i < start) {
      /* Rebuild the state a crashed child had: same commands, unseen. */
      if (crashed_before(i)) {
        if (k == K_MODULE || k == K_MODULE_INSTANCE)
          set_current(NULL, json_str(cmd, k == K_MODULE ? "name" : "instance"),
                      "the harness died on this module");
        else if (k == K_MODULE_DEFINITION)
          define(json_str(cmd, "name"), NULL, "the harness died on this module");
        continue;
      }
      if (k == K_ASSERT_INVALID || k == K_ASSERT_MALFORMED ||
          k == K_ASSERT_INVALID_CUSTOM || k == K_ASSERT_MALFORMED_CUSTOM)
        continue;
      quiet = true;
      run_command(cmd, k, line, dir);
      quiet = false;
      continue;
    }
    slot->current_line = line;
    slot->current_kind = (uint8_t)k;
    slot->current_file[0] = '\0';
    slot->current = i;
    enum result r = run_command(cmd, k, line, dir);
    slot->counts[k][r]++;
    slot->current = -1;
    slot->next = i + 1;
  }
  if (slot->dependent_failures && !cfg.verbose)
    say("%s: %u more command%s failed because their module could not be "
        "compiled or instantiated (errors above; -v lists them)\n",
        source, slot->dependent_failures,
        slot->dependent_failures == 1 ? "" : "s");
  end_threads();
  slot->done = true;
  free_state();
  json_free(root);
}
