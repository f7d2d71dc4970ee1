/* args_env.c: args_get / args_sizes_get / environ_get / environ_sizes_get.
 * Both lists have the same shape: an array of guest pointers plus a buffer
 * of NUL-terminated strings, so one pair of helpers serves both. */
#include "wasi_internal.h"

static bool sizes(wasi_ctx *ctx, char **s, uint32_t n, wasmrt_val *v) {
  uint8_t *pcount = wasi_mem(ctx, (uint32_t)v[0].i32, 4);
  uint8_t *psize = wasi_mem(ctx, (uint32_t)v[1].i32, 4);
  if (!pcount || !psize) return wasi_ret(v, WASI_EFAULT);
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++) total += strlen(s[i]) + 1;
  if (total > UINT32_MAX) return wasi_ret(v, WASI_EOVERFLOW);
  wasi_put_u32(pcount, n);
  wasi_put_u32(psize, (uint32_t)total);
  return wasi_ret(v, WASI_ESUCCESS);
}

static bool get(wasi_ctx *ctx, char **s, uint32_t n, wasmrt_val *v) {
  uint32_t ptrs = (uint32_t)v[0].i32, buf = (uint32_t)v[1].i32;
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++) total += strlen(s[i]) + 1;
  /* Check both whole ranges before writing anything. */
  uint8_t *pp = wasi_mem(ctx, ptrs, (uint64_t)n * 4);
  uint8_t *pb = wasi_mem(ctx, buf, total);
  if (!pp || !pb) return wasi_ret(v, WASI_EFAULT);
  uint32_t off = 0;
  for (uint32_t i = 0; i < n; i++) {
    size_t len = strlen(s[i]) + 1;
    wasi_put_u32(pp + 4 * (size_t)i, buf + off);
    memcpy(pb + off, s[i], len);
    off += (uint32_t)len;
  }
  return wasi_ret(v, WASI_ESUCCESS);
}

WASI_CB(args_sizes_get) { wasi_ctx *c = env; return sizes(c, c->argv, c->argc, v); }
WASI_CB(args_get) { wasi_ctx *c = env; return get(c, c->argv, c->argc, v); }
WASI_CB(environ_sizes_get) { wasi_ctx *c = env; return sizes(c, c->env, c->nenv, v); }
WASI_CB(environ_get) { wasi_ctx *c = env; return get(c, c->env, c->nenv, v); }
