/* ctx.c: the WASI context: copies of args and environment, the guest fd
 * table (stdio, then the preopened directories from fd 3, then whatever
 * the guest opens, at the lowest free number) with each fd's filetype and
 * rights, and the guest memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
  pthread_rwlock_init(&ctx->lock, NULL);
  pthread_mutex_init(&ctx->end_lock, NULL);
  bool ok = true;
  if (cfg->argc < 0 || cfg->nenv < 0 || cfg->npreopens < 0 || cfg->nsockets < 0) {
    snprintf(msg, msg_size, "wasi: negative count in wasi_config");
    free(ctx);
    return NULL;
  }
  ctx->argc = (uint32_t)cfg->argc;
  ctx->argv = copy_strings(cfg->argv, cfg->argc, &ok);
  ctx->nenv = (uint32_t)cfg->nenv;
  ctx->env = copy_strings(cfg->env, cfg->nenv, &ok);
  ctx->nfds = 3 + (uint32_t)cfg->npreopens + (uint32_t)cfg->nsockets;
  ctx->fds = calloc(ctx->nfds, sizeof *ctx->fds);
  if (!ok || !ctx->fds) {
    snprintf(msg, msg_size, "out of memory");
    wasi_ctx_free(ctx);
    return NULL;
  }
  int stdio[3] = {cfg->stdin_fd, cfg->stdout_fd, cfg->stderr_fd};
  for (int i = 0; i < 3; i++) {
    if (stdio[i] < 0) continue;
    struct stat st;
    uint8_t ft = fstat(stdio[i], &st) == 0 ? wasi_filetype_of(st.st_mode, stdio[i])
                                           : WASI_FILETYPE_UNKNOWN;
    ctx->fds[i] = (wasi_fd){.used = true, .host_fd = stdio[i], .filetype = ft,
                            .rights_base = wasi_rights_for(ft), .rights_inheriting = 0};
  }
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
                   .preopen = strdup(p->guest ? p->guest : p->host),
                   .filetype = WASI_FILETYPE_DIRECTORY, .rights_base = WASI_RIGHTS_DIR,
                   .rights_inheriting = WASI_RIGHTS_ALL};
    if (!f->preopen) {
      snprintf(msg, msg_size, "out of memory");
      wasi_ctx_free(ctx);
      return NULL;
    }
  }
  /* Sockets follow the preopens; a dup, so that the guest closing its fd
   * and the caller closing the original do not depend on each other. */
  for (int i = 0; i < cfg->nsockets; i++) {
    struct stat st;
    int fd = -1;
    const char *why = fstat(cfg->sockets[i], &st) != 0 ? strerror(errno)
                      : !S_ISSOCK(st.st_mode)           ? "not a socket"
                      : (fd = fcntl(cfg->sockets[i], F_DUPFD_CLOEXEC, 3)) < 0 ? strerror(errno)
                                                                               : NULL;
    if (why) {
      snprintf(msg, msg_size, "wasi: host fd %d: %s", cfg->sockets[i], why);
      wasi_ctx_free(ctx);
      return NULL;
    }
    uint8_t ft = wasi_filetype_of(st.st_mode, fd);
    ctx->fds[3 + cfg->npreopens + i] =
        (wasi_fd){.used = true, .owned = true, .host_fd = fd, .filetype = ft,
                  .rights_base = WASI_RIGHTS_SOCKET, .rights_inheriting = WASI_RIGHTS_SOCKET};
  }
  return ctx;
}

void wasi_ctx_free(wasi_ctx *ctx) {
  if (!ctx) return;
  free_strings(ctx->argv, ctx->argc);
  free_strings(ctx->env, ctx->nenv);
  for (uint32_t i = 0; ctx->fds && i < ctx->nfds; i++) wasi_fd_release(&ctx->fds[i]);
  free(ctx->fds);
  for (uint32_t i = 0; i < ctx->nfuncs; i++) wasi_bound_free(ctx->funcs[i]);
  free(ctx->funcs);
  pthread_rwlock_destroy(&ctx->lock);
  pthread_mutex_destroy(&ctx->end_lock);
  free(ctx);
}

void wasi_ctx_set_memory(wasi_ctx *ctx, wasmrt_memory *mem) { ctx->mem = mem; }

/* The end state is read under end_lock (wasi_internal.h says why). The
 * contexts are never const objects (wasi_ctx_new allocates them), so the
 * public const API may lock. */
static pthread_mutex_t *end_lock_of(const wasi_ctx *ctx) {
  return (pthread_mutex_t *)&ctx->end_lock;
}

