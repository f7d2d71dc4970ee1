/* ctx.c: the WASI context: copies of args and environment, the guest fd
 * table (stdio, then the preopened directories from fd 3) and its memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "wasi_internal.h"

void wasi_config_init(wasi_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->stdin_fd = 0;
  cfg->stdout_fd = 1;
  cfg->stderr_fd = 2;
}

static char **copy_strings(const char *const *src, int n, bool *ok) {
  char **out = calloc((size_t)n + 1, sizeof *out);
  if (!out) { *ok = false; return NULL; }
  for (int i = 0; i < n; i++)
    if (!(out[i] = strdup(src[i] ? src[i] : ""))) *ok = false;
  return out;
}

static void free_strings(char **s, uint32_t n) {
  if (!s) return;
  for (uint32_t i = 0; i < n; i++) free(s[i]);
  free(s);
}

wasi_ctx *wasi_ctx_new(const wasi_config *cfg, char *msg, size_t msg_size) {
  wasi_ctx *ctx = calloc(1, sizeof *ctx);
  if (!ctx) { snprintf(msg, msg_size, "out of memory"); return NULL; }
  bool ok = true;
  if (cfg->argc < 0 || cfg->nenv < 0 || cfg->npreopens < 0) {
    snprintf(msg, msg_size, "wasi: negative count in wasi_config");
    free(ctx);
    return NULL;
  }
  ctx->argc = (uint32_t)cfg->argc;
  ctx->argv = copy_strings(cfg->argv, cfg->argc, &ok);
  ctx->nenv = (uint32_t)cfg->nenv;
  ctx->env = copy_strings(cfg->env, cfg->nenv, &ok);
  ctx->nfds = 3 + (uint32_t)cfg->npreopens;
  ctx->fds = calloc(ctx->nfds, sizeof *ctx->fds);
  if (!ok || !ctx->fds) {
    snprintf(msg, msg_size, "out of memory");
    wasi_ctx_free(ctx);
    return NULL;
  }
  int stdio[3] = {cfg->stdin_fd, cfg->stdout_fd, cfg->stderr_fd};
  for (int i = 0; i < 3; i++)
    if (stdio[i] >= 0) ctx->fds[i] = (wasi_fd){.used = true, .host_fd = stdio[i]};
  for (int i = 0; i < cfg->npreopens; i++) {
    const wasi_preopen *p = &cfg->preopens[i];
    int fd = open(p->host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      snprintf(msg, msg_size, "wasi: cannot open directory '%s': %s", p->host, strerror(errno));
      wasi_ctx_free(ctx);
      return NULL;
    }
    wasi_fd *f = &ctx->fds[3 + i];
    *f = (wasi_fd){.used = true, .owned = true, .host_fd = fd,
                   .preopen = strdup(p->guest ? p->guest : p->host)};
    if (!f->preopen) {
      snprintf(msg, msg_size, "out of memory");
      wasi_ctx_free(ctx);
      return NULL;
    }
  }
  return ctx;
}

void wasi_ctx_free(wasi_ctx *ctx) {
  if (!ctx) return;
  free_strings(ctx->argv, ctx->argc);
  free_strings(ctx->env, ctx->nenv);
  for (uint32_t i = 0; ctx->fds && i < ctx->nfds; i++) {
    if (ctx->fds[i].used && ctx->fds[i].owned) close(ctx->fds[i].host_fd);
    free(ctx->fds[i].preopen);
  }
  free(ctx->fds);
  for (uint32_t i = 0; i < ctx->nfuncs; i++) wasmrt_host_func_free(ctx->funcs[i]);
  free(ctx->funcs);
  free(ctx);
}

void wasi_ctx_set_memory(wasi_ctx *ctx, wasmrt_memory *mem) { ctx->mem = mem; }

bool wasi_exited(const wasi_ctx *ctx, uint32_t *code) {
  if (ctx->exited && code) *code = ctx->exit_code;
  return ctx->exited;
}

wasi_fd *wasi_fd_get(wasi_ctx *ctx, int32_t fd) {
  if (fd < 0 || (uint32_t)fd >= ctx->nfds || !ctx->fds[fd].used) return NULL;
  return &ctx->fds[fd];
}
