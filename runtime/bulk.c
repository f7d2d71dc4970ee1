/* bulk.c: the runtime helpers generated code calls for bulk memory and
 * table instructions (wasmrt_abi.h). Each checks the spec's bounds BEFORE
 * writing anything (Wasm 2.0: an out-of-bounds bulk operation writes
 * nothing) and returns a trap code instead of trapping, so that the
 * generated caller raises the trap with its own function index.
 * Addresses and sizes are 64-bit (memory64, table64; those of 32-bit
 * memories and tables arrive zero-extended), so ranges are checked with
 * rt_in_range, which cannot wrap. */
#include <string.h>

#include "internal.h"

static inline wasmrt_instance *inst_of(wasmrt_vmctx *ctx) { return ctx->instance; }


/* ---- memory -------------------------------------------------------------- */

WASMRT_API uint32_t wasmrt_memory_fill(wasmrt_vmctx *ctx, uint32_t mem, uint64_t dst,
                                       uint32_t value, uint64_t n) {
  wasmrt_memory *m = ctx->memories[mem];
  if (!rt_in_range(dst, n, rt_memory_size(m))) return WASMRT_TRAP_MEMORY_OOB;
  memset(m->base + dst, (int)(value & 0xFF), n);
  return 0;
}

WASMRT_API uint32_t wasmrt_memory_copy(wasmrt_vmctx *ctx, uint32_t dst_mem, uint32_t src_mem,
                                       uint64_t dst, uint64_t src, uint64_t n) {
  wasmrt_memory *d = ctx->memories[dst_mem], *s = ctx->memories[src_mem];
  if (!rt_in_range(dst, n, rt_memory_size(d)) || !rt_in_range(src, n, rt_memory_size(s)))
    return WASMRT_TRAP_MEMORY_OOB;
  memmove(d->base + dst, s->base + src, n);
  return 0;
}

WASMRT_API uint32_t wasmrt_memory_init(wasmrt_vmctx *ctx, uint32_t mem, uint32_t seg,
                                       uint64_t dst, uint32_t src, uint32_t n) {
  wasmrt_instance *inst = inst_of(ctx);
  const wasmrt_data_desc *d = &inst->module->desc->datas[seg];
  uint64_t len = inst->data_dropped[seg] ? 0 : d->len;
  wasmrt_memory *m = ctx->memories[mem];
  if (!rt_in_range(src, n, len) || !rt_in_range(dst, n, rt_memory_size(m)))
    return WASMRT_TRAP_MEMORY_OOB;
  if (n) memcpy(m->base + dst, d->bytes + src, n);
  return 0;
}

WASMRT_API void wasmrt_data_drop(wasmrt_vmctx *ctx, uint32_t seg) {
  inst_of(ctx)->data_dropped[seg] = 1;
}

/* ---- tables -------------------------------------------------------------- */

WASMRT_API uint32_t wasmrt_table_get(wasmrt_vmctx *ctx, uint32_t table, uint64_t i,
                                     void **out) {
  wasmrt_table *t = ctx->tables[table];
  if (i >= t->size) return WASMRT_TRAP_TABLE_OOB;
  *out = t->elems[i];
  return 0;
}

WASMRT_API uint32_t wasmrt_table_set(wasmrt_vmctx *ctx, uint32_t table, uint64_t i, void *v) {
  wasmrt_table *t = ctx->tables[table];
  if (i >= t->size) return WASMRT_TRAP_TABLE_OOB;
  t->elems[i] = v;
  return 0;
}

WASMRT_API int64_t wasmrt_table_grow(wasmrt_vmctx *ctx, uint32_t table, void *init,
                                     uint64_t delta) {
  return rt_table_grow(ctx->tables[table], delta, init);
}

WASMRT_API uint32_t wasmrt_table_fill(wasmrt_vmctx *ctx, uint32_t table, uint64_t i, void *v,
                                      uint64_t n) {
  wasmrt_table *t = ctx->tables[table];
  if (!rt_in_range(i, n, t->size)) return WASMRT_TRAP_TABLE_OOB;
  for (uint64_t k = 0; k < n; k++) t->elems[i + k] = v;
  return 0;
}

WASMRT_API uint32_t wasmrt_table_copy(wasmrt_vmctx *ctx, uint32_t dst_table,
                                      uint32_t src_table, uint64_t dst, uint64_t src,
                                      uint64_t n) {
  wasmrt_table *d = ctx->tables[dst_table], *s = ctx->tables[src_table];
  if (!rt_in_range(dst, n, d->size) || !rt_in_range(src, n, s->size)) return WASMRT_TRAP_TABLE_OOB;
  if (n) memmove(d->elems + dst, s->elems + src, (size_t)n * sizeof(void *));
  return 0;
}

WASMRT_API uint32_t wasmrt_table_init(wasmrt_vmctx *ctx, uint32_t table, uint32_t seg,
                                      uint64_t dst, uint32_t src, uint32_t n) {
  wasmrt_instance *inst = inst_of(ctx);
  wasmrt_table *t = ctx->tables[table];
  if (!rt_in_range(src, n, inst->elem_len[seg]) || !rt_in_range(dst, n, t->size))
    return WASMRT_TRAP_TABLE_OOB;
  if (n) memcpy(t->elems + dst, inst->elem_items[seg] + src, (size_t)n * sizeof(void *));
  return 0;
}

WASMRT_API void wasmrt_elem_drop(wasmrt_vmctx *ctx, uint32_t seg) {
  inst_of(ctx)->elem_len[seg] = 0;
}