int wasi_raised_signal(const wasi_ctx *ctx) {
  pthread_mutex_lock(end_lock_of(ctx));
  int sig = ctx->raised_signal;
  pthread_mutex_unlock(end_lock_of(ctx));
  return sig;
}

bool wasi_exited(const wasi_ctx *ctx, uint32_t *code) {
  pthread_mutex_lock(end_lock_of(ctx));
  bool exited = ctx->exited;
  if (exited && code) *code = ctx->exit_code;
  pthread_mutex_unlock(end_lock_of(ctx));
  return exited;
}

void wasi_end_message(wasi_ctx *ctx, char *msg, size_t msg_size) {
  pthread_mutex_lock(&ctx->end_lock);
  snprintf(msg, msg_size, "%s", ctx->end_msg);
  pthread_mutex_unlock(&ctx->end_lock);
}

wasi_fd *wasi_fd_get(wasi_ctx *ctx, int32_t fd) {
  if (fd < 0 || (uint32_t)fd >= ctx->nfds || !ctx->fds[fd].used) return NULL;
  return &ctx->fds[fd];
}

int32_t wasi_fd_lookup(wasi_ctx *ctx, int32_t fd, uint64_t need, wasi_fd **out) {
  wasi_fd *f = wasi_fd_get(ctx, fd);
  if (!f) return WASI_EBADF;
  if ((f->rights_base & need) != need) return WASI_ENOTCAPABLE;
  *out = f;
  return WASI_ESUCCESS;
}

/* Guest fds are plain indexes into one array, so a guest cannot name a
 * host fd it was not given: the table is the capability list. */
int32_t wasi_fd_install(wasi_ctx *ctx, int host_fd, uint8_t filetype, uint64_t base,
                        uint64_t inheriting, uint32_t *guest_fd) {
  uint32_t i = 0;
  while (i < ctx->nfds && ctx->fds[i].used) i++;
  if (i == ctx->nfds) {
    /* A bound on the table, like RLIMIT_NOFILE for the host. */
    if (ctx->nfds >= (1u << 20)) {
      close(host_fd);
      return WASI_ENFILE;
    }
    uint32_t n = ctx->nfds < 8 ? 16 : ctx->nfds * 2;
    wasi_fd *p = realloc(ctx->fds, n * sizeof *p);
    if (!p) {
      close(host_fd);
      return WASI_ENOMEM;
    }
    memset(p + ctx->nfds, 0, (n - ctx->nfds) * sizeof *p);
    ctx->fds = p;
    ctx->nfds = n;
  }
  ctx->fds[i] = (wasi_fd){.used = true, .owned = true, .host_fd = host_fd, .filetype = filetype,
                          .rights_base = base & wasi_rights_for(filetype),
                          .rights_inheriting = inheriting};
  *guest_fd = i;
  return WASI_ESUCCESS;
}

int32_t wasi_fd_release(wasi_fd *f) {
  int r = 0, err = 0;
  if (f->used && f->owned) {
    r = close(f->host_fd);
    err = errno;
  }
  wasi_dir_stream_free(f->dir);
  free(f->preopen);
  *f = (wasi_fd){0};
  /* close(2) frees the fd even when it reports EIO: the guest fd is gone. */
  return r == 0 ? WASI_ESUCCESS : wasi_errno_from(err);
}

uint8_t wasi_filetype_of(unsigned mode, int host_fd) {
  if (S_ISREG(mode)) return WASI_FILETYPE_REGULAR_FILE;
  if (S_ISDIR(mode)) return WASI_FILETYPE_DIRECTORY;
  if (S_ISCHR(mode)) return WASI_FILETYPE_CHARACTER_DEVICE;
  if (S_ISBLK(mode)) return WASI_FILETYPE_BLOCK_DEVICE;
  if (S_ISLNK(mode)) return WASI_FILETYPE_SYMBOLIC_LINK;
  if (S_ISSOCK(mode)) {
    int type;
    socklen_t len = sizeof type;
    if (host_fd >= 0 && getsockopt(host_fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
        type == SOCK_DGRAM)
      return WASI_FILETYPE_SOCKET_DGRAM;
    return WASI_FILETYPE_SOCKET_STREAM;
  }
  return WASI_FILETYPE_UNKNOWN; /* pipes and FIFOs: what wasmtime reports too */
}

uint64_t wasi_rights_for(uint8_t filetype) {
  switch (filetype) {
  case WASI_FILETYPE_DIRECTORY: return WASI_RIGHTS_DIR;
  case WASI_FILETYPE_SOCKET_DGRAM:
  case WASI_FILETYPE_SOCKET_STREAM: return WASI_RIGHTS_SOCKET;
  default: return WASI_RIGHTS_FILE; /* files, devices, pipes */
  }
}
