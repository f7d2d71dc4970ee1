/* bind.c: the table of every wasi_snapshot_preview1 function (name, C and
 * Wasm signature, which parameters are guest pointers and how big, the
 * wasi_NAME function), the one host callback that checks those pointers
 * and calls the function with typed arguments, and wasi_bind_imports,
 * which checks a module's WASI imports against the table and creates the
 * host functions. */
#include <stdio.h>
#include <stdlib.h>

#include "wasi_internal.h"

/* ---- the C signatures the table's functions have ------------------------
 * A signature is named by its parameters after the ctx: 'i' u32 (an i32),
 * 'I' u64 (an i64), and guest pointers (i32 in Wasm) passed as host
 * pointers checked by call() below: 'P' uint8_t * (the function writes, or
 * reads and writes), 'C' const uint8_t * (it only reads: path strings).
 * X(name, C parameter types, the arguments call() passes). */
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint8_t *ptr;
typedef const uint8_t *cptr;
#define U(k) (uint32_t)v[k].i32
#define L(k) (uint64_t)v[k].i64
#define P(k) p[k]
#define WASI_SIGS(X)                                                                        \
  X(_, (wasi_ctx *), (ctx))                                                                 \
  X(_i, (wasi_ctx *, u32), (ctx, U(0)))                                                     \
  X(_ii, (wasi_ctx *, u32, u32), (ctx, U(0), U(1)))                                         \
  X(_iI, (wasi_ctx *, u32, u64), (ctx, U(0), L(1)))                                         \
  X(_iII, (wasi_ctx *, u32, u64, u64), (ctx, U(0), L(1), L(2)))                             \
  X(_iIIi, (wasi_ctx *, u32, u64, u64, u32), (ctx, U(0), L(1), L(2), U(3)))                 \
  X(_iP, (wasi_ctx *, u32, ptr), (ctx, U(0), P(1)))                                         \
  X(_iIP, (wasi_ctx *, u32, u64, ptr), (ctx, U(0), L(1), P(2)))                             \
  X(_iIiP, (wasi_ctx *, u32, u64, u32, ptr), (ctx, U(0), L(1), U(2), P(3)))                 \
  X(_iiP, (wasi_ctx *, u32, u32, ptr), (ctx, U(0), U(1), P(2)))                             \
  X(_iiiP, (wasi_ctx *, u32, u32, u32, ptr), (ctx, U(0), U(1), U(2), P(3)))                 \
  X(_iiiIP, (wasi_ctx *, u32, u32, u32, u64, ptr), (ctx, U(0), U(1), U(2), L(3), P(4)))     \
  X(_iiiiP, (wasi_ctx *, u32, u32, u32, u32, ptr), (ctx, U(0), U(1), U(2), U(3), P(4)))     \
  X(_iiiiPP, (wasi_ctx *, u32, u32, u32, u32, ptr, ptr),                                    \
    (ctx, U(0), U(1), U(2), U(3), P(4), P(5)))                                              \
  X(_PP, (wasi_ctx *, ptr, ptr), (ctx, P(0), P(1)))                                         \
  X(_Pi, (wasi_ctx *, ptr, u32), (ctx, P(0), U(1)))                                         \
  X(_iPi, (wasi_ctx *, u32, ptr, u32), (ctx, U(0), P(1), U(2)))                             \
  X(_iPiIP, (wasi_ctx *, u32, ptr, u32, u64, ptr), (ctx, U(0), P(1), U(2), L(3), P(4)))     \
  X(_iCi, (wasi_ctx *, u32, cptr, u32), (ctx, U(0), P(1), U(2)))                            \
  X(_iiCiP, (wasi_ctx *, u32, u32, cptr, u32, ptr), (ctx, U(0), U(1), P(2), U(3), P(4)))    \
  X(_iiCiIIi, (wasi_ctx *, u32, u32, cptr, u32, u64, u64, u32),                             \
    (ctx, U(0), U(1), P(2), U(3), L(4), L(5), U(6)))                                        \
  X(_iiCiiCi, (wasi_ctx *, u32, u32, cptr, u32, u32, cptr, u32),                            \
    (ctx, U(0), U(1), P(2), U(3), U(4), P(5), U(6)))                                        \
  X(_iiCiiIIiP, (wasi_ctx *, u32, u32, cptr, u32, u32, u64, u64, u32, ptr),                 \
    (ctx, U(0), U(1), P(2), U(3), U(4), L(5), L(6), U(7), P(8)))                            \
  X(_iCiPiP, (wasi_ctx *, u32, cptr, u32, ptr, u32, ptr),                                   \
    (ctx, U(0), P(1), U(2), P(3), U(4), P(5)))                                              \
  X(_iCiiCi, (wasi_ctx *, u32, cptr, u32, u32, cptr, u32),                                  \
    (ctx, U(0), P(1), U(2), U(3), P(4), U(5)))                                              \
  X(_CiiCi, (wasi_ctx *, cptr, u32, u32, cptr, u32), (ctx, P(0), U(1), U(2), P(3), U(4)))

