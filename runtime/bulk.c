/* bulk.c: the runtime helpers generated code calls for bulk memory and
 * table instructions (wasmrt_abi.h). Each checks the spec's bounds BEFORE
 * writing anything (Wasm 2.0: an out-of-bounds bulk operation writes
 * nothing) and returns a trap code instead of trapping, so that the
 * generated caller raises the trap with its own function index. All
 * arithmetic on offsets is done in 64 bits so that i + n cannot wrap. */
#include <string.h>

#include "internal.h"

static inline wasmrt_instance *inst_of(wasmrt_vmctx *ctx) { return ctx->instance; }

static inline bool in_range(uint64_t start, uint64_t n, uint64_t size) {
  return start + n <= size;
}

/* ---- memory -------------------------------------------------------------- */

WASMRT_API uint32_t wasmrt_memory_fill(wasmrt_vmctx *ctx, uint32_t mem, uint32_t dst,
                                       uint32_t value, uint32_t n) {
  wasmrt_memory *m = ctx->memories[mem];
  if (!in_range(dst, n, rt_memory_size(m))) return WASMRT_TRAP_MEMORY_OOB;
  memset(m->base + dst, (int)(value & 0xFF), n);
  return 0;
}

WASMRT_API uint32_t wasmrt_memory_copy(wasmrt_vmctx *ctx, uint32_t dst_mem, uint32_t src_mem,
                                       uint32_t dst, uint32_t src, uint32_t n) {
  wasmrt_memory *d = ctx->memories[dst_mem], *s = ctx->memories[src_mem];
  if (!in_range(dst, n, rt_memory_size(d)) || !in_range(src, n, rt_memory_size(s))) return WASMRT_TRAP_MEMORY_OOB;
  memmove(d->base + dst, s->base + src, n);
  return 0;
}

WASMRT_API uint32_t wasmrt_memory_init(wasmrt_vmctx *ctx, uint32_t mem, uint32_t seg,
                                       uint32_t dst, uint32_t src, uint32_t n) {
  wasmrt_instance *inst = inst_of(ctx);
  const wasmrt_data_desc *d = &inst->module->desc->datas[seg];
  uint64_t len = inst->data_dropped[seg] ? 0 : d->len;
  wasmrt_memory *m = ctx->memories[mem];
  if (!in_range(src, n, len) || !in_range(dst, n, rt_memory_size(m))) return WASMRT_TRAP_MEMORY_OOB;
  if (n) memcpy(m->base + dst, d->bytes + src, n);
  return 0;
}

WASMRT_API void wasmrt_data_drop(wasmrt_vmctx *ctx, uint32_t seg) {
  inst_of(ctx)->data_dropped[seg] = 1;
}

/* ---- tables -------------------------------------------------------------- */

WASMRT_API uint32_t wasmrt_table_get(wasmrt_vmctx *ctx, uint32_t table, uint32_t i,
                                     void **out) {
  wasmrt_table *t = ctx->tables[table];
  if (i >= t->size) return WASMRT_TRAP_TABLE_OOB;
  *out = t->elems[i];
  return 0;
}

WASMRT_API uint32_t wasmrt_table_set(wasmrt_vmctx *ctx, uint32_t table, uint32_t i, void *v) {
  wasmrt_table *t = ctx->tables[table];
  if (i >= t->size) return WASMRT_TRAP_TABLE_OOB;
  t->elems[i] = v;
  return 0;
}

WASMRT_API int32_t wasmrt_table_grow(wasmrt_vmctx *ctx, uint32_t table, void *init,
                                     uint32_t delta) {
  return (int32_t)rt_table_grow(ctx->tables[table], delta, init);
}

WASMRT_API uint32_t wasmrt_table_fill(wasmrt_vmctx *ctx, uint32_t table, uint32_t i, void *v,
                                      uint32_t n) {
  wasmrt_table *t = ctx->tables[table];
  if (!in_range(i, n, t->size)) return WASMRT_TRAP_TABLE_OOB;
  for (uint32_t k = 0; k < n; k++) t->elems[i + k] = v;
  return 0;
}

WASMRT_API uint32_t wasmrt_table_copy(wasmrt_vmctx *ctx, uint32_t dst_table,
                                      uint32_t src_table, uint32_t dst, uint32_t src,
                                      uint32_t n) {
  wasmrt_table *d = ctx->tables[dst_table], *s = ctx->tables[src_table];
  if (!in_range(dst, n, d->size) || !in_range(src, n, s->size)) return WASMRT_TRAP_TABLE_OOB;
  if (n) memmove(d->elems + dst, s->elems + src, (size_t)n * sizeof(void *));
  return 0;
}

WASMRT_API uint32_t wasmrt_table_init(wasmrt_vmctx *ctx, uint32_t table, uint32_t seg,
                                      uint32_t dst, uint32_t src, uint32_t n) {
  wasmrt_instance *inst = inst_of(ctx);
  wasmrt_table *t = ctx->tables[table];
  if (!in_range(src, n, inst->elem_len[seg]) || !in_range(dst, n, t->size))
    return WASMRT_TRAP_TABLE_OOB;
  if (n) memcpy(t->elems + dst, inst->elem_items[seg] + src, (size_t)n * sizeof(void *));
  return 0;
}

WASMRT_API void wasmrt_elem_drop(wasmrt_vmctx *ctx, uint32_t seg) {
  inst_of(ctx)->elem_len[seg] = 0;
}
