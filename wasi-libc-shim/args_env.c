/* args_env.c: args_get / args_sizes_get / environ_get / environ_sizes_get.
 * Both lists have the same shape: an array of guest pointers plus a buffer
 * of NUL-terminated strings, so one pair of helpers serves both. */
#include "wasi_internal.h"

/* The *_sizes_get calls: bind.c has already answered FAULT for a bad
 * pointer (it is their first check), so both are valid here. */
static uint32_t sizes(char **s, uint32_t n, uint8_t *pcount, uint8_t *psize) {
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++) total += strlen(s[i]) + 1;
  if (total > UINT32_MAX) return WASI_EOVERFLOW;
  wasi_put_u32(pcount, n);
  wasi_put_u32(psize, (uint32_t)total);
  return WASI_ESUCCESS;
}

/* The pointer array and the string buffer are sized by the strings, not
 * by a parameter, so they stay guest offsets and are checked here. */
static uint32_t get(wasi_ctx *ctx, char **s, uint32_t n, uint32_t ptrs, uint32_t buf) {
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++) total += strlen(s[i]) + 1;
  /* Check both whole ranges before writing anything. */
  uint8_t *pp = wasi_mem(ctx, ptrs, (uint64_t)n * 4);
  uint8_t *pb = wasi_mem(ctx, buf, total);
  if (!pp || !pb) return WASI_EFAULT;
  uint32_t off = 0;
  for (uint32_t i = 0; i < n; i++) {
    size_t len = strlen(s[i]) + 1;
    wasi_put_u32(pp + 4 * (size_t)i, buf + off);
    memcpy(pb + off, s[i], len);
    off += (uint32_t)len;
  }
  return WASI_ESUCCESS;
}

uint32_t wasi_args_sizes_get(wasi_ctx *ctx, uint8_t *argc_out, uint8_t *buf_size_out) {
  return sizes(ctx->argv, ctx->argc, argc_out, buf_size_out);
}

uint32_t wasi_args_get(wasi_ctx *ctx, uint32_t argv, uint32_t argv_buf) {
  return get(ctx, ctx->argv, ctx->argc, argv, argv_buf);
}

uint32_t wasi_environ_sizes_get(wasi_ctx *ctx, uint8_t *count_out, uint8_t *buf_size_out) {
  return sizes(ctx->env, ctx->nenv, count_out, buf_size_out);
}

uint32_t wasi_environ_get(wasi_ctx *ctx, uint32_t environ, uint32_t environ_buf) {
  return get(ctx, ctx->env, ctx->nenv, environ, environ_buf);
}