#define X(sig, types, args) typedef uint32_t wasi_fn##sig types;
WASI_SIGS(X)
#undef X
#define X(sig, types, args) SIG##sig,
typedef enum { WASI_SIGS(X) } wasi_sig;
#undef X
/* The function, typed: the table's initializer `.sig = wasi_NAME` makes
 * the compiler check that wasi_NAME has the signature the entry says. */
#define X(sig, types, args) wasi_fn##sig *sig;
typedef union { WASI_SIGS(X) } wasi_fn;
#undef X

/* ---- the table: every preview1 function ---------------------------------- */
enum { LEN = 0 }; /* a buffer's size: the parameter after its pointer */
#define MAX_PTRS 4

struct wasi_func_spec {
  const char *name;
  const char *params;  /* the signature's name without '_': Wasm i32 but 'I' */
  bool has_result;     /* one i32 errno; only proc_exit has none */
  bool fault_first;    /* a bad pointer is the first error: call() says FAULT */
  wasi_sig sig;
  wasi_fn fn;
  uint32_t size[MAX_PTRS]; /* of each 'P'/'C' in order: bytes, or LEN */
};
typedef struct wasi_func_spec wasi_func_spec;

/* F: no guest pointer; FP: the sizes of its pointers follow; FP_FIRST: and
 * a bad one is FAULT before anything else is looked at. */
