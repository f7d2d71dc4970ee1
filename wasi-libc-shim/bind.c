/* bind.c: the table of every wasi_snapshot_preview1 function (name, Wasm
 * signature, callback) and wasi_bind_imports, which checks a module's WASI
 * imports against it and creates the host functions. */
#include <stdio.h>
#include <stdlib.h>

#include "wasi_internal.h"

typedef struct {
  const char *name;
  const char *params;  /* 'i' = i32, 'I' = i64 */
  bool has_result;     /* one i32 errno; only proc_exit has none */
  wasmrt_host_callback cb;
} wasi_func_spec;

#define F(name, params, cb) {#name, params, true, wasi_cb_##cb}
static const wasi_func_spec funcs[] = {
  F(args_get, "ii", args_get),
  F(args_sizes_get, "ii", args_sizes_get),
  F(environ_get, "ii", environ_get),
  F(environ_sizes_get, "ii", environ_sizes_get),
  F(clock_res_get, "ii", clock_res_get),
  F(clock_time_get, "iIi", clock_time_get),
  F(fd_advise, "iIIi", fd_advise),
  F(fd_allocate, "iII", fd_allocate),
  F(fd_close, "i", fd_close),
  F(fd_datasync, "i", fd_datasync),
  F(fd_fdstat_get, "ii", fd_fdstat_get),
  F(fd_fdstat_set_flags, "ii", fd_fdstat_set_flags),
  F(fd_fdstat_set_rights, "iII", fd_fdstat_set_rights),
  F(fd_filestat_get, "ii", fd_filestat_get),
  F(fd_filestat_set_size, "iI", fd_filestat_set_size),
  F(fd_filestat_set_times, "iIIi", fd_filestat_set_times),
  F(fd_pread, "iiiIi", fd_pread),
  F(fd_prestat_get, "ii", fd_prestat_get),
  F(fd_prestat_dir_name, "iii", fd_prestat_dir_name),
  F(fd_pwrite, "iiiIi", fd_pwrite),
  F(fd_read, "iiii", fd_read),
  F(fd_readdir, "iiiIi", fd_readdir),
  F(fd_renumber, "ii", fd_renumber),
  F(fd_seek, "iIii", fd_seek),
  F(fd_sync, "i", fd_sync),
  F(fd_tell, "ii", fd_tell),
  F(fd_write, "iiii", fd_write),
  F(path_create_directory, "iii", path_create_directory),
  F(path_filestat_get, "iiiii", path_filestat_get),
  F(path_filestat_set_times, "iiiiIIi", path_filestat_set_times),
  F(path_link, "iiiiiii", path_link),
  F(path_open, "iiiiiIIii", path_open),
  F(path_readlink, "iiiiii", path_readlink),
  F(path_remove_directory, "iii", path_remove_directory),
  F(path_rename, "iiiiii", path_rename),
  F(path_symlink, "iiiii", path_symlink),
  F(path_unlink_file, "iii", path_unlink_file),
  F(poll_oneoff, "iiii", poll_oneoff),
  {"proc_exit", "i", false, wasi_cb_proc_exit},
  F(proc_raise, "i", proc_raise),
  F(sched_yield, "", sched_yield),
  F(random_get, "ii", random_get),
  F(sock_accept, "iii", sock_accept),
  F(sock_recv, "iiiiii", sock_recv),
  F(sock_send, "iiiii", sock_send),
  F(sock_shutdown, "ii", sock_shutdown),
};
#undef F
#define NFUNCS (sizeof funcs / sizeof funcs[0])

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

static bool same_sig(const wasi_func_spec *s, const wasmrt_functype_desc *t) {
  uint32_t np = (uint32_t)strlen(s->params);
  if (t->nparams != np || t->nresults != (s->has_result ? 1u : 0u)) return false;
  for (uint32_t i = 0; i < np; i++)
    if (t->params[i] != (s->params[i] == 'I' ? WASMRT_I64 : WASMRT_I32)) return false;
  return !s->has_result || t->results[0] == WASMRT_I32;
}

static bool keep(wasi_ctx *ctx, wasmrt_host_func *hf) {
  if (ctx->nfuncs == ctx->funcs_cap) {
    uint32_t cap = ctx->funcs_cap ? 2 * ctx->funcs_cap : 16;
    wasmrt_host_func **p = realloc(ctx->funcs, cap * sizeof *p);
    if (!p) return false;
    ctx->funcs = p;
    ctx->funcs_cap = cap;
  }
  ctx->funcs[ctx->nfuncs++] = hf;
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
    for (uint32_t k = 0; k < np; k++) params[k] = s->params[k] == 'I' ? WASMRT_I64 : WASMRT_I32;
    wasmrt_host_func *hf = wasmrt_host_func_new(params, np, i32s, s->has_result ? 1 : 0, s->cb, ctx);
    if (!hf || !keep(ctx, hf)) {
      if (hf) wasmrt_host_func_free(hf);
      snprintf(msg, msg_size, "out of memory binding %s.%s", WASI_MODULE_NAME, s->name);
      return false;
    }
    imports[i] = wasmrt_host_func_extern(hf);
  }
  return true;
}