#define F(name, sig) {#name, #sig + 1, true, false, SIG##sig, {.sig = wasi_##name}, {0}}
#define FP(name, sig, ...) \
  {#name, #sig + 1, true, false, SIG##sig, {.sig = wasi_##name}, {__VA_ARGS__}}
#define FP_FIRST(name, sig, ...) \
  {#name, #sig + 1, true, true, SIG##sig, {.sig = wasi_##name}, {__VA_ARGS__}}
static const wasi_func_spec funcs[] = {
  F(args_get, _ii),
  FP_FIRST(args_sizes_get, _PP, 4, 4),
  F(environ_get, _ii),
  FP_FIRST(environ_sizes_get, _PP, 4, 4),
  FP(clock_res_get, _iP, 8),
  FP(clock_time_get, _iIP, 8),
  F(fd_advise, _iIIi),
  F(fd_allocate, _iII),
  F(fd_close, _i),
  F(fd_datasync, _i),
  FP(fd_fdstat_get, _iP, 24),
  F(fd_fdstat_set_flags, _ii),
  F(fd_fdstat_set_rights, _iII),
  FP(fd_filestat_get, _iP, 64),
  F(fd_filestat_set_size, _iI),
  F(fd_filestat_set_times, _iIIi),
  FP(fd_pread, _iiiIP, 4),
  FP(fd_prestat_get, _iP, 8),
  FP(fd_prestat_dir_name, _iPi, LEN),
  FP(fd_pwrite, _iiiIP, 4),
  FP(fd_read, _iiiP, 4),
  FP(fd_readdir, _iPiIP, LEN, 4),
  F(fd_renumber, _ii),
  FP(fd_seek, _iIiP, 8),
  F(fd_sync, _i),
  FP(fd_tell, _iP, 8),
  FP(fd_write, _iiiP, 4),
  FP(path_create_directory, _iCi, LEN),
  FP(path_filestat_get, _iiCiP, LEN, 64),
  FP(path_filestat_set_times, _iiCiIIi, LEN),
  FP(path_link, _iiCiiCi, LEN, LEN),
  FP(path_open, _iiCiiIIiP, LEN, 4),
  FP(path_readlink, _iCiPiP, LEN, LEN, 4),
  FP(path_remove_directory, _iCi, LEN),
  FP(path_rename, _iCiiCi, LEN, LEN),
  FP(path_symlink, _CiiCi, LEN, LEN),
  FP(path_unlink_file, _iCi, LEN),
  FP(poll_oneoff, _iiiP, 4),
  {"proc_exit", "i", false, false, SIG_i, {._i = wasi_proc_exit}, {0}},
  F(proc_raise, _i),
  F(sched_yield, _),
  FP_FIRST(random_get, _Pi, LEN),
  FP(sock_accept, _iiP, 4),
  FP(sock_recv, _iiiiPP, 4, 2),
  FP(sock_send, _iiiiP, 4),
  F(sock_shutdown, _ii),
};
#undef F
#undef FP
#undef FP_FIRST
#define NFUNCS (sizeof funcs / sizeof funcs[0])

/* The host callback of every bound import: checks each guest pointer the
 * table sizes against the memory (NULL when out of bounds: the function
 * reports FAULT where its order of checks says, or, for fault_first,
 * call() does), calls the function with typed arguments and stores its
 * errno. WASI_END fails the call with the function's reason, which ends
 * the run (proc_exit, a fatal proc_raise). */
static bool call(void *env, wasmrt_val *v, char *msg, size_t msg_size) {
  const wasi_bound *b = env;
  const wasi_func_spec *s = b->spec;
  wasi_ctx *ctx = b->ctx;
  uint8_t *p[9] = {0};
  unsigned np = 0;
  bool fault = false;
  for (unsigned k = 0; s->params[k]; k++) {
    if (s->params[k] != 'P' && s->params[k] != 'C') continue;
    uint32_t size = s->size[np++];
    /* A buffer's length parameter follows it (the table says so). */
    uint64_t len = size == LEN ? (uint32_t)v[k + 1].i32 : size;
    p[k] = wasi_mem(ctx, (uint32_t)v[k].i32, len);
    fault |= !p[k];
  }
  /* wasi-threads: other threads share the fd table (wasi_internal.h). */
  bool locked = atomic_load_explicit(&ctx->threaded, memory_order_relaxed);
  if (locked) {
    if (b->exclusive) pthread_rwlock_wrlock(&ctx->lock);
    else pthread_rwlock_rdlock(&ctx->lock);
  }
  uint32_t r;
  if (fault && s->fault_first) {
    r = WASI_EFAULT;
  } else {
    switch (s->sig) {
#define X(sig, types, args) \
    case SIG##sig: r = s->fn.sig args; break;
      WASI_SIGS(X)
#undef X
    default: r = WASI_ENOSYS; /* unreachable: every sig has its case */
    }
  }
  if (locked) pthread_rwlock_unlock(&ctx->lock);
  if (r == WASI_END) {
    wasi_end_message(ctx, msg, msg_size); /* under its lock: see wasi_internal.h */
    return false;
  }
  if (s->has_result) v[0].i32 = (int32_t)r;
  return true;
}

/* The calls that add, remove or change fd table entries (or an entry's
 * directory stream), which the others read. */
static bool changes_fd_table(const char *name) {
  static const char *const names[] = {
      "fd_close", "fd_renumber", "path_open", "sock_accept", "fd_fdstat_set_flags",
      "fd_fdstat_set_rights", "fd_readdir",
  };
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(name, names[i]) == 0) return true;
  return false;
}
#undef U
#undef L
#undef P

void wasi_bound_free(wasi_bound *b) {
  if (!b) return;
  wasmrt_host_func_free(b->hf);
  free(b);
}

static const wasi_func_spec *lookup(const char *name, uint32_t len) {
  for (size_t i = 0; i < NFUNCS; i++)
    if (strlen(funcs[i].name) == len && memcmp(funcs[i].name, name, len) == 0) return &funcs[i];
  return NULL;
}

const char *wasi_import_params(const char *name, size_t len, bool *has_result) {
  const wasi_func_spec *s = lookup(name, (uint32_t)len);
  if (!s) return NULL;
  *has_result = s->has_result;
  return s->params;
}

static void sig_string(const uint8_t *t, uint32_t n, char *out, size_t size) {
  size_t k = 0;
  out[0] = 0;
  for (uint32_t i = 0; i < n && k + 5 < size; i++) {
    const char *s = t[i] == WASMRT_I32 ? "i32" : t[i] == WASMRT_I64 ? "i64"
                  : t[i] == WASMRT_F32 ? "f32" : t[i] == WASMRT_F64 ? "f64" : "ref";
    k += (size_t)snprintf(out + k, size - k, "%s%s", i ? " " : "", s);
  }
}

/* The Wasm type of a table entry: 'I' is i64, everything else i32. */
static bool same_sig(const wasi_func_spec *s, const wasmrt_functype_desc *t) {
  uint32_t np = (uint32_t)strlen(s->params);
  if (t->nparams != np || t->nresults != (s->has_result ? 1u : 0u)) return false;
  for (uint32_t i = 0; i < np; i++)
    if (t->params[i] != (s->params[i] == 'I' ? WASMRT_I64 : WASMRT_I32)) return false;
  return !s->has_result || t->results[0] == WASMRT_I32;
}

/* Records a binding in the ctx, which frees it (after the instance). */
static bool keep(wasi_ctx *ctx, wasi_bound *b) {
  if (ctx->nfuncs == ctx->funcs_cap) {
    uint32_t cap = ctx->funcs_cap ? 2 * ctx->funcs_cap : 16;
    wasi_bound **p = realloc(ctx->funcs, cap * sizeof *p);
    if (!p) return false;
    ctx->funcs = p;
    ctx->funcs_cap = cap;
  }
  ctx->funcs[ctx->nfuncs++] = b;
  return true;
}

bool wasi_bind_imports(wasi_ctx *ctx, const wasmrt_module_desc *desc,
                       wasmrt_extern *imports, char *msg, size_t msg_size) {
  static const uint8_t i32s[9] = {WASMRT_I32, WASMRT_I32, WASMRT_I32, WASMRT_I32, WASMRT_I32,
                                  WASMRT_I32, WASMRT_I32, WASMRT_I32, WASMRT_I32};
  for (uint32_t i = 0; i < desc->nimports; i++) {
    const wasmrt_import_desc *im = &desc->imports[i];
    if (im->module_len != strlen(WASI_MODULE_NAME) ||
        memcmp(im->module, WASI_MODULE_NAME, im->module_len) != 0)
      continue;
    const wasi_func_spec *s = lookup(im->name, im->name_len);
    if (!s) {
      snprintf(msg, msg_size, "unknown WASI import %s.%.*s (not a wasi_snapshot_preview1 function)",
               WASI_MODULE_NAME, (int)im->name_len, im->name);
      return false;
    }
    if (im->kind != WASMRT_EXTERN_FUNC) {
      snprintf(msg, msg_size, "WASI import %s.%s must be a function", WASI_MODULE_NAME, s->name);
      return false;
    }
    const wasmrt_functype_desc *t = &desc->types[im->type_index];
    if (!same_sig(s, t)) {
      char got_p[128], got_r[32];
      sig_string(t->params, t->nparams, got_p, sizeof got_p);
      sig_string(t->results, t->nresults, got_r, sizeof got_r);
      char want[128] = "";
      for (size_t k = 0; s->params[k]; k++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", k ? " " : "",
                 s->params[k] == 'I' ? "i64" : "i32");
      snprintf(msg, msg_size,
               "WASI import %s.%s has type [%s] -> [%s], expected [%s] -> [%s]",
               WASI_MODULE_NAME, s->name, got_p, got_r, want, s->has_result ? "i32" : "");
      return false;
    }
    uint8_t params[9];
    uint32_t np = (uint32_t)strlen(s->params);
    if (np > sizeof params) { /* the table below never has more */
      snprintf(msg, msg_size, "internal error: WASI import %s.%s has %u parameters",
               WASI_MODULE_NAME, s->name, np);
      return false;
    }
    for (uint32_t k = 0; k < np; k++) params[k] = s->params[k] == 'I' ? WASMRT_I64 : WASMRT_I32;
    wasi_bound *b = malloc(sizeof *b);
    if (b) {
      *b = (wasi_bound){.ctx = ctx, .spec = s, .exclusive = changes_fd_table(s->name)};
      b->hf = wasmrt_host_func_new(params, np, i32s, s->has_result ? 1 : 0, call, b);
    }
    if (!b || !b->hf || !keep(ctx, b)) {
      wasi_bound_free(b);
      snprintf(msg, msg_size, "out of memory binding %s.%s", WASI_MODULE_NAME, s->name);
      return false;
    }
    imports[i] = wasmrt_host_func_extern(b->hf);
  }
  return true;
}
